// The emulated fabrics agree with the sizing: a generated three-tier fabric has the devices, links and per-stage oversubscription sizeGseFabric computes.
//
// The suite (suites/gse) cannot import the sizing (it must run on gear), so the sizing figures of
// GSE-TOPO-6 and -7 are unit tests (harness/topo.test.ts, sizing.test.ts) and this file ties them to
// the generators the emulated testbeds use: what the suite observes on an emulated fabric is the
// fabric the sizing describes.
import { describe, expect, it } from 'vitest';
import { generateTopology, type GeneratedTopology } from '../generators.ts';
import { sizeGseFabric } from './sizing.ts';
import './generators.ts';

function count(t: GeneratedTopology, pred: (kind: string, params: Record<string, unknown>) => boolean): number {
  return t.devices.filter((d) => pred(d.kind, d.params ?? {})).length;
}

/** Links between devices matching two predicates. */
function linksBetween(t: GeneratedTopology, a: (id: string) => boolean, b: (id: string) => boolean): number {
  return t.links.filter((l) => (a(l.a.device) && b(l.b.device)) || (b(l.a.device) && a(l.b.device))).length;
}

describe('generated GSE fabrics versus the sizing', () => {
  it.each([4096, 8192])('three-tier, %i GPUs: devices per role, links and oversubscription of every stage', (gpus) => {
    const s = sizeGseFabric({ gpus, attachment: 'zero-rail' });
    const t = generateTopology('gse-three-tier', 'f', {
      pods: s.pods,
      gspsPerPod: s.gspsPerPod,
      gsfT2PerPod: s.stages[1].linksPerLower,
      gsfT1PerPlane: s.plane.devicesPerPlane,
      t1Links: Math.max(1, s.plane.linksPerPair),
      serversPerGsp: s.gspServerPorts / s.nicPortsPerServer,
      nicPorts: s.nicPortsPerServer,
    });
    const isGsp = (id: string) => id.startsWith('f-gsp');
    const isT2 = (id: string) => /^f-gsf\d+-/.test(id);
    const isT1 = (id: string) => id.startsWith('f-gsft1');
    const isSrv = (id: string) => id.startsWith('f-srv');
    expect(count(t, (k) => k === 'gse-gsp')).toBe(s.devices.gsp);
    expect(count(t, (k, p) => k === 'gse-gsf' && p.tier === 'T2')).toBe(s.devices['gsf-t2']);
    expect(count(t, (k, p) => k === 'gse-gsf' && p.tier === 'T1')).toBe(s.devices['gsf-t1'] ?? 0);
    expect(count(t, (k) => k === 'host') * s.gpusPerServer).toBe(s.gpus);
    const stageLinks = [linksBetween(t, isSrv, isGsp), linksBetween(t, isGsp, isT2), linksBetween(t, isT2, isT1)];
    expect(stageLinks).toEqual(s.stages.map((x) => x.links));
    // Oversubscription computed from the generated links: server ports of a GSP over its uplinks;
    // a GSF-T2's GSP-facing links over its GSF-T1 links.
    const gsps = s.devices.gsp ?? 0;
    const perGsp = stageLinks[0] / gsps;
    const upGsp = stageLinks[1] / gsps;
    expect(perGsp / upGsp).toBe(s.stages[1].oversubscription);
    if (s.pods > 1) expect(stageLinks[1] / stageLinks[2]).toBe(s.stages[2].oversubscription);
    expect(t.links.length).toBe(s.links);
  });
});
