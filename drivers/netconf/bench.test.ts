// The NETCONF benchmark returns sane figures for a small run (behaviour only: no timing assertions).
import { describe, expect, it } from 'vitest';
import { benchNetconf } from './bench.ts';
import { missingNcclient } from './peers.ts';

describe('benchNetconf', () => {
  it('returns positive round-trip and rate figures for our client and ncclient', async () => {
    const r = await benchNetconf({ rpcs: 20 });
    expect(r.rpcs).toBe(20);
    for (const v of Object.values(r.ourClient)) expect(v).toBeGreaterThan(0);
    expect(r.ourClient.p99RttMs).toBeGreaterThanOrEqual(r.ourClient.medianRttMs);
    if (missingNcclient() === null || process.env.CI === 'true') {
      expect(r.ncclient, r.ncclientSkipped).not.toBeNull();
      for (const v of Object.values(r.ncclient!)) expect(v).toBeGreaterThan(0);
    } else {
      expect(r.ncclientSkipped).toMatch(/python3-ncclient/);
    }
  }, 120_000);

  it('refuses a non-positive rpc count', async () => {
    await expect(benchNetconf({ rpcs: 0 })).rejects.toThrow(RangeError);
  });
});
