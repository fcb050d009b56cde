// GSE packet containers (PKTC): one flow spread over every GSF path, containers kept whole, in-order delivery to the NIC.
//
// Test plan (requirement IDs):
// - GSE-CON-2: one RoCEv2 flow between two GSPs of a PoD sends its bytes over every uplink of the
//   source GSP that the testbed cables to a GSF, each within 10% of the mean (port counters).
// - GSE-CON-2: containers, not single packets, are sprayed: on the source GSP's uplinks every data
//   container (source GSP id, container id) travels on one uplink only, its packets numbered
//   0..count-1 in order with FIRST and LAST marked, and containers hold more than one packet on
//   average (captures, modelled GSE header).
// - GSE-CON-2, GSE-ROLE-1: an all-to-all among the servers of a PoD makes containers of one source
//   arrive out of order at the egress GSPs (their reorder state counts it), yet every flow reaches
//   its NIC in order: zero out-of-order deliveries, no retransmission.
import { describe, expect, req, test } from '../../harness/suite.ts';
import {
  expectCleanDelivery,
  gseData,
  noteGseLayout,
  portsToward,
  requireDomain,
  runFlows,
  snapshotCounters,
  delta,
  waitConverged,
  type GseDomain,
  type Server,
} from './gse-lab.ts';
import { GSE_FLAG } from '../../protocols/gse/header.ts';

const SPREAD_TOLERANCE = 0.1;

function pairAcrossGsps(dom: GseDomain): [Server, Server] {
  for (const a of dom.servers) {
    const ga = dom.gsps.find((g) => g.id === a.gsp)!;
    const b = dom.servers.find((s) => s.gsp !== a.gsp && dom.gsps.find((g) => g.id === s.gsp)!.sys.pod === ga.sys.pod);
    if (b) return [a, b];
  }
  throw new Error(`domain ${dom.name}: no two GSPs in one PoD`);
}

const podDomain = (d: GseDomain): boolean => d.gsfT2.length >= 2 && d.gsps.length >= 2;

describe('GSE containers', () => {
  test('one flow is spread over every GSF uplink of its GSP, each within 10% of the mean', req('GSE-CON-2'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'two GSPs and two GSFs in a PoD', podDomain);
    await waitConverged(lab, dom);
    const [a, b] = pairAcrossGsps(dom);
    const x = a.gsp;
    const uplinks = portsToward(lab, x, dom.gsfT2);
    const c0 = await snapshotCounters(lab, [x]);
    const bytes = 2 * 1024 * 1024;
    expectCleanDelivery(await runFlows(lab, [{ from: a, to: b, bytes }]));
    const c1 = await snapshotCounters(lab, [x]);
    const per = uplinks.map((p) => delta(c0, c1, x, p, 'outOctets'));
    const mean = per.reduce((s, v) => s + v, 0) / per.length;
    lab.metric({ name: `bytes per uplink of ${x}`, unit: 'bytes', chart: 'bar', x: { name: 'uplink', unit: 'index' }, series: [{ label: 'one flow', points: per.map((v, i) => [i, v]) }] });
    lab.metric({ name: 'largest deviation from the mean uplink load', unit: '%', value: (100 * Math.max(...per.map((v) => Math.abs(v - mean)))) / mean });
    expect(mean * per.length, 'bytes on the uplinks').toBeGreaterThanOrEqual(bytes);
    per.forEach((v, i) => {
      expect(Math.abs(v - mean), `${x}:${uplinks[i]} carried ${v} bytes, mean ${Math.round(mean)}`).toBeLessThanOrEqual(SPREAD_TOLERANCE * mean);
    });
  });

  test('containers are sprayed whole: each on one uplink, its packets in sequence, FIRST and LAST marked', req('GSE-CON-2'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'two GSPs and two GSFs in a PoD', podDomain);
    await waitConverged(lab, dom);
    noteGseLayout(lab);
    const [a, b] = pairAcrossGsps(dom);
    const x = lab.requireDevice(a.gsp, ['capture']);
    const uplinks = portsToward(lab, x.id, dom.gsfT2);
    const captured = new Map<string, Array<{ direction: string; bytes: Uint8Array }>>();
    for (const p of uplinks) await x.capture.start(p);
    try {
      expectCleanDelivery(await runFlows(lab, [{ from: a, to: b, bytes: 1024 * 1024 }]));
    } finally {
      for (const p of uplinks) captured.set(p, await x.capture.stop(p));
    }
    const byContainer = new Map<string, Array<{ port: string; seq: number; count: number; flags: number }>>();
    for (const p of uplinks) {
      const frames = captured.get(p)!.filter((f) => f.direction === 'tx');
      for (const g of gseData(frames)) {
        if (g.gse.containerId === 0) continue; // unscheduled control traffic of the NICs
        const key = `${g.gse.srcGsp}/${g.gse.containerId}`;
        const list = byContainer.get(key) ?? [];
        list.push({ port: p, seq: g.gse.seq, count: g.gse.packetCount, flags: g.gse.flags });
        byContainer.set(key, list);
      }
    }
    expect(byContainer.size, 'data containers seen').toBeGreaterThan(uplinks.length);
    let packets = 0;
    for (const [key, list] of byContainer) {
      packets += list.length;
      expect(new Set(list.map((e) => e.port)).size, `container ${key} left on ${[...new Set(list.map((e) => e.port))].join(', ')}`).toBe(1);
      expect(list.map((e) => e.seq), `container ${key}: sequence`).toEqual(list.map((_, i) => i));
      expect(list.every((e) => e.count === list.length), `container ${key}: packet count ${list[0].count}, packets seen ${list.length}`).toBe(true);
      expect((list[0].flags & GSE_FLAG.FIRST) !== 0 && (list[list.length - 1].flags & GSE_FLAG.LAST) !== 0, `container ${key}: FIRST/LAST flags`).toBe(true);
    }
    const perContainer = packets / byContainer.size;
    lab.metric({ name: 'packets per container', unit: 'packets', value: perContainer });
    expect(perContainer, 'mean packets per container').toBeGreaterThan(1);
  });

  test('all-to-all in a PoD: every NIC receives its flows in order, whatever order containers reach the egress GSPs in', req('GSE-CON-2', 'GSE-ROLE-1'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'two GSPs and two GSFs in a PoD', podDomain);
    await waitConverged(lab, dom);
    const pod = dom.gsps[0].sys.pod;
    const gsps = dom.gsps.filter((g) => g.sys.pod === pod);
    const servers = dom.servers.filter((s) => gsps.some((g) => g.id === s.gsp));
    const egress = async () => {
      let n = 0;
      for (const g of gsps) n += ((await lab.requireDevice(g.id, ['state']).state.get('/gse/egress')) as { outOfOrderArrivals: number }).outOfOrderArrivals;
      return n;
    };
    const before = await egress();
    const flows = servers.flatMap((s) => servers.filter((d) => d.gsp !== s.gsp).map((d) => ({ from: s, to: d, bytes: 128 * 1024 })));
    const r = await runFlows(lab, flows);
    const reordered = (await egress()) - before;
    lab.metric({ name: 'containers that reached an egress GSP ahead of their turn', unit: 'containers', value: reordered });
    lab.metric({ name: 'out-of-order deliveries at the NICs', unit: 'packets', value: r.flows.reduce((s, f) => s + f.outOfOrder, 0) });
    expectCleanDelivery(r);
  });
});
