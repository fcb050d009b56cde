// IPv4 header (RFC 791), options kept as bytes, DSCP/ECN per RFC 2474 / RFC 3168.
import { ipEcnName, ipProtocolName, type IpEcn } from '../ip.ts';
import { WireError, WireView, checkLen, checkUint, internetChecksum, type Field } from '../wire.ts';
import { ipv4FormatAddress, ipv4ParseAddress } from './address.ts';

const F = {
  VER_IHL: [0, 1], // version(4) IHL(4, in 32-bit words)
  DSCP_ECN: [1, 2], // DSCP(6) ECN(2)
  LENGTH: [2, 4],
  IDENT: [4, 6],
  FLG_OFF: [6, 8], // reserved(1) DF(1) MF(1) fragment offset(13, in 8-octet units)
  TTL: [8, 9],
  PROTOCOL: [9, 10],
  CHECKSUM: [10, 12],
  SRC: [12, 16],
  DST: [16, 20],
} as const satisfies Record<string, Field>;

export const IPV4_HEADER_LEN = F.DST[1];
export const IPV4_MAX_HEADER_LEN = 60;

export class Ipv4View extends WireView {
  static unchecked(buf: Uint8Array): Ipv4View {
    return new Ipv4View(buf);
  }
  static checked(buf: Uint8Array): Ipv4View {
    const v = new Ipv4View(buf);
    v.checkLen();
    return v;
  }
  /** Header, options and total length all lie inside the buffer (trailing bytes, e.g. padding, are fine). */
  checkLen(): void {
    const len = this.buffer.length;
    checkLen('ipv4', 'header', len, IPV4_HEADER_LEN);
    const hl = this.headerLen;
    if (hl < IPV4_HEADER_LEN) throw new WireError('malformed', 'ipv4', 'ihl', `${hl} bytes`);
    checkLen('ipv4', 'options', len, hl);
    const total = this.totalLen;
    if (total < hl) throw new WireError('malformed', 'ipv4', 'length', `total ${total} < header ${hl}`);
    checkLen('ipv4', 'length', len, total);
  }
  get version(): number {
    return this.u8(F.VER_IHL) >> 4;
  }
  /** IHL in bytes. */
  get headerLen(): number {
    return (this.u8(F.VER_IHL) & 0x0f) * 4;
  }
  get dscp(): number {
    return this.u8(F.DSCP_ECN) >> 2;
  }
  get ecn(): IpEcn {
    return (this.u8(F.DSCP_ECN) & 3) as IpEcn;
  }
  get totalLen(): number {
    return this.u16(F.LENGTH);
  }
  get ident(): number {
    return this.u16(F.IDENT);
  }
  get dontFrag(): boolean {
    return (this.u16(F.FLG_OFF) & 0x4000) !== 0;
  }
  get moreFrags(): boolean {
    return (this.u16(F.FLG_OFF) & 0x2000) !== 0;
  }
  get fragOffsetBytes(): number {
    return (this.u16(F.FLG_OFF) & 0x1fff) * 8;
  }
  get ttl(): number {
    return this.u8(F.TTL);
  }
  get protocol(): number {
    return this.u8(F.PROTOCOL);
  }
  get checksum(): number {
    return this.u16(F.CHECKSUM);
  }
  get src(): Uint8Array {
    return this.bytes(F.SRC);
  }
  get dst(): Uint8Array {
    return this.bytes(F.DST);
  }
  get options(): Uint8Array {
    return this.buffer.subarray(IPV4_HEADER_LEN, this.headerLen);
  }
  /** From the end of the header to total length (Ethernet padding excluded). */
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen, this.totalLen);
  }
  verifyChecksum(): boolean {
    return internetChecksum(this.buffer.subarray(0, this.headerLen)) === 0;
  }
  fillChecksum(): void {
    this.setU16(F.CHECKSUM, 0);
    this.setU16(F.CHECKSUM, internetChecksum(this.buffer.subarray(0, this.headerLen)));
  }
  setVersion(v: number): void {
    this.setU8(F.VER_IHL, (v << 4) | (this.u8(F.VER_IHL) & 0x0f));
  }
  setHeaderLen(bytes: number): void {
    this.setU8(F.VER_IHL, (this.u8(F.VER_IHL) & 0xf0) | (bytes >> 2));
  }
  setDscp(v: number): void {
    this.setU8(F.DSCP_ECN, (v << 2) | (this.u8(F.DSCP_ECN) & 3));
  }
  setEcn(v: IpEcn): void {
    this.setU8(F.DSCP_ECN, (this.u8(F.DSCP_ECN) & 0xfc) | v);
  }
  setTotalLen(v: number): void {
    this.setU16(F.LENGTH, v);
  }
  setIdent(v: number): void {
    this.setU16(F.IDENT, v);
  }
  /** Writes flags and offset together; the reserved bit is cleared (RFC 791: must be zero). */
  setFragment(dontFrag: boolean, moreFrags: boolean, offsetBytes: number): void {
    this.setU16(F.FLG_OFF, (dontFrag ? 0x4000 : 0) | (moreFrags ? 0x2000 : 0) | (offsetBytes >> 3));
  }
  setTtl(v: number): void {
    this.setU8(F.TTL, v);
  }
  setProtocol(v: number): void {
    this.setU8(F.PROTOCOL, v);
  }
  setChecksum(v: number): void {
    this.setU16(F.CHECKSUM, v);
  }
  setSrc(addr: Uint8Array): void {
    this.setBytes(F.SRC, addr);
  }
  setDst(addr: Uint8Array): void {
    this.setBytes(F.DST, addr);
  }
  /** Copies options after the fixed header; the header length must already cover them. */
  setOptions(opts: Uint8Array): void {
    this.buffer.set(opts, IPV4_HEADER_LEN);
  }
  summary(): string {
    const dscp = this.dscp ? ` dscp ${this.dscp}` : '';
    const frag =
      this.moreFrags || this.fragOffsetBytes ? ` frag ${this.fragOffsetBytes}${this.moreFrags ? '+' : ''}` : '';
    return (
      `IPv4 ${ipv4FormatAddress(this.src)} > ${ipv4FormatAddress(this.dst)} proto ${ipProtocolName(this.protocol)} ` +
      `len ${this.totalLen} ttl ${this.ttl}${dscp} ecn ${ipEcnName(this.ecn)}${frag}`
    );
  }
}

export interface Ipv4Init {
  src: string;
  dst: string;
  protocol: number;
  /** Bytes after the header (total length = header + payload). */
  payloadLen: number;
  ttl?: number;
  dscp?: number;
  ecn?: IpEcn;
  ident?: number;
  dontFrag?: boolean;
  moreFrags?: boolean;
  fragOffsetBytes?: number;
  /** Raw option bytes, a multiple of 4 up to 40, padding included. */
  options?: Uint8Array;
}

export interface Ipv4ParseOptions {
  /** 'verify' (default) rejects a bad header checksum as malformed. */
  checksum?: 'verify' | 'ignore';
}

export class Ipv4Header {
  readonly version = 4;
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly payloadLen: number;
  readonly ttl: number;
  readonly dscp: number;
  readonly ecn: IpEcn;
  readonly ident: number;
  readonly dontFrag: boolean;
  readonly moreFrags: boolean;
  readonly fragOffsetBytes: number;
  readonly options: Uint8Array;
  constructor(init: Ipv4Init) {
    this.src = init.src;
    this.dst = init.dst;
    this.protocol = init.protocol;
    this.payloadLen = init.payloadLen;
    this.ttl = init.ttl ?? 64;
    this.dscp = init.dscp ?? 0;
    this.ecn = init.ecn ?? 0;
    this.ident = init.ident ?? 0;
    this.dontFrag = init.dontFrag ?? false;
    this.moreFrags = init.moreFrags ?? false;
    this.fragOffsetBytes = init.fragOffsetBytes ?? 0;
    this.options = init.options ? init.options.slice() : new Uint8Array(0);
  }
  /** `view` must be checked. */
  static parse(view: Ipv4View, opts: Ipv4ParseOptions = {}): Ipv4Header {
    if (view.version !== 4) throw new WireError('malformed', 'ipv4', 'version', String(view.version));
    if (opts.checksum !== 'ignore' && !view.verifyChecksum()) {
      throw new WireError('malformed', 'ipv4', 'checksum', `0x${view.checksum.toString(16)} does not verify`);
    }
    return new Ipv4Header({
      src: ipv4FormatAddress(view.src),
      dst: ipv4FormatAddress(view.dst),
      protocol: view.protocol,
      payloadLen: view.totalLen - view.headerLen,
      ttl: view.ttl,
      dscp: view.dscp,
      ecn: view.ecn,
      ident: view.ident,
      dontFrag: view.dontFrag,
      moreFrags: view.moreFrags,
      fragOffsetBytes: view.fragOffsetBytes,
      options: view.options,
    });
  }
  /** Header bytes, options included. */
  bufferLen(): number {
    return IPV4_HEADER_LEN + this.options.length;
  }
  /** Writes the header (checksum filled) at the start of a buffer of at least bufferLen() bytes. */
  emit(view: Ipv4View): void {
    const src = ipv4ParseAddress(this.src, 'src');
    const dst = ipv4ParseAddress(this.dst, 'dst');
    const hl = this.bufferLen();
    if (this.options.length % 4 !== 0 || hl > IPV4_MAX_HEADER_LEN) {
      throw new WireError('malformed', 'ipv4', 'options', `${this.options.length} bytes: need a multiple of 4 up to 40`);
    }
    checkUint('ipv4', 'payloadLen', this.payloadLen, 0xffff - hl);
    checkUint('ipv4', 'protocol', this.protocol, 0xff);
    checkUint('ipv4', 'ttl', this.ttl, 0xff);
    checkUint('ipv4', 'dscp', this.dscp, 0x3f);
    checkUint('ipv4', 'ecn', this.ecn, 3);
    checkUint('ipv4', 'ident', this.ident, 0xffff);
    checkUint('ipv4', 'fragOffsetBytes', this.fragOffsetBytes, 0x1fff * 8);
    if (this.fragOffsetBytes % 8 !== 0) {
      throw new WireError('malformed', 'ipv4', 'fragOffsetBytes', `${this.fragOffsetBytes} not a multiple of 8`);
    }
    checkLen('ipv4', 'header', view.buffer.length, hl);
    view.setVersion(4);
    view.setHeaderLen(hl);
    view.setDscp(this.dscp);
    view.setEcn(this.ecn);
    view.setTotalLen(hl + this.payloadLen);
    view.setIdent(this.ident);
    view.setFragment(this.dontFrag, this.moreFrags, this.fragOffsetBytes);
    view.setTtl(this.ttl);
    view.setProtocol(this.protocol);
    view.setSrc(src);
    view.setDst(dst);
    view.setOptions(this.options);
    view.fillChecksum();
  }
}
