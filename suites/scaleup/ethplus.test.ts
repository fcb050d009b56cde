// ETH+: frames without FCS when configured so, and collectives offloaded to the switch that give the right results.
//
// Test plan (requirement IDs):
// 1. ETHP-4: with the FCS configured off on the switch and two accelerators, a transfer between
//    them completes and every frame on the wire is preamble + UID header + payload, no FCS; the
//    configuration is restored afterwards.
// 2. ETHP-1: eight members run Reduce, Broadcast, ReduceScatter, AllGather, AllToAll and AllReduce
//    in the switch with inputs whose results are exact in float32; every member's output is the
//    mathematically expected one (sum, and max for one all-reduce).
// Devices: the ETH+ supernode (switch and at least eight accelerators) with state, config, traffic, capture.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { ETHPLUS_UID_HEADER_LEN } from '../../protocols/ethplus/index.ts';
import { capturing, decode, flow, runFlows, rx, supernode, PS_PER_US } from './helpers.ts';

type CollectiveState = { done: boolean; output: number[]; completionPs?: number };

describe('ETH+', () => {
  test('frames without FCS are accepted when the ports are configured without one', req('ETHP-4'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethplus');
    const [a, b] = sn.accs;
    const devs = [sn.sw, a.dev, b.dev];
    for (const d of devs) await d.config.edit('/scaleup/fcs', false, 'replace');
    try {
      for (const d of devs) expect(await d.state.get('/scaleup/fcs'), `${d.id} FCS off`).toBe(false);
      const caps = await capturing([{ dev: b.dev, port: b.port }], async () => {
        const r = await runFlows(lab, [{ from: a, flows: [flow('no-fcs', a, b, 16384, 1024)] }]);
        const m = r.get(`${a.dev.id}/no-fcs`)!;
        expect([m.done, m.rxBytes], 'delivered without FCS').toEqual([true, 16384]);
      });
      const frames = rx(caps.get(`${b.dev.id}:${b.port}`)!);
      expect(frames.length).toBe(16);
      for (const f of frames) {
        const p = decode('ethplus', f.bytes, { fcs: false }).ethplus!;
        expect(f.bytes.length, 'preamble + UID header + payload, no FCS').toBe(1 + ETHPLUS_UID_HEADER_LEN + p.uid.length);
      }
    } finally {
      for (const d of devs) await d.config.edit('/scaleup/fcs', null, 'delete');
    }
  });

  test('collectives offloaded to the switch give the right results', req('ETHP-1'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethplus');
    if (sn.accs.length < 8) lab.block('the ETH+ supernode needs eight accelerators');
    const members = sn.accs.slice(0, 8);
    const n = members.length;
    const uids = members.map((m) => m.id);
    const L = 2048;
    const inputs = members.map((_, r) => Array.from({ length: L }, (_, i) => ((r * 7 + i) % 13) - 6));
    const input = (r: number, len = L) => inputs[r].slice(0, len);
    const total = Array.from({ length: L }, (_, i) => inputs.reduce((s, x) => s + x[i], 0));
    const sum = () => total;
    const max = Array.from({ length: L }, (_, i) => Math.max(...inputs.map((x) => x[i])));
    const B = L / n;
    const cases: Array<{ op: string; extra?: Record<string, unknown>; inputOf: (r: number) => number[]; want: (r: number) => number[] | null }> = [
      { op: 'all-reduce', inputOf: (r) => input(r), want: () => sum() },
      { op: 'all-reduce', extra: { reduction: 'max' }, inputOf: (r) => input(r), want: () => max },
      { op: 'reduce', extra: { root: 3 }, inputOf: (r) => input(r), want: (r) => (r === 3 ? sum() : null) },
      { op: 'broadcast', extra: { root: 5, length: L }, inputOf: (r) => (r === 5 ? input(5) : []), want: () => input(5) },
      { op: 'reduce-scatter', inputOf: (r) => input(r), want: (r) => sum().slice(r * B, (r + 1) * B) },
      { op: 'all-gather', inputOf: (r) => input(r, B), want: () => members.flatMap((_, r) => input(r, B)) },
      { op: 'all-to-all', inputOf: (r) => input(r), want: (r) => members.flatMap((_, j) => input(j).slice(r * B, (r + 1) * B)) },
    ];
    const rows: Array<Array<string | number>> = [];
    const wrong: string[] = [];
    for (const [k, c] of cases.entries()) {
      const name = `t${k}-${c.op}`;
      const group = 40000 + k;
      for (const [r, m] of members.entries()) await m.dev.config.edit(`/scaleup/collectives/collective[name=${name}]`, { op: c.op, group, members: uids, input: c.inputOf(r), ...c.extra }, 'merge');
      const states = async () => Promise.all(members.map(async (m) => (await m.dev.state.get(`/scaleup/collectives/collective[name=${name}]`)) as CollectiveState));
      try {
        await lab.until(async () => (await states()).every((s) => s.done), { timeoutMs: 1, pollMs: 0.001, what: `${name} done at every member` });
      } catch {
        wrong.push(`${name}: not done at every member`);
        continue;
      }
      const st = await states();
      for (const [r, s] of st.entries()) {
        const want = c.want(r);
        if (want !== null && JSON.stringify(s.output) !== JSON.stringify(want)) wrong.push(`${name} rank ${r}: output differs from the expected ${c.op}${c.extra?.reduction ? ` (${c.extra.reduction})` : ''}`);
      }
      rows.push([c.op + (c.extra?.reduction ? ` (${c.extra.reduction})` : ''), n, c.op === 'all-gather' ? B : L, Math.max(...st.map((s) => s.completionPs ?? 0)) / PS_PER_US]);
    }
    lab.metric({ name: 'ETH+ in-switch collectives, 8 members', unit: 'us', table: { columns: ['collective', 'members', 'elements per member', 'completion (us)'], rows } });
    expect(wrong.slice(0, 4), `${wrong.length} wrong results`).toEqual([]);
  });
});
