// Checks buildTwin end to end: a 2-port switch passes a flow with counters equal to what was sent,
// link-down stops traffic, admin-down, faults, captures, defect profiles, model registry, errors,
// and determinism.
import { describe, expect, it } from 'vitest';
import { buildTwin, modelKinds, registerModel } from './build.ts';
import { defectIds, defectProfile } from './defects/registry.ts';
import { TwinBuildError, type TwinTopology } from './twin.ts';

function twoPort(defects: string[] = [], params?: Record<string, unknown>): TwinTopology {
  return {
    devices: [
      { id: 'tg', kind: 'traffic-generator', ports: ['p1', 'p2'] },
      { id: 'dut', kind: 'switch', ports: ['e1', 'e2', 'e3'], defects, ...(params ? { params } : {}) },
    ],
    links: [
      { a: { device: 'tg', port: 'p1' }, b: { device: 'dut', port: 'e1' }, rateBps: 100e9 },
      { a: { device: 'dut', port: 'e2' }, b: { device: 'tg', port: 'p2' }, rateBps: 100e9 },
    ],
  };
}

const US = 1_000_000;

describe('buildTwin', () => {
  it('registers the switch, traffic-generator and host models', () => {
    expect(modelKinds()).toEqual(expect.arrayContaining(['host', 'switch', 'traffic-generator']));
  });

  it('passes a raw flow through a 2-port switch with counters equal to what was sent', () => {
    const twin = buildTwin(twoPort(), { seed: 1 });
    const tg = twin.node('tg')!;
    const dut = twin.node('dut')!;
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 1500 * 1000, frameBytes: 1500 }]);
    tg.traffic!.start();
    twin.runFor(1000 * US);
    const [m] = tg.traffic!.metrics();
    expect(m).toMatchObject({ name: 'f', txFrames: 1000, rxFrames: 1000, txBytes: 1_500_000, rxBytes: 1_500_000, done: true, lostFrames: 0, outOfOrder: 0 });
    // 1000 frames at line rate: 120 us of serialisation + 2 hops of 10 ns and one store-and-forward
    expect(m.fctPs).toBe(1000 * 120_000 + 120_000 + 2 * 10_000);
    const e1 = dut.counters!.port('e1');
    const e2 = dut.counters!.port('e2');
    expect(e1.inPkts).toBe(1000);
    expect(e1.inOctets).toBe(1_500_000);
    expect(e2.outPkts).toBe(1000);
    expect(e2.outOctets).toBe(1_500_000);
    expect(e1.inDiscards + e2.outDiscards + e1.inErrors).toBe(0);
    const p1 = tg.counters!.port('p1');
    expect(p1.outPkts).toBe(1000);
    expect(tg.counters!.port('p2').inOctets).toBe(1_500_000);
    expect(twin.eventsProcessed()).toBeGreaterThan(4000);
  });

  it('paces a flow at its rate', () => {
    const twin = buildTwin(twoPort(), { seed: 1 });
    const tg = twin.node('tg')!;
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 1000 * 1000, frameBytes: 1000, rateBps: 10e9 }]);
    tg.traffic!.start();
    twin.runFor(100 * US);
    const m = tg.traffic!.metrics()[0];
    // 10 Gb/s for 100 us = 125 kB = 125 frames of 1000 B
    expect(m.txFrames).toBeGreaterThanOrEqual(125);
    expect(m.txFrames).toBeLessThanOrEqual(126);
  });

  it('reports state and serves interface config', () => {
    const twin = buildTwin(twoPort(), { seed: 1 });
    const dut = twin.node('dut')!;
    expect(dut.state!.get('/system/ports')).toEqual(['e1', 'e2', 'e3']);
    expect(dut.state!.get('/interfaces/interface[name=e1]/oper-status')).toBe('up');
    expect(dut.state!.get('/interfaces/interface[name=e1]/state/oper-status')).toBe('up');
    expect(dut.state!.get('/interfaces/interface[name=e3]/oper-status')).toBe('down');
    expect(dut.state!.get('/interfaces/interface[name=e1]/speed')).toBe(100e9);
    expect(dut.state!.get('/nope')).toBeUndefined();
    dut.config!.edit('/interfaces/interface[name=e1]/enabled', false, 'merge');
    expect(dut.config!.get('/interfaces/interface[name=e1]/enabled')).toBe(false);
    expect(dut.state!.get('/interfaces/interface[name=e1]/oper-status')).toBe('down');
    expect(twin.node('tg')!.state!.get('/interfaces/interface[name=p1]/oper-status')).toBe('down');
    dut.config!.edit('/interfaces/interface[name=e1]/enabled', null, 'delete');
    expect(dut.state!.get('/interfaces/interface[name=e1]/oper-status')).toBe('up');
    expect(() => dut.config!.edit('/system/hostname', 'x', 'merge')).toThrow(/not supported/);
    expect(() => dut.config!.edit('/interfaces/interface[name=e1]/enabled', 'yes', 'merge')).toThrow(/boolean/);
  });

  it('link-down stops traffic both ways and clearing it restores it', () => {
    const twin = buildTwin(twoPort(), { seed: 1 });
    const tg = twin.node('tg')!;
    const dut = twin.node('dut')!;
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 1e9, frameBytes: 1000, rateBps: 10e9 }]);
    tg.traffic!.start();
    twin.runFor(10 * US);
    const h = dut.faults!.inject({ kind: 'link-down', port: 'e2' });
    expect(h).toMatch(/fault/);
    expect(dut.state!.get('/interfaces/interface[name=e2]/oper-status')).toBe('down');
    expect(tg.state!.get('/interfaces/interface[name=p2]/oper-status')).toBe('down');
    twin.runFor(1 * US);
    const rx1 = tg.traffic!.metrics()[0].rxFrames;
    const out1 = dut.counters!.port('e2').outPkts;
    twin.runFor(20 * US);
    expect(tg.traffic!.metrics()[0].rxFrames).toBe(rx1);
    expect(dut.counters!.port('e2').outPkts).toBe(out1);
    expect(dut.counters!.port('e2').outDiscards).toBeGreaterThan(0);
    dut.faults!.clear(h);
    expect(dut.state!.get('/interfaces/interface[name=e2]/oper-status')).toBe('up');
    twin.runFor(10 * US);
    expect(tg.traffic!.metrics()[0].rxFrames).toBeGreaterThan(rx1);
    expect(() => dut.faults!.clear(h)).toThrow();
  });

  it('loss and bit-error faults lose frames, counted as lost and as CRC errors', () => {
    const twin = buildTwin(twoPort(), { seed: 4 });
    const tg = twin.node('tg')!;
    const dut = twin.node('dut')!;
    dut.faults!.inject({ kind: 'loss', port: 'e2', rate: 0.1 });
    dut.faults!.inject({ kind: 'bit-errors', port: 'e1', ber: 1e-5 });
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 1000 * 5000, frameBytes: 1000 }]);
    tg.traffic!.start();
    twin.runFor(1000 * US);
    const m = tg.traffic!.metrics()[0];
    expect(m.done).toBe(true);
    expect(m.rxFrames + m.lostFrames).toBe(5000);
    const crc = dut.counters!.port('e1').inErrors;
    expect(crc / 5000).toBeGreaterThan(0.05);
    expect(crc / 5000).toBeLessThan(0.105);
    const lossShare = (m.lostFrames - crc) / (5000 - crc);
    expect(lossShare).toBeGreaterThan(0.08);
    expect(lossShare).toBeLessThan(0.12);
    dut.faults!.clearAll();
  });

  it('captures frames as Ethernet/IPv4/UDP bytes', () => {
    const twin = buildTwin(twoPort(), { seed: 1 });
    const tg = twin.node('tg')!;
    const dut = twin.node('dut')!;
    dut.capture!.start('e2');
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 3 * 1500 }]);
    tg.traffic!.start();
    twin.runFor(10 * US);
    const frames = dut.capture!.stop('e2');
    expect(frames.length).toBe(3);
    const f = frames[0];
    expect(f.direction).toBe('tx');
    expect(f.bytes.length).toBe(1500);
    const dv = new DataView(f.bytes.buffer, f.bytes.byteOffset);
    expect(dv.getUint16(12)).toBe(0x0800);
    expect(f.bytes[14]).toBe(0x45);
    expect(dv.getUint16(16)).toBe(1500 - 14);
    expect(f.bytes[23]).toBe(17);
    // header checksum verifies
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += dv.getUint16(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(dv.getUint16(34 + 4)).toBe(1500 - 34);
    expect(frames.map((x) => x.timePs)).toEqual([...frames.map((x) => x.timePs)].sort((a, b) => a - b));
    expect(() => dut.capture!.stop('e2')).toThrow(/no capture/);
  });

  it('defect counters-frozen: counters never move', () => {
    const twin = buildTwin(twoPort(['counters-frozen']), { seed: 1 });
    const tg = twin.node('tg')!;
    const dut = twin.node('dut')!;
    expect(dut.defects).toEqual(['counters-frozen']);
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 15000 }]);
    tg.traffic!.start();
    twin.runFor(100 * US);
    expect(tg.traffic!.metrics()[0].rxFrames).toBe(10);
    expect(dut.counters!.port('e1').inPkts).toBe(0);
    expect(dut.counters!.port('e2').outOctets).toBe(0);
  });

  it('defect link-down-ignored: traffic keeps flowing and oper-status stays up', () => {
    const twin = buildTwin(twoPort(['link-down-ignored']), { seed: 1 });
    const tg = twin.node('tg')!;
    const dut = twin.node('dut')!;
    tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 1e9, frameBytes: 1000, rateBps: 10e9 }]);
    tg.traffic!.start();
    twin.runFor(5 * US);
    dut.faults!.inject({ kind: 'link-down', port: 'e2' });
    expect(dut.state!.get('/interfaces/interface[name=e2]/oper-status')).toBe('up');
    const rx = tg.traffic!.metrics()[0].rxFrames;
    twin.runFor(10 * US);
    expect(tg.traffic!.metrics()[0].rxFrames).toBeGreaterThan(rx);
  });

  it('rejects unknown and inapplicable defects, naming the device and the known ids', () => {
    expect(defectIds()).toEqual(expect.arrayContaining(['counters-frozen', 'link-down-ignored']));
    expect(defectProfile('counters-frozen')?.appliesTo).toEqual(['switch']);
    expect(() => buildTwin(twoPort(['no-such-defect']), { seed: 1 })).toThrow(TwinBuildError);
    expect(() => buildTwin(twoPort(['no-such-defect']), { seed: 1 })).toThrow(/dut.*no-such-defect.*counters-frozen/);
    const topo = twoPort();
    topo.devices[0].defects = ['counters-frozen'];
    expect(() => buildTwin(topo, { seed: 1 })).toThrow(/'tg'.*does not apply to kind 'traffic-generator'/);
    // a defect for every kind (the driver serves it)
    const any = twoPort(['mgmt-unresponsive']);
    expect(buildTwin(any, { seed: 1 }).node('dut')?.defects).toEqual(['mgmt-unresponsive']);
  });

  it('rejects bad topologies with the device or link named', () => {
    const unknownKind: TwinTopology = { devices: [{ id: 'x', kind: 'toaster', ports: [] }], links: [] };
    expect(() => buildTwin(unknownKind, { seed: 1 })).toThrow(/'x'.*toaster.*switch/);
    const dup = twoPort();
    dup.devices.push({ id: 'dut', kind: 'switch', ports: [] });
    expect(() => buildTwin(dup, { seed: 1 })).toThrow(/'dut' is defined twice/);
    const badPort = twoPort();
    badPort.links.push({ a: { device: 'dut', port: 'e9' }, b: { device: 'tg', port: 'p1' } });
    expect(() => buildTwin(badPort, { seed: 1 })).toThrow(/link 2.*no port 'e9'/);
    const twice = twoPort();
    twice.links.push({ a: { device: 'dut', port: 'e3' }, b: { device: 'tg', port: 'p1' } });
    expect(() => buildTwin(twice, { seed: 1 })).toThrow(/link 2.*cabled twice/);
  });

  it('lets other models register', () => {
    registerModel('test-null', {
      role: 'endpoint',
      create: (ctx) => ({ id: ctx.spec.id, kind: ctx.spec.kind, ports: ctx.spec.ports, defects: [] }),
    });
    const twin = buildTwin({ devices: [{ id: 'n', kind: 'test-null', ports: ['a'] }], links: [] }, { seed: 1 });
    expect(twin.node('n')?.kind).toBe('test-null');
    expect(twin.nodes().length).toBe(1);
  });

  it('carries UET flows reliably through faults; the uet-go-back-n defect retransmits far more', () => {
    const runUet = (defects: string[]) => {
      const topo = twoPort();
      topo.devices[0].defects = defects;
      const twin = buildTwin(topo, { seed: 5 });
      const tg = twin.node('tg')!;
      twin.node('dut')!.faults!.inject({ kind: 'loss', port: 'e2', rate: 0.02 });
      tg.traffic!.setFlows([{ name: 'u', txPort: 'p1', rxPort: 'tg:p2', bytes: 2_000_000, transport: 'uet', frameBytes: 4150 }]);
      tg.traffic!.start();
      twin.runFor(20_000 * US);
      return tg.traffic!.metrics()[0];
    };
    const good = runUet([]);
    expect(good).toMatchObject({ done: true, rxBytes: 2_000_000 });
    expect(good.retransmissions).toBeGreaterThan(0);
    const bad = runUet(['uet-go-back-n']);
    expect(bad).toMatchObject({ done: true, rxBytes: 2_000_000 });
    expect(bad.retransmissions).toBeGreaterThan(2 * good.retransmissions);
  });

  it('carries RoCE flows', () => {
    const twin = buildTwin(twoPort(), { seed: 5 });
    const tg = twin.node('tg')!;
    tg.traffic!.setFlows([{ name: 'r', txPort: 'p1', rxPort: 'tg:p2', bytes: 1_000_000, transport: 'roce' }]);
    tg.traffic!.start();
    twin.runFor(1000 * US);
    expect(tg.traffic!.metrics()[0]).toMatchObject({ done: true, rxBytes: 1_000_000, retransmissions: 0 });
  });

  it('is deterministic: same seed, same results', () => {
    const run = (seed: number) => {
      const twin = buildTwin(twoPort(), { seed });
      const tg = twin.node('tg')!;
      const dut = twin.node('dut')!;
      dut.faults!.inject({ kind: 'loss', port: 'e2', rate: 0.05 });
      tg.traffic!.setFlows([{ name: 'f', txPort: 'p1', rxPort: 'tg:p2', bytes: 1000 * 2000, frameBytes: 1000 }]);
      tg.traffic!.start();
      twin.runFor(500 * US);
      return JSON.stringify([tg.traffic!.metrics(), dut.counters!.port('e2'), twin.eventsProcessed(), twin.nowPs()]);
    };
    expect(run(9)).toBe(run(9));
    expect(run(9)).not.toBe(run(10));
  });
});
