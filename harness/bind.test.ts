// Bounded device calls: a device that stops answering gives a DeviceError naming it, in bounded time; lifecycle resets once per scope; devices open a few at a time.
import { describe, expect, it } from 'vitest';
import { eachLimited, resetDevices, withCallTimeouts } from './bind.ts';
import { DeviceError, type Device } from '../drivers/device.ts';

function fakeDevice(get: (p: string) => Promise<unknown>): Device {
  return { id: 'dut9', kind: 'switch', driver: 'test', ports: ['p1'], state: { get }, close: async () => {} };
}

describe('withCallTimeouts', () => {
  it('passes answers and errors through', async () => {
    const d = withCallTimeouts(fakeDevice(async (p) => `v:${p}`), 1000);
    expect(await d.state!.get('/x')).toBe('v:/x');
    const e = withCallTimeouts(fakeDevice(async () => { throw new RangeError('bad path'); }), 1000);
    await expect(e.state!.get('/x')).rejects.toThrow(RangeError);
    expect(d.id).toBe('dut9');
    expect(d.counters).toBeUndefined();
  });

  it('turns a hang into a DeviceError naming the device and the call', async () => {
    const d = withCallTimeouts(fakeDevice(() => new Promise(() => {})), 50);
    const err = await d.state!.get('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as Error).message).toBe('device "dut9": state.get did not answer within 50 ms');
  });
});

describe('resetDevices', () => {
  const withReset = (id: string, scope: string, calls: string[], reset?: () => Promise<void>): Device => ({
    ...fakeDevice(async () => undefined),
    id,
    lifecycle: { scope, reset: reset ?? (async () => void calls.push(`${id}:${scope}`)) },
  });

  it('resets each scope once, through the first device of it, and skips devices without a lifecycle', async () => {
    const calls: string[] = [];
    const devices = [withReset('a1', 'twin-a', calls), fakeDevice(async () => undefined), withReset('a2', 'twin-a', calls), withReset('b1', 'twin-b', calls)];
    expect(await resetDevices(devices, 1000)).toEqual(['twin-a', 'twin-b']);
    expect(calls).toEqual(['a1:twin-a', 'b1:twin-b']);
  });

  it('bounds a reset that does not answer by the driver timeout', async () => {
    const err = await resetDevices([withReset('a1', 'twin-a', [], () => new Promise(() => {}))], 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as Error).message).toBe('device "a1": lifecycle.reset did not answer within 50 ms');
  });
});

describe('eachLimited', () => {
  it('runs at most `limit` at a time and visits every item with its index', async () => {
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    await eachLimited(['a', 'b', 'c', 'd', 'e'], 2, async (x, i) => {
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      seen.push(`${i}${x}`);
      running--;
    });
    expect(peak).toBe(2);
    expect(seen.sort()).toEqual(['0a', '1b', '2c', '3d', '4e']);
  });

  it('starts nothing after a failure, waits for the items under way, then throws the failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const run = eachLimited([0, 1, 2, 3, 4], 2, async (x) => {
      started.push(x);
      if (x === 0) {
        await slow;
        finished.push(x);
        return;
      }
      throw new Error(`item ${x} failed`);
    });
    await Promise.resolve();
    release();
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });
});
