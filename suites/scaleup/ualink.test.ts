// UALink: DL packing and its overhead, link-level replay under bit errors, request and completion ordering, lanes and the 100G fallback.
//
// Test plan (requirement IDs):
// 1. UAL-4, UALINK200-DL-flit: a stream of 256-byte writes: the sender's DL flits are 640 bytes
//    and carry nine 64-byte TL flits each (all but the last few full); the TL flit count is the
//    UPLI budget (four headers per control flit, size / 64 data flits); the overheads (DL: flit
//    header, segment headers, CRC and unused slot bytes; TL: control flits) are recorded.
// 2. UAL-4, UALINK200-DL-replay: with bit errors injected on the sender's link (both directions),
//    the transfer still completes with every unit delivered once and in order; flits were lost to
//    CRC errors (port in-errors at both ends) and each loss was answered by the DL: replay
//    requests plus sender timeouts are at least one and at most the errors, and at least as many
//    flits were replayed as were lost.
// 3. UALINK200-UPLI-ordering, UAL-6: reads and writes from one source to one destination: the
//    requests reach the completer in issue order (tags read from a capture of its port, and its
//    own count), completions come back in any order and all are taken (every flow done).
// 4. UAL-3, UALINK200-PL-lanes: every UALink port runs 1, 2 or 4 lanes of 200 or 100 Gb/s, at
//    most 800 Gb/s, both ends of each link agree and are up; an accelerator limited to 100 Gb/s
//    lanes has its link at the fallback rate and is reached.
// Devices: the UALink supernode (switch and accelerators) with state, counters, faults, capture, traffic.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { UALINK_DL_FLIT_LEN, UALINK_DL_TL_SLOTS, UALINK_TL_FLIT_LEN, ualinkIsRequest } from '../../protocols/ualink/index.ts';
import { scaleupWireBudget } from '../../protocols/scaleup/efficiency.ts';
import { capturing, consecutive, finite, flow, highest, runFlows, rx, supernode, tx, ualinkFlit, ualinkMessages } from './helpers.ts';

type DlState = { lanes: number; laneRateBps: number; rateBps: number; replayRequestsSent: number; timeoutReplays: number; replayedFlits: number; crcErrors: number };

describe('UALink', () => {
  test('the DL packs nine 64-byte TL flits into each 640-byte DL flit; overheads accounted', req('UAL-4', 'UALINK200-DL-flit', 'UAL-5'), async ({ lab }) => {
    const sn = await supernode(lab, 'ualink');
    const [src, dst] = sn.accs;
    const transfers = 512;
    const caps = await capturing([{ dev: src.dev, port: src.port }], async () => {
      const r = await runFlows(lab, [{ from: src, flows: [flow('w256', src, dst, transfers * 256, 256)] }]);
      expect(r.get(`${src.dev.id}/w256`)!.done).toBe(true);
    });
    const sent = tx(caps.get(`${src.dev.id}:${src.port}`)!);
    const flits = sent.map((f) => ualinkFlit(f.bytes));
    expect(sent.every((f) => f.bytes.length === UALINK_DL_FLIT_LEN)).toBe(true);
    const payload = flits.filter((h) => h.tl.length > 0);
    const tlFlits = payload.reduce((n, h) => n + h.tl.length, 0);
    const control = payload.reduce((n, h) => n + h.tl.filter((t) => t.control).length, 0);
    // 512 requests: 512 x 4 data flits and 128 control flits of four headers
    expect([tlFlits - control, control], 'data and control TL flits').toEqual([transfers * 4, transfers / 4]);
    const full = payload.filter((h) => h.tl.length === UALINK_DL_TL_SLOTS).length;
    expect(payload.length, 'payload DL flits').toBeLessThanOrEqual(Math.ceil(tlFlits / UALINK_DL_TL_SLOTS) + 2);
    expect(full, 'full DL flits').toBeGreaterThanOrEqual(payload.length - 2);
    const dlEfficiency = (tlFlits * UALINK_TL_FLIT_LEN) / (payload.length * UALINK_DL_FLIT_LEN);
    const wire = sent.length * UALINK_DL_FLIT_LEN;
    const budget = scaleupWireBudget('ualink', 256, transfers);
    lab.metric({ name: 'UALink DL efficiency (TL bytes / DL bytes)', unit: '%', value: finite(100 * dlEfficiency) });
    lab.metric({ name: 'UALink payload efficiency, 256-byte writes', unit: '%', value: finite((100 * transfers * 256) / wire) });
    lab.metric({
      name: 'UALink overhead per 640-byte DL flit',
      unit: 'bytes',
      table: {
        columns: ['part', 'bytes per DL flit'],
        rows: [
          ['flit header', 3],
          ['segment headers', 5],
          ['CRC', 4],
          ['unused payload (628 - 9 x 64)', 628 - UALINK_DL_TL_SLOTS * UALINK_TL_FLIT_LEN],
          ['TL control (UPLI headers, per DL flit)', Math.round((control * UALINK_TL_FLIT_LEN) / payload.length)],
          ['payload DL flits / command flits', `${payload.length} / ${sent.length - payload.length}`],
        ],
      },
    });
    expect(wire, 'wire bytes within the packing budget').toBeLessThanOrEqual(budget.wireBytes * 1.05);
  });

  test('under bit errors the DL replays lost flits: the TL sees no loss, replays match the errors', req('UAL-4', 'UALINK200-DL-replay'), async ({ lab }) => {
    const sn = await supernode(lab, 'ualink');
    const [src, dst] = sn.accs;
    const [[, swPort]] = lab.links(src.dev.id, sn.sw.id);
    const before = { acc: await src.dev.state.get(`/scaleup/ports/port[name=${src.port}]`), sw: await sn.sw.state.get(`/scaleup/ports/port[name=${swPort}]`) } as Record<string, DlState>;
    const inErrors = async () => (await src.dev.counters.port(src.port)).inErrors + (await sn.sw.counters.port(swPort)).inErrors;
    const errBefore = await inErrors();
    const fault = await src.dev.faults.inject({ kind: 'bit-errors', port: src.port, ber: 2e-6 });
    let r;
    try {
      r = await runFlows(lab, [{ from: src, flows: [flow('bulk', src, dst, 1 << 20, 256)] }], 20);
    } finally {
      await src.dev.faults.clear(fault);
    }
    const m = r.get(`${src.dev.id}/bulk`)!;
    expect([m.done, m.rxFrames, m.outOfOrder], 'every unit delivered once, in order').toEqual([true, m.txFrames, 0]);
    const after = { acc: await src.dev.state.get(`/scaleup/ports/port[name=${src.port}]`), sw: await sn.sw.state.get(`/scaleup/ports/port[name=${swPort}]`) } as Record<string, DlState>;
    const d = (k: keyof DlState) => after.acc[k] - before.acc[k] + after.sw[k] - before.sw[k];
    // Frames with a bad CRC: dropped by the port (in-errors) or seen by the DL (a CRC it checks itself).
    const errors = Number((await inErrors()) - errBefore) + d('crcErrors');
    const replays = d('replayRequestsSent') + d('timeoutReplays');
    lab.metric({ name: 'DL flits lost to CRC errors', unit: 'flits', value: errors });
    lab.metric({ name: 'DL replays (requests + timeouts)', unit: 'replays', value: replays });
    lab.metric({ name: 'DL flits replayed', unit: 'flits', value: d('replayedFlits') });
    expect(errors, 'bit errors hit flits').toBeGreaterThan(0);
    expect(replays, 'replays').toBeGreaterThanOrEqual(1);
    expect(replays, 'no replay without an error').toBeLessThanOrEqual(errors);
    expect(d('replayedFlits'), 'flits replayed').toBeGreaterThanOrEqual(errors);
  });

  test('requests between a source and a destination stay ordered; completions may return out of order', req('UALINK200-UPLI-ordering', 'UAL-6'), async ({ lab }) => {
    const sn = await supernode(lab, 'ualink');
    const [src] = sn.accs;
    const dst = highest(sn);
    const rxBefore = (await dst.dev.state.get('/scaleup/receive')) as { requestsOutOfOrder: number };
    const origBefore = (await src.dev.state.get('/scaleup/receive')) as { completionsOutOfOrder: number };
    let r;
    const caps = await capturing([{ dev: dst.dev, port: dst.port }], async () => {
      r = await runFlows(lab, [{ from: src, flows: [flow('reads', src, dst, 65536, 256, { opcode: 'read' }), flow('writes', src, dst, 65536, 128)] }]);
    });
    for (const m of r!.values()) expect([m.name, m.done], 'every completion taken').toEqual([m.name, true]);
    const reqs = ualinkMessages(rx(caps.get(`${dst.dev.id}:${dst.port}`)!)).messages.filter((m) => ualinkIsRequest(m.header.opcode) && m.header.srcId === src.id);
    expect(reqs.length).toBe(256 + 512);
    expect(consecutive(reqs.map((m) => m.header.tag), 4096), 'requests reach the completer in issue order').toBe(true);
    const rxAfter = (await dst.dev.state.get('/scaleup/receive')) as { requestsOutOfOrder: number };
    const origAfter = (await src.dev.state.get('/scaleup/receive')) as { completionsOutOfOrder: number };
    expect(rxAfter.requestsOutOfOrder - rxBefore.requestsOutOfOrder, 'completer: requests out of order').toBe(0);
    lab.metric({ name: 'completions returned out of order', unit: 'completions', value: origAfter.completionsOutOfOrder - origBefore.completionsOutOfOrder });
  });

  test('links run 1, 2 or 4 lanes of 200 Gb/s, fall back to 100 Gb/s lanes, at most 800 Gb/s', req('UAL-3', 'UALINK200-PL-lanes'), async ({ lab }) => {
    const sn = await supernode(lab, 'ualink');
    const rows: Array<Array<string | number>> = [];
    let fallback = null as null | (typeof sn.accs)[number];
    for (const a of sn.accs) {
      const [[accPort, swPort]] = lab.links(a.dev.id, sn.sw.id);
      const ends = [
        { dev: a.dev, port: accPort, st: (await a.dev.state.get(`/scaleup/ports/port[name=${accPort}]`)) as DlState },
        { dev: sn.sw, port: swPort, st: (await sn.sw.state.get(`/scaleup/ports/port[name=${swPort}]`)) as DlState },
      ];
      for (const e of ends) {
        expect([1, 2, 4], `${e.dev.id}:${e.port} lanes`).toContain(e.st.lanes);
        expect([100e9, 200e9], `${e.dev.id}:${e.port} lane rate`).toContain(e.st.laneRateBps);
        expect(e.st.rateBps).toBe(e.st.lanes * e.st.laneRateBps);
        expect(e.st.rateBps).toBeLessThanOrEqual(800e9);
        expect(await e.dev.state.get(`/interfaces/interface[name=${e.port}]/oper-status`), `${e.dev.id}:${e.port} up`).toBe('up');
        expect(await e.dev.state.get(`/interfaces/interface[name=${e.port}]/speed`)).toBe(e.st.rateBps);
      }
      expect([ends[1].st.lanes, ends[1].st.laneRateBps], `${sn.sw.id}:${swPort} agrees with ${a.dev.id}`).toEqual([ends[0].st.lanes, ends[0].st.laneRateBps]);
      if (ends[0].st.laneRateBps === 100e9) fallback = a;
      rows.push([a.dev.id, a.id, ends[0].st.lanes, ends[0].st.laneRateBps / 1e9, ends[0].st.rateBps / 1e9]);
    }
    lab.metric({ name: 'UALink links', unit: 'Gb/s', table: { columns: ['accelerator', 'id', 'lanes', 'lane Gb/s', 'link Gb/s'], rows } });
    if (fallback === null) return;
    const src = sn.accs.find((a) => a !== fallback)!;
    const r = await runFlows(lab, [{ from: src, flows: [flow('to-fallback', src, fallback, 65536, 256)] }]);
    expect(r.get(`${src.dev.id}/to-fallback`)!.done, 'the fallback link carries traffic').toBe(true);
  });
});
