// Whole frames: build Ethernet [802.1Q] / IPv4|IPv6 [extension headers] / UDP / payload (or a PFC frame) into bytes, and parse them back.
import { ETHERNET_MIN_FRAME_LEN, EthernetHeader, EthernetView, type EthernetVlanTag } from './ethernet/ethernet.ts';
import { ETHERTYPE } from './ethernet/ethertype.ts';
import { PFC_HEADER_LEN, PFC_OPCODE, PfcHeader, PfcView, type PfcInit } from './ethernet/pfc.ts';
import { IP_PROTOCOL } from './ip.ts';
import { ipv4ParseAddress } from './ipv4/address.ts';
import { Ipv4Header, Ipv4View, type Ipv4Init } from './ipv4/ipv4.ts';
import { ipv6ParseAddress } from './ipv6/address.ts';
import { IPV6_EXT_MIN_LEN, Ipv6ExtView, ipv6IsExtensionHeader, ipv6WalkHeaders, type Ipv6ExtHeader } from './ipv6/ext.ts';
import { Ipv6Header, Ipv6View, type Ipv6Init } from './ipv6/ipv6.ts';
import { UdpHeader, UdpView, type UdpPseudoHeader } from './udp/udp.ts';
import { WireError } from './wire.ts';

export type FrameIpv4 = { version: 4 } & Omit<Ipv4Init, 'protocol' | 'payloadLen'> & { protocol?: number };
export type FrameIpv6 = { version: 6 } & Omit<Ipv6Init, 'nextHeader' | 'payloadLen'> & { nextHeader?: number };

/** An IPv6 extension header to emit, whole (its length byte set); the builder writes its Next Header. */
export interface FrameIpv6Ext {
  type: number;
  bytes: Uint8Array;
}

export interface FrameSpec {
  /** The EtherType follows from `ip` or `pfc` unless given. */
  eth: { dst: string; src: string; vlan?: EthernetVlanTag; ethertype?: number };
  /** Lengths are computed; the protocol is UDP when `udp` is given. */
  ip?: FrameIpv4 | FrameIpv6;
  udp?: { srcPort: number; dstPort: number };
  /**
   * IPv6 extension headers after the fixed header, in order (e.g. Srv6SrhHeader.toExt()). The
   * builder chains the Next Header fields, so `ip.nextHeader` (or UDP) names the upper layer. With
   * a Segment Routing Header the UDP checksum covers the final destination (RFC 8200 §8.1).
   */
  ipv6Ext?: FrameIpv6Ext[];
  /** A PFC MAC-control frame instead of IP (send it to PFC_DST_MAC). */
  pfc?: PfcInit;
  payload?: Uint8Array;
  /** Zero-pad to 60 bytes, the 64-byte minimum less FCS. Default true. */
  pad?: boolean;
  /** 'fill' (default) or 'zero' (no checksum; IPv4 only). */
  udpChecksum?: 'fill' | 'zero';
}

const bad = (field: string, detail: string) => new WireError('malformed', 'frame', field, detail);

/** Encodes a frame (no FCS) in one allocation; throws WireError on inconsistent or out-of-range values. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  if (spec.pfc && (spec.ip || spec.udp)) throw bad('pfc', 'a PFC frame carries no IP or UDP');
  if (spec.udp && !spec.ip) throw bad('udp', 'UDP needs an IP header');
  const ethertype =
    spec.eth.ethertype ??
    (spec.pfc ? ETHERTYPE.MAC_CONTROL : spec.ip?.version === 4 ? ETHERTYPE.IPV4 : spec.ip ? ETHERTYPE.IPV6 : undefined);
  if (ethertype === undefined) throw bad('eth.ethertype', 'needed when there is neither ip nor pfc');
  const eth = new EthernetHeader({ ...spec.eth, ethertype });
  const udp = spec.udp && new UdpHeader({ ...spec.udp, payloadLen: payload.length });
  const upperLen = (udp ? udp.bufferLen() : 0) + payload.length;
  const exts = spec.ipv6Ext ?? [];
  if (exts.length && spec.ip?.version !== 6) throw bad('ipv6Ext', 'extension headers need IPv6');
  exts.forEach((e, i) => {
    const ok = ipv6IsExtensionHeader(e.type) && e.bytes.length >= IPV6_EXT_MIN_LEN;
    if (!ok || new Ipv6ExtView(e.bytes, e.type).headerLen !== e.bytes.length) {
      throw bad(`ipv6Ext[${i}]`, `type ${e.type}, ${e.bytes.length} bytes: not a whole extension header`);
    }
  });
  const extLen = exts.reduce((n, e) => n + e.bytes.length, 0);
  let ip: Ipv4Header | Ipv6Header | undefined;
  let upper: number = IP_PROTOCOL.UDP;
  if (spec.ip) {
    const protocol = spec.ip.version === 4 ? spec.ip.protocol : spec.ip.nextHeader;
    if (udp && protocol !== undefined && protocol !== IP_PROTOCOL.UDP) throw bad('ip.protocol', 'not UDP but udp given');
    if (!udp && protocol === undefined) throw bad('ip.protocol', 'needed without udp');
    upper = protocol ?? IP_PROTOCOL.UDP;
    ip =
      spec.ip.version === 4
        ? new Ipv4Header({ ...spec.ip, protocol: upper, payloadLen: upperLen })
        : new Ipv6Header({ ...spec.ip, nextHeader: exts[0]?.type ?? upper, payloadLen: extLen + upperLen });
  }
  const pfc = spec.pfc && new PfcHeader(spec.pfc);
  const ethLen = eth.bufferLen();
  const ipLen = ip ? ip.bufferLen() : 0;
  const bodyLen = pfc ? pfc.bufferLen() + payload.length : ipLen + extLen + upperLen;
  const len = ethLen + bodyLen;
  const out = new Uint8Array(spec.pad === false ? len : Math.max(len, ETHERNET_MIN_FRAME_LEN));

  const l4 = ethLen + ipLen + extLen;
  out.set(payload, pfc ? ethLen + pfc.bufferLen() : l4 + (udp ? udp.bufferLen() : 0));
  eth.emit(EthernetView.unchecked(out));
  if (pfc) pfc.emit(PfcView.unchecked(out.subarray(ethLen)));
  if (ip) {
    const at = out.subarray(ethLen, l4 + upperLen);
    if (ip.version === 4) ip.emit(Ipv4View.unchecked(at));
    else ip.emit(Ipv6View.unchecked(at));
    let at6 = ethLen + ipLen;
    exts.forEach((x, i) => {
      out.set(x.bytes, at6);
      out[at6] = exts[i + 1]?.type ?? upper;
      at6 += x.bytes.length;
    });
  }
  if (udp && ip) {
    const ph = spec.udpChecksum === 'zero' ? undefined : pseudoHeader(ip, exts);
    if (!ph && ip.version === 6) throw bad('udpChecksum', 'IPv6 requires a UDP checksum');
    udp.emit(UdpView.unchecked(out.subarray(l4, l4 + upperLen)), ph);
  }
  return out;
}

function pseudoHeader(ip: Ipv4Header | Ipv6Header, exts: FrameIpv6Ext[]): UdpPseudoHeader {
  if (ip.version === 4) return { src: ipv4ParseAddress(ip.src), dst: ipv4ParseAddress(ip.dst) };
  const dst = finalDestination(exts);
  if (dst === null) throw bad('ipv6Ext', 'a Routing header other than the SRH with segments left: final destination unknown');
  return { src: ipv6ParseAddress(ip.src), dst: dst ?? ipv6ParseAddress(ip.dst) };
}

export interface ParsedFrame {
  eth: EthernetHeader;
  ip?: Ipv4Header | Ipv6Header;
  /** IPv6 extension headers, in order, in place. */
  ipv6Ext?: Ipv6ExtHeader[];
  udp?: UdpHeader;
  pfc?: PfcHeader;
  /**
   * The innermost bytes not decoded, in place: the UDP payload; else the IP upper-layer bytes
   * (other protocols, fragments); else what follows the PFC header (padding); else the Ethernet
   * payload (other EtherTypes and MAC-control opcodes, padding included).
   */
  payload: Uint8Array;
}

export interface ParseFrameOptions {
  /** 'verify' (default): a bad IPv4 or UDP checksum is a malformed WireError. */
  checksums?: 'verify' | 'ignore';
}

/** Decodes what this package knows, leaving the rest as `payload`; throws only WireError. */
export function parseFrame(bytes: Uint8Array, opts: ParseFrameOptions = {}): ParsedFrame {
  const verify = opts.checksums !== 'ignore';
  const ev = EthernetView.checked(bytes);
  const eth = EthernetHeader.parse(ev);
  const frame: ParsedFrame = { eth, payload: ev.payload };
  if (eth.ethertype === ETHERTYPE.MAC_CONTROL) {
    const pv = PfcView.checked(ev.payload);
    if (pv.opcode === PFC_OPCODE) {
      frame.pfc = PfcHeader.parse(pv);
      frame.payload = pv.buffer.subarray(PFC_HEADER_LEN);
    }
    return frame;
  }
  let upper: Uint8Array;
  let protocol: number;
  let ph: UdpPseudoHeader | undefined;
  if (eth.ethertype === ETHERTYPE.IPV4) {
    const v = Ipv4View.checked(ev.payload);
    const ip = Ipv4Header.parse(v, { checksum: verify ? 'verify' : 'ignore' });
    frame.ip = ip;
    upper = frame.payload = v.payload;
    if (ip.moreFrags || ip.fragOffsetBytes) return frame;
    protocol = ip.protocol;
    ph = { src: v.src, dst: v.dst };
  } else if (eth.ethertype === ETHERTYPE.IPV6) {
    const v = Ipv6View.checked(ev.payload);
    frame.ip = Ipv6Header.parse(v);
    const chain = ipv6WalkHeaders(v.nextHeader, v.payload);
    frame.ipv6Ext = chain.ext;
    upper = frame.payload = chain.upper;
    if (chain.fragmented) return frame;
    protocol = chain.protocol;
    const dst = finalDestination(chain.ext);
    ph = dst === null ? undefined : { src: v.src, dst: dst ?? v.dst };
  } else {
    return frame;
  }
  if (protocol !== IP_PROTOCOL.UDP) return frame;
  const uv = UdpView.checked(upper);
  frame.udp = UdpHeader.parse(uv, verify ? ph : undefined);
  frame.payload = uv.payload;
  return frame;
}

/**
 * RFC 8200 §8.1: with a Routing header the pseudo-header carries the final destination. For an
 * SRH (type 4, RFC 8754) with segments left that is segment 0; for other types it is unknown (null).
 */
function finalDestination(ext: FrameIpv6Ext[]): Uint8Array | null | undefined {
  const rh = ext.find((e) => e.type === IP_PROTOCOL.IPV6_ROUTE);
  if (!rh || rh.bytes[3] === 0) return undefined;
  return rh.bytes[2] === 4 && rh.bytes.length >= 24 ? rh.bytes.subarray(8, 24) : null;
}
