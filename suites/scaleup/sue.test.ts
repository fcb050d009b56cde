// SUE: packing into PDUs of at most 4096 bytes per (destination, VC), recovery of lost packets through PSN and acknowledgement, VC-to-traffic-class mapping.
//
// Test plan (requirement IDs):
// 1. SUE-2: small transactions from one accelerator to two destinations on two VCs each: every
//    data frame the sender emits has a PDU of at most 4096 bytes, and every transaction in it
//    (told apart by the test signature of its data) belongs to a flow of the frame's destination
//    and VC; PDUs hold many transactions (packing happens).
// 2. SUE-3: with 2 % of the frames on the sender's link lost, the transfer completes: every unit
//    delivered once and in order; the sender retransmitted (the same PSNs sent again), the
//    receiver's acknowledgements and NACKs name PSNs the sender used.
// 3. SUE-1: with the VC-to-TC map set to [1, 3, 5, 7], frames of VC v reach the receiver with
//    traffic class map[v] in their AFH.
// Devices: the SUE supernode with state, config, traffic, capture, faults.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { SUE_PDU_MAX_BYTES, SUE_RH_OPCODE_DEFAULT } from '../../protocols/sue/index.ts';
import { capturing, decode, finite, flow, runFlows, rx, supernode, tx } from './helpers.ts';

describe('SUE', () => {
  test('packing never exceeds 4096 bytes and never mixes destinations or VCs', req('SUE-2'), async ({ lab }) => {
    const sn = await supernode(lab, 'sue');
    const [src, d1, d2] = sn.accs;
    const flows = [flow('d1-vc0', src, d1, 32768, 64, { vc: 0 }), flow('d1-vc1', src, d1, 32768, 96, { vc: 1 }), flow('d2-vc0', src, d2, 32768, 64, { vc: 0 }), flow('d2-vc3', src, d2, 32768, 200, { vc: 3 })];
    const owner = flows.map((f) => ({ dst: f.rxPort.startsWith(`${d1.dev.id}:`) ? d1.id : d2.id, vc: f.attributes!.vc as number }));
    const caps = await capturing([{ dev: src.dev, port: src.port }], async () => {
      const r = await runFlows(lab, [{ from: src, flows }]);
      for (const m of r.values()) expect([m.name, m.done]).toEqual([m.name, true]);
    });
    const frames = tx(caps.get(`${src.dev.id}:${src.port}`)!).map((f) => decode('sue', f.bytes)).filter((d) => d.sue!.rh.opcode === SUE_RH_OPCODE_DEFAULT.DATA);
    let txns = 0;
    let maxPdu = 0;
    const bad: string[] = [];
    for (const d of frames) {
      const p = d.sue!;
      maxPdu = Math.max(maxPdu, p.pduBytes);
      txns += p.txns.length;
      for (const u of d.units) {
        if (u.sig === null) continue;
        const o = owner[u.sig.flow];
        if (o.dst !== d.dst || o.vc !== p.rh.vc) bad.push(`PSN ${p.rh.psn} to ${d.dst} VC ${p.rh.vc} carries flow ${flows[u.sig.flow].name}`);
      }
    }
    lab.metric({ name: 'SUE transactions per PDU (64-200 byte transfers)', unit: 'transactions', value: finite(txns / frames.length) });
    lab.metric({ name: 'largest SUE PDU', unit: 'bytes', value: maxPdu });
    expect(maxPdu, 'largest PDU').toBeLessThanOrEqual(SUE_PDU_MAX_BYTES);
    expect(bad.slice(0, 3), `${bad.length} transactions packed with another destination or VC`).toEqual([]);
    expect(txns / frames.length, 'transactions per PDU').toBeGreaterThan(10);
  });

  test('lost packets are recovered through the PSN and acknowledgement mechanism', req('SUE-3'), async ({ lab }) => {
    const sn = await supernode(lab, 'sue');
    const [src, dst] = sn.accs;
    const fault = await src.dev.faults.inject({ kind: 'loss', port: src.port, rate: 0.02 });
    let r;
    let caps;
    try {
      caps = await capturing([{ dev: src.dev, port: src.port }], async () => {
        r = await runFlows(lab, [{ from: src, flows: [flow('lossy', src, dst, 1 << 20, 1024)] }], 20);
      });
    } finally {
      await src.dev.faults.clear(fault);
    }
    const m = r!.get(`${src.dev.id}/lossy`)!;
    expect([m.done, m.rxFrames, m.outOfOrder], 'every unit delivered once, in order').toEqual([true, m.txFrames, 0]);
    expect(m.retransmissions, 'retransmissions').toBeGreaterThan(0);
    const frames = caps!.get(`${src.dev.id}:${src.port}`)!;
    const sent = tx(frames).map((f) => decode('sue', f.bytes).sue!);
    const psns = sent.map((p) => p.rh.psn);
    expect(new Set(psns).size, 'PSNs sent more than once').toBeLessThan(psns.length);
    const answers = rx(frames).map((f) => decode('sue', f.bytes).sue!).filter((p) => p.rh.opcode !== SUE_RH_OPCODE_DEFAULT.DATA);
    expect(answers.some((p) => p.rh.opcode === SUE_RH_OPCODE_DEFAULT.NACK), 'the receiver NACKed a gap').toBe(true);
    expect(answers.every((p) => p.rh.xpuId === dst.id && (psns.includes(p.rh.ackPsn) || p.rh.ackPsn === ((psns[0] - 1) & 0xffff)))).toBe(true);
    lab.metric({ name: 'SUE retransmitted frames at 2 % loss (1 MiB)', unit: 'frames', value: m.retransmissions });
  });

  test('virtual channels map to their traffic classes', req('SUE-1'), async ({ lab }) => {
    const sn = await supernode(lab, 'sue');
    const [src, dst] = sn.accs;
    const map = [1, 3, 5, 7];
    await src.dev.config.edit('/scaleup/vc-tc-map', map, 'replace');
    try {
      expect(await src.dev.state.get('/scaleup/vc-tc-map')).toEqual(map);
      const caps = await capturing([{ dev: dst.dev, port: dst.port }], async () => {
        const r = await runFlows(lab, [{ from: src, flows: [0, 1, 2, 3].map((vc) => flow(`vc${vc}`, src, dst, 8192, 512, { vc })) }]);
        for (const m of r.values()) expect([m.name, m.done]).toEqual([m.name, true]);
      });
      const seen = new Map<number, Set<number>>();
      for (const f of rx(caps.get(`${dst.dev.id}:${dst.port}`)!)) {
        const p = decode('sue', f.bytes).sue!;
        if (!seen.has(p.rh.vc)) seen.set(p.rh.vc, new Set());
        seen.get(p.rh.vc)!.add(p.afh.tc);
      }
      expect([...seen.keys()].sort()).toEqual([0, 1, 2, 3]);
      for (const [vc, tcs] of seen) expect([...tcs], `traffic class of VC ${vc}`).toEqual([map[vc]]);
    } finally {
      await src.dev.config.edit('/scaleup/vc-tc-map', null, 'delete');
    }
  });
});
