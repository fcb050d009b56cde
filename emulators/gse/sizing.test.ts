// GSE sizing model edges: attachments, plane fitting, options and invariants over many requests.
import { describe, expect, it } from 'vitest';
import { SizingError, sizeGseFabric, type SizingOptions } from './sizing.ts';

const refusal = (o: SizingOptions): string => {
  try {
    sizeGseFabric(o);
  } catch (e) {
    if (e instanceof SizingError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
};

describe('GSE sizing', () => {
  it('zero-rail puts 8 whole servers on a GSP; the counts match rail attachment, the per-pair links do not', () => {
    const zero = sizeGseFabric({ gpus: 100_000, attachment: 'zero-rail' });
    const rail = sizeGseFabric({ gpus: 100_000 });
    expect([zero.devices, zero.links, zero.servers]).toEqual([rail.devices, rail.links, rail.servers]);
    expect([zero.stages[0].linksPerPair, rail.stages[0].linksPerPair]).toEqual([8, 1]);
    expect(refusal({ gpus: 8, radix: 8, attachment: 'zero-rail' })).toMatch(/^radix-too-small: radix 8: a GSP has 4 server ports, not a whole number of 8-port servers/);
  });

  it('spreads uplinks evenly over as few plane devices as carry them', () => {
    const two = sizeGseFabric({ gpus: 2 * 4096 });
    expect(two.plane).toMatchObject({ devicesPerPlane: 1, linksPerPair: 64, uplinksUsed: 64 });
    const r = sizeGseFabric({ gpus: 33 * 4096 });
    expect(r.plane).toMatchObject({ devicesPerPlane: 16, linksPerPair: 3, uplinksUsed: 48 });
    expect(r.stages[2].oversubscription).toBeCloseTo(64 / 48);
    const wide = sizeGseFabric({ gpus: 524_288, maxPerPlane: 64 });
    expect(wide.plane).toMatchObject({ devicesPerPlane: 64, uplinksUsed: 64, nonBlockingMaxPods: 128 });
    expect(wide.devices['gsf-t1']).toBe(4096);
  });

  it('gsp-direct: speedup and oversubscription shape the GSP', () => {
    const r = sizeGseFabric({ gpus: 50_000, design: 'gsp-direct', oversub: 7, speedup: 1.25 });
    const [d, g, c] = [r.gspServerPorts, r.stages[1].linksPerLower, r.plane.uplinksWanted];
    expect([d, g, c]).toEqual([53, 67, 8]);
    expect(g / d).toBeGreaterThanOrEqual(1.25);
    expect(refusal({ gpus: 1, design: 'gsp-direct', radix: 4, speedup: 4 })).toMatch(/^radix-too-small/);
    expect(refusal({ gpus: 1, speedup: 2 })).toMatch(/gsp-direct design only/);
  });

  it('refuses bad options', () => {
    expect(refusal({ gpus: 1, oversub: 0.5 })).toMatch(/^invalid: oversub/);
    expect(refusal({ gpus: 1, radix: 127 })).toMatch(/^radix-too-small: radix 127/);
    expect(refusal({ gpus: 1, railGsfT2: true, attachment: 'zero-rail' })).toMatch(/needs rail attachment/);
    expect(refusal({ gpus: 1, design: 'clos' as never })).toMatch(/^invalid: design/);
  });

  it('invariants over many requests: capacity covers, ports fit the radix, modules are two per link', () => {
    for (const design of ['three-tier', 'border', 'gsp-direct'] as const) {
      for (const gpus of [1, 511, 4096, 4097, 50_000, 100_000, 300_000, 524_288]) {
        for (const oversub of [1, 3, 7]) {
          const r = sizeGseFabric({ gpus, design, oversub });
          expect(r.gpus).toBeGreaterThanOrEqual(gpus);
          expect(r.gpus - gpus).toBeLessThan(r.gpusPerPod);
          for (const used of Object.values(r.portsUsed)) expect(used).toBeLessThanOrEqual(r.radix);
          expect(r.opticalModules).toBe(2 * r.links);
          const top = r.stages[r.stages.length - 1];
          if (r.pods > 1 && r.pods <= r.plane.nonBlockingMaxPods) expect(top.oversubscription!).toBeLessThanOrEqual(oversub);
        }
      }
    }
  });
});
