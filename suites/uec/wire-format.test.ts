// Ultra Ethernet wire format: the UET headers a NIC puts on the wire, decoded from captures with protocols/uet.
//
// Test plan (requirement IDs):
// 1. UE1.0-PDS-ENCAP, UE1.0-PDS-HEADERS, UEC-1: a UET flow between NICs on two leaves, captured at
//    the sender's port: every frame is UDP to the UET port; requests are DSCP CS0 with ECT, ACKs
//    and control packets DSCP EF without ECT; requests are RUD_REQ (12 B) + SES standard (44 B)
//    whose fields hold across the flow (opcode, job id, request length, buffer offset = PSN offset
//    x payload, SOM on the first, EOM on the last), PSNs run contiguously from the start PSN; ACKs
//    are ACK_CC (32 B, NSCC) whose PDC ids mirror the requests', with a cumulative PSN that never
//    goes back; the close command follows the last PSN.
// 2. UE1.0-PDS-FLAGS: under 3% random loss on the sender's link (2 MB): SYN on the first packets (PSN
//    offset from the start PSN) and on none sent after the first answer came back, RETX on every
//    retransmission and on no first transmission, AR on the last packet of the message.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { IP_ECN } from '../../protocols/ip.ts';
import { UET_CC_TYPE } from '../../protocols/uet/ack.ts';
import { UET_CTRL_TYPE, UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { UET_SES_OPCODE } from '../../protocols/uet/ses-request.ts';
import { uetPsnDistance } from '../../protocols/uet/psn.ts';
import { FRAME_BYTES, captureUet, isAck, isCtrl, isRequest, nicsOn, runToCompletion, uecFabric } from './lib.ts';

const ETH_IP_UDP = 14 + 20 + 8;
const DSCP_EF = 46;

describe('UET wire format', () => {
  test(
    'requests, ACKs and the close command have the UE 1.0 sizes, field order and values',
    req('UE1.0-PDS-ENCAP', 'UE1.0-PDS-HEADERS', 'UEC-1'),
    async ({ lab }) => {
      const f = uecFabric(lab, { leaves: 2 });
      const src = nicsOn(f, f.leaves[0])[0];
      const dst = nicsOn(f, f.leaves[1])[0];
      const tx = lab.requireDevice(src.nic, ['traffic', 'capture']);
      lab.requireDevice(dst.nic, ['traffic']);
      const bytes = 256 * 1024;
      await tx.traffic.setFlows([{ name: 'wire', txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 16 }]);
      const frames = await captureUet(tx, src.nicPort, async () => {
        await runToCompletion(lab, [tx], 5, 'the flow completing');
        await lab.advance(0.1); // the close handshake
      });
      const reqs = frames.filter(isRequest).filter((u) => u.direction === 'tx');
      const acks = frames.filter(isAck).filter((u) => u.direction === 'rx');
      expect(reqs.length, 'requests captured').toBeGreaterThan(10);
      expect(acks.length, 'ACKs captured').toBeGreaterThan(0);

      for (const u of frames) {
        const ip = u.frame.ip;
        if (ip?.version !== 4) throw new Error('UET frame without IPv4');
        if (isRequest(u)) {
          expect(ip.dscp, 'request DSCP').toBe(0);
          expect([IP_ECN.ECT0, IP_ECN.ECT1, IP_ECN.CE], 'request ECN codepoint').toContain(ip.ecn);
        } else {
          expect(ip.dscp, `${u.uet.pds.kind} DSCP`).toBe(DSCP_EF);
          expect(ip.ecn, `${u.uet.pds.kind} ECN codepoint`).toBe(IP_ECN.NOT_ECT);
        }
      }

      const first = reqs[0].uet.pds;
      const spdcid = first.spdcid;
      expect(spdcid, 'initiator PDC id').toBeGreaterThan(0);
      const start = first.startPsn;
      if (start === undefined) throw new Error(`the first request (PSN ${first.psn}) carries no SYN, so no start PSN`);
      const ses0 = reqs[0].uet.ses;
      if (ses0?.kind !== 'standard') throw new Error(`the first request carries a ${ses0?.kind ?? 'missing'} SES header, not a standard one`);
      const fullPayload = reqs[0].uet.payload.length;
      const seen = new Set<number>();
      let lastPsn = start;
      for (const u of reqs) {
        const r = u.uet.pds;
        expect(r.type, `PSN ${r.psn}: PDS type`).toBe(UET_PDS_TYPE.RUD_REQ);
        expect(u.wireLen - ETH_IP_UDP - u.uet.payload.length, `PSN ${r.psn}: PDS + SES header bytes`).toBe(12 + 44);
        expect(r.spdcid, `PSN ${r.psn}: SPDCID`).toBe(spdcid);
        const off = uetPsnDistance(start, r.psn);
        expect(off, `PSN ${r.psn}: offset from the start PSN ${start}`).toBeGreaterThanOrEqual(0);
        if (r.syn) expect(r.syn.psnOffset, `PSN ${r.psn}: SYN PSN offset`).toBe(off);
        const ses = u.uet.ses;
        if (ses?.kind !== 'standard') throw new Error(`PSN ${r.psn}: SES header ${ses?.kind ?? 'missing'}, not standard`);
        expect([UET_SES_OPCODE.WRITE, UET_SES_OPCODE.SEND], `PSN ${r.psn}: SES opcode`).toContain(ses.opcode);
        expect(ses.jobId, `PSN ${r.psn}: job id`).toBe(ses0.jobId);
        expect(ses.messageId, `PSN ${r.psn}: message id`).toBe(ses0.messageId);
        expect(ses.requestLength, `PSN ${r.psn}: request length`).toBe(bytes);
        expect(ses.bufferOffset, `PSN ${r.psn}: buffer offset`).toBe(BigInt(off * fullPayload));
        expect(ses.startOfMessage, `PSN ${r.psn}: SOM`).toBe(off === 0);
        expect(ses.endOfMessage, `PSN ${r.psn}: EOM`).toBe((off + 1) * fullPayload >= bytes);
        seen.add(off);
        if (uetPsnDistance(lastPsn, r.psn) > 0) lastPsn = r.psn;
      }
      const npkts = Math.ceil(bytes / fullPayload);
      expect(seen.size, 'distinct PSNs sent').toBe(npkts);
      expect(uetPsnDistance(start, lastPsn), 'PSNs contiguous from the start PSN').toBe(npkts - 1);

      let cack = (start - 1) >>> 0;
      for (const u of acks) {
        const a = u.uet.pds;
        expect(a.type, 'ACK type').toBe(UET_PDS_TYPE.ACK_CC);
        expect(a.bufferLen(), 'ACK_CC header bytes').toBe(32);
        expect(a.cc?.ccType, 'ACK_CC congestion control type').toBe(UET_CC_TYPE.NSCC);
        expect(a.dpdcid, 'ACK DPDCID = the initiator PDC id').toBe(spdcid);
        expect(uetPsnDistance(cack, a.cackPsn), 'cumulative ACK PSN never goes back').toBeGreaterThanOrEqual(0);
        cack = a.cackPsn;
      }
      const targetId = acks[0].uet.pds.spdcid;
      expect(targetId, 'target PDC id').toBeGreaterThan(0);
      for (const u of reqs) if (!u.uet.pds.syn) expect(u.uet.pds.dpdcid, `PSN ${u.uet.pds.psn}: DPDCID = the target PDC id`).toBe(targetId);

      const close = frames.filter(isCtrl).find((u) => u.direction === 'tx' && u.uet.pds.ctrlType === UET_CTRL_TYPE.CLOSE);
      if (close === undefined) throw new Error('no close command after the last PSN was acknowledged');
      expect(close.uet.pds.psn, 'close command PSN').toBe((lastPsn + 1) >>> 0);
      expect(close.uet.pds.ackRequest, 'close command asks for an ACK').toBe(true);
      expect(close.uet.pds.bufferLen(), 'CTRL header bytes').toBe(16);
      lab.metric({
        name: 'UET header bytes on the wire',
        unit: 'B',
        table: {
          columns: ['packet', 'PDS', 'SES', 'frame overhead'],
          rows: [
            ['RUD request', reqs[0].uet.pds.bufferLen(), 44, ETH_IP_UDP + 12 + 44],
            ['ACK_CC', acks[0].uet.pds.bufferLen(), 0, ETH_IP_UDP + 32],
            ['CTRL close', close.uet.pds.bufferLen(), 0, ETH_IP_UDP + 16],
          ],
        },
      });
    },
  );

  test('SYN until the PDC is established, RETX exactly on retransmissions, AR on the last packet', req('UE1.0-PDS-FLAGS'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2 });
    const src = nicsOn(f, f.leaves[0])[1] ?? nicsOn(f, f.leaves[0])[0];
    const dst = nicsOn(f, f.leaves[1])[1] ?? nicsOn(f, f.leaves[1])[0];
    const tx = lab.requireDevice(src.nic, ['traffic', 'capture', 'faults']);
    lab.requireDevice(dst.nic, ['traffic']);
    const fault = await tx.faults.inject({ kind: 'loss', port: src.nicPort, rate: 0.03 });
    const bytes = 2_000_000;
    await tx.traffic.setFlows([{ name: 'flags', txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 16 }]);
    let frames;
    try {
      frames = await captureUet(tx, src.nicPort, async () => {
        await runToCompletion(lab, [tx], 20, 'the flow completing under 3% loss');
      });
    } finally {
      await tx.faults.clear(fault);
    }
    const reqs = frames.filter(isRequest).filter((u) => u.direction === 'tx');
    const answers = frames.filter((u) => u.direction === 'rx' && (u.uet.pds.kind === 'ack' || u.uet.pds.kind === 'nack'));
    expect(answers.length, 'ACKs or NACKs received').toBeGreaterThan(0);
    const firstAnswerPs = answers[0].timePs;
    const start = reqs[0].uet.pds.startPsn;
    expect(start, 'the first packet of the PDC carries SYN').toBeDefined();
    const frameTimePs = (FRAME_BYTES * 8 * 1e12) / 100e9;
    let lastPsn = start!;
    const sent = new Set<number>();
    let retx = 0;
    for (const u of reqs) {
      const r = u.uet.pds;
      if (r.syn) {
        expect(u.timePs, `PSN ${r.psn} carries SYN although the PDC answered at ${firstAnswerPs} ps`).toBeLessThan(firstAnswerPs + 2 * frameTimePs);
        expect(r.syn.psnOffset, `PSN ${r.psn}: SYN PSN offset`).toBe(uetPsnDistance(start!, r.psn));
      }
      expect(r.retx, `PSN ${r.psn} ${sent.has(r.psn) ? 'resent without' : 'sent first with'} RETX`).toBe(sent.has(r.psn));
      if (sent.has(r.psn)) retx++;
      sent.add(r.psn);
      if (uetPsnDistance(lastPsn, r.psn) > 0) lastPsn = r.psn;
    }
    expect(retx, 'retransmissions seen (the loss must cause some)').toBeGreaterThan(0);
    expect(reqs.some((u) => !u.uet.pds.syn), 'packets without SYN once established').toBe(true);
    const last = reqs.filter((u) => u.uet.pds.psn === lastPsn);
    expect(last.length, 'the last PSN was sent').toBeGreaterThan(0);
    expect(last.every((u) => u.uet.pds.ackRequest), 'AR on the last packet of the message').toBe(true);
    lab.metric({ name: 'retransmissions seen at the sender (3% loss)', unit: 'packets', value: retx });
  });
});
