// IPv6 fixed header (RFC 8200 §3); traffic class = DSCP(6) ECN(2).
import { ipEcnName, ipProtocolName, type IpEcn } from '../ip.ts';
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';
import { ipv6FormatAddress, ipv6ParseAddress } from './address.ts';

const F = {
  VER_TC_FLOW: [0, 4], // version(4) traffic class(8) flow label(20)
  LENGTH: [4, 6],
  NXT_HDR: [6, 7],
  HOP_LIMIT: [7, 8],
  SRC: [8, 24],
  DST: [24, 40],
} as const satisfies Record<string, Field>;

export const IPV6_HEADER_LEN = F.DST[1];

export class Ipv6View extends WireView {
  static unchecked(buf: Uint8Array): Ipv6View {
    return new Ipv6View(buf);
  }
  static checked(buf: Uint8Array): Ipv6View {
    const v = new Ipv6View(buf);
    v.checkLen();
    return v;
  }
  /** Header and payload length lie inside the buffer (trailing bytes are fine). */
  checkLen(): void {
    checkLen('ipv6', 'header', this.buffer.length, IPV6_HEADER_LEN);
    checkLen('ipv6', 'length', this.buffer.length, IPV6_HEADER_LEN + this.payloadLen);
  }
  get version(): number {
    return this.u8(F.VER_TC_FLOW) >> 4;
  }
  get trafficClass(): number {
    return (this.u16(F.VER_TC_FLOW) >> 4) & 0xff;
  }
  get dscp(): number {
    return this.trafficClass >> 2;
  }
  get ecn(): IpEcn {
    return (this.trafficClass & 3) as IpEcn;
  }
  get flowLabel(): number {
    return this.u32(F.VER_TC_FLOW) & 0xfffff;
  }
  get payloadLen(): number {
    return this.u16(F.LENGTH);
  }
  /** Type of the first extension header or of the upper layer. */
  get nextHeader(): number {
    return this.u8(F.NXT_HDR);
  }
  get hopLimit(): number {
    return this.u8(F.HOP_LIMIT);
  }
  get src(): Uint8Array {
    return this.bytes(F.SRC);
  }
  get dst(): Uint8Array {
    return this.bytes(F.DST);
  }
  /** Extension headers and upper layer, up to payload length; walk it with ipv6WalkHeaders. */
  get payload(): Uint8Array {
    return this.buffer.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + this.payloadLen);
  }
  /** Writes version, traffic class and flow label together (they share the first word). */
  setVersionTcFlow(version: number, trafficClass: number, flowLabel: number): void {
    this.setU32(F.VER_TC_FLOW, ((version << 28) | (trafficClass << 20) | flowLabel) >>> 0);
  }
  setPayloadLen(v: number): void {
    this.setU16(F.LENGTH, v);
  }
  setNextHeader(v: number): void {
    this.setU8(F.NXT_HDR, v);
  }
  setHopLimit(v: number): void {
    this.setU8(F.HOP_LIMIT, v);
  }
  setSrc(addr: Uint8Array): void {
    this.setBytes(F.SRC, addr);
  }
  setDst(addr: Uint8Array): void {
    this.setBytes(F.DST, addr);
  }
  summary(): string {
    const dscp = this.dscp ? ` dscp ${this.dscp}` : '';
    const flow = this.flowLabel ? ` flow ${hex(this.flowLabel, 5)}` : '';
    return (
      `IPv6 ${ipv6FormatAddress(this.src)} > ${ipv6FormatAddress(this.dst)} next ${ipProtocolName(this.nextHeader)} ` +
      `plen ${this.payloadLen} hlim ${this.hopLimit}${dscp} ecn ${ipEcnName(this.ecn)}${flow}`
    );
  }
}

export interface Ipv6Init {
  src: string;
  dst: string;
  nextHeader: number;
  /** Bytes after the fixed header, extension headers included. */
  payloadLen: number;
  hopLimit?: number;
  dscp?: number;
  ecn?: IpEcn;
  flowLabel?: number;
}

export class Ipv6Header {
  readonly version = 6;
  readonly src: string;
  readonly dst: string;
  readonly nextHeader: number;
  readonly payloadLen: number;
  readonly hopLimit: number;
  readonly dscp: number;
  readonly ecn: IpEcn;
  readonly flowLabel: number;
  constructor(init: Ipv6Init) {
    this.src = init.src;
    this.dst = init.dst;
    this.nextHeader = init.nextHeader;
    this.payloadLen = init.payloadLen;
    this.hopLimit = init.hopLimit ?? 64;
    this.dscp = init.dscp ?? 0;
    this.ecn = init.ecn ?? 0;
    this.flowLabel = init.flowLabel ?? 0;
  }
  /** `view` must be checked. Addresses come out in RFC 5952 form. */
  static parse(view: Ipv6View): Ipv6Header {
    if (view.version !== 6) throw new WireError('malformed', 'ipv6', 'version', String(view.version));
    return new Ipv6Header({
      src: ipv6FormatAddress(view.src),
      dst: ipv6FormatAddress(view.dst),
      nextHeader: view.nextHeader,
      payloadLen: view.payloadLen,
      hopLimit: view.hopLimit,
      dscp: view.dscp,
      ecn: view.ecn,
      flowLabel: view.flowLabel,
    });
  }
  bufferLen(): number {
    return IPV6_HEADER_LEN;
  }
  /** Writes the fixed header at the start of a buffer of at least bufferLen() bytes. */
  emit(view: Ipv6View): void {
    const src = ipv6ParseAddress(this.src, 'src');
    const dst = ipv6ParseAddress(this.dst, 'dst');
    checkUint('ipv6', 'nextHeader', this.nextHeader, 0xff);
    checkUint('ipv6', 'payloadLen', this.payloadLen, 0xffff);
    checkUint('ipv6', 'hopLimit', this.hopLimit, 0xff);
    checkUint('ipv6', 'dscp', this.dscp, 0x3f);
    checkUint('ipv6', 'ecn', this.ecn, 3);
    checkUint('ipv6', 'flowLabel', this.flowLabel, 0xfffff);
    checkLen('ipv6', 'header', view.buffer.length, IPV6_HEADER_LEN);
    view.setVersionTcFlow(6, (this.dscp << 2) | this.ecn, this.flowLabel);
    view.setPayloadLen(this.payloadLen);
    view.setNextHeader(this.nextHeader);
    view.setHopLimit(this.hopLimit);
    view.setSrc(src);
    view.setDst(dst);
  }
}
