// GSE forwarding: plain IP on one GSP, the GSE header inside the domain and never at the NIC, the paths across PoDs.
//
// Test plan (requirement IDs):
// - GSE-FWD-1, GSE-ROLE-1: RoCEv2 traffic between two servers of one GSP leaves the GSP as the
//   plain IPv4 packets the source NIC sent (captures on both server ports: no GSE frame, the same
//   IP packets up to TTL, checksum and ECN), and the GSP builds no container for it.
// - GSE-FWD-2, GSE-ROLE-1, GSE-ROLE-2, GSE-CON-1: between two GSPs of a PoD, every data frame on
//   the source GSP's uplinks carries the GSE header (source and destination GSP id, the DPORT the
//   control plane advertises for the destination address) around the NIC's packet, a GSF forwards
//   it with the header unchanged, and the destination NIC (unmodified RoCEv2) gets the original
//   packets as plain IPv4 / UDP 4791.
// - GSE-FWD-3: across PoDs of a three-tier fabric the bytes climb GSP -> GSF-T2 -> GSF-T1 and come
//   down GSF-T2 -> GSP of the target PoD (port counters of every stage), with the GSE header on the
//   GSF-T1 links and plain IP at the destination NIC.
// - GSE-FWD-4: across PoDs of a multi-PoD "Border" fabric the source GSP sends GSE to a BORDER of
//   its PoD, the BORDER sends plain IP to the CORE, the target PoD's BORDER re-encapsulates toward
//   the destination GSP (its own GSE id as the source), and the NIC gets plain IP; the IP segment
//   is lossless RoCE with PFC and ECN: an incast across PoDs loses nothing, the CORE marks ECN and
//   PFC pauses the IP links.
// Header checks use the modelled GSE layout (protocols/gse, attached as a note).
import { describe, expect, req, test } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { ETHERTYPE } from '../../protocols/ethernet/ethertype.ts';
import { ROCE_UDP_PORT } from '../../protocols/roce/bth.ts';
import {
  DPORT_IP_WIRE,
  borderDesign,
  delta,
  dportOf,
  ipKey,
  discards,
  ethertypeOf,
  expectCleanDelivery,
  gseData,
  ipv4Dst,
  isGse,
  noteGseLayout,
  plainIpv4,
  portsToward,
  requireDomain,
  runFlows,
  serversOf,
  snapshotCounters,
  threeTier,
  udpDstPort,
  waitConverged,
  type GseDomain,
  type Server,
} from './gse-lab.ts';

type Frame = { direction: 'rx' | 'tx'; bytes: Uint8Array };

/** Plain IPv4 packets among frames of one direction (none may be GSE). */
function plainPackets(frames: readonly Frame[], dir: 'rx' | 'tx', what: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of frames) {
    if (f.direction !== dir) continue;
    expect(isGse(f.bytes), `${what}: a frame carries a GSE header`).toBe(false);
    const ip = plainIpv4(f.bytes);
    expect(ip, `${what}: frame of EtherType 0x${ethertypeOf(f.bytes).toString(16)} is not plain IPv4`).not.toBeNull();
    out.push(ip as Uint8Array);
  }
  return out;
}

/** Captures on ports of devices while `run` runs; returns the frames per `device:port`. */
async function capturing(lab: Lab, ports: Array<[string, string]>, run: () => Promise<void>): Promise<Map<string, Frame[]>> {
  const devs = new Map(ports.map(([d]) => [d, lab.requireDevice(d, ['capture'])]));
  const started: Array<[string, string]> = [];
  const out = new Map<string, Frame[]>();
  try {
    for (const [d, p] of ports) {
      await devs.get(d)!.capture.start(p);
      started.push([d, p]);
    }
    await run();
  } finally {
    // Stopped whatever happened, so that the next test can capture on these ports.
    for (const [d, p] of started) out.set(`${d}:${p}`, await devs.get(d)!.capture.stop(p));
  }
  return out;
}

function pickPair(dom: GseDomain, samePod: boolean): [Server, Server] {
  for (const a of dom.servers) {
    const ga = dom.gsps.find((g) => g.id === a.gsp)!;
    for (const b of dom.servers) {
      const gb = dom.gsps.find((g) => g.id === b.gsp)!;
      if (ga.id !== gb.id && (ga.sys.pod === gb.sys.pod) === samePod) return [a, b];
    }
  }
  throw new Error(`domain ${dom.name}: no pair of servers ${samePod ? 'in one PoD' : 'in two PoDs'}`);
}

describe('GSE forwarding', () => {
  test('same GSP: the NIC packets go through as plain IP, without a GSE header', req('GSE-FWD-1', 'GSE-ROLE-1'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a GSP with two servers', (d) => d.gsps.some((g) => serversOf(d, g.id).length >= 2));
    await waitConverged(lab, dom);
    const g = dom.gsps.find((x) => serversOf(dom, x.id).length >= 2)!;
    const [a, b] = serversOf(dom, g.id);
    const gsp = lab.requireDevice(g.id, ['capture', 'state']);
    const before = (await gsp.state.get('/gse/ingress')) as { containersSent: number; localPackets: number };
    const bytes = 256 * 1024;
    const frames = await capturing(lab, [[g.id, a.gspPort], [g.id, b.gspPort]], async () => {
      expectCleanDelivery(await runFlows(lab, [{ from: a, to: b, bytes }]));
    });
    const after = (await gsp.state.get('/gse/ingress')) as { containersSent: number; localPackets: number };
    const sent = plainPackets(frames.get(`${g.id}:${a.gspPort}`)!, 'rx', `${a.id} -> ${g.id}`);
    const delivered = plainPackets(frames.get(`${g.id}:${b.gspPort}`)!, 'tx', `${g.id} -> ${b.id}`);
    expect(delivered.length, 'frames delivered to the destination NIC').toBeGreaterThanOrEqual(Math.ceil(bytes / 4096));
    const sentKeys = new Set(sent.map(ipKey));
    for (const ip of delivered) expect(sentKeys.has(ipKey(ip)), `packet to ${ipv4Dst(ip)} is not one the source NIC sent`).toBe(true);
    expect(after.containersSent - before.containersSent, 'containers built for same-GSP traffic').toBe(0);
    expect(after.localPackets - before.localPackets, 'packets forwarded locally').toBeGreaterThanOrEqual(delivered.length);
  });

  test(
    'same PoD: GSE header between GSP and GSF (GSP and DPORT ids as advertised), plain RoCEv2 at the NIC',
    req('GSE-FWD-2', 'GSE-ROLE-1', 'GSE-ROLE-2', 'GSE-CON-1'),
    async ({ lab }) => {
      const dom = await requireDomain(lab, 'two GSPs in one PoD', (d) => d.gsps.length >= 2 && d.gsfT2.length > 0);
      await waitConverged(lab, dom);
      noteGseLayout(lab);
      const [a, b] = pickPair(dom, true);
      const x = dom.gsps.find((g) => g.id === a.gsp)!;
      const y = dom.gsps.find((g) => g.id === b.gsp)!;
      const uplinks = portsToward(lab, x.id, dom.gsfT2);
      const gsf = dom.gsfT2.find((f) => lab.links(f.id, y.id).length > 0)!;
      const [gsfToY] = lab.links(gsf.id, y.id)[0];
      const bytes = 512 * 1024;
      const frames = await capturing(
        lab,
        [[x.id, a.gspPort], ...uplinks.map((p): [string, string] => [x.id, p]), [gsf.id, gsfToY], [y.id, b.gspPort]],
        async () => expectCleanDelivery(await runFlows(lab, [{ from: a, to: b, bytes }])),
      );
      const sent = plainPackets(frames.get(`${x.id}:${a.gspPort}`)!, 'rx', `${a.id} -> ${x.id} (NIC)`);
      const bIp = ipv4Dst(sent[0]);
      const dport = await dportOf(lab.requireDevice(x.id, ['state']), bIp);
      expect(dport, `DPORT entry of ${bIp} on ${x.id}`).toMatchObject({ gspId: y.sys.gseId });
      const onUplinks = uplinks.flatMap((p) => gseData(frames.get(`${x.id}:${p}`)!.filter((f) => f.direction === 'tx')));
      const toB = onUplinks.filter((g) => ipv4Dst(g.inner) === bIp);
      expect(toB.length, `GSE data frames on ${x.id}'s uplinks`).toBeGreaterThanOrEqual(Math.ceil(bytes / 4096));
      const sentKeys = new Set(sent.map(ipKey));
      for (const g of toB) {
        expect(g.gse.srcGsp, 'source GSP id').toBe(x.sys.gseId);
        expect(g.gse.dstGsp, 'destination GSP id').toBe(y.sys.gseId);
        expect(g.gse.dport, 'DPORT').toBe(dport!.dport);
        expect(sentKeys.has(ipKey(g.inner)), 'the GSE frame carries a packet the NIC sent').toBe(true);
      }
      // Every data frame leaving the GSP toward the fabric is GSE (none plain).
      for (const p of uplinks) {
        for (const f of frames.get(`${x.id}:${p}`)!) if (f.direction === 'tx') expect(isGse(f.bytes), `${x.id}:${p} sent a plain frame into the GSE domain`).toBe(true);
      }
      const viaGsf = gseData(frames.get(`${gsf.id}:${gsfToY}`)!.filter((f) => f.direction === 'tx')).filter((g) => ipv4Dst(g.inner) === bIp);
      expect(viaGsf.length, `GSE frames ${gsf.id} forwarded to ${y.id}`).toBeGreaterThan(0);
      for (const g of viaGsf) expect([g.gse.srcGsp, g.gse.dstGsp]).toEqual([x.sys.gseId, y.sys.gseId]);
      const delivered = plainPackets(frames.get(`${y.id}:${b.gspPort}`)!, 'tx', `${y.id} -> ${b.id} (NIC)`);
      // The unmodified NIC gets what it sent: RoCEv2 (UDP port 4791), nothing GSE-specific.
      for (const ip of delivered) expect(udpDstPort(ip), 'UDP destination port at the NIC').toBe(ROCE_UDP_PORT);
      const innerKeys = new Set(toB.map((g) => ipKey(g.inner)));
      expect(delivered.length, 'packets delivered to the NIC').toBe(toB.length);
      for (const ip of delivered) expect(innerKeys.has(ipKey(ip)), 'delivered packet is the one carried in GSE').toBe(true);
    },
  );

  test('across PoDs (three-tier): GSP -> GSF-T2 -> GSF-T1 -> GSF-T2 -> GSP, GSE on the GSF-T1 links, plain IP at the NIC', req('GSE-FWD-3', 'GSE-ROLE-2'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a three-tier fabric of two PoDs', threeTier);
    await waitConverged(lab, dom);
    noteGseLayout(lab);
    const [a, b] = pickPair(dom, false);
    const x = dom.gsps.find((g) => g.id === a.gsp)!;
    const y = dom.gsps.find((g) => g.id === b.gsp)!;
    const t2Src = dom.gsfT2.filter((f) => f.sys.pod === x.sys.pod);
    const t2Dst = dom.gsfT2.filter((f) => f.sys.pod === y.sys.pod);
    const t1 = dom.gsfT1[0];
    const t1Down = portsToward(lab, t1.id, t2Dst);
    const ids = [...dom.gsps, ...dom.gsfT2, ...dom.gsfT1].map((s) => s.id);
    const c0 = await snapshotCounters(lab, ids);
    const bytes = 1024 * 1024;
    const frames = await capturing(lab, [...t1Down.map((p): [string, string] => [t1.id, p]), [y.id, b.gspPort]], async () =>
      expectCleanDelivery(await runFlows(lab, [{ from: a, to: b, bytes }])),
    );
    const c1 = await snapshotCounters(lab, ids);
    const out = (id: string, ports: string[]) => ports.reduce((s, p) => s + delta(c0, c1, id, p, 'outOctets'), 0);
    const stage = (devs: typeof dom.gsfT2, toward: (d: (typeof dom.gsfT2)[number]) => string[]) => devs.reduce((s, d) => s + out(d.id, toward(d)), 0);
    const stages: Array<[string, number]> = [
      [`${x.id} -> GSF-T2`, out(x.id, portsToward(lab, x.id, t2Src))],
      ['GSF-T2 (source PoD) -> GSF-T1', stage(t2Src, (d) => portsToward(lab, d.id, dom.gsfT1))],
      ['GSF-T1 -> GSF-T2 (target PoD)', stage(dom.gsfT1, (d) => portsToward(lab, d.id, t2Dst))],
      [`GSF-T2 (target PoD) -> ${y.id}`, stage(t2Dst, (d) => portsToward(lab, d.id, [y]))],
      [`${y.id} -> ${b.id}`, delta(c0, c1, y.id, b.gspPort, 'outOctets')],
    ];
    lab.metric({ name: 'bytes per stage of the cross-PoD path', unit: 'bytes', table: { columns: ['stage', 'bytes'], rows: stages } });
    for (const [name, n] of stages) expect(n, `bytes through ${name}`).toBeGreaterThanOrEqual(bytes);
    const onT1 = t1Down.flatMap((p) => gseData(frames.get(`${t1.id}:${p}`)!.filter((f) => f.direction === 'tx')));
    expect(onT1.length, `GSE data frames from ${t1.id} to the target PoD`).toBeGreaterThan(0);
    for (const g of onT1) expect([g.gse.srcGsp, g.gse.dstGsp]).toEqual([x.sys.gseId, y.sys.gseId]);
    plainPackets(frames.get(`${y.id}:${b.gspPort}`)!, 'tx', `${y.id} -> ${b.id} (NIC)`);
  });

  test('across PoDs (Border): GSE to a BORDER, plain IP through the CORE, re-encapsulated by the target BORDER, plain IP at the NIC', req('GSE-FWD-4'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a multi-PoD Border fabric', borderDesign);
    await waitConverged(lab, dom);
    noteGseLayout(lab);
    const [a, b] = pickPair(dom, false);
    const x = dom.gsps.find((g) => g.id === a.gsp)!;
    const y = dom.gsps.find((g) => g.id === b.gsp)!;
    const gsfs = dom.gsfT2;
    const srcBorders = dom.borders.filter((d) => d.sys.pod === x.sys.pod);
    const dstBorders = dom.borders.filter((d) => d.sys.pod === y.sys.pod);
    const uplinks = portsToward(lab, x.id, gsfs);
    const borderIp = srcBorders.flatMap((d) => portsToward(lab, d.id, dom.cores).map((p): [string, string] => [d.id, p]));
    const borderIn = dstBorders.flatMap((d) => portsToward(lab, d.id, gsfs).map((p): [string, string] => [d.id, p]));
    const bytes = 1024 * 1024;
    const frames = await capturing(lab, [[x.id, a.gspPort], ...uplinks.map((p): [string, string] => [x.id, p]), ...borderIp, ...borderIn, [y.id, b.gspPort]], async () =>
      expectCleanDelivery(await runFlows(lab, [{ from: a, to: b, bytes }])),
    );
    const sent = plainPackets(frames.get(`${x.id}:${a.gspPort}`)!, 'rx', `${a.id} -> ${x.id} (NIC)`);
    const bIp = ipv4Dst(sent[0]);
    const srcBorderIds = new Set(srcBorders.map((d) => d.sys.gseId));
    const toBorder = uplinks.flatMap((p) => gseData(frames.get(`${x.id}:${p}`)!.filter((f) => f.direction === 'tx'))).filter((g) => ipv4Dst(g.inner) === bIp);
    expect(toBorder.length, `GSE frames from ${x.id} toward ${b.id}`).toBeGreaterThanOrEqual(Math.ceil(bytes / 4096));
    for (const g of toBorder) {
      expect(srcBorderIds.has(g.gse.dstGsp), `destination GSE id ${g.gse.dstGsp} is a BORDER of the source PoD`).toBe(true);
      expect(g.gse.dport, 'DPORT of a remote prefix (the BORDER\'s IP side)').toBe(DPORT_IP_WIRE);
    }
    const ipSegment = borderIp.flatMap(([d, p]) => frames.get(`${d}:${p}`)!.filter((f) => f.direction === 'tx'));
    const ipData = plainPackets(ipSegment, 'tx', 'BORDER -> CORE').filter((ip) => ipv4Dst(ip) === bIp);
    expect(ipData.length, 'plain IP packets from the source PoD\'s BORDER to the CORE').toBe(toBorder.length);
    const reencap = borderIn.flatMap(([d, p]) => gseData(frames.get(`${d}:${p}`)!.filter((f) => f.direction === 'tx'))).filter((g) => ipv4Dst(g.inner) === bIp);
    for (const [d, p] of borderIn) {
      for (const f of frames.get(`${d}:${p}`)!) if (f.direction === 'tx') expect(isGse(f.bytes), `${d}:${p} sent a plain frame into its PoD`).toBe(true);
    }
    expect(reencap.length, 'GSE frames from the target PoD\'s BORDER').toBe(toBorder.length);
    const dstBorderIds = new Set(dstBorders.map((d) => d.sys.gseId));
    for (const g of reencap) {
      expect(dstBorderIds.has(g.gse.srcGsp), `source GSE id ${g.gse.srcGsp} is a BORDER of the target PoD`).toBe(true);
      expect(g.gse.dstGsp, 'destination GSP id').toBe(y.sys.gseId);
    }
    const delivered = plainPackets(frames.get(`${y.id}:${b.gspPort}`)!, 'tx', `${y.id} -> ${b.id} (NIC)`);
    expect(delivered.length, 'packets delivered').toBe(toBorder.length);
    expect(ethertypeOf(frames.get(`${y.id}:${b.gspPort}`)!.find((f) => f.direction === 'tx')!.bytes)).toBe(ETHERTYPE.IPV4);
  });

  test('across PoDs (Border): an incast over the IP segment is lossless, with ECN marks at the CORE and PFC on the IP links', req('GSE-FWD-4'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'a multi-PoD Border fabric', borderDesign);
    await waitConverged(lab, dom);
    const pods = [...new Set(dom.gsps.map((g) => g.sys.pod))];
    const inPod = (s: Server, pod: number | null) => dom.gsps.find((g) => g.id === s.gsp)!.sys.pod === pod;
    const receiver = dom.servers.find((s) => inPod(s, pods[1]))!;
    // Remote senders, plus a local one on another GSP so that the receiver's port is shared.
    const remote = dom.servers.filter((s) => inPod(s, pods[0]));
    const local = dom.servers.filter((s) => inPod(s, pods[1]) && s.gsp !== receiver.gsp).slice(0, 1);
    const senders = [...remote, ...local];
    const ids = [...dom.switches.map((s) => s.id), ...dom.servers.map((s) => s.id)];
    const c0 = await snapshotCounters(lab, ids);
    const r = await runFlows(lab, senders.map((s) => ({ from: s, to: receiver, bytes: 1024 * 1024 })), { timeoutMs: 5 });
    const c1 = await snapshotCounters(lab, ids);
    expectCleanDelivery(r);
    expect(discards(c0, c1), 'discards in the fabric').toEqual([]);
    const sum = (devs: typeof dom.cores, key: 'ecnMarked' | 'pfcPauseTx', portsOf: (id: string) => string[]) =>
      devs.reduce((s, d) => s + portsOf(d.id).reduce((t, p) => t + delta(c0, c1, d.id, p, key), 0), 0);
    const coreEcn = sum(dom.cores, 'ecnMarked', (id) => portsToward(lab, id, dom.borders));
    const ipPfc =
      sum(dom.cores, 'pfcPauseTx', (id) => portsToward(lab, id, dom.borders)) + sum(dom.borders, 'pfcPauseTx', (id) => portsToward(lab, id, dom.cores));
    lab.metric({ name: 'ECN marks at the CORE', unit: 'frames', value: coreEcn });
    lab.metric({ name: 'PFC pauses on BORDER-CORE links', unit: 'frames', value: ipPfc });
    expect(coreEcn, 'ECN marks by the CORE on the congested RoCE segment').toBeGreaterThan(0);
    expect(ipPfc, 'PFC pauses between BORDER and CORE').toBeGreaterThan(0);
  });
});
