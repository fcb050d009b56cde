// Router model scenarios on the wan-interconnect topology: forwarding, BFD, SRv6, VRFs, multicast, PFC, HP-WAN, PCN, config errors.
import { describe, expect, it } from 'vitest';
import { BFD_STATE } from '../../protocols/bfd/control.ts';
import { parseFrame } from '../../protocols/frame.ts';
import { IP_PROTOCOL } from '../../protocols/ip.ts';
import { Srv6SrhHeader, Srv6SrhView } from '../../protocols/srv6/srh.ts';
import { buildTwin } from '../build.ts';
import '../registry.ts';
import type { Twin, TwinFlow, TwinNode } from '../twin.ts';
import { wanInterconnect, type WanInterconnectParams } from '../wan/generators.ts';
import { RouterConfigError } from './paths.ts';

function wan(defects: string[] = [], seed = 1, params: WanInterconnectParams = {}): { twin: Twin; pe1: TwinNode; pe2: TwinNode; p1: TwinNode; ate1: TwinNode; ate2: TwinNode } {
  const g = wanInterconnect('w', params);
  const twin = buildTwin({ devices: g.devices.map((d) => ({ ...d, ...(d.kind === 'router' ? { defects } : {}) })), links: g.links }, { seed });
  const n = (id: string) => twin.node(`w-${id}`)!;
  return { twin, pe1: n('pe1'), pe2: n('pe2'), p1: n('p1'), ate1: n('ate1'), ate2: n('ate2') };
}

function run(twin: Twin, ate: TwinNode, flows: TwinFlow[], ms = 5) {
  ate.traffic!.setFlows(flows);
  ate.traffic!.start();
  twin.runFor(ms * 1e9);
  return ate.traffic!.metrics();
}

const flow = (name: string, tx: string, rx: string, frames = 10, extra: Partial<TwinFlow> = {}): TwinFlow => ({
  name,
  txPort: tx,
  rxPort: rx,
  bytes: frames * 1500,
  frameBytes: 1500,
  ...extra,
});

function srh(bytes: Uint8Array) {
  const f = parseFrame(bytes, { checksums: 'ignore' });
  const rh = f.ipv6Ext?.find((e) => e.type === IP_PROTOCOL.IPV6_ROUTE);
  return { f, srh: rh === undefined ? undefined : Srv6SrhHeader.parse(Srv6SrhView.checked(rh.bytes)) };
}

describe('router forwarding', () => {
  it('routes DC1 to DC2 over the equal-cost direct links and spreads flows, each flow on one link', () => {
    const { twin, pe1, ate1 } = wan();
    pe1.capture!.start('wan1');
    pe1.capture!.start('wan2');
    const flows = Array.from({ length: 64 }, (_, i) => flow(`f${i}`, `p${1 + (i % 3)}`, `w-ate2:p${1 + (i % 2)}`, 4));
    const m = run(twin, ate1, flows);
    expect(m.every((x) => x.done && x.rxFrames === 4)).toBe(true);
    const keys = ['wan1', 'wan2'].map((p) => new Set(pe1.capture!.stop(p).filter((f) => f.direction === 'tx').map((f) => {
      const d = parseFrame(f.bytes, { checksums: 'ignore' });
      return `${d.ip!.src}>${d.ip!.dst}:${d.udp!.srcPort}`;
    })));
    for (const k of keys[0]!) expect(keys[1]!.has(k)).toBe(false);
    expect(keys[0]!.size).toBeGreaterThan(16);
    expect(keys[1]!.size).toBeGreaterThan(16);
    expect(pe1.counters!.port('wan3').outPkts).toBe(0);
  });

  it('is deterministic for a seed and hashes differently with another', () => {
    const pick = (seed: number) => {
      const { twin, pe1, ate1 } = wan([], seed);
      run(twin, ate1, Array.from({ length: 32 }, (_, i) => flow(`f${i}`, 'p1', 'w-ate2:p1', 2)));
      return pe1.counters!.port('wan1').outPkts;
    };
    expect(pick(7)).toBe(pick(7));
    expect([pick(1), pick(2), pick(3)].some((x, _, a) => x !== a[0])).toBe(true);
  });

  it('UCMP follows the weights; the polarisation defect puts every flow on one member', () => {
    const share = (defects: string[]) => {
      const { twin, pe1, ate1 } = wan(defects);
      pe1.config!.edit('/routing/config', { 'load-balancing': 'ucmp' }, 'replace');
      pe1.config!.edit('/routing/interfaces/interface[name=wan1]/config', { weight: 3 }, 'replace');
      pe1.config!.edit('/routing/interfaces/interface[name=wan2]/config', { weight: 1 }, 'replace');
      run(twin, ate1, Array.from({ length: 400 }, (_, i) => flow(`f${i}`, `p${1 + (i % 3)}`, `w-ate2:p${1 + (i % 3)}`, 1)));
      const a = pe1.counters!.port('wan1').outPkts;
      return a / (a + pe1.counters!.port('wan2').outPkts);
    };
    expect(share([])).toBeGreaterThan(0.68);
    expect(share([])).toBeLessThan(0.82);
    expect(share(['ucmp-ignores-weights'])).toBeLessThan(0.6);
    expect(share(['ecmp-polarisation'])).toSatisfy((x: number) => x === 1 || x === 0);
  });

  it('adaptive mode pins each elephant to the least-loaded member and leaves mice hashed; a bad mode is refused', () => {
    const placed = (defects: string[]) => {
      const { twin, pe1, ate1 } = wan(defects);
      pe1.config!.edit('/routing/interfaces/interface[name=wan3]/config', { metric: 1000 }, 'replace');
      pe1.config!.edit('/routing/config', { 'load-balancing': 'adaptive', 'elephant-rate-bps': 20e9, 'elephant-lifetime-us': 20 }, 'replace');
      const big = Array.from({ length: 6 }, (_, i) => flow(`e${i}`, `p${1 + (i % 3)}`, `w-ate2:p${1 + ((i + Math.floor(i / 3)) % 3)}`, 2000, { rateBps: 100e9 }));
      const small = Array.from({ length: 30 }, (_, i) => flow(`m${i}`, 'p4', `w-ate2:p${1 + (i % 3)}`, 2));
      const m = run(twin, ate1, [...big, ...small], 3);
      const st = pe1.state!.get('/routing/state') as { 'elephant-flows': Array<{ source: string; 'egress-interface': string }> };
      return { m, found: st['elephant-flows'] };
    };
    const ok = placed([]);
    expect(ok.found).toHaveLength(6);
    expect(ok.found.every((e) => /^w-ate1:p[123]$/.test(e.source))).toBe(true);
    expect(ok.found.filter((e) => e['egress-interface'] === 'wan1')).toHaveLength(3);
    expect(ok.m.every((x) => x.done && x.rxFrames === x.txFrames)).toBe(true);
    expect(placed(['elephants-missed']).found).toHaveLength(0);
    const { pe1 } = wan();
    expect(() => pe1.config!.edit('/routing/config', { 'load-balancing': 'flowlet' }, 'replace')).toThrow(/load-balancing must be ecmp, ucmp or adaptive, got "flowlet"/);
  });

  it('takes the loop-free alternate through the transit router when both direct links are down', () => {
    const { twin, pe1, pe2, p1, ate1 } = wan();
    pe1.faults!.inject({ kind: 'link-down', port: 'wan1' });
    pe1.faults!.inject({ kind: 'link-down', port: 'wan2' });
    const [m] = run(twin, ate1, [flow('f', 'p1', 'w-ate2:p1', 10)]);
    expect(m!.rxFrames).toBe(10);
    expect(p1.counters!.port('wan2').outPkts).toBe(10);
    expect(pe2.state!.get('/routing/interfaces/interface[name=wan1]/state/usable')).toBe(false);
  });

  it('serves its transport, SID and system state', () => {
    const { pe1, p1 } = wan();
    expect(pe1.state!.get('/interfaces/interface[name=wan2]/state/transport')).toEqual({ fibre: 'hollow-core', 'length-km': 100, 'one-way-delay-us': 330 });
    const sids = p1.state!.get('/srv6/state/sids') as Array<{ behavior: string }>;
    expect(sids.map((s) => s.behavior).sort()).toEqual(['End', 'End.DT4', 'End.X', 'End.X']);
    expect(pe1.state!.get('/srv6/state/locator')).toBe('fc00:0:1::/48');
    expect(pe1.state!.get('/system/state/source-address')).toBe('fc00:0:1::1');
  });
});

describe('router SRv6 and VRFs', () => {
  function tenants(pe1: TwinNode, pe2: TwinNode) {
    for (const r of [pe1, pe2]) {
      r.config!.edit('/network-instances/network-instance[name=a]/config', { 'address-family': 'ipv4', interfaces: ['ate4'] }, 'replace');
      r.config!.edit('/network-instances/network-instance[name=b]/config', { 'address-family': 'ipv6', interfaces: ['ate5'] }, 'replace');
    }
  }

  it('inserts the policy SRH at the headend; End decrements Segments Left; End.DT4 decapsulates into the VRF', () => {
    const { twin, pe1, pe2, p1, ate1 } = wan();
    tenants(pe1, pe2);
    const end = (p1.state!.get('/srv6/state/sids') as Array<{ sid: string; behavior: string }>).find((s) => s.behavior === 'End')!.sid;
    const dt4 = pe2.state!.get('/network-instances/network-instance[name=a]/state/service-sid') as string;
    pe1.config!.edit(
      '/network-instances/network-instance[name=a]/segment-routing/policies/policy[name=p]/config',
      { endpoint: pe2.state!.get('/srv6/state/source-address'), 'segment-list': [end] },
      'replace',
    );
    pe1.capture!.start('wan3');
    p1.capture!.start('wan2');
    const [m] = run(twin, ate1, [flow('a', 'p4', 'w-ate2:p4', 5)]);
    expect(m!.rxFrames).toBe(5);
    const head = pe1.capture!.stop('wan3').filter((f) => f.direction === 'tx').map((f) => srh(f.bytes));
    const mid = p1.capture!.stop('wan2').filter((f) => f.direction === 'tx').map((f) => srh(f.bytes));
    expect(head).toHaveLength(5);
    expect(head[0]!.f.ip!.dst).toBe(end);
    expect(head[0]!.srh!.segments).toEqual([dt4, end]);
    expect(head[0]!.srh!.segmentsLeft).toBe(1);
    expect(mid[0]!.srh!.segmentsLeft).toBe(0);
    expect(mid[0]!.f.ip!.dst).toBe(dt4);
    // the inner packet is the tenant's IPv4 frame without its Ethernet header
    expect(mid[0]!.f.payload[0]! >> 4).toBe(4);
    expect(pe2.state!.get('/routing/state/counters')).toMatchObject({ srv6Decapsulated: 5, srhErrors: 0 });
  });

  it('drops at End.DT4 when Segments Left was not decremented (defect) and at End with nothing left', () => {
    const { twin, pe1, pe2, p1, ate1 } = wan(['srv6-sl-not-decremented']);
    tenants(pe1, pe2);
    const end = (p1.state!.get('/srv6/state/sids') as Array<{ sid: string; behavior: string }>).find((s) => s.behavior === 'End')!.sid;
    pe1.config!.edit(
      '/network-instances/network-instance[name=a]/segment-routing/policies/policy[name=p]/config',
      { endpoint: pe2.state!.get('/srv6/state/source-address'), 'segment-list': [end] },
      'replace',
    );
    const [m] = run(twin, ate1, [flow('a', 'p4', 'w-ate2:p4', 5)]);
    expect(m!.rxFrames).toBe(0);
    expect((pe2.state!.get('/routing/state/counters') as { srhErrors: number }).srhErrors).toBe(5);
  });

  it('End.X pins the path onto its adjacency', () => {
    const { twin, pe1, pe2, ate1 } = wan();
    const x = (pe1.state!.get('/srv6/state/sids') as Array<{ sid: string; behavior: string; interface?: string }>).find((s) => s.interface === 'wan2')!.sid;
    pe1.config!.edit(
      '/network-instances/network-instance[name=default]/segment-routing/policies/policy[name=hcf]/config',
      { endpoint: pe2.state!.get('/srv6/state/source-address'), 'segment-list': [x] },
      'replace',
    );
    run(twin, ate1, Array.from({ length: 16 }, (_, i) => flow(`f${i}`, 'p1', 'w-ate2:p1', 2)));
    expect(pe1.counters!.port('wan1').outPkts).toBe(0);
    expect(pe1.counters!.port('wan2').outPkts).toBe(32);
  });

  it('keeps tenants apart, over End.DT4 and End.DT6; the leak defect does not', () => {
    const cross = (defects: string[]) => {
      const { twin, pe1, pe2, ate1 } = wan(defects);
      tenants(pe1, pe2);
      pe1.capture!.start('wan1');
      pe1.capture!.start('wan2');
      const m = run(twin, ate1, [flow('aa', 'p4', 'w-ate2:p4'), flow('bb', 'p5', 'w-ate2:p5'), flow('ab', 'p4', 'w-ate2:p5'), flow('b-default', 'p5', 'w-ate2:p1')]);
      const outer = ['wan1', 'wan2'].flatMap((p) => pe1.capture!.stop(p)).filter((f) => f.direction === 'tx').map((f) => parseFrame(f.bytes, { checksums: 'ignore' }));
      return { m: Object.fromEntries(m.map((x) => [x.name, x.rxFrames])), outer, pe2 };
    };
    const ok = cross([]);
    expect(ok.m).toEqual({ aa: 10, bb: 10, ab: 0, 'b-default': 0 });
    const dt6 = ok.pe2.state!.get('/network-instances/network-instance[name=b]/state/service-sid');
    const v6 = ok.outer.filter((f) => f.ip!.dst === dt6);
    expect(v6).toHaveLength(10);
    expect((v6[0]!.ip as { nextHeader: number }).nextHeader).toBe(41);
    expect(v6[0]!.payload[0]! >> 4).toBe(6);
    const leak = cross(['vrf-leak']);
    expect(leak.m.ab).toBe(10);
  });

  it('rejects policies naming unknown SIDs or endpoints and VRFs on core ports', () => {
    const { pe1 } = wan();
    pe1.config!.edit('/network-instances/network-instance[name=a]/config', { interfaces: ['ate4'] }, 'replace');
    expect(() =>
      pe1.config!.edit('/network-instances/network-instance[name=a]/segment-routing/policies/policy[name=p]/config', { endpoint: 'fc00:0:2::1', 'segment-list': ['fc00:9::1'] }, 'replace'),
    ).toThrow(/no SID of the domain/);
    expect(() => pe1.config!.edit('/network-instances/network-instance[name=a]/segment-routing/policies/policy[name=p]/config', { endpoint: '2001:db8::1' }, 'replace')).toThrow(
      RouterConfigError,
    );
    expect(() => pe1.config!.edit('/network-instances/network-instance[name=c]/config', { interfaces: ['wan1'] }, 'replace')).toThrow(/core port/);
    expect(() => pe1.config!.edit('/nowhere/config', {}, 'merge')).toThrow(/not supported/);
  });
});

describe('router BFD', () => {
  const cfg = { enabled: true, 'desired-minimum-tx-interval': 10_000, 'required-minimum-receive': 10_000, 'detection-multiplier': 3 };

  function upPair(defects: string[] = []) {
    const w = wan(defects);
    for (const [r, p] of [
      [w.pe1, 'wan1'],
      [w.pe2, 'wan1'],
    ] as const) {
      r.config!.edit(`/bfd/interfaces/interface[id=${p}]/config`, cfg, 'replace');
    }
    for (let i = 0; i < 500 && w.pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/detection-time') !== 30_000; i++) w.twin.runFor(10e9);
    return w;
  }

  it('comes Up through Down -> Init -> Up at the slow rate, then negotiates 10 ms x 3', () => {
    const { twin, pe1, pe2 } = upPair();
    const s = pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state') as Record<string, unknown>;
    expect(s['session-state']).toBe('UP');
    expect(s['negotiated-transmit-interval']).toBe(10_000);
    expect(s['detection-time']).toBe(30_000);
    expect(s['remote-discriminator']).toBe(pe2.state!.get('/bfd/interfaces/interface[id=wan1]/state/local-discriminator'));
    // slow start: at least one 0.75-1 s interval before Up
    expect(s['last-up-time-ps'] as number).toBeGreaterThan(0.75e12 * 0);
    expect(twin.nowPs()).toBeGreaterThan(0.3e12);
  });

  it('times out in 20-30 ms with diagnostic 1 and moves traffic to the alternate', () => {
    const { twin, pe1, ate1 } = upPair();
    // wan1 primary, wan2 the alternate (cheaper than the transit path)
    pe1.config!.edit('/routing/interfaces/interface[name=wan2]/config', { metric: 15 }, 'replace');
    ate1.traffic!.setFlows([flow('f', 'p1', 'w-ate2:p1', 20_000, { rateBps: 1e9 })]);
    ate1.traffic!.start();
    twin.runFor(2e9);
    const on = pe1.counters!.port('wan1').outPkts;
    expect(on).toBeGreaterThan(100);
    const t0 = twin.nowPs();
    const base = pe1.counters!.port('wan2').outPkts;
    pe1.faults!.inject({ kind: 'loss', port: 'wan1', rate: 1 });
    let down = -1;
    let moved = -1;
    for (let i = 0; i < 400 && (down < 0 || moved < 0); i++) {
      twin.runFor(0.25e9);
      if (down < 0 && pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/session-state') === 'DOWN') down = (twin.nowPs() - t0) / 1e9;
      if (moved < 0 && pe1.counters!.port('wan2').outPkts - base >= 10) moved = (twin.nowPs() - t0) / 1e9;
    }
    expect(down).toBeGreaterThanOrEqual(19.75);
    expect(down).toBeLessThanOrEqual(30.25);
    expect(moved - down).toBeLessThan(1);
    expect(pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/local-diagnostic-code')).toBe('DETECTION_TIMEOUT');
  });

  it('ignoring the multiplier detects after one interval; no switchover keeps using the dead link', () => {
    {
      const { twin, pe1 } = upPair(['bfd-ignores-multiplier']);
      const t0 = twin.nowPs();
      pe1.faults!.inject({ kind: 'loss', port: 'wan1', rate: 1 });
      while (pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/session-state') !== 'DOWN') twin.runFor(0.25e9);
      expect((twin.nowPs() - t0) / 1e9).toBeLessThanOrEqual(10.25);
    }
    {
      const { twin, pe1 } = upPair(['bfd-no-switchover']);
      pe1.faults!.inject({ kind: 'loss', port: 'wan1', rate: 1 });
      twin.runFor(50e9);
      expect(pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/session-state')).toBe('DOWN');
      expect(pe1.state!.get('/routing/interfaces/interface[name=wan1]/state/usable')).toBe(true);
    }
  });

  it('disabling one end sends AdminDown: the peer goes Down (diagnostic 3) without withdrawing the port', () => {
    const { twin, pe1, pe2 } = upPair();
    pe2.config!.edit('/bfd/interfaces/interface[id=wan1]/config', null, 'delete');
    twin.runFor(2e9);
    expect(pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/session-state')).toBe('DOWN');
    expect(pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/local-diagnostic-code')).toBe('NEIGHBOR_SIGNALED_DOWN');
    expect(pe1.state!.get('/routing/interfaces/interface[name=wan1]/state/usable')).toBe(true);
    expect(BFD_STATE.ADMIN_DOWN).toBe(0);
  });

  it('refuses BFD on a port that does not face a router', () => {
    const { pe1 } = wan();
    expect(() => pe1.config!.edit('/bfd/interfaces/interface[id=ate1]/config', cfg, 'replace')).toThrow(/does not face a router/);
  });
});

describe('router multicast, PFC, HP-WAN', () => {
  it('replicates a group to every joined port once, never to others', () => {
    const counts = (defects: string[]) => {
      const { twin, pe1, pe2, ate1, ate2 } = wan(defects);
      pe2.config!.edit('/multicast/igmp/interfaces/interface[name=ate1]/config', { 'static-groups': ['239.0.0.9'] }, 'replace');
      pe2.config!.edit('/multicast/igmp/interfaces/interface[name=ate2]/config', { 'static-groups': ['239.0.0.9'] }, 'replace');
      pe1.config!.edit('/multicast/igmp/interfaces/interface[name=ate2]/config', { 'static-groups': ['239.0.0.9'] }, 'replace');
      run(twin, ate1, [flow('g', 'p1', 'w-ate2:p1', 50, { multicastGroup: '239.0.0.9' })]);
      return [ate2.counters!.port('p1').inPkts, ate2.counters!.port('p2').inPkts, ate1.counters!.port('p2').inPkts, ate2.counters!.port('p3').inPkts];
    };
    expect(counts([])).toEqual([50, 50, 50, 0]);
    // copies double at every router on the way
    expect(counts(['multicast-duplicates'])).toEqual([200, 200, 100, 0]);
    expect(counts(['multicast-flood'])[3]).toBe(50);
  });

  it('sizes PFC headroom for the cable: lossless over 100 km; the fixed-headroom defect drops', () => {
    const drops = (defects: string[]) => {
      const { twin, pe1, pe2, ate1 } = wan(defects);
      for (const r of [pe1, pe2]) r.config!.edit('/qos/pfc/config', { 'xoff-bytes': 2e6, 'xon-bytes': 1e6 }, 'replace');
      // both flows on the standard-fibre link (the hollow-core one would deliver the other one earlier)
      pe1.config!.edit('/routing/interfaces/interface[name=wan2]/config', { metric: 1000 }, 'replace');
      const hr = pe2.state!.get('/qos/interfaces/interface[name=wan1]/pfc/state/headroom-bytes') as number;
      const m = run(twin, ate1, [0, 1].map((i) => flow(`r${i}`, `p${i + 1}`, 'w-ate2:p1', 2000, { transport: 'roce', frameBytes: 4096, bytes: 16e6 })), 8);
      return { hr, retx: m.reduce((s, x) => s + x.retransmissions, 0), drops: (pe2.state!.get('/routing/state/counters') as { headroomDrops: number }).headroomDrops };
    };
    const ok = drops([]);
    expect(ok.hr).toBeGreaterThan(100e6);
    expect(ok.drops).toBe(0);
    expect(ok.retx).toBe(0);
    const bad = drops(['pfc-headroom-fixed']);
    expect(bad.hr).toBeLessThan(1e6);
    expect(bad.drops).toBeGreaterThan(0);
  });

  it('negotiates tasks against the quota and shapes a maximum-mode task', () => {
    const { twin, pe1, ate1 } = wan();
    pe1.config!.edit('/hpwan/quota/config', { 'bandwidth-bps': 400e9 }, 'replace');
    pe1.config!.edit('/hpwan/tasks/task[name=a]/config', { 'ingress-interface': 'ate1', mode: 'minimum', 'min-rate-bps': 300e9 }, 'replace');
    pe1.config!.edit('/hpwan/tasks/task[name=b]/config', { 'ingress-interface': 'ate2', mode: 'minimum', 'min-rate-bps': 300e9 }, 'replace');
    pe1.config!.edit('/hpwan/tasks/task[name=c]/config', { 'ingress-interface': 'ate6', mode: 'maximum', 'max-rate-bps': 50e9, 'duration-ms': 3 }, 'replace');
    expect(pe1.state!.get('/hpwan/tasks/task[name=a]/state/status')).toBe('granted');
    expect(pe1.state!.get('/hpwan/tasks/task[name=b]/state/status')).toBe('refused');
    expect(pe1.state!.get('/hpwan/quota/state')).toEqual({ 'bandwidth-bps': 400e9, 'reserved-bps': 300e9, 'available-bps': 100e9 });
    expect(() => pe1.config!.edit('/hpwan/tasks/task[name=d]/config', { 'ingress-interface': 'ate3', mode: 'minimum' }, 'replace')).toThrow(/min-rate-bps/);
    ate1.traffic!.setFlows([{ name: 'c', txPort: 'p6', rxPort: 'w-ate2:p6', bytes: 1e12, frameBytes: 9000 }]);
    ate1.traffic!.start();
    twin.runFor(1e9);
    const a = ate1.traffic!.metrics()[0]!.rxBytes;
    twin.runFor(1e9);
    const rate = ((ate1.traffic!.metrics()[0]!.rxBytes - a) * 8) / 1e-3;
    expect(rate / 50e9).toBeGreaterThan(0.97);
    expect(rate / 50e9).toBeLessThan(1.03);
    // the task expires after 3 ms
    twin.runFor(2e9);
    expect(pe1.state!.get('/hpwan/tasks/task[name=c]/state')).toBeUndefined();
    ate1.traffic!.stop();
  });

  it('a congested transit router notifies the proxy gateway, which sends the host a CNP before the receiver would', () => {
    const { twin, pe1, p1, ate1 } = wan([], 1, { transitRateBps: 400e9 });
    // DC1 -> DC2 through the transit router, whose 400G span to PE2 takes up to 800G
    for (const p of ['wan1', 'wan2']) pe1.config!.edit(`/routing/interfaces/interface[name=${p}]/config`, { metric: 1000 }, 'replace');
    pe1.config!.edit('/hpwan/proxy/config', { interfaces: ['ate1', 'ate2', 'ate3'] }, 'replace');
    // PE1's own 800G egress congests too: only the transit router notifies
    p1.config!.edit('/qos/ecn/config', { 'min-bytes': 64e3, 'max-bytes': 1e6 }, 'replace');
    pe1.config!.edit('/qos/ecn/config', { 'min-bytes': 1e12, 'max-bytes': 1e12 }, 'replace');
    pe1.config!.edit('/hpwan/congestion-notification/config', { enabled: false }, 'replace');
    ate1.capture!.start('p1');
    const t0 = twin.nowPs();
    run(twin, ate1, [0, 1, 2].map((i) => flow(`r${i}`, `p${i + 1}`, `w-ate2:p${i + 1}`, 0, { bytes: 4e6, frameBytes: 4096, transport: 'roce' })), 6);
    const cnps = ate1.capture!.stop('p1').filter((f) => f.direction === 'rx').map((f) => ({ t: f.timePs - t0, f: parseFrame(f.bytes, { checksums: 'ignore' }) }));
    const proxied = cnps.filter(({ f }) => f.udp?.dstPort === 4791 && f.payload[0] === 0x81 && f.ip!.src === pe1.state!.get('/system/state/ipv4-loopback'));
    expect(p1.state!.get('/hpwan/proxy/state/notifications-sent') as number).toBeGreaterThan(0);
    expect(pe1.state!.get('/hpwan/proxy/state/notifications-received') as number).toBeGreaterThan(0);
    expect(proxied.length).toBeGreaterThan(0);
  });
});

describe('the default testbed', () => {
  it('carries a DC1 host to a DC2 host through the edge switches and the 800GE routers', async () => {
    const { loadTestbed } = await import('../../harness/testbed.ts');
    const tb = loadTestbed(new URL('../../config/testbeds/emulator.yaml', import.meta.url).pathname);
    const twin = buildTwin({ devices: tb.devices.map((d) => ({ id: d.id, kind: d.kind, ports: d.ports, params: d.params })), links: tb.links }, { seed: 1 });
    const h1 = twin.node('wan-dc1-host1')!;
    h1.traffic!.setFlows([{ name: 'across', txPort: 'p1', rxPort: 'wan-dc2-host2:p1', bytes: 64 * 4096, frameBytes: 4096, transport: 'roce' }]);
    h1.traffic!.start();
    twin.runFor(5e9);
    const [m] = h1.traffic!.metrics();
    expect(m!.done).toBe(true);
    expect(m!.fctPs! / 1e9).toBeGreaterThan(0.66);
    expect(twin.node('wan-pe1')!.state!.get('/interfaces/interface[name=wan1]/state/ethernet')).toMatchObject({ pmd: '800GBASE-DR8', 'port-speed-bps': 800e9 });
  });
});
