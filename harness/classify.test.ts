// The five statuses from vitest's verdicts.
import { describe, expect, it } from 'vitest';
import { classify } from './classify.ts';

describe('classify', () => {
  it('maps passed and plain skips', () => {
    expect(classify('passed', [], undefined).status).toBe('passed');
    expect(classify('skipped', [], undefined).status).toBe('skipped');
  });
  it('maps a skip with a blocked reason to blocked, keeping the reason', () => {
    expect(classify('skipped', [], 'lacks capability cmis')).toEqual({ status: 'blocked', message: 'lacks capability cmis' });
  });
  it('maps assertion errors and bounded waits to failed', () => {
    expect(classify('failed', [{ name: 'AssertionError', message: 'expected 1 to be 2' }], undefined).status).toBe('failed');
    expect(classify('failed', [{ name: 'TimeoutError', message: 'port down did not hold' }], undefined).status).toBe('failed');
  });
  it('maps a driver that has not written a capability to blocked', () => {
    const v = classify('failed', [{ name: 'NotImplementedError', message: 'cmis.read unimplemented for device "m1"' }], undefined);
    expect(v).toEqual({ status: 'blocked', message: 'cmis.read unimplemented for device "m1"' });
  });
  it('maps device errors, test timeouts and harness bugs to broken', () => {
    expect(classify('failed', [{ name: 'DeviceError', message: 'x did not answer' }], undefined).status).toBe('broken');
    expect(classify('failed', [{ name: 'Error', message: 'Test timed out in 5000ms.' }], undefined)).toMatchObject({ status: 'broken', message: 'Test timed out in 5000ms.' });
    expect(classify('failed', [{ name: 'TypeError', message: 'x is undefined' }], undefined).status).toBe('broken');
    expect(classify('failed', undefined, undefined).status).toBe('broken');
  });
});
