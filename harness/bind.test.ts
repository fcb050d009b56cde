// Bounded device calls: a device that stops answering gives a DeviceError naming it, in bounded time.
import { describe, expect, it } from 'vitest';
import { withCallTimeouts } from './bind.ts';
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
