// GSE control plane: EBGP between the GSE devices distributing GSPID and DPORT information to every device.
//
// Test plan (requirement ID GSE-ROLE-4 throughout):
// - every GSE switch (GSP, GSF-T2, GSF-T1, BORDER, CORE) has one established EBGP session with each
//   GSE switch it is cabled to (testbed wiring), no session elsewhere, the peer's AS as the peer
//   reports it, every device in an AS of its own (EBGP), and updates received on every session;
// - GSPID: every GSP, GSF and BORDER has a route to the GSE id of every GSP (and BORDER) of its
//   scope (the whole three-tier fabric; its PoD in a Border fabric); a GSF-T2's route to a GSP of
//   its PoD leaves on exactly the ports cabled to that GSP;
// - DPORT: each GSP advertises one DPORT entry per server port (the port's name as cabled), and
//   every GSP, GSF and BORDER of the scope holds the same entry (address -> GSP id, DPORT); in a
//   Border fabric, the GSPs also reach the other PoD's addresses through a BORDER of their PoD.
import { describe, expect, req, test } from '../../harness/suite.ts';
import { gseDomains, gseIdsFor, requireDomain, waitConverged, type DportEntry, type GseDomain, type GseSwitch } from './gse-lab.ts';

interface Neighbor {
  device: string;
  asn: number | null;
  ports: string[];
  state: string;
  updatesReceived: number;
}
interface GspidRoute {
  gspId: number;
  pathLength: number;
  ports: string[];
}

const hasGse = (d: GseDomain): boolean => d.gsps.length >= 2;

async function get<T>(sw: GseSwitch, path: string): Promise<T> {
  return ((await sw.dev.state.get(path)) ?? []) as T;
}

describe('GSE control plane', () => {
  test('EBGP: one established session with every cabled GSE neighbour, each device in its own AS', req('GSE-ROLE-4'), async ({ lab }) => {
    const doms = await gseDomains(lab);
    if (doms.length === 0) lab.block(`testbed ${lab.testbedName} has no GSE domain`);
    for (const dom of doms) {
      await waitConverged(lab, dom);
      const asns = new Map(dom.switches.map((s) => [s.id, s.sys.asn]));
      expect(new Set(asns.values()).size, `distinct AS numbers in domain ${dom.name}`).toBe(dom.switches.length);
      for (const sw of dom.switches) {
        lab.requireDevice(sw.id, ['state']);
        const expected = dom.switches.filter((o) => o.id !== sw.id && lab.links(sw.id, o.id).length > 0).map((o) => o.id).sort();
        const sessions = await get<Neighbor[]>(sw, '/gse/bgp/neighbors');
        expect(sessions.map((n) => n.device).sort(), `${sw.id}: EBGP neighbours`).toEqual(expected);
        for (const n of sessions) {
          expect(n.state, `${sw.id} - ${n.device} session`).toBe('established');
          expect(n.asn, `${sw.id} - ${n.device}: peer AS`).toBe(asns.get(n.device));
          expect(n.ports.sort(), `${sw.id} - ${n.device}: ports of the session`).toEqual(lab.links(sw.id, n.device).map(([p]) => p).sort());
          expect(n.updatesReceived, `${sw.id} - ${n.device}: updates received`).toBeGreaterThan(0);
        }
      }
    }
  });

  test('GSPID information reaches every GSP, GSF and BORDER, along the cabled paths', req('GSE-ROLE-4'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'two GSPs', hasGse);
    await waitConverged(lab, dom);
    const gspById = new Map(dom.gsps.map((g) => [g.sys.gseId, g]));
    for (const sw of [...dom.gsps, ...dom.gsfT2, ...dom.gsfT1, ...dom.borders]) {
      lab.requireDevice(sw.id, ['state']);
      const routes = await get<GspidRoute[]>(sw, '/gse/bgp/gspid');
      const have = new Map(routes.map((r) => [r.gspId, r]));
      for (const id of gseIdsFor(dom, sw)) expect(have.has(id), `${sw.id} has a route to GSE id ${id}`).toBe(true);
      if (sw.sys.role === 'gsf' && sw.sys.tier === 'T2') {
        for (const g of dom.gsps.filter((x) => x.sys.pod === sw.sys.pod)) {
          const r = have.get(g.sys.gseId as number)!;
          expect(r.ports.sort(), `${sw.id}: ports toward ${g.id}`).toEqual(lab.links(sw.id, g.id).map(([p]) => p).sort());
        }
      }
    }
    expect(gspById.size, 'GSPs with distinct GSE ids').toBe(dom.gsps.length);
  });

  test('DPORT information: one entry per server port of each GSP, held alike by every GSP, GSF and BORDER', req('GSE-ROLE-4'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'two GSPs', hasGse);
    await waitConverged(lab, dom);
    const own = new Map<string, { gspId: number; dportName: string | null; gsp: GseSwitch }>();
    for (const g of dom.gsps) {
      lab.requireDevice(g.id, ['state']);
      const entries = (await get<DportEntry[]>(g, '/gse/bgp/dport')).filter((e) => e.origin === g.id);
      const serverPorts = dom.servers.filter((s) => s.gsp === g.id).map((s) => s.gspPort).sort();
      expect(entries.map((e) => String(e.dportName)).sort(), `${g.id}: DPORT entries it originates`).toEqual(serverPorts);
      for (const e of entries) own.set(e.address, { gspId: e.gspId, dportName: e.dportName, gsp: g });
    }
    expect(own.size, 'server addresses advertised').toBe(dom.servers.length);
    const scoped = (sw: GseSwitch, addr: string) => dom.borders.length === 0 || sw.sys.pod === null || own.get(addr)!.gsp.sys.pod === sw.sys.pod;
    for (const sw of [...dom.gsps, ...dom.gsfT2, ...dom.gsfT1, ...dom.borders]) {
      lab.requireDevice(sw.id, ['state']);
      const table = await get<DportEntry[]>(sw, '/gse/bgp/dport');
      for (const [addr, o] of own) {
        if (!scoped(sw, addr)) continue;
        const e = table.find((x) => x.address === addr && x.origin === o.gsp.id);
        expect(e, `${sw.id} knows the DPORT of ${addr}`).toBeDefined();
        expect([e!.gspId, e!.dportName], `${sw.id}: DPORT entry of ${addr}`).toEqual([o.gspId, o.dportName]);
      }
      if (dom.borders.length > 0 && sw.sys.role === 'gsp') {
        const borders = new Set(dom.borders.filter((b) => b.sys.pod === sw.sys.pod).map((b) => b.sys.gseId));
        for (const [addr, o] of own) {
          if (o.gsp.sys.pod === sw.sys.pod) continue;
          const via = table.filter((x) => x.address === addr);
          expect(via.length > 0 && via.every((x) => borders.has(x.gspId) && x.dport === 'ip'), `${sw.id} reaches ${addr} (another PoD) through a BORDER of its PoD`).toBe(true);
        }
      }
    }
  });
});
