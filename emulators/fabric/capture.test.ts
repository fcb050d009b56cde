// Checks the capture encodings packet kind by packet kind with our own codecs (no tshark needed),
// that idle ports carry no tap, and the pcapng helper (interfaces, order, original lengths).
import { describe, expect, it } from 'vitest';
import { PFC_DST_MAC } from '../../protocols/ethernet/pfc.ts';
import { parseFrame } from '../../protocols/frame.ts';
import { IP_ECN } from '../../protocols/ip.ts';
import { readPcapng } from '../../protocols/pcapng/reader.ts';
import { ROCE_AETH_TYPE, ROCE_NAK_CODE, RoceAethHeader, RoceAethView } from '../../protocols/roce/aeth.ts';
import { ROCE_OPCODE, ROCE_UDP_PORT, RoceBthHeader, RoceBthView } from '../../protocols/roce/bth.ts';
import { roceIcrcVerify } from '../../protocols/roce/icrc.ts';
import { UET_UDP_PORT_DEFAULT } from '../../protocols/uet/encap.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { parseUetPacket } from '../../protocols/uet/packet.ts';
import { UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { FlowManager } from '../traffic/flows.ts';
import { HEADER_BYTES, PacketFlag, PacketPool, PacketType, type Packet } from '../sim/packet.ts';
import { encodePacket, ipv4Of, macOf, roceQpOf, udpSrcPortOf, UDP_PORT_DISCARD, type FrameEnds } from './capture.ts';
import { Network } from './network.ts';
import { capturesToPcapng, pcapngInterfaceOf } from './pcapng.ts';
import { TopologyBuilder } from './topology.ts';
import { TwinRuntime } from './twin-runtime.ts';

const ENDS: FrameEnds = { txNode: 3, txPort: 1, rxNode: 0x1234, rxPort: 0x0102 };
const pool = new PacketPool();

function packet(init: Partial<Packet>): Packet {
  const p = pool.alloc();
  Object.assign(p, { type: PacketType.Data, src: 4, dst: 9, flowId: 7, entropy: 0x4321, ...init });
  return p;
}

describe('encodePacket', () => {
  it('addresses: MACs of the cable ends, endpoint IPv4, entropy in the UDP source port', () => {
    const { bytes } = encodePacket(packet({ size: 1500, seq: 0x10005 }), ENDS, 'raw');
    const f = parseFrame(bytes);
    expect(f.eth.src).toBe('02:fa:00:03:00:01');
    expect(f.eth.dst).toBe('02:fa:12:34:01:02');
    expect(macOf(0x1234, 0x0102)).toBe(f.eth.dst);
    expect(f.ip?.src).toBe('10.0.0.5');
    expect(ipv4Of(0x1ffff)).toBe('10.2.0.0');
    expect(f.ip?.version === 4 && [f.ip.ttl, f.ip.dontFrag, f.ip.ident, f.ip.dscp, f.ip.ecn]).toEqual([64, true, 5, 0, IP_ECN.ECT0]);
    expect(f.udp?.srcPort).toBe(udpSrcPortOf(0x4321));
    expect(f.udp?.srcPort).toBe(0xc000 | 0x0321);
    expect(f.udp?.dstPort).toBe(UDP_PORT_DISCARD);
    expect(bytes.length).toBe(1500);
  });

  it('UET data: RUD request, SYN until established, RETX and AR flags, CE once marked', () => {
    const syn = encodePacket(packet({ size: 4150, seq: 3, flags: PacketFlag.Syn | PacketFlag.AckRequest }), ENDS, 'uet');
    expect(syn.bytes.length).toBe(4150);
    expect(syn.originalLength).toBeUndefined();
    const f = parseFrame(syn.bytes);
    expect(f.udp?.dstPort).toBe(UET_UDP_PORT_DEFAULT);
    const u = parseUetPacket(f.payload);
    expect(u.pds).toMatchObject({ kind: 'request', type: UET_PDS_TYPE.RUD_REQ, psn: 3, spdcid: 7, syn: { pdcInfo: 0, psnOffset: 3 }, retx: false, ackRequest: true });
    expect(u.payload.length).toBe(4150 - 54);
    const retx = parseFrame(encodePacket(packet({ size: 4150, seq: 3, flags: PacketFlag.Retx | PacketFlag.EcnCe }), ENDS, 'uet').bytes);
    expect(parseUetPacket(retx.payload).pds).toMatchObject({ retx: true, ackRequest: false, dpdcid: 7 });
    expect(retx.ip?.ecn).toBe(IP_ECN.CE);
  });

  it('a trimmed packet: its headers only, the length it was cut from kept', () => {
    const p = packet({ size: HEADER_BYTES, payload: 4150 - HEADER_BYTES, seq: 9, flags: PacketFlag.Trimmed | PacketFlag.Retx });
    const e = encodePacket(p, ENDS, 'uet');
    expect(e.bytes.length).toBe(54);
    expect(e.originalLength).toBe(4150);
    const whole = new Uint8Array(4150);
    whole.set(e.bytes);
    const f = parseFrame(whole, { checksums: 'ignore' });
    expect(f.ip?.version === 4 && f.ip.payloadLen).toBe(4150 - 14 - 20);
    expect(parseUetPacket(f.payload).pds).toMatchObject({ kind: 'request', psn: 9, retx: true });
    const roce = encodePacket(p, ENDS, 'roce');
    expect([roce.bytes.length, roce.originalLength]).toEqual([54, 4150]);
  });

  it('UET ACK: ACK_CC with the cumulative PSN, the acknowledged PSN, ECN echo and the SACK bitmap', () => {
    const ack = packet({ type: PacketType.Ack, size: 64, seq: 40, ackSeq: 30, sackBase: 31, sackLo: 0x80000001, sackHi: 2, flags: PacketFlag.EcnEcho | PacketFlag.Retx });
    const f = parseFrame(encodePacket(ack, ENDS, 'uet').bytes);
    expect(f.ip?.dscp).toBe(46);
    expect(f.ip?.ecn).toBe(IP_ECN.NOT_ECT);
    const u = parseUetPacket(f.payload);
    expect(u.pds).toMatchObject({ kind: 'ack', type: UET_PDS_TYPE.ACK_CC, cackPsn: 29, ackPsnOffset: 11, ecnMarked: true, retx: true });
    expect(u.pds.kind === 'ack' && u.pds.cc).toEqual({ ccType: 0, ccFlags: 0, mpr: 0, sackPsnOffset: 2, sackBitmap: 0x2_8000_0001n, ccState: 0n });
    const first = parseUetPacket(parseFrame(encodePacket(packet({ type: PacketType.Ack, seq: 5, ackSeq: 0 }), ENDS, 'uet').bytes).payload);
    expect(first.pds).toMatchObject({ cackPsn: 0xffffffff, ackPsnOffset: 6 });
  });

  it('UET NACK: code trimmed for a trimmed packet, ROD out-of-order from a go-back-N receiver', () => {
    const trimmed = parseUetPacket(parseFrame(encodePacket(packet({ type: PacketType.Nack, seq: 12, flags: PacketFlag.Trimmed }), ENDS, 'uet').bytes).payload);
    expect(trimmed.pds).toMatchObject({ kind: 'nack', nackCode: UET_NACK_CODE.TRIMMED, nackPsn: 12, spdcid: 7, dpdcid: 7 });
    const gbn = parseUetPacket(parseFrame(encodePacket(packet({ type: PacketType.Nack, seq: 12 }), ENDS, 'uet').bytes).payload);
    expect(gbn.pds).toMatchObject({ nackCode: UET_NACK_CODE.ROD_OOO });
  });

  it('RoCE: SEND first/middle/last/only with pad and ack request, ACK and NAK with an AETH, CNP; ICRC filled', () => {
    const bth = (p: Packet) => {
      const { bytes } = encodePacket(p, ENDS, 'roce');
      const f = parseFrame(bytes, { checksums: 'ignore' });
      expect(f.udp?.dstPort).toBe(ROCE_UDP_PORT);
      if (f.ip?.version !== 4) throw new Error('not IPv4');
      expect(roceIcrcVerify(bytes.subarray(14, 14 + 20 + f.ip.payloadLen))).toBe(true);
      const v = RoceBthView.checked(f.payload);
      return { h: RoceBthHeader.parse(v), v };
    };
    expect(bth(packet({ size: 1100, seq: 0 })).h).toMatchObject({ opcode: ROCE_OPCODE.RC_SEND_FIRST, destQp: roceQpOf(7, true), psn: 0, padCount: 2 });
    expect(bth(packet({ size: 1100, seq: 1 })).h.opcode).toBe(ROCE_OPCODE.RC_SEND_MIDDLE);
    expect(bth(packet({ size: 500, seq: 2, flags: PacketFlag.Last | PacketFlag.AckRequest })).h).toMatchObject({ opcode: ROCE_OPCODE.RC_SEND_LAST, ackRequest: true });
    expect(bth(packet({ size: 500, seq: 0, flags: PacketFlag.Last })).h.opcode).toBe(ROCE_OPCODE.RC_SEND_ONLY);
    const ack = bth(packet({ type: PacketType.Ack, seq: 2, ackSeq: 3 }));
    expect(ack.h).toMatchObject({ opcode: ROCE_OPCODE.RC_ACKNOWLEDGE, destQp: roceQpOf(7, false), psn: 2 });
    expect(RoceAethHeader.parse(RoceAethView.checked(ack.v.payload)).syndromeType).toBe(ROCE_AETH_TYPE.ACK);
    const nak = bth(packet({ type: PacketType.Nack, seq: 5 }));
    expect(nak.h.psn).toBe(5);
    expect(RoceAethHeader.parse(RoceAethView.checked(nak.v.payload))).toMatchObject({ syndrome: (ROCE_AETH_TYPE.NAK << 5) | ROCE_NAK_CODE.PSN_SEQUENCE_ERROR });
    const cnp = bth(packet({ type: PacketType.Cnp }));
    expect(cnp.h).toMatchObject({ opcode: ROCE_OPCODE.CNP, becn: true, psn: 0 });
    expect(cnp.v.payload.length).toBe(16 + 4);
  });

  it('PFC: pause and resume of the data class (class 0)', () => {
    const pause = parseFrame(encodePacket(packet({ type: PacketType.Pfc, size: 64 }), ENDS, 'raw').bytes);
    expect(pause.eth.dst).toBe(PFC_DST_MAC);
    expect(pause.eth.src).toBe(macOf(3, 1));
    expect(pause.pfc).toMatchObject({ classEnable: 1, pauseQuanta: [0xffff, 0, 0, 0, 0, 0, 0, 0] });
    const resume = parseFrame(encodePacket(packet({ type: PacketType.Pfc, flags: PacketFlag.PfcResume }), ENDS, 'raw').bytes);
    expect(resume.pfc).toMatchObject({ classEnable: 1, pauseQuanta: [0, 0, 0, 0, 0, 0, 0, 0] });
  });
});

describe('twin captures', () => {
  it('taps exist only while a capture runs', () => {
    const b = new TopologyBuilder();
    b.addNode('tg', 'endpoint', ['p1', 'p2']);
    b.addNode('sw', 'switch', ['e1', 'e2']);
    b.addLink({ node: 'tg', port: 'p1' }, { node: 'sw', port: 'e1' }, { rateBps: 100e9, delayPs: 10_000 });
    b.addLink({ node: 'sw', port: 'e2' }, { node: 'tg', port: 'p2' }, { rateBps: 100e9, delayPs: 10_000 });
    const net = new Network(b.build());
    const rt = new TwinRuntime(net, [
      { id: 'tg', kind: 'traffic-generator', ports: ['p1', 'p2'] },
      { id: 'sw', kind: 'switch', ports: ['e1', 'e2'] },
    ], new FlowManager(net));
    const taps = () => net.links.map((l) => [l.queue.tap !== null, l.rxTap !== null]);
    expect(taps().flat().some((t) => t)).toBe(false);
    rt.startCapture(1, 1); // sw:e2: its egress queue and the link arriving at it
    expect(taps()).toEqual([[false, false], [false, false], [true, false], [false, true]]);
    const flow = rt.flows.add({ src: 0, dst: 1, bytes: 3 * 1500 });
    rt.flows.startFlow(flow);
    net.events.runUntilIdle();
    const frames = rt.stopCapture(1, 1);
    expect(frames.map((f) => [f.direction, f.bytes.length])).toEqual([['tx', 1500], ['tx', 1500], ['tx', 1500]]);
    expect(taps().flat().some((t) => t)).toBe(false);
  });
});

describe('capturesToPcapng', () => {
  it('one interface per port and direction, frames merged in time order, original lengths kept', () => {
    const b = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    const bytes = capturesToPcapng([
      {
        name: 'sw:e1',
        frames: [
          { timePs: 1_000, direction: 'rx', bytes: b(60, 1) },
          { timePs: 5_500, direction: 'tx', bytes: b(54, 2), originalLength: 4150 },
        ],
      },
      { name: 'sw:e2', frames: [{ timePs: 1_000, direction: 'tx', bytes: b(64, 3) }, { timePs: 2_999, direction: 'rx', bytes: b(70, 4) }] },
    ]);
    const cap = readPcapng(bytes);
    expect(cap.interfaces.map((i) => i.name)).toEqual(['sw:e1/rx', 'sw:e1/tx', 'sw:e2/rx', 'sw:e2/tx']);
    expect(cap.packets.map((p) => [p.interfaceId, Number(p.timeNs), p.data[0], p.data.length, p.originalLen])).toEqual([
      [pcapngInterfaceOf(0, 'rx'), 1, 1, 60, 60],
      [pcapngInterfaceOf(1, 'tx'), 1, 3, 64, 64],
      [pcapngInterfaceOf(1, 'rx'), 2, 4, 70, 70],
      [pcapngInterfaceOf(0, 'tx'), 5, 2, 54, 4150],
    ]);
  });
});
