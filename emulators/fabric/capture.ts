// Captures: a simulated packet as the Ethernet frame a port sends or receives, in the project's
// real encodings (protocols/), and the per-port tap that records them.
//
// Guarantees: nothing is encoded unless a capture runs on the port (queues and links call a tap
// only when one is set, and only a running capture sets one); a frame is encoded when the port
// sends it (end of serialisation) or receives it (end of propagation), so ECN marks made on the
// way show in the IP header. Frames:
// - Ethernet II, untagged; MAC 02:fa:<node 16 bits>:<port 16 bits> of the transmitting and the
//   receiving port of the cable (every switch routes, so addresses change at each hop);
// - IPv4 10.0.0.0 + endpoint address + 1, TTL 64, DF, identification = low 16 bits of the PSN;
//   DSCP 0 for data and 46 (EF) for control packets (UET_DSCP_*_DEFAULT); ECN: ECT(0) for data,
//   CE once marked, Not-ECT for control;
// - UDP from 0xc000 | 14 bits of entropy (the entropy a switch hashes) to 4793 (UET,
//   UET_UDP_PORT_DEFAULT), 4791 (RoCEv2) or 9 (discard, traffic-generator frames); checksum filled,
//   except for RoCEv2, which sends zero (its ICRC covers the packet);
// - UET data: RUD_REQ (PSN = packet sequence, both PDC ids = flow id), SYN while the sender's PDC
//   is not yet established (PDC start PSN 0; PSNs past the 12-bit SYN offset go without), RETX
//   on retransmissions, AR when the sender asks for
//   an ACK; ACKs: ACK_CC (NSCC) with CACK PSN = next expected - 1, the acknowledged PSN as offset,
//   M when the data was ECN-marked, and the SACK bitmap; NACKs: code 0x01 (trimmed) for a trimmed
//   packet, 0x0d (ROD out of order) from a go-back-N receiver;
// - RoCE: BTH (RC SEND first/middle/last/only, QP 0x100 + 2 x flow id + 1 at the receiver and
//   + 0 at the sender, ack-request bit), RC ACKNOWLEDGE with an AETH ACK or NAK (PSN sequence
//   error), CNP; ICRC filled;
// - PFC (MAC control to 01:80:c2:00:00:01): class 0, where the untagged DSCP-0 data travels,
//   paused for 65535 quanta or resumed (0 quanta).
// Data frames have the packet's size on the wire; control frames the size of their encoding. A
// trimmed data packet is captured as its headers only (through the PDS header or BTH), with the
// length of the frame it was cut from as `originalLength` (the pcapng original length).

import { ETHERNET_HEADER_LEN } from '../../protocols/ethernet/ethernet.ts';
import { PFC_DST_MAC } from '../../protocols/ethernet/pfc.ts';
import { buildFrame, type FrameSpec } from '../../protocols/frame.ts';
import { IP_ECN, type IpEcn } from '../../protocols/ip.ts';
import { IPV4_HEADER_LEN } from '../../protocols/ipv4/ipv4.ts';
import {
  ROCE_AETH_CREDITS_INVALID,
  ROCE_AETH_LEN,
  ROCE_AETH_TYPE,
  ROCE_NAK_CODE,
  RoceAethHeader,
  RoceAethView,
  roceAethSyndrome,
} from '../../protocols/roce/aeth.ts';
import { ROCE_BTH_LEN, ROCE_OPCODE, ROCE_UDP_PORT, RoceBthHeader, RoceBthView } from '../../protocols/roce/bth.ts';
import { ROCE_ICRC_LEN, roceIcrcFill } from '../../protocols/roce/icrc.ts';
import { UET_CC_TYPE, UetAckHeader } from '../../protocols/uet/ack.ts';
import { UET_DSCP_ACK_DEFAULT, UET_DSCP_DATA_DEFAULT, UET_UDP_PORT_DEFAULT } from '../../protocols/uet/encap.ts';
import { UET_NACK_CODE, UetNackHeader } from '../../protocols/uet/nack.ts';
import { buildUetPacket, type UetPdsHeader } from '../../protocols/uet/packet.ts';
import { UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { UetRequestHeader } from '../../protocols/uet/request.ts';
import { UDP_HEADER_LEN } from '../../protocols/udp/udp.ts';
import type { TwinFrame } from '../twin.ts';
import { HEADER_BYTES, PacketFlag, PacketType, type FrameTap, type Packet } from '../sim/packet.ts';

/** A captured frame; `originalLength` is set when `bytes` is shorter than the frame on the wire. */
export interface CaptureFrame extends TwinFrame {
  originalLength?: number;
}

/** Which encoding a flow's packets get. */
export type FrameTransport = 'uet' | 'roce' | 'raw';

/** The two ends of the cable a frame crosses. */
export interface FrameEnds {
  txNode: number;
  txPort: number;
  rxNode: number;
  rxPort: number;
}

/** UDP destination port of traffic-generator frames (discard). */
export const UDP_PORT_DISCARD = 9;

const ETH_IP_UDP_LEN = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN;
/** The PFC class of data frames (untagged, DSCP 0). */
const DATA_PFC_CLASS = 0;
const PFC_QUANTA_MAX = 0xffff;

export function macOf(node: number, port: number): string {
  const h = (v: number) => (v & 0xff).toString(16).padStart(2, '0');
  return `02:fa:${h(node >>> 8)}:${h(node)}:${h(port >>> 8)}:${h(port)}`;
}

/** IPv4 address of an endpoint address: 10.0.0.0 + address + 1. */
export function ipv4Of(address: number): string {
  const a = (address + 1) & 0xffffff;
  return `10.${a >>> 16}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** UDP source port carrying a packet's entropy. */
export function udpSrcPortOf(entropy: number): number {
  return 0xc000 | (entropy & 0x3fff);
}

/** RoCE queue pair of a flow's end. */
export function roceQpOf(flowId: number, receiver: boolean): number {
  return (0x100 + 2 * flowId + (receiver ? 1 : 0)) & 0xffffff;
}

export interface EncodedFrame {
  bytes: Uint8Array;
  /** The frame's length on the wire when `bytes` holds only its headers (trimmed packets). */
  originalLength?: number;
}

/**
 * Encodes a packet as the frame that crosses the cable `ends`. `uetHeaders`, when given, are the
 * UET bytes after UDP (PDS and SES headers) a flow wrote itself (passed by a family's frame
 * encoder); zero payload fills the frame to its size on the wire after them.
 */
export function encodePacket(p: Packet, ends: FrameEnds, transport: FrameTransport, uetHeaders?: Uint8Array | null): EncodedFrame {
  const eth = { dst: macOf(ends.rxNode, ends.rxPort), src: macOf(ends.txNode, ends.txPort) };
  if (p.type === PacketType.Pfc) {
    const quanta = [0, 0, 0, 0, 0, 0, 0, 0];
    quanta[DATA_PFC_CLASS] = (p.flags & PacketFlag.PfcResume) !== 0 ? 0 : PFC_QUANTA_MAX;
    return { bytes: buildFrame({ eth: { dst: PFC_DST_MAC, src: eth.src }, pfc: { classEnable: 1 << DATA_PFC_CLASS, pauseQuanta: quanta } }) };
  }
  const data = p.type === PacketType.Data || p.type === PacketType.Raw;
  const trimmed = p.type === PacketType.Data && (p.flags & PacketFlag.Trimmed) !== 0;
  // A trimmed packet still carries its payload count: the frame it was cut from.
  const wireLen = trimmed ? p.payload + HEADER_BYTES : p.size;
  // Traffic-generator frames are raw whatever the flow table says.
  const kind = p.type === PacketType.Raw ? 'raw' : transport;
  let dstPort: number;
  let body: Uint8Array;
  let headerLen: number;
  if (kind === 'uet' && uetHeaders) {
    headerLen = ETH_IP_UDP_LEN + uetHeaders.length;
    dstPort = UET_UDP_PORT_DEFAULT;
    body = new Uint8Array(uetHeaders.length + (data ? Math.max(0, wireLen - headerLen) : 0));
    body.set(uetHeaders);
  } else if (kind === 'uet') {
    const pds = uetPds(p);
    headerLen = ETH_IP_UDP_LEN + pds.bufferLen();
    dstPort = UET_UDP_PORT_DEFAULT;
    body = buildUetPacket({ pds, payload: new Uint8Array(data ? Math.max(0, wireLen - headerLen) : 0) });
  } else if (kind === 'roce') {
    ({ body, headerLen } = roceBody(p, wireLen));
    dstPort = ROCE_UDP_PORT;
  } else {
    headerLen = ETH_IP_UDP_LEN;
    dstPort = UDP_PORT_DISCARD;
    body = new Uint8Array(Math.max(0, wireLen - ETH_IP_UDP_LEN));
  }
  const ecn: IpEcn = (p.flags & PacketFlag.EcnCe) !== 0 ? IP_ECN.CE : data ? IP_ECN.ECT0 : IP_ECN.NOT_ECT;
  const spec: FrameSpec = {
    eth,
    ip: {
      version: 4,
      src: ipv4Of(p.src),
      dst: ipv4Of(p.dst),
      ttl: 64,
      dscp: data ? UET_DSCP_DATA_DEFAULT : UET_DSCP_ACK_DEFAULT,
      ecn,
      ident: p.seq & 0xffff,
      dontFrag: true,
    },
    udp: { srcPort: udpSrcPortOf(p.entropy), dstPort },
    payload: body,
  };
  // The ICRC covers the IP and UDP headers: filled once they are final.
  const roce = dstPort === ROCE_UDP_PORT;
  const frame = buildFrame(roce ? { ...spec, udpChecksum: 'zero' } : spec);
  if (roce) roceIcrcFill(frame.subarray(ETHERNET_HEADER_LEN, ETH_IP_UDP_LEN + body.length));
  return trimmed ? { bytes: frame.slice(0, headerLen), originalLength: frame.length } : { bytes: frame };
}

function uetPds(p: Packet): UetPdsHeader {
  const pdc = p.flowId & 0xffff;
  const f = p.flags;
  switch (p.type) {
    case PacketType.Ack: {
      const cack = (p.ackSeq - 1) >>> 0;
      const sack = (p.sackLo | p.sackHi) !== 0;
      return new UetAckHeader({
        type: UET_PDS_TYPE.ACK_CC,
        ecnMarked: (f & PacketFlag.EcnEcho) !== 0,
        retx: (f & PacketFlag.Retx) !== 0,
        ackPsnOffset: int16OrZero(p.seq - p.ackSeq + 1),
        cackPsn: cack,
        spdcid: pdc,
        dpdcid: pdc,
        cc: {
          ccType: UET_CC_TYPE.NSCC,
          ccFlags: 0,
          mpr: 0,
          sackPsnOffset: sack ? int16OrZero(p.sackBase - p.ackSeq + 1) : 0,
          sackBitmap: sack ? (BigInt(p.sackHi >>> 0) << 32n) | BigInt(p.sackLo >>> 0) : 0n,
          ccState: 0n,
        },
      });
    }
    case PacketType.Nack:
      return new UetNackHeader({
        type: UET_PDS_TYPE.NACK,
        retx: (f & PacketFlag.Retx) !== 0,
        nackCode: (f & PacketFlag.Trimmed) !== 0 ? UET_NACK_CODE.TRIMMED : UET_NACK_CODE.ROD_OOO,
        nackPsn: p.seq >>> 0,
        spdcid: pdc,
        dpdcid: pdc,
      });
    default: {
      const syn = (f & PacketFlag.Syn) !== 0 && p.seq <= 0xfff;
      return new UetRequestHeader({
        type: UET_PDS_TYPE.RUD_REQ,
        retx: (f & PacketFlag.Retx) !== 0,
        ackRequest: (f & PacketFlag.AckRequest) !== 0,
        psn: p.seq >>> 0,
        spdcid: pdc,
        ...(syn ? { syn: { pdcInfo: 0, psnOffset: p.seq } } : { dpdcid: pdc }),
      });
    }
  }
}

function int16OrZero(v: number): number {
  return v >= -0x8000 && v <= 0x7fff ? v : 0;
}

function roceBody(p: Packet, wireLen: number): { body: Uint8Array; headerLen: number } {
  const f = p.flags;
  let bth: RoceBthHeader;
  let aeth: RoceAethHeader | undefined;
  let extra = 0;
  switch (p.type) {
    case PacketType.Ack:
    case PacketType.Nack: {
      const nak = p.type === PacketType.Nack;
      bth = new RoceBthHeader({
        opcode: ROCE_OPCODE.RC_ACKNOWLEDGE,
        destQp: roceQpOf(p.flowId, false),
        psn: (nak ? p.seq : p.ackSeq - 1) & 0xffffff,
      });
      aeth = new RoceAethHeader({
        syndrome: nak
          ? roceAethSyndrome(ROCE_AETH_TYPE.NAK, ROCE_NAK_CODE.PSN_SEQUENCE_ERROR)
          : roceAethSyndrome(ROCE_AETH_TYPE.ACK, ROCE_AETH_CREDITS_INVALID),
        msn: 0,
      });
      extra = ROCE_AETH_LEN;
      break;
    }
    case PacketType.Cnp:
      // RoCEv2 CNP: BECN set, PSN 0, 16 reserved bytes (as the ConnectX capture in protocols/roce).
      bth = new RoceBthHeader({ opcode: ROCE_OPCODE.CNP, becn: true, destQp: roceQpOf(p.flowId, false), psn: 0 });
      extra = 16;
      break;
    default: {
      const first = p.seq === 0;
      const last = (f & PacketFlag.Last) !== 0;
      const opcode = first
        ? last
          ? ROCE_OPCODE.RC_SEND_ONLY
          : ROCE_OPCODE.RC_SEND_FIRST
        : last
          ? ROCE_OPCODE.RC_SEND_LAST
          : ROCE_OPCODE.RC_SEND_MIDDLE;
      extra = Math.max(0, wireLen - ETH_IP_UDP_LEN - ROCE_BTH_LEN - ROCE_ICRC_LEN);
      bth = new RoceBthHeader({
        opcode,
        padCount: (4 - (extra % 4)) % 4,
        destQp: roceQpOf(p.flowId, true),
        ackRequest: (f & PacketFlag.AckRequest) !== 0,
        psn: p.seq & 0xffffff,
      });
    }
  }
  const body = new Uint8Array(ROCE_BTH_LEN + extra + ROCE_ICRC_LEN);
  bth.emit(RoceBthView.unchecked(body));
  if (aeth !== undefined) aeth.emit(RoceAethView.unchecked(body.subarray(ROCE_BTH_LEN)));
  return { body, headerLen: ETH_IP_UDP_LEN + ROCE_BTH_LEN };
}

/** Where the tap asks how to encode a packet's flow. */
export interface CaptureContext {
  nowPs(): number;
  transportOf(p: Packet): FrameTransport;
  /**
   * Optional encoder tried first (a protocol family's encapsulation, e.g. GSE); null means the
   * packet is encoded by `encodePacket`.
   */
  encode?(p: Packet, ends: FrameEnds, transport: FrameTransport): EncodedFrame | null;
}

/**
 * Records the frames one port sends and receives (it is the tx tap of the port's egress queue and
 * the rx tap of the link arriving at the port), at most `limit` of them; later ones are counted.
 */
export class CaptureTap implements FrameTap {
  readonly frames: CaptureFrame[] = [];
  missed = 0;
  private readonly txEnds: FrameEnds;
  private readonly rxEnds: FrameEnds;

  constructor(
    private readonly ctx: CaptureContext,
    node: number,
    port: number,
    peerNode: number,
    peerPort: number,
    private readonly limit: number,
  ) {
    this.txEnds = { txNode: node, txPort: port, rxNode: peerNode, rxPort: peerPort };
    this.rxEnds = { txNode: peerNode, txPort: peerPort, rxNode: node, rxPort: port };
  }

  onFrame(p: Packet, direction: 'rx' | 'tx'): void {
    if (this.frames.length >= this.limit) {
      this.missed++;
      return;
    }
    const ends = direction === 'tx' ? this.txEnds : this.rxEnds;
    const transport = this.ctx.transportOf(p);
    const f = this.ctx.encode?.(p, ends, transport) ?? encodePacket(p, ends, transport);
    const frame: CaptureFrame = { timePs: this.ctx.nowPs(), direction, bytes: f.bytes };
    if (f.originalLength !== undefined) frame.originalLength = f.originalLength;
    this.frames.push(frame);
  }
}
