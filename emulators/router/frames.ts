// Captured frames of the router family, in their real encodings: BFD, SRv6 with its SRH, PCN, proxy CNP, multicast copies.
//
// - BFD: Ethernet / IPv6 link-local, hop limit 255 / UDP 49152+ -> 3784 (RFC 5881) / the control
//   packet the session sent (protocols/bfd);
// - SRv6: Ethernet / IPv6 (headend source, destination = active segment, hop limit) / SRH (RFC
//   8754, when the encapsulation has one) / the inner packet: IPv4 (next header 4) for End.DT4,
//   IPv6 (41) for End.DT6, whose addresses are the endpoints' IPv4 ones mapped into fd00::/96;
// - PCN (draft-xiao-rtgwg-proxy-congestion-notification leaves the format open; this one is the
//   project's): Ethernet / IPv6 (congested router -> proxy) / UDP PCN_UDP_PORT / 32 bytes:
//   version 1, type 1 (congestion), 2 reserved, congested router ordinal (u32), flow source and
//   destination IPv4, flow UDP source and destination port, queue bytes (u32), 8 reserved;
// - proxy CNP: the RoCEv2 CNP a host would get from its receiver (BTH opcode 0x81, BECN, ICRC),
//   but from the proxy's IPv4 address;
// - multicast copies: Ethernet to 01:00:5e + the group's low 23 bits, IPv4 to the group, UDP 9.
// Returns null for packets of other families.

import { BFD_UDP_PORT_SINGLE_HOP, BfdControlView } from '../../protocols/bfd/control.ts';
import { ETHERNET_HEADER_LEN } from '../../protocols/ethernet/ethernet.ts';
import { buildFrame, parseFrame } from '../../protocols/frame.ts';
import { IP_PROTOCOL } from '../../protocols/ip.ts';
import { ROCE_BTH_LEN, ROCE_OPCODE, ROCE_UDP_PORT, RoceBthHeader, RoceBthView } from '../../protocols/roce/bth.ts';
import { ROCE_ICRC_LEN, roceIcrcFill } from '../../protocols/roce/icrc.ts';
import { Srv6SrhHeader } from '../../protocols/srv6/srh.ts';
import { encodePacket, ipv4Of, macOf, roceQpOf, udpSrcPortOf, UDP_PORT_DISCARD, type EncodedFrame, type FrameEnds, type FrameTransport } from '../fabric/capture.ts';
import { PacketFlag, type Packet } from '../sim/packet.ts';
import type { WanTags } from './tags.ts';

/** UDP port of the project's PCN messages (an assumption: the draft names none). */
export const PCN_UDP_PORT = 7410;
/** IANA protocol numbers of IPv4 and IPv6 carried in IPv6 (RFC 2473). */
export const IP_PROTOCOL_IPV4 = 4;
export const IP_PROTOCOL_IPV6 = 41;
export const PCN_MESSAGE_LEN = 32;

/** The IPv6 form of an endpoint in an IPv6 instance: its IPv4 address in fd00::/96. */
export function ipv6OfEndpoint(ipv4: string): string {
  const [a, b, c, d] = ipv4.split('.').map(Number);
  return `fd00::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

export function multicastMac(group: string): string {
  const [, b, c, d] = group.split('.').map(Number);
  const h = (v: number) => v.toString(16).padStart(2, '0');
  return `01:00:5e:${h(b & 0x7f)}:${h(c)}:${h(d)}`;
}

/** The encoder the router family adds to a twin's captures. */
export function wanFrameEncoder(tags: WanTags): (p: Packet, ends: FrameEnds, transport: FrameTransport) => EncodedFrame | null {
  return (p, ends, transport) => {
    const st = tags.get(p);
    if (st === undefined) return null;
    const eth = { dst: macOf(ends.rxNode, ends.rxPort), src: macOf(ends.txNode, ends.txPort) };
    switch (st.kind) {
      case 'bfd': {
        const payload = new Uint8Array(st.header.bufferLen());
        st.header.emit(BfdControlView.unchecked(payload));
        return {
          bytes: buildFrame({
            eth,
            ip: { version: 6, src: st.src, dst: st.dst, hopLimit: 255 },
            udp: { srcPort: st.srcPort, dstPort: BFD_UDP_PORT_SINGLE_HOP },
            payload,
          }),
        };
      }
      case 'srv6': {
        const inner = innerPacket(p, ends, transport, st.innerSize, st.innerAf);
        const upper = st.innerAf === 6 ? IP_PROTOCOL_IPV6 : IP_PROTOCOL_IPV4;
        const ipv6Ext = st.srh ? [new Srv6SrhHeader({ nextHeader: upper, segmentsLeft: st.segmentsLeft, segments: [...st.segments] }).toExt()] : [];
        return {
          bytes: buildFrame({
            eth,
            ip: { version: 6, src: st.src, dst: st.da, hopLimit: st.hopLimit, nextHeader: upper, flowLabel: p.entropy & 0xfffff },
            ipv6Ext,
            payload: inner,
          }),
        };
      }
      case 'pcn': {
        const m = new Uint8Array(PCN_MESSAGE_LEN);
        const dv = new DataView(m.buffer);
        m[0] = 1;
        m[1] = 1;
        dv.setUint32(4, st.fromNode + 1);
        ipv4Bytes(ipv4Of(st.flowSrc), m, 8);
        ipv4Bytes(ipv4Of(st.flowDst), m, 12);
        dv.setUint16(16, udpSrcPortOf(st.flowEntropy));
        dv.setUint16(18, ROCE_UDP_PORT);
        dv.setUint32(20, Math.min(0xffffffff, Math.round(st.queueBytes)));
        return {
          bytes: buildFrame({ eth, ip: { version: 6, src: st.src, dst: st.dst, hopLimit: 64 }, udp: { srcPort: PCN_UDP_PORT, dstPort: PCN_UDP_PORT }, payload: m }),
        };
      }
      case 'proxy-cnp': {
        const body = new Uint8Array(ROCE_BTH_LEN + 16 + ROCE_ICRC_LEN);
        new RoceBthHeader({ opcode: ROCE_OPCODE.CNP, becn: true, destQp: roceQpOf(p.flowId, false), psn: 0 }).emit(RoceBthView.unchecked(body));
        const frame = buildFrame({
          eth,
          ip: { version: 4, src: st.src, dst: ipv4Of(p.dst), ttl: 64, dscp: 48, dontFrag: true },
          udp: { srcPort: udpSrcPortOf(p.entropy), dstPort: ROCE_UDP_PORT },
          payload: body,
          udpChecksum: 'zero',
        });
        roceIcrcFill(frame.subarray(ETHERNET_HEADER_LEN, ETHERNET_HEADER_LEN + 20 + 8 + body.length));
        return { bytes: frame };
      }
      case 'mcast': {
        const payloadLen = Math.max(0, p.size - ETHERNET_HEADER_LEN - 20 - 8);
        return {
          bytes: buildFrame({
            eth: { dst: multicastMac(st.group), src: eth.src },
            ip: { version: 4, src: ipv4Of(p.src), dst: st.group, ttl: 64, ident: p.seq & 0xffff, dontFrag: true },
            udp: { srcPort: udpSrcPortOf(p.entropy), dstPort: UDP_PORT_DISCARD },
            payload: new Uint8Array(payloadLen),
          }),
        };
      }
    }
  };
}

function ipv4Bytes(text: string, into: Uint8Array, at: number): void {
  text.split('.').forEach((x, i) => {
    into[at + i] = Number(x);
  });
}

/** The encapsulated packet as it was before the headend: its IP packet (no Ethernet header). */
function innerPacket(p: Packet, ends: FrameEnds, transport: FrameTransport, innerSize: number, af: 4 | 6): Uint8Array {
  const size = p.size;
  const flags = p.flags;
  p.size = innerSize;
  p.flags = flags & ~PacketFlag.Wan;
  let frame: Uint8Array;
  try {
    frame = encodePacket(p, ends, transport).bytes;
  } finally {
    p.size = size;
    p.flags = flags;
  }
  // the IPv4 total length, not the frame: short frames carry Ethernet padding
  const totalLen = (frame[ETHERNET_HEADER_LEN + 2] << 8) | frame[ETHERNET_HEADER_LEN + 3];
  const v4 = frame.subarray(ETHERNET_HEADER_LEN, Math.min(frame.length, ETHERNET_HEADER_LEN + totalLen));
  if (af === 4) return v4.slice();
  const f = parseFrame(frame, { checksums: 'ignore' });
  if (f.ip === undefined || f.ip.version !== 4 || f.udp === undefined) return v4.slice();
  const v6 = buildFrame({
    eth: { dst: '02:00:00:00:00:00', src: '02:00:00:00:00:00' },
    ip: { version: 6, src: ipv6OfEndpoint(f.ip.src), dst: ipv6OfEndpoint(f.ip.dst), hopLimit: f.ip.ttl, ecn: f.ip.ecn, dscp: f.ip.dscp },
    udp: { srcPort: f.udp.srcPort, dstPort: f.udp.dstPort },
    payload: f.payload,
    pad: false,
  });
  return v6.subarray(ETHERNET_HEADER_LEN);
}
