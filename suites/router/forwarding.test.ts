// Router suite, forwarding: ECMP and UCMP over the WAN, SRv6 L3VPN with an SR policy, VRF isolation, multicast.
//
// Test plan (requirement IDs in brackets):
// 1. ECMP [RTR-1]: 256 flows from DC1 to DC2 over the PEs' equal-cost direct links; captures on
//    PE1's members show every flow (5-tuple) on exactly one member, and each member carries its
//    share of the flows within +-30 %.
// 2. UCMP [RTR-1]: weights 3:1 on the two direct links; the share of flows on the heavy member
//    is 0.75 +- 0.08.
// 3. SRv6 policy [RTR-1, RFC8986-5.1, RFC8754-2, RFC8754-4.3.1.1, RFC8986-4.1, RFC8986-4.7]:
//    an L3VPN instance at both PEs and, at PE1, an SR policy to PE2 through the transit router's
//    End SID; PE1 sends IPv6 to that SID with an SRH listing [service End.DT4 SID, End SID],
//    Segments Left 1; the transit router forwards with Segments Left 0 to the End.DT4 SID; PE2
//    decapsulates and the tenant's receiver gets every packet as plain IPv4.
// 4. VRF isolation [RTR-4, RFC8986-4.7, RFC8986-4.6]: an IPv4 and an IPv6 instance at both PEs;
//    traffic within an instance arrives whole, carried to the remote instance's End.DT4 / End.DT6
//    SID (inner IPv4 / IPv6); traffic addressed across instances never arrives, and the other
//    tenant's port sees none of it.
// 5. Multicast [RTR-1, RFC1112-host-group]: static joins on two DC2 ports and one DC1 port; a
//    group flow from DC1 reaches every member exactly once per packet, non-members get nothing.
// 6. Native IP between the data centres [RTR-1]: the deepest traffic endpoint behind each PE (a
//    server of the DC's fabric, found breadth first from the PE through its DC) sends 64 frames
//    to the other's, both ways at once; after 5 ms of device time (10 x the one-way delay of
//    300 km) every frame has arrived in both directions.
// 7. Adaptive load balancing [RTR-7]: PE1 in adaptive mode (elephants: 10 Gb/s over 50 us) with
//    DC1 -> DC2 held on the direct links; 8 flows of 180 Gb/s (2 ms each) and 24 mice of 4
//    frames: PE1 identifies exactly the 8 elephants (no mouse) and places them by load, 4 on each
//    member (720 Gb/s of 800), and every frame of every flow arrives.
// Devices: wan-lab.ts (two PEs with traffic generators, two direct links, a transit router).
import { test, expect, req, describe } from '../../harness/suite.ts';
import { IP_PROTOCOL } from '../../protocols/ip.ts';
import { Srv6SrhHeader, Srv6SrhView } from '../../protocols/srv6/srh.ts';
import { ConfigSession, decode, deepestEndpoint, flowKey, metricPath, runFlows, wanLab, type FlowDef } from './wan-lab.ts';

const FRAME = 1500;
const ECMP_FLOWS = 256;
const FRAMES_PER_FLOW = 8;

/** Flows from DC1's first three test ports to DC2's, round robin. */
function spread(w: ReturnType<typeof wanLab>, count: number): FlowDef[] {
  const out: FlowDef[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      name: `ecmp${i}`,
      txPort: w.dc1.atePorts[i % 3],
      rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[Math.floor(i / 3) % 3]}`,
      bytes: FRAMES_PER_FLOW * FRAME,
      frameBytes: FRAME,
    });
  }
  return out;
}

/** Runs flows with captures on PE1's direct members; returns flow keys per member. */
async function keysPerMember(lab: Parameters<typeof wanLab>[0], w: ReturnType<typeof wanLab>, flows: FlowDef[]) {
  const members = w.direct.map((d) => d[0]);
  for (const m of members) await w.dc1.pe.capture.start(m);
  const metrics = await runFlows(lab, w.dc1.ate, flows, 20);
  const keys = new Map<string, Set<string>>();
  for (const m of members) {
    const set = new Set<string>();
    for (const { f } of decode(await w.dc1.pe.capture.stop(m), 'tx')) {
      const k = flowKey(f);
      if (k !== undefined && f.udp?.dstPort === 9) set.add(k);
    }
    keys.set(m, set);
  }
  return { members, keys, metrics };
}

/** Pins DC1 -> DC2 traffic to the direct links (the transit path is made expensive). */
async function directOnly(cfg: ConfigSession, w: ReturnType<typeof wanLab>): Promise<void> {
  if (w.transit) await cfg.set(w.dc1.pe, metricPath(w.transit.pe1Port), { metric: 1000 });
}

describe('router forwarding', () => {
  test('ECMP: every flow keeps one path and flows spread over the equal-cost members', req('RTR-1'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    try {
      await directOnly(cfg, w);
      const { members, keys, metrics } = await keysPerMember(lab, w, spread(w, ECMP_FLOWS));
      expect(metrics.reduce((a, m) => a + m.rxFrames, 0), 'frames delivered').toBe(ECMP_FLOWS * FRAMES_PER_FLOW);
      const seen = new Map<string, string>();
      for (const [m, set] of keys) {
        for (const k of set) {
          expect(seen.get(k), `flow ${k} on ${seen.get(k)} and ${m}`).toBeUndefined();
          seen.set(k, m);
        }
      }
      const total = seen.size;
      expect(total, 'distinct flows seen on the members').toBeGreaterThan(ECMP_FLOWS * 0.9);
      for (const [m, set] of keys) {
        const share = set.size / total;
        lab.metric({ name: `ECMP flows on ${m}`, unit: '%', value: 100 * share });
        expect(share, `share of flows on ${m}`).toBeGreaterThan((1 / members.length) * 0.7);
        expect(share, `share of flows on ${m}`).toBeLessThan((1 / members.length) * 1.3);
      }
    } finally {
      await cfg.restore();
    }
  });

  test('UCMP: traffic shares follow the configured weights', req('RTR-1'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    try {
      await directOnly(cfg, w);
      const [heavy, light] = w.direct.map((d) => d[0]) as [string, string];
      await cfg.set(w.dc1.pe, '/routing/config', { 'load-balancing': 'ucmp' });
      await cfg.set(w.dc1.pe, metricPath(heavy), { metric: 10, weight: 3 });
      await cfg.set(w.dc1.pe, metricPath(light), { metric: 10, weight: 1 });
      for (const d of w.direct.slice(2)) await cfg.set(w.dc1.pe, metricPath(d[0]), { metric: 1000 });
      const { keys } = await keysPerMember(lab, w, spread(w, ECMP_FLOWS));
      const h = keys.get(heavy)!.size;
      const l = keys.get(light)!.size;
      const share = h / (h + l);
      lab.metric({ name: 'UCMP share of the weight-3 member', unit: '%', value: 100 * share });
      expect(share, `share on ${heavy} (weight 3 of 4)`).toBeGreaterThan(0.75 - 0.08);
      expect(share, `share on ${heavy} (weight 3 of 4)`).toBeLessThan(0.75 + 0.08);
    } finally {
      await cfg.restore();
    }
  });

  test(
    'SRv6: the headend inserts the policy SRH, each End decrements Segments Left, End.DT4 delivers into the VRF',
    req('RTR-1', 'RFC8986-5.1', 'RFC8754-2', 'RFC8754-4.3.1.1', 'RFC8986-4.1', 'RFC8986-4.7'),
    async ({ lab }) => {
      const w = wanLab(lab);
      if (!w.transit) lab.block('the SR policy test needs a transit router between the PEs');
      const t = w.transit!;
      const cfg = new ConfigSession();
      const [a1, a2] = [w.dc1.pePorts[3], w.dc2.pePorts[3]];
      try {
        await cfg.set(w.dc1.pe, '/network-instances/network-instance[name=tenant-a]/config', { 'address-family': 'ipv4', interfaces: [a1] });
        await cfg.set(w.dc2.pe, '/network-instances/network-instance[name=tenant-a]/config', { 'address-family': 'ipv4', interfaces: [a2] });
        const sids = (await t.p.state.get('/srv6/state/sids')) as Array<{ sid: string; behavior: string }>;
        const end = sids.find((s) => s.behavior === 'End')?.sid;
        expect(end, `${t.p.id} advertises an End SID`).toBeDefined();
        const pe2Address = (await w.dc2.pe.state.get('/srv6/state/source-address')) as string;
        const service = (await w.dc2.pe.state.get('/network-instances/network-instance[name=tenant-a]/state/service-sid')) as string;
        await cfg.set(w.dc1.pe, '/network-instances/network-instance[name=tenant-a]/segment-routing/policies/policy[name=via-transit]/config', {
          endpoint: pe2Address,
          'segment-list': [end],
        });
        await w.dc1.pe.capture.start(t.pe1Port);
        await t.p.capture.start(t.pToPe2);
        await w.dc2.ate.capture.start(w.dc2.atePorts[3]);
        const n = 20;
        const [m] = await runFlows(lab, w.dc1.ate, [{ name: 'tenant-a', txPort: w.dc1.atePorts[3], rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[3]}`, bytes: n * FRAME, frameBytes: FRAME }], 20);
        const atHead = decode(await w.dc1.pe.capture.stop(t.pe1Port), 'tx').filter(({ f }) => f.ip?.version === 6 && f.ipv6Ext?.length);
        const atTransit = decode(await t.p.capture.stop(t.pToPe2), 'tx').filter(({ f }) => f.ip?.version === 6 && f.ipv6Ext?.length);
        const atRx = decode(await w.dc2.ate.capture.stop(w.dc2.atePorts[3]), 'rx');
        const srhOf = (f: (typeof atHead)[0]['f']) => {
          const rh = f.ipv6Ext!.find((e) => e.type === IP_PROTOCOL.IPV6_ROUTE);
          expect(rh, 'a routing header').toBeDefined();
          return Srv6SrhHeader.parse(Srv6SrhView.checked(rh!.bytes));
        };
        expect(atHead.length, `SRv6 frames leaving ${w.dc1.pe.id} toward ${t.p.id}`).toBe(n);
        for (const { f } of atHead) {
          const srh = srhOf(f);
          expect(f.ip!.dst, 'outer destination at the headend').toBe(end);
          expect(srh.segments, 'segment list (reverse path order)').toEqual([service, end]);
          expect(srh.segmentsLeft, 'Segments Left at the headend').toBe(1);
          expect(srh.nextHeader, 'inner IPv4').toBe(4);
        }
        expect(atTransit.length, `SRv6 frames leaving ${t.p.id} toward ${w.dc2.pe.id}`).toBe(n);
        for (const { f } of atTransit) {
          const srh = srhOf(f);
          expect(srh.segmentsLeft, 'Segments Left after End').toBe(0);
          expect(f.ip!.dst, 'outer destination after End').toBe(service);
        }
        expect(m!.rxFrames, 'tenant frames delivered').toBe(n);
        expect(atRx.filter(({ f }) => f.ip?.version === 4 && f.udp !== undefined).length, 'plain IPv4 at the receiver').toBe(n);
      } finally {
        await cfg.restore();
      }
    },
  );

  test('VRFs: each tenant reaches only its own instance, over End.DT4 and End.DT6', req('RTR-4', 'RFC8986-4.7', 'RFC8986-4.6'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const [a1, b1] = [w.dc1.pePorts[3], w.dc1.pePorts[4]];
    const [a2, b2] = [w.dc2.pePorts[3], w.dc2.pePorts[4]];
    const [ta1, tb1, ta2, tb2] = [w.dc1.atePorts[3], w.dc1.atePorts[4], w.dc2.atePorts[3], w.dc2.atePorts[4]];
    try {
      for (const [pe, a, b] of [
        [w.dc1.pe, a1, b1],
        [w.dc2.pe, a2, b2],
      ] as const) {
        await cfg.set(pe, '/network-instances/network-instance[name=tenant-a]/config', { 'address-family': 'ipv4', interfaces: [a] });
        await cfg.set(pe, '/network-instances/network-instance[name=tenant-b]/config', { 'address-family': 'ipv6', interfaces: [b] });
      }
      const dt4 = (await w.dc2.pe.state.get('/network-instances/network-instance[name=tenant-a]/state/service-sid')) as string;
      const dt6 = (await w.dc2.pe.state.get('/network-instances/network-instance[name=tenant-b]/state/service-sid')) as string;
      const before = await w.dc2.ate.counters.port(tb2);
      const members = w.direct.map((d) => d[0]);
      for (const m of members) await w.dc1.pe.capture.start(m);
      const n = 16;
      const rx = (p: string) => `${w.dc2.ate.id}:${p}`;
      const metrics = await runFlows(
        lab,
        w.dc1.ate,
        [
          { name: 'a-to-a', txPort: ta1, rxPort: rx(ta2), bytes: n * FRAME, frameBytes: FRAME },
          { name: 'b-to-b', txPort: tb1, rxPort: rx(tb2), bytes: n * FRAME, frameBytes: FRAME },
          { name: 'a-to-b', txPort: ta1, rxPort: rx(tb2), bytes: n * FRAME, frameBytes: FRAME },
          { name: 'b-to-a', txPort: tb1, rxPort: rx(ta2), bytes: n * FRAME, frameBytes: FRAME },
        ],
        20,
      );
      const by = Object.fromEntries(metrics.map((m) => [m.name, m]));
      expect(by['a-to-a']!.rxFrames, 'tenant a within its instance').toBe(n);
      expect(by['b-to-b']!.rxFrames, 'tenant b within its instance').toBe(n);
      expect(by['a-to-b']!.rxFrames, 'tenant a traffic reaching tenant b').toBe(0);
      expect(by['b-to-a']!.rxFrames, 'tenant b traffic reaching tenant a').toBe(0);
      const after = await w.dc2.ate.counters.port(tb2);
      expect(after.inPkts - before.inPkts, `frames at tenant b's port ${tb2}`).toBe(BigInt(n));
      const encap = (await Promise.all(members.map(async (m) => decode(await w.dc1.pe.capture.stop(m), 'tx')))).flat().filter(({ f }) => f.ip?.version === 6);
      const toDt4 = encap.filter(({ f }) => f.ip!.dst === dt4);
      const toDt6 = encap.filter(({ f }) => f.ip!.dst === dt6);
      expect(toDt4.length, `frames to tenant a's End.DT4 SID ${dt4}`).toBe(n);
      expect(toDt6.length, `frames to tenant b's End.DT6 SID ${dt6}`).toBe(n);
      expect(toDt4.every(({ f }) => f.ip!.version === 6 && (f.ip as { nextHeader: number }).nextHeader === 4), 'IPv4 inside End.DT4 traffic').toBe(true);
      expect(toDt6.every(({ f }) => (f.ip as { nextHeader: number }).nextHeader === 41), 'IPv6 inside End.DT6 traffic').toBe(true);
    } finally {
      await cfg.restore();
    }
  });

  test('multicast: each receiver gets each packet exactly once; non-members get none', req('RTR-1', 'RFC1112-host-group'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const group = '239.1.1.1';
    const members: Array<[typeof w.dc1, number]> = [
      [w.dc2, 0],
      [w.dc2, 1],
      [w.dc1, 1],
    ];
    const others: Array<[typeof w.dc1, number]> = [
      [w.dc2, 2],
      [w.dc1, 2],
    ];
    try {
      for (const [e, i] of members) await cfg.set(e.pe, `/multicast/igmp/interfaces/interface[name=${e.pePorts[i]}]/config`, { 'static-groups': [group] });
      const count = async (list: typeof members) => Promise.all(list.map(async ([e, i]) => (await e.ate.counters.port(e.atePorts[i])).inPkts));
      const m0 = await count(members);
      const o0 = await count(others);
      await w.dc2.ate.capture.start(w.dc2.atePorts[0]);
      const n = 200;
      await runFlows(lab, w.dc1.ate, [{ name: 'group', txPort: w.dc1.atePorts[0], rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[0]}`, bytes: n * FRAME, frameBytes: FRAME, multicastGroup: group }], 20);
      await lab.advance(2);
      const m1 = await count(members);
      const o1 = await count(others);
      members.forEach(([e, i], k) => expect(m1[k]! - m0[k]!, `copies at member ${e.ate.id}:${e.atePorts[i]}`).toBe(BigInt(n)));
      others.forEach(([e, i], k) => expect(o1[k]! - o0[k]!, `frames at non-member ${e.ate.id}:${e.atePorts[i]}`).toBe(0n));
      const rx = decode(await w.dc2.ate.capture.stop(w.dc2.atePorts[0]), 'rx').filter(({ f }) => f.ip?.dst === group);
      const ids = rx.map(({ f }) => (f.ip as { ident: number }).ident);
      expect(new Set(ids).size, 'distinct packets at a member').toBe(n);
      expect(ids.length, 'copies at a member').toBe(n);
    } finally {
      await cfg.restore();
    }
  });

  test('native IP between the data centres: the deepest servers of the two DC fabrics reach each other over the WAN', req('RTR-1'), async ({ lab }) => {
    const w = wanLab(lab);
    const ends = [deepestEndpoint(lab, w.dc1.pe.id, w.dc1.pePorts), deepestEndpoint(lab, w.dc2.pe.id, w.dc2.pePorts)];
    const [a, b] = ends;
    if (a === undefined || b === undefined) return lab.block(`no traffic endpoint behind ${a === undefined ? w.dc1.pe.id : w.dc2.pe.id} besides the router test ports`);
    const devA = lab.requireDevice(a.device, ['traffic']);
    const devB = lab.requireDevice(b.device, ['traffic']);
    const n = 64;
    const flow = (name: string, from: typeof a, to: typeof a): FlowDef => ({ name, txPort: from.port, rxPort: `${to.device}:${to.port}`, bytes: n * FRAME, frameBytes: FRAME });
    await devA.traffic.setFlows([flow('dc1-to-dc2', a, b)]);
    await devB.traffic.setFlows([flow('dc2-to-dc1', b, a)]);
    await devA.traffic.start();
    await devB.traffic.start();
    await lab.advance(5);
    const [ma] = await devA.traffic.metrics();
    const [mb] = await devB.traffic.metrics();
    lab.attach('endpoints', JSON.stringify({ dc1: a, dc2: b }, null, 2), 'application/json');
    expect(ma?.rxFrames, `frames of ${a.device} (${a.hops} devices behind ${w.dc1.pe.id}) that reached ${b.device}`).toBe(n);
    expect(mb?.rxFrames, `frames of ${b.device} (${b.hops} devices behind ${w.dc2.pe.id}) that reached ${a.device}`).toBe(n);
    expect(ma?.done && mb?.done).toBe(true);
    lab.metric({ name: 'DC1 -> DC2 completion', unit: 'us', value: (ma?.fctPs ?? 0) / 1e6 });
    lab.metric({ name: 'DC2 -> DC1 completion', unit: 'us', value: (mb?.fctPs ?? 0) / 1e6 });
  });

  test('adaptive load balancing: elephant flows are identified and placed on the members by load, mice are not', req('RTR-7'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const members = w.direct.map((d) => d[0]);
    const rx = (i: number) => `${w.dc2.ate.id}:${w.dc2.atePorts[i % 4]}`;
    const elephants: FlowDef[] = Array.from({ length: 8 }, (_, i) => ({
      name: `elephant${i}`,
      txPort: w.dc1.atePorts[i % 4]!,
      rxPort: rx(i + Math.floor(i / 4)),
      bytes: 45e6,
      frameBytes: 9000,
      rateBps: 180e9,
    }));
    const mice: FlowDef[] = Array.from({ length: 24 }, (_, i) => ({ name: `mouse${i}`, txPort: w.dc1.atePorts[4 + (i % 2)]!, rxPort: rx(i), bytes: 4 * FRAME, frameBytes: FRAME }));
    try {
      await directOnly(cfg, w);
      await cfg.set(w.dc1.pe, '/routing/config', { 'load-balancing': 'adaptive', 'elephant-rate-bps': 10e9, 'elephant-lifetime-us': 50 });
      const metrics = await runFlows(lab, w.dc1.ate, [...elephants, ...mice], 20);
      const state = (await w.dc1.pe.state.get('/routing/state')) as { 'elephant-flows': Array<{ 'egress-interface': string; 'rate-bps': number }> };
      const found = state['elephant-flows'];
      const perMember = members.map((m) => found.filter((e) => e['egress-interface'] === m).length);
      members.forEach((m, i) => lab.metric({ name: `elephants placed on ${m}`, unit: 'flows', value: perMember[i]! }));
      expect(found.length, 'flows PE1 identified as elephants (8 elephants, 24 mice sent)').toBe(8);
      expect(Math.max(...perMember) - Math.min(...perMember), `elephants per member ${members.join('/')}: ${perMember.join('/')}`).toBeLessThanOrEqual(0);
      for (const e of found) expect(e['rate-bps'], 'rate at identification (b/s)').toBeGreaterThan(10e9);
      for (const m of metrics) expect(m.rxFrames, `frames of ${m.name} received`).toBe(m.txFrames);
    } finally {
      await cfg.restore();
    }
  });
});
