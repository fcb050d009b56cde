// GSE over Ethernet: Ethernet / GSE / IPv4|IPv6 / UDP / RoCE frames built, parsed, encapsulated and decapsulated.
//
// The EtherType of GSE is not public either; the default is 0x88b5, the first IEEE 802 "Local
// Experimental EtherType" (IEEE Std 802, 0x88b5 and 0x88b6: for experiments inside one network,
// never for a product), and a testbed may set another. A GSP encapsulates the IP packet a NIC sent
// (GSE-FWD-2) and the egress GSP restores it (its Ethernet header is rebuilt, the IP bytes are not
// touched); same-GSP traffic stays plain IP (GSE-FWD-1).
import { ETHERNET_MIN_FRAME_LEN, EthernetHeader, EthernetView, type EthernetVlanTag } from '../ethernet/ethernet.ts';
import { ETHERTYPE } from '../ethernet/ethertype.ts';
import { Ipv4View } from '../ipv4/ipv4.ts';
import { IPV6_HEADER_LEN, Ipv6View } from '../ipv6/ipv6.ts';
import { WireError } from '../wire.ts';
import { GSE_HEADER_LEN, GSE_TYPE, GseHeader, GseView, gseTypeName, type GseInit } from './header.ts';

/** IEEE 802 Local Experimental EtherType 1. */
export const GSE_ETHERTYPE_DEFAULT = 0x88b5;

export interface GseEncapOptions {
  /** EtherType that carries GSE; default GSE_ETHERTYPE_DEFAULT. */
  ethertype?: number;
}

export function gseIsEthertype(ethertype: number, opts: GseEncapOptions = {}): boolean {
  return ethertype === (opts.ethertype ?? GSE_ETHERTYPE_DEFAULT);
}

export interface GseEthernet {
  dst: string;
  src: string;
  vlan?: EthernetVlanTag;
}

export interface GseFrameSpec {
  eth: GseEthernet;
  /** For data, nextProtocol defaults to the inner packet's IP version (IPv4 or IPv6 EtherType). */
  gse: GseInit;
  /** The carried IP packet (data only). */
  inner?: Uint8Array;
  /** Zero-pad to 60 bytes. Default true. */
  pad?: boolean;
}

export interface ParsedGseFrame {
  eth: EthernetHeader;
  gse: GseHeader;
  /** The carried packet in place, cut to its IP length (padding excluded); empty when none. */
  inner: Uint8Array;
}

/** Encodes Ethernet / GSE [/ inner packet] (no FCS); throws WireError on bad values. */
export function buildGseFrame(spec: GseFrameSpec, opts: GseEncapOptions = {}): Uint8Array {
  const inner = spec.inner ?? new Uint8Array(0);
  const nextProtocol = spec.gse.nextProtocol ?? (spec.gse.type === GSE_TYPE.DATA && inner.length ? ipEthertype(inner) : 0);
  const gse = new GseHeader({ ...spec.gse, nextProtocol });
  const eth = new EthernetHeader({ ...spec.eth, ethertype: opts.ethertype ?? GSE_ETHERTYPE_DEFAULT });
  const at = eth.bufferLen();
  const len = at + GSE_HEADER_LEN + inner.length;
  const out = new Uint8Array(spec.pad === false ? len : Math.max(len, ETHERNET_MIN_FRAME_LEN));
  eth.emit(EthernetView.unchecked(out));
  gse.emit(GseView.unchecked(out.subarray(at)));
  out.set(inner, at + GSE_HEADER_LEN);
  return out;
}

/** Decodes Ethernet / GSE; an EtherType other than GSE's is unsupported. */
export function parseGseFrame(bytes: Uint8Array, opts: GseEncapOptions = {}): ParsedGseFrame {
  const ev = EthernetView.checked(bytes);
  const eth = EthernetHeader.parse(ev);
  if (!gseIsEthertype(eth.ethertype, opts)) throw new WireError('unsupported', 'gse', 'ethertype', `0x${eth.ethertype.toString(16)} is not GSE`);
  const gv = GseView.checked(ev.payload);
  const gse = GseHeader.parse(gv);
  return { eth, gse, inner: gse.nextProtocol ? ipPacket(gse.nextProtocol, gv.payload) : gv.payload.subarray(0, 0) };
}

/**
 * Ingress GSP: wraps the IP packet of an Ethernet / IP frame (a NIC's) into Ethernet / GSE / IP
 * towards the fabric. `gse` gives the header; its next protocol is the frame's EtherType.
 */
export function gseEncapsulate(ipFrame: Uint8Array, eth: GseEthernet, gse: Omit<GseInit, 'nextProtocol'>, opts: GseEncapOptions = {}): Uint8Array {
  const ev = EthernetView.checked(ipFrame);
  const nextProtocol = ev.ethertype;
  return buildGseFrame({ eth, gse: { ...gse, nextProtocol }, inner: ipPacket(nextProtocol, ev.payload) }, opts);
}

/** Egress GSP: the carried IP packet in a new Ethernet frame towards the NIC, and the GSE header it came with. */
export function gseDecapsulate(gseFrame: Uint8Array, eth: GseEthernet, opts: GseEncapOptions = {}): { frame: Uint8Array; gse: GseHeader } {
  const f = parseGseFrame(gseFrame, opts);
  if (f.gse.type !== GSE_TYPE.DATA) throw new WireError('malformed', 'gse', 'type', `a ${gseTypeName(f.gse.type)} frame carries no packet to deliver`);
  const out = new EthernetHeader({ ...eth, ethertype: f.gse.nextProtocol });
  const at = out.bufferLen();
  const frame = new Uint8Array(Math.max(at + f.inner.length, ETHERNET_MIN_FRAME_LEN));
  out.emit(EthernetView.unchecked(frame));
  frame.set(f.inner, at);
  return { frame, gse: f.gse };
}

/** The EtherType of an IP packet from its version nibble. */
function ipEthertype(packet: Uint8Array): number {
  const v = packet[0] >> 4;
  if (v === 4) return ETHERTYPE.IPV4;
  if (v === 6) return ETHERTYPE.IPV6;
  throw new WireError('malformed', 'gse', 'inner', `IP version ${v}: give gse.nextProtocol`);
}

/** The packet cut to its IP length (Ethernet padding dropped); other protocols whole. */
function ipPacket(ethertype: number, bytes: Uint8Array): Uint8Array {
  if (ethertype === ETHERTYPE.IPV4) {
    const v = Ipv4View.checked(bytes);
    return bytes.subarray(0, v.totalLen);
  }
  if (ethertype === ETHERTYPE.IPV6) {
    const v = Ipv6View.checked(bytes);
    return bytes.subarray(0, IPV6_HEADER_LEN + v.payloadLen);
  }
  return bytes;
}
