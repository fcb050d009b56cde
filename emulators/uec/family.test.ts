// Checks the UEC family on small twins: PDC ids and start PSNs, the delivery modes, LLR (repair, FLUSH, PCS lost), CBFC (credits, cyclic counters, reconciliation), the generator and the models' settings.
import { describe, expect, it } from 'vitest';
import '../registry.ts';
import { buildTwin } from '../build.ts';
import { generateTopology, GeneratorError } from '../generators.ts';
import type { Twin, TwinNode } from '../twin.ts';
import { Rng } from '../sim/rng.ts';
import { EventList } from '../sim/eventlist.ts';
import { Link } from '../sim/link.ts';
import { PacketPool, PRIO_LOW, type Packet } from '../sim/packet.ts';
import { PortStats } from '../sim/stats.ts';
import { parseFrame } from '../../protocols/frame.ts';
import { parseUetPacket } from '../../protocols/uet/packet.ts';
import { UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { UET_START_PSN_MIN_DISTANCE, uetPsnDistance } from '../../protocols/uet/psn.ts';
import { NicPds, FIXED_START_PSN } from './pds.ts';
import { CbfcDirection, CBFC_DEFAULTS } from './cbfc.ts';
import { runLossSweep } from './loss-bench.ts';

function fabric(params: Record<string, unknown> = {}, defects: Record<string, string[]> = {}, seed = 1): Twin {
  const g = generateTopology('uec-leaf-spine', 'u', { leaves: 2, spines: 1, nicsPerLeaf: 2, switchParams: { queueBytes: 120000, trimming: true }, ...params });
  return buildTwin({ devices: g.devices.map((d) => ({ ...d, defects: defects[d.id] ?? [] })), links: g.links }, { seed });
}

function flow(n: TwinNode, name: string, to: string, bytes: number, extra: Record<string, unknown> = {}): void {
  n.traffic!.setFlows([{ name, txPort: 'p0', rxPort: `${to}:p0`, bytes, frameBytes: 4150, transport: 'uet', entropies: 16, ...extra }]);
  n.traffic!.start();
}

function runUntilDone(twin: Twin, n: TwinNode, limitPs = 50e9): ReturnType<NonNullable<TwinNode['traffic']>['metrics']>[number] {
  for (let t = 0; t < limitPs; t += 10e6) {
    twin.runFor(10e6);
    const m = n.traffic!.metrics()[0];
    if (m.done) return m;
  }
  throw new Error('flow did not complete');
}

describe('PDC table', () => {
  it('reuses the lowest free id from its base and keeps start PSNs 2^16 away from the last PSN used on the id', () => {
    const nic = new NicPds('n');
    nic.enable(new Rng(7));
    const a = nic.openInitiator('rud', 1, 'a', 0);
    const b = nic.openInitiator('rud', 1, 'b', 0);
    expect(b.id).toBe(a.id + 1);
    expect(a.startPsn).toBeGreaterThanOrEqual(UET_START_PSN_MIN_DISTANCE);
    nic.usePsn(a, (a.startPsn + 5000) >>> 0);
    nic.free(a, 10);
    for (let i = 0; i < 50; i++) {
      const c = nic.openInitiator('rud', 1, `c${i}`, 20);
      expect(c.id).toBe(a.id);
      expect(Math.abs(uetPsnDistance(nic.lastPsnUsedOn(c.id)!, c.startPsn))).toBeGreaterThanOrEqual(UET_START_PSN_MIN_DISTANCE);
      nic.usePsn(c, (c.startPsn + 70000) >>> 0);
      nic.free(c, 30);
    }
    expect(nic.log.filter((e) => e.pdc === a.id).slice(0, 3).map((e) => e.to)).toEqual(['SYN', 'UNALLOC', 'SYN']);
    nic.defects.psnReuse = true;
    expect(nic.openInitiator('rod', 2, 'd', 40).startPsn).toBe(FIXED_START_PSN);
    expect(nic.counters.pdcsOpened).toBe(53);
  });
});

describe('UET on UEC NICs', () => {
  it('RUDI: requests and responses without PDCs, every request answered; UUD: no answers, losses stay lost', () => {
    for (const mode of ['rudi', 'uud'] as const) {
      const twin = fabric();
      const a = twin.node('u-nic0')!;
      a.config!.edit('/uet/config/delivery-mode', mode, 'merge');
      a.faults!.inject({ kind: 'loss', port: 'p0', rate: 0.05 });
      a.capture!.start('p0');
      flow(a, mode, 'u-nic2', 400_000);
      const m = runUntilDone(twin, a);
      const frames = a.capture!.stop('p0').map((f) => parseUetPacket(parseFrame(f.bytes).payload));
      expect(a.state!.get('/uet/state/pdc-log')).toEqual([]);
      if (mode === 'rudi') {
        expect(m.rxBytes).toBeGreaterThanOrEqual(400_000);
        expect(m.retransmissions).toBeGreaterThan(0);
        expect(new Set(frames.map((u) => u.pds.type))).toEqual(new Set([UET_PDS_TYPE.RUDI_REQ, UET_PDS_TYPE.RUDI_RESP]));
      } else {
        expect(m.retransmissions).toBe(0);
        expect(m.lostFrames).toBeGreaterThan(0);
        expect(m.rxFrames + m.lostFrames).toBe(m.txFrames);
        expect(new Set(frames.map((u) => u.pds.type))).toEqual(new Set([UET_PDS_TYPE.UUD_REQ]));
      }
    }
  });

  it('RUD: losses near the end are NACKed by the target (receiver-inferred), not left to the timeout', () => {
    const twin = fabric();
    const a = twin.node('u-nic0')!;
    a.faults!.inject({ kind: 'loss', port: 'p0', rate: 0.02 });
    a.capture!.start('p0');
    flow(a, 'rud', 'u-nic2', 2_000_000);
    const m = runUntilDone(twin, a);
    const nacks = a.capture!.stop('p0').map((f) => parseUetPacket(parseFrame(f.bytes).payload).pds).filter((p) => p.kind === 'nack');
    expect(nacks.some((n) => n.kind === 'nack' && n.nackCode === UET_NACK_CODE.RCVR_INFER_LOSS)).toBe(true);
    expect(m.rxBytes).toBe(2_000_000);
    expect(m.fctPs!).toBeLessThan(250e6); // 2 MB at 100 Gb/s is 170 us; a 150 us timeout would show
  });

  it('rejects bad settings with the device and the expected values in the message', () => {
    const twin = fabric();
    const n = twin.node('u-nic0')!;
    expect(() => n.config!.edit('/uet/config/delivery-mode', 'tcp', 'merge')).toThrow(/u-nic0.*rud, rod, rudi, uud/);
    expect(() => n.config!.edit('/uet/config/mpr', 0, 'merge')).toThrow(/1 to 255/);
    expect(() => n.config!.edit('/interfaces/interface[name=p0]/cbfc/config/rx-credits', -1, 'merge')).toThrow(/credits >= 0/);
    expect(() => n.config!.edit('/interfaces/interface[name=p0]/llr/state', true, 'merge')).toThrow(/not a config path/);
    expect(n.config!.get('/uet/config')).toEqual({ 'delivery-mode': 'rud', mpr: 8 });
  });
});

describe('LLR', () => {
  const llrTwin = (defects: Record<string, string[]> = {}) => {
    const twin = fabric({}, defects);
    const nic = twin.node('u-nic0')!;
    nic.config!.edit('/interfaces/interface[name=p0]/llr/config/enabled', true, 'merge');
    twin.node('u-leaf0')!.config!.edit('/interfaces/interface[name=n0]/llr/config/enabled', true, 'merge');
    return { twin, nic, llr: () => nic.state!.get('/interfaces/interface[name=p0]/llr/state') as { counters: Record<string, number>; 'tx-seq': number; 'seq-bits': number } };
  };

  it('repairs bit errors on the link: no end-to-end loss; sequence numbers as 20-bit values', () => {
    const { twin, nic, llr } = llrTwin();
    nic.faults!.inject({ kind: 'bit-errors', port: 'p0', ber: 1e-6 });
    flow(nic, 'f', 'u-nic2', 2_000_000);
    const m = runUntilDone(twin, nic);
    const s = llr();
    expect([m.retransmissions, m.lostFrames]).toEqual([0, 0]);
    expect(s.counters.replays).toBeGreaterThan(0);
    expect(s.counters.nacksRx).toBeGreaterThan(0);
    expect(s['seq-bits']).toBe(20);
    expect(s['tx-seq']).toBeLessThan(2 ** 20);
  });

  it('FLUSHes on the replay count; a link down past PCS_LOST_TIMEOUT flushes; the defects suppress either', () => {
    const flushes = (defects: Record<string, string[]>, ber: number) => {
      const { twin, nic, llr } = llrTwin(defects);
      nic.faults!.inject({ kind: 'bit-errors', port: 'p0', ber });
      flow(nic, 'f', 'u-nic2', 1_000_000);
      runUntilDone(twin, nic);
      return llr().counters;
    };
    expect(flushes({}, 8e-6).flushes).toBeGreaterThan(0);
    expect(flushes({ 'u-nic0': ['llr-no-flush'] }, 8e-6).flushes).toBe(0);
    const { twin, nic, llr } = llrTwin();
    flow(nic, 'f', 'u-nic2', 4_000_000);
    twin.runFor(50e6);
    const h = nic.faults!.inject({ kind: 'link-down', port: 'p0' });
    twin.runFor(100e6);
    nic.faults!.clear(h);
    expect(runUntilDone(twin, nic).rxBytes).toBe(4_000_000);
    expect(llr().counters.flushesPcsLost).toBe(1);
  });
});

describe('CBFC', () => {
  it('never admits a frame beyond the limit; counters are cyclic over counterBits', () => {
    const events = new EventList();
    const pool = new PacketPool();
    const link = new Link(events, pool, new Rng(1), { rateBps: 100e9, delayPs: 1000, maxBytes: Infinity }, new PortStats(), new PortStats(), { receive: (p) => pool.release(p) }, 0);
    const dir = new CbfcDirection(events, link, { ...CBFC_DEFAULTS, counterBits: 8 }, 100);
    const frame = (size: number): Packet => Object.assign(pool.alloc(), { size, priority: PRIO_LOW });
    dir.enable();
    let admitted = 0;
    for (let i = 0; i < 2000; i++) {
      const p = frame(4150); // 33 credits
      if (dir.admit(p)) {
        admitted++;
        expect(dir.inUse).toBeLessThanOrEqual(100);
        const c = dir.arrive(p);
        dir.release(c);
        events.runUntil(events.nowPs + 10_000); // the CF_Update comes back
      }
      pool.release(p);
    }
    expect(admitted).toBe(2000);
    expect(dir.consumedCounter).toBe((2000 * 33) % 256);
    expect(dir.freedCounter).toBe((2000 * 33) % 256);
    const held = [frame(4150), frame(4150), frame(4150), frame(4150)];
    expect(held.map((p) => dir.admit(p))).toEqual([true, true, true, false]);
  });

  it('credits of frames lost on the fibre come back with the next CC_Update', () => {
    const twin = fabric();
    const nic = twin.node('u-nic0')!;
    const leaf = twin.node('u-leaf0')!;
    nic.config!.edit('/interfaces/interface[name=p0]/cbfc/config/enabled', true, 'merge');
    leaf.config!.edit('/interfaces/interface[name=n0]/cbfc/config/enabled', true, 'merge');
    leaf.config!.edit('/interfaces/interface[name=n0]/cbfc/config/rx-credits', 200, 'merge');
    nic.faults!.inject({ kind: 'loss', port: 'p0', rate: 0.02 });
    flow(nic, 'f', 'u-nic1', 2_000_000);
    const m = runUntilDone(twin, nic);
    const rx = (leaf.state!.get('/interfaces/interface[name=n0]/cbfc/state') as { rx: { creditsReconciled: number; ccUpdatesRx: number } }).rx;
    expect(m.rxBytes).toBe(2_000_000);
    expect(rx.ccUpdatesRx).toBeGreaterThan(0);
    expect(rx.creditsReconciled).toBeGreaterThan(0);
  });
});

describe('uec-leaf-spine generator', () => {
  it('makes leaves, spines with parallel links, NICs and generators, and checks its parameters', () => {
    const g = generateTopology('uec-leaf-spine', 'x', { leaves: 2, spines: 2, nicsPerLeaf: 3, parallel: 2, generators: 1, spineKind: 'switch' });
    const kinds = g.devices.reduce<Record<string, number>>((m, d) => ((m[d.kind] = (m[d.kind] ?? 0) + 1), m), {});
    expect(kinds).toEqual({ 'uec-switch': 2, switch: 2, 'uec-nic': 6, 'traffic-generator': 1 });
    expect(g.links).toHaveLength(6 + 1 + 2 * 2 * 2);
    expect(g.devices.find((d) => d.id === 'x-leaf1')!.ports).toEqual(['n0', 'n1', 'n2', 'u0', 'u1', 'u2', 'u3', 't0']);
    expect(() => generateTopology('uec-leaf-spine', 'x', { spineKind: 'router' })).toThrow(GeneratorError);
  });
});

describe('loss sweep benchmark', () => {
  it('returns goodput per transport and loss rate, the same for the same seed', () => {
    const run = () => runLossSweep({ bytes: 2_000_000, lossRates: [0, 0.02] });
    const a = run();
    expect(a.points.map((p) => [p.transport, p.lossRate])).toEqual([['uet', 0], ['uet', 0.02], ['roce', 0], ['roce', 0.02]]);
    expect(a.relative.uet[1][1]).toBeGreaterThan(a.relative.roce[1][1]);
    expect(run()).toEqual(a);
  });
});
