// `topo gse` sizing against the source's figures: GSE-TOPO-6, -7, -8, -9, -10, refusals, oversubscription and the table.
import { describe, expect, it } from 'vitest';
import { SizingError, formatTopo, parseOversub, topoGse, type SizingResult } from './topo.ts';

const stage = (r: SizingResult, name: string) => r.stages.find((s) => s.name === name)!;
const refused = (f: () => unknown): SizingError => {
  try {
    f();
  } catch (e) {
    if (e instanceof SizingError) return e;
    throw e;
  }
  throw new Error('expected a SizingError');
};

describe('topo gse: three-tier (GSE-TOPO-1..7)', () => {
  it('GSE-TOPO-6: a PoD is 4K GPUs, 64 GSPs x 64 server ports, 8 SUs of 8 GSPs', () => {
    const r = topoGse({ gpus: 4096 });
    expect([r.pods, r.gpusPerPod, r.gspsPerPod, r.gspServerPorts, r.susPerPod, r.gspsPerSu, r.servers]).toEqual([1, 4096, 64, 64, 8, 8, 512]);
    expect(r.devices).toEqual({ gsp: 64, 'gsf-t2': 64, 'gsf-t1': 0 });
    expect(r.portsUsed).toMatchObject({ gsp: 128, 'gsf-t2': 64 });
    expect(stage(r, 'gsf-t2/gsf-t1')).toMatchObject({ links: 0, oversubscription: null });
  });

  it('GSE-TOPO-6: 100K GPUs need 25 PoDs, 102,400 GPUs of capacity; 512K is 128 PoDs, the most', () => {
    const r = topoGse({ gpus: 100_000 });
    expect([r.pods, r.gpus, r.servers, r.sus]).toEqual([25, 102_400, 12_800, 200]);
    expect(r.devices).toEqual({ gsp: 1600, 'gsf-t2': 1600, 'gsf-t1': 1024 });
    expect(r.stages.map((s) => [s.name, s.links, s.oversubscription])).toEqual([
      ['server/gsp', 102_400, 1],
      ['gsp/gsf-t2', 102_400, 1],
      ['gsf-t2/gsf-t1', 102_400, 1],
    ]);
    expect(r.opticalModules).toBe(2 * 307_200);
    const max = topoGse({ gpus: 524_288 });
    expect([max.pods, max.gpus, max.maxPods, max.maxGpus]).toEqual([128, 524_288, 128, 524_288]);
  });

  it('GSE-TOPO-7: plane i has 16 x 128 = 2048 GSF-T1 ports; non-blocking up to 32 PoDs; 128 PoDs leave 16 uplinks, 4:1', () => {
    const at32 = topoGse({ gpus: 32 * 4096 });
    expect(at32.plane).toMatchObject({ planes: 64, devicesPerPlane: 16, portsPerPlane: 2048, portsUsedPerPlane: 2048, uplinksUsed: 64, nonBlockingMaxPods: 32 });
    expect(stage(at32, 'gsf-t2/gsf-t1').oversubscription).toBe(1);
    const at33 = topoGse({ gpus: 33 * 4096 });
    expect(stage(at33, 'gsf-t2/gsf-t1').oversubscription).toBeGreaterThan(1);
    const at128 = topoGse({ gpus: 524_288 });
    expect(at128.plane).toMatchObject({ devicesPerPlane: 16, portsPerPlane: 2048, linksPerPair: 1, uplinksWanted: 64, uplinksUsed: 16 });
    expect(stage(at128, 'gsf-t2/gsf-t1').oversubscription).toBe(4);
    expect(at128.devices['gsf-t1']).toBe(64 * 16);
    expect(at128.portsUsed['gsf-t2']).toBe(64 + 16);
    expect(at128.notes.join('\n')).toMatch(/2,048 ports per plane; 128 PoDs leave 16 of 64 uplinks per GSF-T2, 4:1/);
  });

  it('GSE-TOPO-9: rail-optimised GSF-T2 makes 32K-GPU PoDs with the same totals as full mesh at equal capacity', () => {
    const one = topoGse({ gpus: 32_768, rail: true });
    expect([one.pods, one.gpusPerPod, one.susPerPod, one.gspsPerPod, one.devices['gsf-t2']]).toEqual([1, 32_768, 64, 512, 512]);
    const rail = topoGse({ gpus: 131_072, rail: true });
    const mesh = topoGse({ gpus: 131_072 });
    expect([rail.pods, mesh.pods]).toEqual([4, 32]);
    expect(rail.devices).toEqual(mesh.devices);
    expect([rail.links, rail.opticalModules, rail.switches]).toEqual([mesh.links, mesh.opticalModules, mesh.switches]);
    expect(rail.stages.map((s) => s.oversubscription)).toEqual([1, 1, 1]);
    // 100K: four whole rail PoDs hold 131,072 GPUs, with exactly the 131,072-GPU full-mesh totals.
    const r100 = topoGse({ gpus: 100_000, rail: true });
    expect([r100.pods, r100.gpus, r100.devices]).toEqual([4, 131_072, mesh.devices]);
  });
});

describe('topo gse: border and gsp-direct (GSE-TOPO-10, -11)', () => {
  it('GSE-TOPO-10: 4K GPUs per PoD, 64 GSF, 64 BORDER, 64 CORE planes of 16; 25 PoDs for 100K, 128 for 512K', () => {
    const r = topoGse({ gpus: 100_000, design: 'border' });
    expect([r.pods, r.gpusPerPod, r.gpus]).toEqual([25, 4096, 102_400]);
    expect(r.devices).toEqual({ gsp: 1600, gsf: 1600, border: 1600, core: 1024 });
    expect(r.plane).toMatchObject({ lower: 'border', upper: 'core', planes: 64, devicesPerPlane: 16 });
    expect(r.stages.map((s) => [s.name, s.links, s.oversubscription])).toEqual([
      ['server/gsp', 102_400, 1],
      ['gsp/gsf', 102_400, 1],
      ['gsf/border', 102_400, 1],
      ['border/core', 102_400, 1],
    ]);
    const max = topoGse({ gpus: 524_288, design: 'border' });
    expect([max.pods, stage(max, 'border/core').oversubscription]).toEqual([128, 4]);
  });

  it('GSE-TOPO-11: GSPs split their ports between servers, GSFs (speedup) and the CORE', () => {
    const r = topoGse({ gpus: 100_000, design: 'gsp-direct' });
    const [d, g, c] = [r.gspServerPorts, stage(r, 'gsp/gsf').linksPerLower, stage(r, 'gsp/core').linksPerLower];
    expect(d + g + c).toBe(128);
    expect(g).toBeGreaterThanOrEqual(d);
    expect(stage(r, 'gsp/gsf').oversubscription).toBe(d / g);
    expect(stage(r, 'gsp/core').oversubscription).toBe(1);
    expect(r.plane).toMatchObject({ lower: 'gsp', planes: r.gspsPerPod });
    expect(r.gpus).toBeGreaterThanOrEqual(100_000);
  });
});

describe('topo gse: oversubscription and refusals', () => {
  it('GSE-TOPO-8: 1:7 at GSF-T2 is applied and reported (10 of 64 uplinks: 6.4:1, never above 7:1)', () => {
    const r = topoGse({ gpus: 100_000, oversub: '1:7' });
    expect(r.oversubRequested).toBe(7);
    expect(stage(r, 'gsf-t2/gsf-t1')).toMatchObject({ linksPerLower: 10, oversubscription: 6.4, links: 16_000 });
    expect(r.devices['gsf-t1']).toBe(64 * 2);
    expect(r.notes.join('\n')).toContain('1:7 at GSF-T2: 64 down ports need 9.14 uplinks; 10 give 6.4:1');
    const border = topoGse({ gpus: 100_000, design: 'border', oversub: 7 });
    expect(stage(border, 'border/core').oversubscription).toBe(6.4);
    expect(stage(border, 'gsf/border').oversubscription).toBe(1);
    expect(formatTopo(r)).toMatch(/GSF-T2 - GSF-T1 +16,000 .* 6\.4:1 \(asked 7:1\)/);
  });

  it('parses 1:K, K:1 and K', () => {
    expect([parseOversub('1:7'), parseOversub('7:1'), parseOversub('4'), parseOversub('1:1'), parseOversub(' 2 : 3 ')]).toEqual([7, 7, 4, 1, 1.5]);
    for (const bad of ['', '1:0', 'x', '1:7:2', '-1:7']) expect(refused(() => parseOversub(bad)).code).toBe('invalid');
  });

  it('refuses infeasible requests with the reason', () => {
    const pods = refused(() => topoGse({ gpus: 524_289 }));
    expect(pods.code).toBe('too-many-pods');
    expect(pods.message).toBe(
      '524,289 GPUs need 129 PoDs of 4,096 GPUs, but a GSF-T1 with 128 ports links to every PoD of its plane, so a plane takes at most 128 PoDs (524,288 GPUs): not coverable with this design and radix',
    );
    expect(refused(() => topoGse({ gpus: 4096, radix: 2 })).code).toBe('radix-too-small');
    expect(refused(() => topoGse({ gpus: 0 })).message).toBe('gpus: expected a whole number >= 1, got 0');
    expect(refused(() => topoGse({ gpus: 4096, design: 'border', rail: true })).message).toMatch(/three-tier design/);
    // A smaller radix shrinks the PoD and the reach: 64 ports give 1024-GPU PoDs, at most 64 of them.
    const small = topoGse({ gpus: 65_536, radix: 64 });
    expect([small.gpusPerPod, small.pods, small.maxPods]).toEqual([1024, 64, 64]);
    expect(refused(() => topoGse({ gpus: 65_537, radix: 64 })).code).toBe('too-many-pods');
  });

  it('prints a readable table and JSON-safe results', () => {
    const r = topoGse({ gpus: 524_288 });
    const text = formatTopo(r);
    expect(text).toContain('GSE three-tier: radix 128 x 400GE, rail attachment');
    expect(text).toMatch(/GSF-T1 +1,024 +128\/128/);
    expect(text).toMatch(/GSF-T2 - GSF-T1 +131,072 +16 +128 +1 +262,144 +4:1/);
    expect(text).toContain('64 GSF-T1 planes x 16: 2,048 ports each');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
