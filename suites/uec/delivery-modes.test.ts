// Ultra Ethernet delivery modes under loss: ROD in order, RUD exactly once, RUDI at least once, UUD without retransmission.
//
// Test plan (requirement IDs); each flow crosses the spines, random loss is injected on the
// sender's link (both directions), the NIC's delivery mode is set through /uet/config/delivery-mode:
// 1. UE1.0-PDS-ROD: ROD (2% loss, 2 MB) uses one path (one entropy), every byte arrives and nothing is
//    handed up out of order; the target NACKs out-of-order packets with ROD_OOO and its ACKs carry
//    no SACK bits.
// 2. UE1.0-PDS-RUD: RUD (2% loss, 2 MB, sprayed) hands every packet up exactly once (bytes delivered =
//    bytes sent, packets delivered = packets sent less retransmissions), in any order; and with
//    30% loss on the target's link, where lost ACKs make the initiator resend packets the target
//    already has, those duplicates are not handed up again (16 one-packet flows).
// 3. UE1.0-PDS-RUDI: RUDI (2% loss, 2 MB) keeps no PDC, every request (RUDI_REQ, 8 B) is answered by a
//    RUDI_RESP and resent (RETX) until answered: the flow completes with every byte delivered at
//    least once.
// 4. UE1.0-PDS-UUD: UUD (5% loss) sends UUD_REQ (4 B) and nothing else: no retransmission, no
//    answer on the wire, and what was lost stays lost.
import { test, expect, req, describe } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { FRAME_BYTES, captureUet, isAck, isNack, isRequest, nicsOn, runToCompletion, uecFabric, type FlowResult, type UetFrame } from './lib.ts';

type Mode = 'rud' | 'rod' | 'rudi' | 'uud';

/** Runs one flow in `mode` under `loss` from NIC `i` of leaf 0 to NIC `i` of leaf 1, capturing the sender's port. */
async function lossyFlow(lab: Lab, i: number, mode: Mode, loss: number, bytes: number, entropies: number, timeoutMs: number): Promise<{ m: FlowResult; frames: UetFrame[]; pdcsSeen: number }> {
  const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: i + 1 });
  const src = nicsOn(f, f.leaves[0])[i];
  const dst = nicsOn(f, f.leaves[1])[i];
  const tx = lab.requireDevice(src.nic, ['traffic', 'capture', 'faults', 'config', 'state']);
  lab.requireDevice(dst.nic, ['traffic']);
  const before = await tx.config.get('/uet/config/delivery-mode');
  if (typeof before !== 'string') lab.block(`device ${tx.id} has no delivery-mode setting (/uet/config/delivery-mode)`);
  await tx.config.edit('/uet/config/delivery-mode', mode);
  const fault = await tx.faults.inject({ kind: 'loss', port: src.nicPort, rate: loss });
  let pdcsSeen = 0;
  try {
    await tx.traffic.setFlows([{ name: `${mode}-flow`, txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies }]);
    let m: FlowResult | undefined;
    const frames = await captureUet(tx, src.nicPort, async () => {
      await tx.traffic.start();
      m = await lab.until(
        async () => {
          pdcsSeen = Math.max(pdcsSeen, ((await tx.state.get('/uet/state/pdcs')) as unknown[] | undefined)?.length ?? 0);
          const r = (await tx.traffic.metrics())[0];
          return r?.done ? r : null;
        },
        { timeoutMs, pollMs: timeoutMs / 200, what: `the ${mode.toUpperCase()} flow completing under ${loss * 100}% loss` },
      );
    });
    return { m: m!, frames, pdcsSeen };
  } finally {
    await tx.faults.clear(fault);
    await tx.config.edit('/uet/config/delivery-mode', before);
  }
}

describe('UET delivery modes', () => {
  test('ROD delivers in PSN order on one path; out-of-order packets are NACKed ROD_OOO', req('UE1.0-PDS-ROD', 'UE1.0-PDS-NACK'), async ({ lab }) => {
    const bytes = 2_000_000;
    const { m, frames } = await lossyFlow(lab, 0, 'rod', 0.02, bytes, 64, 20);
    expect(m.rxBytes, 'bytes delivered').toBe(bytes);
    expect(m.outOfOrder, 'packets handed up out of order').toBe(0);
    const reqs = frames.filter(isRequest).filter((u) => u.direction === 'tx');
    expect(new Set(reqs.map((u) => u.uet.pds.type)), 'request types').toEqual(new Set([UET_PDS_TYPE.ROD_REQ]));
    expect(new Set(reqs.map((u) => u.frame.udp!.srcPort)).size, 'entropies (UDP source ports) of a ROD PDC').toBe(1);
    const nacks = frames.filter(isNack).filter((u) => u.direction === 'rx');
    expect(nacks.length, 'NACKs (the loss must cause some)').toBeGreaterThan(0);
    for (const n of nacks) expect(n.uet.pds.nackCode, `NACK of PSN ${n.uet.pds.nackPsn}`).toBe(UET_NACK_CODE.ROD_OOO);
    for (const a of frames.filter(isAck).filter((u) => u.direction === 'rx')) expect(a.uet.pds.cc?.sackBitmap ?? 0n, 'SACK bits in a ROD ACK').toBe(0n);
    lab.metric({ name: 'ROD retransmissions at 2% loss', unit: 'packets', value: m.retransmissions });
  });

  test('RUD delivers every packet exactly once, in any order', req('UE1.0-PDS-RUD'), async ({ lab }) => {
    const bytes = 2_000_000;
    const { m } = await lossyFlow(lab, 1, 'rud', 0.02, bytes, 64, 20);
    expect(m.retransmissions, 'retransmissions (the loss must cause some)').toBeGreaterThan(0);
    expect(m.rxBytes, 'bytes handed up').toBe(bytes);
    expect(m.rxFrames, 'packets handed up = packets sent - retransmissions').toBe(m.txFrames - m.retransmissions);
    lab.metric({ name: 'RUD packets handed up out of order', unit: 'packets', value: m.outOfOrder });

    // Duplicates: ACKs lost on the target's link make the initiator resend what already arrived.
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2 });
    const src = nicsOn(f, f.leaves[0])[1];
    const dst = nicsOn(f, f.leaves[1])[1];
    const tx = lab.requireDevice(src.nic, ['traffic']);
    const rx = lab.requireDevice(dst.nic, ['traffic', 'faults']);
    const payload = 4000;
    const flows = Array.from({ length: 16 }, (_, k) => ({ name: `dup${k}`, txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: payload, frameBytes: FRAME_BYTES, transport: 'uet' as const }));
    await tx.traffic.setFlows(flows);
    const fault = await rx.faults.inject({ kind: 'loss', port: dst.nicPort, rate: 0.3 });
    let all: FlowResult[];
    try {
      all = await runToCompletion(lab, [tx], 50, '16 one-packet RUD flows completing under 30% loss on the target link');
    } finally {
      await rx.faults.clear(fault);
    }
    const resent = all.reduce((n, r) => n + r.retransmissions, 0);
    expect(resent, 'packets resent (lost data or lost ACKs)').toBeGreaterThan(0);
    for (const r of all) expect(r.rxBytes, `${r.name}: bytes handed up`).toBe(payload);
    lab.metric({ name: 'RUD one-packet flows: packets resent at 30% target-link loss', unit: 'packets', value: resent });
  });

  test('RUDI keeps no PDC and resends each request until it is answered: delivered at least once', req('UE1.0-PDS-RUDI'), async ({ lab }) => {
    const bytes = 2_000_000;
    const { m, frames, pdcsSeen } = await lossyFlow(lab, 2, 'rudi', 0.02, bytes, 64, 20);
    expect(m.rxBytes, 'bytes handed up (at least once)').toBeGreaterThanOrEqual(bytes);
    expect(pdcsSeen, 'PDCs allocated by a RUDI flow').toBe(0);
    const reqs = frames.filter((u) => u.direction === 'tx' && u.uet.pds.kind === 'rudi');
    const resps = frames.filter((u) => u.direction === 'rx' && u.uet.pds.kind === 'rudi');
    expect(reqs.length, 'RUDI requests').toBeGreaterThan(0);
    expect(resps.length, 'RUDI responses').toBeGreaterThan(0);
    const sent = new Set<number>();
    let retx = 0;
    for (const u of reqs) {
      const p = u.uet.pds;
      if (p.kind !== 'rudi') continue;
      expect(p.type, 'request type').toBe(UET_PDS_TYPE.RUDI_REQ);
      expect(p.bufferLen(), 'RUDI header bytes').toBe(8);
      if (sent.has(p.packetId)) {
        retx++;
        expect(p.retx, `request ${p.packetId} resent with RETX`).toBe(true);
      }
      sent.add(p.packetId);
    }
    for (const u of resps) if (u.uet.pds.kind === 'rudi') expect(u.uet.pds.type, 'answer type').toBe(UET_PDS_TYPE.RUDI_RESP);
    expect(retx, 'requests resent (the loss must cause some)').toBeGreaterThan(0);
    lab.metric({ name: 'RUDI requests resent at 2% loss', unit: 'packets', value: retx });
  });

  test('UUD sends each packet once and nothing answers: losses stay lost', req('UE1.0-PDS-UUD'), async ({ lab }) => {
    const bytes = 1_000_000;
    const { m, frames } = await lossyFlow(lab, 3, 'uud', 0.05, bytes, 64, 20);
    expect(m.retransmissions, 'retransmissions').toBe(0);
    expect(m.lostFrames, 'packets lost (the loss must cause some)').toBeGreaterThan(0);
    expect(m.rxFrames, 'packets delivered = packets sent - packets lost').toBe(m.txFrames - m.lostFrames);
    expect(m.rxBytes, 'bytes delivered').toBeLessThan(bytes);
    const tx = frames.filter((u) => u.direction === 'tx');
    expect(tx.length, 'UUD requests captured').toBeGreaterThan(0);
    for (const u of tx) {
      expect(u.uet.pds.type, 'request type').toBe(UET_PDS_TYPE.UUD_REQ);
      expect(u.uet.pds.bufferLen(), 'UUD header bytes').toBe(4);
    }
    expect(frames.filter((u) => u.direction === 'rx').length, 'UET packets coming back (answers)').toBe(0);
    lab.metric({ name: 'UUD packets lost at 5% loss', unit: 'packets', value: m.lostFrames });
  });
});
