// Scale-up family scenarios with a fixed seed: the supernode generator, delivery per protocol on one and two tiers, DL replay, SUE recovery, ECN, collectives, defects, determinism.
import { describe, expect, test } from 'vitest';
import '../registry.ts';
import { buildTwin } from '../build.ts';
import { generateTopology, GeneratorError } from '../generators.ts';
import { EventList } from '../sim/eventlist.ts';
import { TwinBuildError, type Twin, type TwinFlow } from '../twin.ts';
import { defectProfile } from '../defects/registry.ts';
import { SCALEUP_DEFECT_IDS } from './defects.ts';
import { Timers } from './timers.ts';
import { supernodeIds } from './generators.ts';

function twin(params: Record<string, unknown>, defects: (kind: string) => string[] = () => [], seed = 1): Twin {
  const g = generateTopology('scaleup-supernode', 'su', { accelerators: 4, ids: 'spread', ...params });
  return buildTwin({ devices: g.devices.map((d) => ({ ...d, defects: defects(d.kind) })), links: g.links }, { seed });
}

function run(t: Twin, from: string, flows: TwinFlow[], ps = 1e9) {
  const n = t.node(from)!;
  n.traffic!.setFlows(flows);
  n.traffic!.start();
  t.runFor(ps);
  return n.traffic!.metrics();
}

const f = (name: string, to: string, bytes: number, frameBytes: number, attributes?: TwinFlow['attributes']): TwinFlow => ({ name, txPort: 'p0', rxPort: `${to}:p0`, bytes, frameBytes, ...(attributes ? { attributes } : {}) });

describe('timers', () => {
  test('run in time order, same-time in arming order; cancelled ones never', () => {
    const ev = new EventList();
    const t = new Timers(ev);
    const seen: string[] = [];
    t.at(300, () => seen.push('c'));
    t.at(100, () => seen.push('a'));
    const x = t.at(200, () => seen.push('x'));
    t.at(100, () => seen.push('b'));
    x.cancel();
    t.in(50, () => t.in(10, () => seen.push('nested')));
    ev.runUntil(1000);
    expect(seen).toEqual(['nested', 'a', 'b', 'c']);
    expect(x.active).toBe(false);
  });
});

describe('scaleup-supernode generator', () => {
  test('one tier: a switch, accelerators on p0, lanes x lane rate, fallback and spread ids', () => {
    const g = generateTopology('scaleup-supernode', 'x', { protocol: 'sue', accelerators: 4, ids: 'spread', lanes: 2, fallback: [1] });
    expect(g.devices.map((d) => d.id)).toEqual(['x-sw0', 'x-acc0', 'x-acc1', 'x-acc2', 'x-acc3']);
    expect(g.devices[0].ports).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(g.devices.slice(1).map((d) => d.params?.scaleupId)).toEqual([0, 341, 682, 1023]);
    expect(g.links.map((l) => l.rateBps)).toEqual([400e9, 200e9, 400e9, 400e9]);
    expect(supernodeIds(3, 0xfffe, 'spread')).toEqual([0, 32767, 65534]);
  });

  test('two tiers: leaves with accelerators then uplinks, spines', () => {
    const g = generateTopology('scaleup-supernode', 'y', { accelerators: 128, tiers: 2, acceleratorsPerLeaf: 16, spines: 4 });
    expect(generateTopology('scaleup-supernode', 'w', { accelerators: 32, tiers: 2, acceleratorsPerLeaf: 8 }).devices.filter((d) => d.id.includes('spine')).length).toBe(8);
    expect(g.devices.filter((d) => d.kind === 'scaleup-switch').length).toBe(12);
    const leaf = g.devices.find((d) => d.id === 'y-leaf0')!;
    expect(leaf.ports.length).toBe(20);
    expect(g.links.length).toBe(128 + 8 * 4);
  });

  test('bad shapes are refused with the parameter named', () => {
    const bad = (p: Record<string, unknown>) => {
      try {
        generateTopology('scaleup-supernode', 'z', p);
      } catch (e) {
        return (e as GeneratorError).param;
      }
      return null;
    };
    expect(bad({ lanes: 3 })).toBe('lanes');
    expect(bad({ laneRateBps: 400e9 })).toBe('laneRateBps');
    expect(bad({ accelerators: 1025 })).toBe('accelerators');
    expect(bad({ protocol: 'nvlink' })).toBe('protocol');
    expect(bad({ accelerators: 4, fallback: [4] })).toBe('fallback');
  });
});

describe('delivery', () => {
  for (const protocol of ['ualink', 'sue', 'esun', 'ethlink', 'ethplus', 'ethx']) {
    test(`${protocol}: a flow to the highest id is delivered whole, in order`, () => {
      const t = twin({ protocol });
      const [m] = run(t, 'su-acc0', [f('a', 'su-acc3', 65536, 256)]);
      expect([m.done, m.rxBytes, m.outOfOrder, m.lostFrames]).toEqual([true, 65536, 0, 0]);
      expect(t.node('su-acc3')!.state!.get('/scaleup/id')).toBe(protocol === 'ethplus' ? 0xfffe : protocol === 'ethx' ? 0xffff : 1023);
    });
  }

  test('UALink on two tiers: 128 accelerators, traffic across leaves', () => {
    const t = twin({ protocol: 'ualink', accelerators: 128, tiers: 2, ids: 'dense' });
    const [a, b] = run(t, 'su-acc0', [f('w', 'su-acc127', 32768, 256), f('r', 'su-acc64', 32768, 256, { opcode: 'read' })]);
    expect([a.done, b.done, a.rxBytes, b.rxBytes]).toEqual([true, true, 32768, 32768]);
  });

  test('the same seed gives the same run', () => {
    const a = run(twin({ protocol: 'ualink' }), 'su-acc0', [f('r', 'su-acc2', 65536, 256, { opcode: 'read' })]);
    const b = run(twin({ protocol: 'ualink' }), 'su-acc0', [f('r', 'su-acc2', 65536, 256, { opcode: 'read' })]);
    expect(a).toEqual(b);
  });

  test('flow attributes and endpoints are checked', () => {
    const t = twin({ protocol: 'sue' });
    const n = t.node('su-acc0')!;
    expect(() => n.traffic!.setFlows([f('x', 'su-acc1', 64, 64, { vc: 4 })])).toThrow(/vc must be 0..3/);
    expect(() => n.traffic!.setFlows([f('x', 'su-acc1', 64, 64, { opcode: 'read' })])).toThrow(/attribute 'vc' only/);
    expect(() => n.traffic!.setFlows([f('x', 'su-sw0', 64, 64)])).toThrow(/names no accelerator/);
  });

  test('an uncabled accelerator builds, reports its id and refuses flows', () => {
    const t = buildTwin({ devices: [{ id: 'lone', kind: 'accelerator', ports: ['p0'], params: { protocol: 'ualink', scaleupId: 7 } }], links: [] }, { seed: 1 });
    expect(t.node('lone')!.state!.get('/scaleup/id')).toBe(7);
    expect(() => t.node('lone')!.traffic!.setFlows([{ name: 'x', txPort: 'p0', rxPort: 'lone:p0', bytes: 64 }])).toThrow(/not cabled/);
  });

  test('devices of two protocols cabled together do not build', () => {
    const g = generateTopology('scaleup-supernode', 'su', { protocol: 'sue', accelerators: 2 });
    g.devices[1].params = { ...g.devices[1].params, protocol: 'ualink' };
    expect(() => buildTwin({ devices: g.devices, links: g.links }, { seed: 1 })).toThrow(TwinBuildError);
  });
});

describe('protocol mechanisms and their defects', () => {
  test('UALink DL replays flits lost to bit errors; without replay the TL loses messages', () => {
    for (const retry of [true, false]) {
      const t = twin({ protocol: 'ualink' }, (k) => (retry || k === 'traffic-generator' ? [] : ['ualink-dl-retry-disabled']));
      t.node('su-acc0')!.faults!.inject({ kind: 'bit-errors', port: 'p0', ber: 2e-6 });
      const [m] = run(t, 'su-acc0', [f('a', 'su-acc1', 1 << 19, 256)]);
      const acc = t.node('su-acc0')!.state!.get('/scaleup/ports/port[name=p0]') as { replayRequestsSent: number; replayedFlits: number };
      const sw = t.node('su-sw0')!.state!.get('/scaleup/ports/port[name=p0]') as { replayRequestsSent: number; replayedFlits: number };
      if (retry) {
        expect([m.done, m.rxBytes]).toEqual([true, 1 << 19]);
        expect(acc.replayRequestsSent + sw.replayRequestsSent).toBeGreaterThan(0);
      } else {
        expect(m.done).toBe(false);
        expect(acc.replayedFlits + sw.replayedFlits).toBe(0);
      }
    }
  });

  test('UALink completions come back out of order; an originator that needs them in order stalls', () => {
    const ok = run(twin({ protocol: 'ualink' }), 'su-acc0', [f('r', 'su-acc1', 65536, 256, { opcode: 'read' })]);
    expect(ok[0].done).toBe(true);
    const bad = run(twin({ protocol: 'ualink' }, (k) => (k === 'accelerator' ? ['ualink-completion-order-required'] : [])), 'su-acc0', [f('r', 'su-acc1', 65536, 256, { opcode: 'read' })]);
    expect(bad[0].done).toBe(false);
  });

  test('SUE recovers losses by PSN and NACK; without retransmission it does not', () => {
    for (const defects of [[], ['sue-no-retransmit']]) {
      const t = twin({ protocol: 'sue' }, (k) => (k === 'accelerator' ? defects : []));
      t.node('su-acc0')!.faults!.inject({ kind: 'loss', port: 'p0', rate: 0.03 });
      const [m] = run(t, 'su-acc0', [f('a', 'su-acc1', 1 << 19, 1024)]);
      expect(m.done).toBe(defects.length === 0);
      if (defects.length === 0) expect(m.retransmissions).toBeGreaterThan(0);
    }
  });

  test('ESUN marks CE under congestion; the cleared-ECN switch does not', () => {
    for (const defects of [[], ['esun-eh-ecn-cleared']]) {
      const t = twin({ protocol: 'esun' }, (k) => (k === 'scaleup-switch' ? defects : []));
      for (const s of ['su-acc0', 'su-acc1']) t.node(s)!.traffic!.setFlows([f('a', 'su-acc3', 1 << 19, 4096)]);
      t.node('su-acc0')!.traffic!.start();
      t.node('su-acc1')!.traffic!.start();
      t.runFor(1e9);
      const st = t.node('su-acc3')!.state!.get('/scaleup/reliability') as { ceReceived: number; ectReceived: number };
      if (defects.length === 0) expect(st.ceReceived).toBeGreaterThan(0);
      else expect([st.ceReceived, st.ectReceived]).toEqual([0, 0]);
    }
  });

  test('ETH+ all-reduce in the switch and as a ring give the same exact sums; the wrong-reduction engine does not', () => {
    for (const defects of [[], ['ethplus-collective-wrong-reduction']]) {
      const t = twin({ protocol: 'ethplus', accelerators: 8 }, (k) => (k === 'scaleup-switch' ? defects : []));
      const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => t.node(`su-acc${r}`)!.state!.get('/scaleup/id') as number);
      const want = Array.from({ length: 100 }, (_, i) => 8 * i + 28);
      for (const [g, offload] of [[1, true], [2, false]] as const) {
        ids.forEach((_, r) => t.node(`su-acc${r}`)!.config!.edit(`/scaleup/collectives/collective[name=c${g}]`, { op: 'all-reduce', group: g, members: ids, input: Array.from({ length: 100 }, (_, i) => i + r), offload }, 'merge'));
        t.runFor(1e8);
        const out = (t.node('su-acc5')!.state!.get(`/scaleup/collectives/collective[name=c${g}]`) as { done: boolean; output: number[] }).output;
        if (defects.length === 0 || !offload) expect(out).toEqual(want);
        else expect(out).not.toEqual(want);
      }
    }
  });

  test('ETH+ frames without FCS pass when configured; the FCS-requiring switch drops them', () => {
    for (const defects of [[], ['ethplus-fcs-required']]) {
      const t = twin({ protocol: 'ethplus' }, (k) => (k === 'scaleup-switch' ? defects : []));
      for (const d of ['su-sw0', 'su-acc0', 'su-acc1']) t.node(d)!.config!.edit('/scaleup/fcs', false, 'replace');
      const [m] = run(t, 'su-acc0', [f('a', 'su-acc1', 8192, 1024)]);
      expect(m.done).toBe(defects.length === 0);
    }
  });

  test('ETH-X keeps the user address; the rewriting switch is seen by the receiver', () => {
    for (const defects of [[], ['ethx-pri-user-address-rewritten']]) {
      const t = twin({ protocol: 'ethx' }, (k) => (k === 'scaleup-switch' ? defects : []));
      run(t, 'su-acc0', [f('a', 'su-acc1', 8192, 1024)]);
      const st = t.node('su-acc1')!.state!.get('/scaleup/receive') as { userAddressMismatch: number };
      expect(st.userAddressMismatch).toBe(defects.length === 0 ? 0 : 8);
    }
  });

  test('forwarding ids: 8-bit truncation collides, unchecked ids are accepted', () => {
    const t = twin({ protocol: 'ethlink' }, (k) => (k === 'scaleup-switch' ? ['scaleup-id-truncated-8bit'] : []));
    const sw = t.node('su-sw0')!;
    sw.config!.edit('/scaleup/forwarding', { entries: [[1, 'p1'], [257, 'p2']] }, 'merge');
    expect(sw.state!.get('/scaleup/forwarding/entry[id=1]')).toEqual(['p2']);
    const ok = twin({ protocol: 'ethlink' }).node('su-sw0')!;
    expect(() => ok.config!.edit('/scaleup/forwarding/entry[id=1024]', 'p0', 'merge')).toThrow(/beyond/);
    const lax = twin({ protocol: 'ethlink' }, (k) => (k === 'scaleup-switch' ? ['scaleup-id-space-unchecked'] : [])).node('su-sw0')!;
    expect(() => lax.config!.edit('/scaleup/forwarding/entry[id=1024]', 'p0', 'merge')).not.toThrow();
  });

  test('every family defect is registered with requirements', () => {
    for (const id of SCALEUP_DEFECT_IDS) expect(defectProfile(id)?.requirements.length).toBeGreaterThan(0);
  });
});
