// Scale-up comparison: payload efficiency of the six protocols against Ethernet + IPv4 + UDP + RoCEv2, and all-reduce on 64 accelerators with and without in-switch offload.
//
// Test plan (requirement IDs):
// 1. UAL-4, SUE-2, ESUN-2, ETHL-3, ETHP-2, ETHP-4, ETHX-2, IEEE802.3-4.4.2, IBTA-A17-RoCEv2: for
//    transfers of 64 B to 4 KB, streams of 64 KiB between two accelerators of each protocol's
//    supernode: payload bytes / bytes on the wire, counted from a capture of the sender's port
//    (each data frame's bytes plus what the protocol puts on the wire outside them: preamble,
//    FCS, inter-frame gap as it defines them; acknowledgements and UALink DL command flits answer
//    the other direction and are left out for every protocol). The figure must match the protocol's framing budget
//    (protocols/scaleup/efficiency.ts) within 3 % (a device that pads, underfills or overfills
//    fails); RoCEv2 (RDMA WRITE Only over Ethernet/IPv4/UDP, 98 bytes around the payload) is the
//    baseline. Chart and table in the report, with the assumed-layout notes.
// 2. ETHP-1, SU-4: all-reduce (sum) of 1 KiB to 64 KiB per accelerator across the 64 accelerators
//    of the ETH+ supernode, once offloaded to the switch and once as a ring of the members: every
//    member ends with the exact sums; completion times (the last member) as chart and table.
// Devices: every protocol's supernode (a protocol without one is left out of the figures); the
// ETH+ supernode with 64 accelerators for the all-reduce.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { SCALEUP_LAYOUT_NOTES, SCALEUP_PROTOCOLS, SCALEUP_PROTOCOL_NAMES, scaleupWireBudget, type ScaleupProtocol } from '../../protocols/scaleup/index.ts';
import { capturing, dataFrames, finite, flow, runFlows, supernode, tx, wireBytes, PS_PER_US, type Supernode } from './helpers.ts';

const SIZES = [64, 128, 256, 512, 1024, 2048, 4096];
const STREAM_BYTES = 65536;

describe('scale-up comparison', () => {
  test(
    'payload efficiency of UALink, SUE, ESUN, EthLink, ETH+ and ETH-X against Ethernet + IPv4 + UDP + RoCEv2, 64 B to 4 KB',
    req('UAL-4', 'SUE-2', 'ESUN-2', 'ETHL-3', 'ETHP-2', 'ETHP-4', 'ETHX-2', 'IEEE802.3-4.4.2', 'IBTA-A17-RoCEv2'),
    async ({ lab }) => {
      const nodes = new Map<ScaleupProtocol, Supernode>();
      for (const p of SCALEUP_PROTOCOLS) {
        for (const d of lab.devices('scaleup-switch')) {
          if (d.state !== undefined && (await d.state.get('/scaleup/protocol')) === p) {
            nodes.set(p, await supernode(lab, p));
            break;
          }
        }
      }
      if (nodes.size === 0) lab.block('the testbed has no scale-up supernode');
      const measured = new Map<ScaleupProtocol, number[]>();
      const off: string[] = [];
      for (const [p, sn] of nodes) {
        const [src, dst] = sn.accs;
        const row: number[] = [];
        for (const size of SIZES) {
          const count = STREAM_BYTES / size;
          const caps = await capturing([{ dev: src.dev, port: src.port }], async () => {
            const r = await runFlows(lab, [{ from: src, flows: [flow(`eff-${size}`, src, dst, STREAM_BYTES, size)] }]);
            expect(r.get(`${src.dev.id}/eff-${size}`)!.done, `${p} ${size}-byte stream done`).toBe(true);
          });
          const eff = STREAM_BYTES / wireBytes(p, dataFrames(p, tx(caps.get(`${src.dev.id}:${src.port}`)!)));
          const want = scaleupWireBudget(p, size, count).efficiency;
          if (eff < want * 0.97 || eff > want * 1.03) off.push(`${SCALEUP_PROTOCOL_NAMES[p]} ${size} B: ${(100 * eff).toFixed(1)} % on the wire, framing budget ${(100 * want).toFixed(1)} %`);
          row.push(finite(100 * eff));
        }
        measured.set(p, row);
      }
      const roce = SIZES.map((s) => 100 * scaleupWireBudget('roce', s).efficiency);
      const order = SCALEUP_PROTOCOLS.filter((p) => measured.has(p));
      lab.metric({
        name: 'payload efficiency (payload / bytes on the wire)',
        unit: '%',
        x: { name: 'transfer', unit: 'bytes' },
        series: [{ label: 'Ethernet+IPv4+UDP+RoCEv2', points: SIZES.map((s, i) => [s, roce[i]]) }, ...order.map((p) => ({ label: SCALEUP_PROTOCOL_NAMES[p], points: SIZES.map((s, i) => [s, measured.get(p)![i]] as [number, number]) }))],
      });
      lab.metric({
        name: 'payload efficiency by transfer size',
        unit: '%',
        table: {
          columns: ['transfer (bytes)', 'RoCEv2', ...order.map((p) => SCALEUP_PROTOCOL_NAMES[p])],
          rows: SIZES.map((s, i) => [s, roce[i].toFixed(1), ...order.map((p) => measured.get(p)![i].toFixed(1))]),
        },
      });
      lab.metric({
        name: 'scale-up layouts (assumed where not public)',
        unit: '',
        table: { columns: ['protocol', 'layout assumed', 'note'], rows: order.map((p) => [SCALEUP_PROTOCOL_NAMES[p], 'yes', SCALEUP_LAYOUT_NOTES[p]]) },
      });
      lab.attach(
        'payload-efficiency.csv',
        ['transfer_bytes,roce,' + order.join(','), ...SIZES.map((s, i) => [s, roce[i].toFixed(3), ...order.map((p) => measured.get(p)![i].toFixed(3))].join(','))].join('\n') + '\n',
        'text/csv',
      );
      expect(off, 'efficiency off the framing budget').toEqual([]);
    },
  );

  test('all-reduce across a 64-accelerator supernode, with and without in-switch offload', req('ETHP-1', 'SU-4'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethplus');
    if (sn.accs.length < 64) lab.block(`the ETH+ supernode has ${sn.accs.length} accelerators; the comparison needs 64`);
    const members = sn.accs.slice(0, 64);
    const uids = members.map((m) => m.id);
    const sizes = [256, 1024, 4096, 16384];
    const times: Record<'offload' | 'ring', number[]> = { offload: [], ring: [] };
    const wrong: string[] = [];
    let group = 50000;
    for (const L of sizes) {
      const inputs = members.map((_, r) => Array.from({ length: L }, (_, i) => ((r + 3 * i) % 11) - 5));
      const want = Array.from({ length: L }, (_, i) => inputs.reduce((s, x) => s + x[i], 0));
      for (const mode of ['offload', 'ring'] as const) {
        const name = `ar-${L}-${mode}`;
        const g = group++;
        for (const [r, m] of members.entries()) await m.dev.config.edit(`/scaleup/collectives/collective[name=${name}]`, { op: 'all-reduce', group: g, members: uids, input: inputs[r], offload: mode === 'offload' }, 'merge');
        const path = `/scaleup/collectives/collective[name=${name}]`;
        const last = members[members.length - 1];
        try {
          await lab.until(async () => ((await last.dev.state.get(path)) as { done: boolean }).done, { timeoutMs: 2, pollMs: 0.002, what: `${name} done` });
          await lab.advance(0.01);
        } catch {
          // judged below, member by member
        }
        let worst = 0;
        for (const [r, m] of members.entries()) {
          const s = (await m.dev.state.get(path)) as { done: boolean; output: number[]; completionPs?: number };
          if (!s.done) wrong.push(`${name}: rank ${r} not done`);
          else if (s.output.some((v, i) => v !== want[i])) wrong.push(`${name}: rank ${r} has wrong sums`);
          worst = Math.max(worst, s.completionPs ?? Infinity);
        }
        times[mode].push(worst / PS_PER_US);
        await Promise.all(members.map((m) => m.dev.config.edit(path, null, 'delete')));
      }
    }
    const kib = sizes.map((L) => (4 * L) / 1024);
    // A run that did not complete has no time: it is left out of the chart and shown as such.
    const points = (t: number[]) => kib.flatMap((k, i) => (Number.isFinite(t[i]) ? [[k, t[i]] as [number, number]] : []));
    const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'not done');
    lab.metric({
      name: 'all-reduce completion, 64 accelerators',
      unit: 'us',
      x: { name: 'vector per accelerator', unit: 'KiB' },
      series: [
        { label: 'in-switch offload (ETH+)', points: points(times.offload) },
        { label: 'ring through the switch', points: points(times.ring) },
      ],
    });
    lab.metric({
      name: 'all-reduce completion table, 64 accelerators',
      unit: 'us',
      table: {
        columns: ['vector per accelerator (KiB)', 'in-switch offload (us)', 'ring (us)', 'speed-up'],
        rows: kib.map((k, i) => [k, fmt(times.offload[i]), fmt(times.ring[i]), Number.isFinite(times.ring[i] / times.offload[i]) ? (times.ring[i] / times.offload[i]).toFixed(1) : '-']),
      },
    });
    expect(wrong.slice(0, 4), `${wrong.length} members without the right sums`).toEqual([]);
  });
});
