// GSE topology as the devices see it: GSP / GSF-T2 / GSF-T1 and GSP / GSF / BORDER / CORE wiring, ports in use, computed oversubscription.
//
// The sizing figures of GSE-TOPO-6 and -7 (4K GPUs per PoD, 25 PoDs for 100K GPUs, 128 for 512K;
// non-blocking to 32 PoDs, 4:1 at 128) are properties of the sizing tool, not of a device: they are
// checked by the unit tests of `fabric-hil topo gse` (harness/topo.test.ts, emulators/gse). This
// suite checks what a lab can observe on the fabric under test, from the testbed wiring, the
// interface speeds and each device's own view of its ports (`/gse/ports`).
//
// Test plan (requirement IDs):
// - GSE-TOPO-1, -2, -3, -7 (three-tier): every server NIC port is cabled to a GSP server
//   port at the GSPs' line rate; each GSP joins every GSF-T2 of its PoD (the same number of links
//   to each, none to another PoD) and has at least as much uplink as server capacity (non-blocking);
//   each GSF-T2 joins every GSP of its PoD; every GSP and GSF-T2 uses each of those links as a
//   fabric port and each server-facing port as a server port; the computed oversubscription of
//   every stage (server/GSP, GSP/GSF-T2, GSF-T2/GSF-T1) is reported (GSE-TOPO-7: computed, not
//   assumed), with the server ports per PoD.
// - GSE-TOPO-4: GSF-T1 of plane i joins the GSF-T2 of plane i of every PoD and no other GSF-T2,
//   with the same number of links to each, all used as fabric ports.
// - GSE-TOPO-10, -8 (Border): each GSP joins every GSF of its PoD, each GSF every BORDER of its PoD,
//   BORDER i joins the CORE of plane i and each CORE one BORDER of every PoD; the GSPs use every
//   uplink; the oversubscription at the BORDER (the place GSE-TOPO-8 sets it) is reported.
import { describe, expect, req, test } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { borderDesign, requireDomain, threeTier, type GseSwitch } from './gse-lab.ts';

interface PortView {
  name: string;
  role: string;
  neighbor: string | null;
}

async function speedOf(lab: Lab, id: string, port: string): Promise<number> {
  return Number(await lab.requireDevice(id, ['state']).state.get(`/interfaces/interface[name=${port}]/speed`));
}

async function capacity(lab: Lab, id: string, ports: string[]): Promise<number> {
  let s = 0;
  for (const p of ports) s += await speedOf(lab, id, p);
  return s;
}

function linksTo(lab: Lab, a: string, others: readonly { id: string }[]): string[] {
  return others.flatMap((o) => lab.links(a, o.id).map(([p]) => p));
}

/** The device uses each of `ports` in `role` (its own view). */
async function expectRoles(lab: Lab, sw: GseSwitch, ports: string[], role: string): Promise<void> {
  const view = ((await lab.requireDevice(sw.id, ['state']).state.get('/gse/ports')) ?? []) as PortView[];
  for (const p of ports) expect(view.find((v) => v.name === p)?.role, `${sw.id}:${p} in use as a ${role} port`).toBe(role);
}

/** Every lower device joins every upper device of its group, the same number of links to each. */
function expectFullMesh(lab: Lab, lower: GseSwitch[], upper: GseSwitch[], what: string): number {
  let per = -1;
  for (const l of lower) {
    for (const u of upper) {
      const n = lab.links(l.id, u.id).length;
      expect(n, `${what}: links ${l.id} - ${u.id}`).toBeGreaterThan(0);
      if (per < 0) per = n;
      expect(n, `${what}: ${l.id} - ${u.id} has ${n} links, others ${per}`).toBe(per);
    }
  }
  return per;
}

describe('GSE topology', () => {
  test('three-tier: servers on GSPs, GSP full mesh to the GSF-T2s of its PoD, non-blocking, every port in use', req('GSE-TOPO-1', 'GSE-TOPO-2', 'GSE-TOPO-3', 'GSE-TOPO-7'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a three-tier fabric', threeTier);
    const pods = [...new Set(dom.gsps.map((g) => g.sys.pod))];
    const rows: Array<Array<string | number>> = [];
    let down = 0;
    let gspUp = 0;
    let t2Up = 0;
    for (const pod of pods) {
      const gsps = dom.gsps.filter((g) => g.sys.pod === pod);
      const t2 = dom.gsfT2.filter((g) => g.sys.pod === pod);
      expectFullMesh(lab, gsps, t2, `PoD ${pod} GSP - GSF-T2`);
      for (const g of gsps) {
        lab.requireDevice(g.id, ['state']);
        const servers = dom.servers.filter((s) => s.gsp === g.id);
        const serverPorts = servers.map((s) => s.gspPort);
        const uplinks = linksTo(lab, g.id, t2);
        expect(linksTo(lab, g.id, dom.gsfT2.filter((x) => x.sys.pod !== pod)), `${g.id}: links to another PoD's GSF-T2`).toEqual([]);
        await expectRoles(lab, g, serverPorts, 'server');
        await expectRoles(lab, g, uplinks, 'fabric');
        const gspSpeed = serverPorts.length ? await speedOf(lab, g.id, serverPorts[0]) : 0;
        for (const s of servers) expect(await speedOf(lab, s.id, s.port), `${s.id}:${s.port} speed`).toBe(gspSpeed);
        const dn = await capacity(lab, g.id, serverPorts);
        const up = await capacity(lab, g.id, uplinks);
        expect(up, `${g.id}: uplink capacity ${up / 1e9} Gb/s vs server capacity ${dn / 1e9} Gb/s`).toBeGreaterThanOrEqual(dn);
        down += dn;
        gspUp += up;
      }
      for (const f of t2) {
        await expectRoles(lab, f, linksTo(lab, f.id, gsps), 'fabric');
        const t1 = linksTo(lab, f.id, dom.gsfT1);
        await expectRoles(lab, f, t1, 'fabric');
        t2Up += await capacity(lab, f.id, t1);
      }
    }
    rows.push(['server / GSP', dom.servers.length, 1]);
    rows.push(['GSP / GSF-T2', dom.gsps.length, down / gspUp]);
    rows.push(['GSF-T2 / GSF-T1', dom.gsfT2.length, t2Up > 0 ? gspUp / t2Up : 'no GSF-T1']);
    lab.metric({ name: 'computed oversubscription per stage (down capacity / up capacity)', unit: 'ratio', table: { columns: ['stage', 'lower devices', 'oversubscription'], rows } });
    const perPod = dom.servers.length / pods.length;
    lab.metric({ name: 'server NIC ports per PoD', unit: 'ports', value: perPod });
    expect(down / gspUp, 'GSP stage oversubscription').toBeLessThanOrEqual(1);
  });

  test('three-tier: GSF-T1 plane i joins the GSF-T2 of plane i of every PoD, and only those', req('GSE-TOPO-4'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a three-tier fabric', threeTier);
    const pods = [...new Set(dom.gsps.map((g) => g.sys.pod))];
    for (const t1 of dom.gsfT1) {
      lab.requireDevice(t1.id, ['state']);
      const plane = t1.sys.plane;
      const members = dom.gsfT2.filter((f) => f.sys.plane === plane);
      expect(new Set(members.map((m) => m.sys.pod)).size, `plane ${plane}: one GSF-T2 in each PoD`).toBe(pods.length);
      expectFullMesh(lab, [t1], members, `plane ${plane}`);
      expect(linksTo(lab, t1.id, dom.gsfT2.filter((f) => f.sys.plane !== plane)), `${t1.id}: links outside plane ${plane}`).toEqual([]);
      await expectRoles(lab, t1, linksTo(lab, t1.id, members), 'fabric');
    }
  });

  test('Border: GSP to every GSF, GSF to every BORDER of the PoD, BORDER i to CORE plane i; BORDER oversubscription', req('GSE-TOPO-10', 'GSE-TOPO-8'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a multi-PoD Border fabric', borderDesign);
    const pods = [...new Set(dom.gsps.map((g) => g.sys.pod))];
    const rows: Array<Array<string | number>> = [];
    for (const pod of pods) {
      const gsps = dom.gsps.filter((g) => g.sys.pod === pod);
      const gsfs = dom.gsfT2.filter((g) => g.sys.pod === pod);
      const borders = dom.borders.filter((g) => g.sys.pod === pod);
      expectFullMesh(lab, gsps, gsfs, `PoD ${pod} GSP - GSF`);
      expectFullMesh(lab, gsfs, borders, `PoD ${pod} GSF - BORDER`);
      for (const g of gsps) await expectRoles(lab, g, linksTo(lab, g.id, gsfs), 'fabric');
      for (const b of borders) {
        lab.requireDevice(b.id, ['state']);
        const cores = dom.cores.filter((c) => c.sys.plane === b.sys.plane);
        expect(cores.length, `CORE plane ${b.sys.plane}`).toBeGreaterThan(0);
        expectFullMesh(lab, [b], cores, `BORDER ${b.id} - CORE plane ${b.sys.plane}`);
        expect(linksTo(lab, b.id, dom.cores.filter((c) => c.sys.plane !== b.sys.plane)), `${b.id}: links to other planes`).toEqual([]);
        const dn = await capacity(lab, b.id, linksTo(lab, b.id, gsfs));
        const up = await capacity(lab, b.id, linksTo(lab, b.id, cores));
        rows.push([b.id, dn / 1e9, up / 1e9, dn / up]);
      }
    }
    for (const c of dom.cores) {
      const borders = dom.borders.filter((b) => lab.links(c.id, b.id).length > 0);
      expect(new Set(borders.map((b) => b.sys.pod)).size, `${c.id}: one BORDER in every PoD`).toBe(pods.length);
    }
    lab.metric({ name: 'BORDER oversubscription (PoD side / CORE side)', unit: 'ratio', table: { columns: ['BORDER', 'down Gb/s', 'up Gb/s', 'oversubscription'], rows } });
  });
});
