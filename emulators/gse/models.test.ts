// GSE device models on the engine: control plane, the three forwarding cases, containers, PFC, designs, modes, defects, captures.
import { describe, expect, it } from 'vitest';
import { buildTwin } from '../build.ts';
import { generateTopology } from '../generators.ts';
import { TwinBuildError, type Twin, type TwinFlowMetrics } from '../twin.ts';
import { parseGseFrame } from '../../protocols/gse/frame.ts';
import { GSE_ETHERTYPE_DEFAULT } from '../../protocols/gse/frame.ts';
import { GSE_TYPE } from '../../protocols/gse/header.ts';
import { GseSwitchModel } from './models.ts';
import './register.ts';
import '../uec/register.ts';

const MiB = 1024 * 1024;

function twinOf(generator: string, params: Record<string, unknown> = {}, defects: Record<string, string[]> = {}, seed = 1): Twin {
  const topo = generateTopology(generator, 'g', params);
  return buildTwin({ devices: topo.devices.map((d) => ({ ...d, defects: defects[d.kind] ?? [] })), links: topo.links }, { seed });
}

const THREE = { serversPerGsp: 4, gsfT2PerPod: 4, t1Links: 4 };

function state<T>(twin: Twin, id: string, path: string): T {
  return twin.node(id)!.state!.get(path) as T;
}

/** Runs RoCE flows `[src, dst, bytes]` (server ids, port p0) until all are done or `limitUs` passes. */
function run(twin: Twin, flows: Array<[string, string, number]>, limitUs = 2000): TwinFlowMetrics[] {
  const by = new Map<string, Array<[string, string, number]>>();
  for (const f of flows) by.set(f[0], [...(by.get(f[0]) ?? []), f]);
  for (const [src, list] of by) {
    twin.node(src)!.traffic!.setFlows(list.map(([, dst, bytes], i) => ({ name: `${src}-${i}`, txPort: 'p0', rxPort: `${dst}:p0`, bytes, frameBytes: 4096, transport: 'roce' })));
  }
  for (const src of by.keys()) twin.node(src)!.traffic!.start();
  const metrics = () => [...by.keys()].flatMap((s) => twin.node(s)!.traffic!.metrics());
  for (let t = 0; t < limitUs; t += 10) {
    twin.runFor(10e6);
    if (metrics().every((m) => m.done)) break;
  }
  return metrics();
}

const counters = (twin: Twin, id: string, port: string) => twin.node(id)!.counters!.port(port);

describe('GSE control plane', () => {
  it('distributes every GSPID and DPORT to every device within 100 us, one AS per device', () => {
    const twin = twinOf('gse-three-tier', THREE);
    twin.runFor(100e6);
    const ids = twin.nodes().filter((n) => n.kind.startsWith('gse-'));
    expect(new Set(ids.map((n) => state<{ asn: number }>(twin, n.id, '/gse/system').asn)).size).toBe(ids.length);
    for (const n of ids) {
      expect(state<unknown[]>(twin, n.id, '/gse/bgp/gspid').length, n.id).toBe(8);
      expect(state<{ dports: number }>(twin, n.id, '/gse/bgp/summary').dports, n.id).toBe(32);
    }
    const t2 = state<Array<{ device: string; ports: string[]; asn: number }>>(twin, 'g-gsf0-1', '/gse/bgp/neighbors');
    expect(t2.map((n) => n.device)).toEqual(['g-gsp0-0', 'g-gsp0-1', 'g-gsp0-2', 'g-gsp0-3', 'g-gsft11-0']);
    expect(t2[4].ports).toEqual(['p4', 'p5', 'p6', 'p7']);
    const route = state<Array<{ gspId: number; pathLength: number; nextHops: string[] }>>(twin, 'g-gsp0-0', '/gse/bgp/gspid').find((r) => r.gspId === 6)!;
    expect(route).toMatchObject({ pathLength: 4, nextHops: ['g-gsf0-0', 'g-gsf0-1', 'g-gsf0-2', 'g-gsf0-3'] });
    expect(state<unknown>(twin, 'g-gsp0-0', '/gse/bgp/dport')).toContainEqual({ address: '10.0.0.6', gspId: 1, dport: 1, dportName: 'p1', origin: 'g-gsp0-1' });
  });

  it('a silent device (gse-bgp-no-distribute) leaves the others without its routes, and traffic to it undeliverable', () => {
    const twin = twinOf('gse-three-tier', THREE, { 'gse-gsp': ['gse-bgp-no-distribute'] });
    twin.runFor(100e6);
    expect(state<unknown[]>(twin, 'g-gsf0-0', '/gse/bgp/gspid')).toEqual([]);
    const [m] = run(twin, [['g-srv0-0', 'g-srv0-5', 64 * 1024]], 300);
    expect(m.done).toBe(false);
  });
});

describe('GSE forwarding', () => {
  it('same GSP: plain IP, no container; same PoD and across PoDs: containers, in order, nothing lost', () => {
    const twin = twinOf('gse-three-tier', THREE);
    twin.runFor(100e6);
    const ms = run(twin, [
      ['g-srv0-0', 'g-srv0-1', MiB],
      ['g-srv0-2', 'g-srv0-9', MiB],
      ['g-srv0-3', 'g-srv1-9', MiB],
    ]);
    for (const m of ms) expect(m, m.name).toMatchObject({ done: true, rxBytes: MiB, outOfOrder: 0, retransmissions: 0, lostFrames: 0 });
    const ing = state<{ localPackets: number; containersSent: number; requestsSent: number; grantsReceived: number }>(twin, 'g-gsp0-0', '/gse/ingress');
    expect(ing.localPackets).toBeGreaterThanOrEqual(256);
    expect(ing.containersSent).toBeGreaterThanOrEqual(2 * (MiB / 16384));
    expect(ing.grantsReceived).toBeGreaterThan(0);
    // Across PoDs the bytes cross the GSF-T1s.
    let t1 = 0;
    for (let plane = 0; plane < 4; plane++) for (let p = 0; p < 8; p++) t1 += counters(twin, `g-gsft1${plane}-0`, `p${p}`).outOctets;
    expect(t1).toBeGreaterThan(MiB);
    const eg = state<{ packetsDecapsulated: number }>(twin, 'g-gsp1-2', '/gse/egress');
    expect(eg.packetsDecapsulated).toBeGreaterThanOrEqual(256);
  });

  it('captures show the modelled GSE header on the uplinks (data, request, grant) and plain IPv4 at the NIC', () => {
    const twin = twinOf('gse-three-tier', THREE);
    twin.runFor(100e6);
    const gsp = twin.node('g-gsp0-0')!;
    gsp.capture!.start('p4');
    gsp.capture!.start('p1');
    twin.node('g-gsp0-2')!.capture!.start('p1');
    run(twin, [['g-srv0-0', 'g-srv0-9', 256 * 1024]]);
    const up = gsp.capture!.stop('p4');
    const types = new Set(up.map((f) => parseGseFrame(f.bytes).gse.type));
    expect([...types].sort()).toEqual([GSE_TYPE.DATA, GSE_TYPE.REQUEST, GSE_TYPE.GRANT].sort());
    const data = up.filter((f) => f.direction === 'tx').map((f) => parseGseFrame(f.bytes)).filter((g) => g.gse.type === GSE_TYPE.DATA);
    expect(data[0].gse).toMatchObject({ srcGsp: 0, dstGsp: 2, dport: 1 });
    // A full-size NIC frame (4096 B) grows by the 32-byte header; the inner packet is its IP part.
    const full = up.find((f) => f.direction === 'tx' && f.bytes.length > 4000)!;
    expect(full.bytes.length).toBe(4096 + 32);
    expect(parseGseFrame(full.bytes).inner.length).toBe(4096 - 14);
    const nic = twin.node('g-gsp0-2')!.capture!.stop('p1');
    expect(nic.length).toBeGreaterThan(0);
    for (const f of nic) expect((f.bytes[12] << 8) | f.bytes[13]).not.toBe(GSE_ETHERTYPE_DEFAULT);
    expect(gsp.capture!.stop('p1')).toEqual([]);
  });

  it('border design: GSE to a BORDER, IP through the CORE with PFC, GSE again to the GSP; gsp-direct: straight to the CORE', () => {
    const border = twinOf('gse-border', { gspsPerPod: 2, serversPerGsp: 2 });
    border.runFor(300e6);
    const [m] = run(border, [['g-srv0-0', 'g-srv1-3', MiB]]);
    expect(m).toMatchObject({ done: true, outOfOrder: 0, lostFrames: 0 });
    const core = state<unknown[]>(border, 'g-core0-0', '/gse/bgp/ip-routes');
    expect(core.length).toBe(8);
    const direct = twinOf('gse-gsp-direct', { gspsPerPod: 2, serversPerGsp: 2 });
    direct.runFor(300e6);
    const [d] = run(direct, [['g-srv0-0', 'g-srv1-3', MiB]]);
    expect(d).toMatchObject({ done: true, outOfOrder: 0, lostFrames: 0 });
    expect(state<{ ipPacketsOut: number }>(direct, 'g-gsp0-0', '/gse/ingress').ipPacketsOut).toBeGreaterThan(0);
  });

  it('switches to the ip-ecmp baseline and back through config', () => {
    const twin = twinOf('gse-three-tier', THREE);
    twin.runFor(100e6);
    const gse = twin.nodes().filter((n) => n.kind === 'gse-gsp' || n.kind === 'gse-gsf');
    for (const n of gse) n.config!.edit('/gse/config/forwarding-mode', 'ip-ecmp', 'replace');
    const [a] = run(twin, [['g-srv0-0', 'g-srv1-9', MiB]]);
    expect(a.done).toBe(true);
    expect(state<{ containersSent: number }>(twin, 'g-gsp0-0', '/gse/ingress').containersSent).toBe(0);
    for (const n of gse) n.config!.edit('/gse/config/forwarding-mode', undefined, 'delete');
    expect(state<string>(twin, 'g-gsp0-0', '/gse/system/forwardingMode')).toBe('gse-n2n');
    const [b] = run(twin, [['g-srv0-0', 'g-srv1-9', MiB]]);
    expect(b.done).toBe(true);
    expect(state<{ containersSent: number }>(twin, 'g-gsp0-0', '/gse/ingress').containersSent).toBeGreaterThan(0);
    expect(() => gse[0].config!.edit('/gse/config/forwarding-mode', 'hash', 'replace')).toThrow(/gse-n2n, ip-ecmp/);
  });
});

describe('GSE scheduling and PFC', () => {
  const incast = (defects: Record<string, string[]> = {}) => {
    const twin = twinOf('gse-three-tier', THREE, defects);
    twin.runFor(100e6);
    const ms = run(twin, ['g-srv0-4', 'g-srv0-5', 'g-srv0-8', 'g-srv0-9', 'g-srv0-12', 'g-srv1-0'].map((s): [string, string, number] => [s, 'g-srv0-0', MiB]), 1000);
    return { twin, ms };
  };

  it('an incast is paced by grants at the receiver port rate, pauses the senders above xoff and resumes them', () => {
    const { twin, ms } = incast();
    for (const m of ms) expect(m, m.name).toMatchObject({ done: true, lostFrames: 0, retransmissions: 0 });
    const sched = state<Array<{ port: string; grantedBytes: number; firstGrantPs: number; lastGrantPs: number; rateBps: number }>>(twin, 'g-gsp0-0', '/gse/scheduler').find((s) => s.port === 'p0')!;
    const rate = (sched.grantedBytes * 8e12) / (sched.lastGrantPs - sched.firstGrantPs);
    expect(rate).toBeLessThanOrEqual(sched.rateBps * 1.05);
    const pfc = state<Array<{ port: string; pausesSent: number; resumesSent: number; bytesAtLastPause: number; xoffBytes: number; paused: boolean }>>(twin, 'g-gsp0-1', '/gse/pfc');
    expect(pfc[0].pausesSent).toBeGreaterThan(0);
    expect(pfc[0].resumesSent).toBe(pfc[0].pausesSent);
    expect(pfc[0].bytesAtLastPause).toBeGreaterThan(pfc[0].xoffBytes);
    expect(counters(twin, 'g-srv0-4', 'p0').pfcPauseRx).toBeGreaterThan(0);
  });

  it('defects change what a lab can see', () => {
    const over = incast({ 'gse-gsp': ['gse-grant-overcommit'] });
    let drops = 0;
    for (let p = 0; p < 4; p++) drops += counters(over.twin, 'g-gsp0-0', `p${p}`).outDiscards;
    expect(drops).toBeGreaterThan(0);
    const never = incast({ 'gse-gsp': ['gse-pfc-never'] });
    expect(state<Array<{ pausesSent: number }>>(never.twin, 'g-gsp0-1', '/gse/pfc')[0].pausesSent).toBe(0);
    const early = incast({ 'gse-gsp': ['gse-pfc-early'] });
    const e = state<Array<{ bytesAtLastPause: number; xoffBytes: number }>>(early.twin, 'g-gsp0-1', '/gse/pfc')[0];
    expect(e.bytesAtLastPause).toBeLessThan(e.xoffBytes);
    const stuck = incast({ 'gse-gsp': ['gse-pfc-no-resume'] });
    expect(stuck.ms.some((m) => !m.done)).toBe(true);

    const twin = twinOf('gse-three-tier', THREE, { 'gse-gsp': ['gse-header-not-removed'] });
    twin.runFor(100e6);
    const [m] = run(twin, [['g-srv0-0', 'g-srv0-9', 64 * 1024]], 200);
    expect(m.done).toBe(false);
    expect(counters(twin, 'g-srv0-9', 'p0').inDiscards).toBeGreaterThan(0);

    const a2a = (defects: Record<string, string[]>) => {
      const t = twinOf('gse-three-tier', THREE, defects);
      t.runFor(100e6);
      const s = Array.from({ length: 16 }, (_, i) => `g-srv0-${i}`);
      return run(t, s.flatMap((x) => s.filter((y) => y !== x).map((y): [string, string, number] => [x, y, 64 * 1024])), 1000);
    };
    expect(a2a({ 'gse-gsp': ['gse-no-reorder'] }).reduce((n, x) => n + x.outOfOrder, 0)).toBeGreaterThan(0);
    expect(a2a({}).reduce((n, x) => n + x.outOfOrder, 0)).toBe(0);
  });
});

describe('GSE models', () => {
  it('serve the engine port model plus /gse paths; refuse bad params', () => {
    const twin = twinOf('gse-three-tier', THREE);
    const n = twin.node('g-gsp0-0');
    expect(n).toBeInstanceOf(GseSwitchModel);
    expect(n!.state!.get('/interfaces/interface[name=p0]/speed')).toBe(400e9);
    expect(n!.state!.get('/gse/ports')).toContainEqual({ name: 'p4', role: 'fabric', neighbor: 'g-gsf0-0' });
    expect(n!.state!.get('/gse/system')).toMatchObject({ role: 'gsp', gseId: 0, pod: 0, domain: 'g' });
    expect(n!.state!.get('/gse/nope')).toBeUndefined();
    expect(state<{ role: string; tier: string }>(twin, 'g-gsft10-0', '/gse/system')).toMatchObject({ role: 'gsf', tier: 'T1' });
    const topo = generateTopology('gse-three-tier', 'g', { switchParams: { containerBytes: 'big' } });
    expect(() => buildTwin({ devices: topo.devices, links: topo.links }, { seed: 1 })).toThrow(TwinBuildError);
    const dup = generateTopology('gse-three-tier', 'g', {});
    dup.devices.find((d) => d.id === 'g-gsp0-1')!.params!.gspId = 0;
    expect(() => buildTwin({ devices: dup.devices, links: dup.links }, { seed: 1 })).toThrow(/gspId 0 is already the id of 'g-gsp0-0'/);
  });

  it('is deterministic: the same seed gives the same results', () => {
    const once = () => {
      const twin = twinOf('gse-three-tier', THREE, {}, 5);
      twin.runFor(100e6);
      return run(twin, [['g-srv0-0', 'g-srv1-5', MiB], ['g-srv0-4', 'g-srv1-5', MiB], ['g-srv1-2', 'g-srv0-7', MiB]]).map((m) => m.fctPs);
    };
    expect(once()).toEqual(once());
  });
});
