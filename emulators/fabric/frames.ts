// A minimal frame encoder for captures: a simulated packet as Ethernet + IPv4 + UDP bytes.
//
// Kept deliberately small so the proper codecs of protocols/ can replace it: `encodeFrame` is the
// only entry point. Addresses: MAC 02:fa:<node 16 bits>:<port 16 bits> (locally administered);
// IPv4 10.<address 24 bits> for endpoint address a (10.0.0.0 + a + 1). UDP destination port 4793
// for UET, 4791 for RoCEv2, 9 (discard) for raw traffic; the source port carries the entropy.
// PFC frames are MAC control frames (EtherType 0x8808, opcode 0x0101). Byte order is big-endian.

import { PacketFlag, PacketType, type Packet } from '../sim/packet.ts';

export const ETH_HEADER_LEN = 14;
export const IPV4_HEADER_LEN = 20;
export const UDP_HEADER_LEN = 8;
export const UDP_PORT_UET = 4793;
export const UDP_PORT_ROCEV2 = 4791;
export const UDP_PORT_DISCARD = 9;
/** Shortest Ethernet frame without FCS. */
export const MIN_FRAME_LEN = 60;

export interface FrameContext {
  /** Transmitting node and port (for the source MAC), receiving node and port (destination MAC). */
  txNode: number;
  txPort: number;
  rxNode: number;
  rxPort: number;
  /** UDP destination port by transport of the packet's flow. */
  udpDstPort?: number;
  /** Cap on the bytes kept per frame (the rest is not materialised). */
  snapLen?: number;
}

export function macOf(node: number, port: number): Uint8Array {
  return Uint8Array.of(0x02, 0xfa, (node >>> 8) & 0xff, node & 0xff, (port >>> 8) & 0xff, port & 0xff);
}

export function ipv4Of(address: number): number {
  return (0x0a000000 + ((address + 1) & 0xffffff)) >>> 0;
}

function ipChecksum(b: Uint8Array, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[off + i] << 8) | b[off + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Encodes the packet as the bytes on the wire (without preamble and FCS). */
export function encodeFrame(p: Packet, ctx: FrameContext): Uint8Array {
  const wireLen = Math.max(MIN_FRAME_LEN, p.size);
  const len = Math.min(wireLen, ctx.snapLen ?? wireLen);
  const full = new Uint8Array(Math.max(len, MIN_FRAME_LEN));
  const dv = new DataView(full.buffer);
  if (p.type === PacketType.Pfc) {
    full.set([0x01, 0x80, 0xc2, 0x00, 0x00, 0x01], 0);
    full.set(macOf(ctx.txNode, ctx.txPort), 6);
    dv.setUint16(12, 0x8808);
    dv.setUint16(14, 0x0101); // PFC opcode
    dv.setUint16(16, 0x00ff); // priority-enable vector: all classes
    const quanta = (p.flags & PacketFlag.PfcResume) !== 0 ? 0 : 0xffff;
    for (let i = 0; i < 8; i++) dv.setUint16(18 + 2 * i, quanta);
    return full.subarray(0, len);
  }
  full.set(macOf(ctx.rxNode, ctx.rxPort), 0);
  full.set(macOf(ctx.txNode, ctx.txPort), 6);
  dv.setUint16(12, 0x0800);
  const ip = ETH_HEADER_LEN;
  const ipLen = wireLen - ETH_HEADER_LEN;
  full[ip] = 0x45;
  const ecn = (p.flags & PacketFlag.EcnCe) !== 0 ? 3 : p.type === PacketType.Data ? 2 : 0;
  const dscp = p.type === PacketType.Data || p.type === PacketType.Raw ? 0 : 46;
  full[ip + 1] = (dscp << 2) | ecn;
  dv.setUint16(ip + 2, ipLen);
  dv.setUint16(ip + 4, p.seq & 0xffff);
  dv.setUint16(ip + 6, 0x4000);
  full[ip + 8] = 64;
  full[ip + 9] = 17;
  dv.setUint32(ip + 12, ipv4Of(p.src));
  dv.setUint32(ip + 16, ipv4Of(p.dst));
  dv.setUint16(ip + 10, ipChecksum(full, ip, IPV4_HEADER_LEN));
  const udp = ip + IPV4_HEADER_LEN;
  dv.setUint16(udp, 0xc000 | (p.entropy & 0x3fff));
  dv.setUint16(udp + 2, ctx.udpDstPort ?? UDP_PORT_DISCARD);
  dv.setUint16(udp + 4, ipLen - IPV4_HEADER_LEN);
  dv.setUint16(udp + 6, 0);
  // A small simulator trailer at the start of the payload: type, flags, flow id, sequence.
  const pay = udp + UDP_HEADER_LEN;
  if (pay + 12 <= full.length) {
    full[pay] = p.type;
    full[pay + 1] = p.flags & 0xff;
    dv.setUint16(pay + 2, 0);
    dv.setUint32(pay + 4, p.flowId >>> 0);
    dv.setUint32(pay + 8, p.seq >>> 0);
  }
  return full.subarray(0, len);
}
