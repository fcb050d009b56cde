// SUE AI forwarding header, Gen2 (a modelled layout): 6 bytes, or 12 with the long form; switches forward on the destination XPU id.
//
// SUE-4: the network layer is standard Ethernet IP/UDP, AFH Gen1, or the highly compressed AFH
// Gen2 of 6 to 12 bytes. Its layout is not public here; this one is fabric-hil's
// (SUE_LAYOUT_ASSUMED). AFH Gen2 replaces the Ethernet header (no MAC addresses, no EtherType):
//
//   byte   field                                   bits
//   0      version | long | TC | ECN               2 | 1 | 3 | 2   version 2; ECN as IP ECN (RFC 3168)
//   1-3    destination XPU | source XPU | flags    10 | 10 | 4     flags kept raw
//   4-5    entropy                                 16              what multi-path switches hash
//   (long form only)
//   6-7    next header                             16              0 = SUE reliability header
//   8-11   extension                               32              kept raw
//
// Short form: the SUE reliability header follows. Checks: version 2 (else unsupported).
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';
import { ipEcnName } from '../ip.ts';

const F = {
  VER_TC_ECN: [0, 1], // version(2) long(1) tc(3) ecn(2)
  IDS: [1, 4], // dst(10) src(10) flags(4)
  ENTROPY: [4, 6],
  NEXT_HEADER: [6, 8],
  EXTENSION: [8, 12],
} as const satisfies Record<string, Field>;

const SUE = 'sue';

export const SUE_AFH_SHORT_LEN = F.ENTROPY[1];
export const SUE_AFH_LONG_LEN = F.EXTENSION[1];
export const SUE_AFH_VERSION = 2;
/** next header 0: the SUE reliability header. */
export const SUE_AFH_NEXT_RH = 0;

export class SueAfhView extends WireView {
  static unchecked(buf: Uint8Array): SueAfhView {
    return new SueAfhView(buf);
  }
  static checked(buf: Uint8Array): SueAfhView {
    const v = new SueAfhView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(SUE, 'afh', this.buffer.length, SUE_AFH_SHORT_LEN);
    if (this.long) checkLen(SUE, 'afh.long', this.buffer.length, SUE_AFH_LONG_LEN);
  }
  get version(): number {
    return this.u8(F.VER_TC_ECN) >> 6;
  }
  get long(): boolean {
    return ((this.u8(F.VER_TC_ECN) >> 5) & 1) === 1;
  }
  get headerLen(): number {
    return this.long ? SUE_AFH_LONG_LEN : SUE_AFH_SHORT_LEN;
  }
  get tc(): number {
    return (this.u8(F.VER_TC_ECN) >> 2) & 7;
  }
  get ecn(): number {
    return this.u8(F.VER_TC_ECN) & 3;
  }
  private get ids(): number {
    return (this.u8(1) << 16) | (this.u8(2) << 8) | this.u8(3);
  }
  get dstXpu(): number {
    return this.ids >> 14;
  }
  get srcXpu(): number {
    return (this.ids >> 4) & 0x3ff;
  }
  get flags(): number {
    return this.ids & 0x0f;
  }
  get entropy(): number {
    return this.u16(F.ENTROPY);
  }
  get nextHeader(): number {
    return this.long ? this.u16(F.NEXT_HEADER) : SUE_AFH_NEXT_RH;
  }
  get extension(): number {
    return this.long ? this.u32(F.EXTENSION) : 0;
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }
  setFirst(version: number, long: boolean, tc: number, ecn: number): void {
    this.setU8(F.VER_TC_ECN, ((version & 3) << 6) | ((long ? 1 : 0) << 5) | ((tc & 7) << 2) | (ecn & 3));
  }
  setEcn(ecn: number): void {
    this.setU8(F.VER_TC_ECN, (this.u8(F.VER_TC_ECN) & 0xfc) | (ecn & 3));
  }
  setTc(tc: number): void {
    this.setU8(F.VER_TC_ECN, (this.u8(F.VER_TC_ECN) & 0xe3) | ((tc & 7) << 2));
  }
  setIds(dst: number, src: number, flags: number): void {
    const v = ((dst & 0x3ff) << 14) | ((src & 0x3ff) << 4) | (flags & 0x0f);
    this.setU8(1, (v >> 16) & 0xff);
    this.setU8(2, (v >> 8) & 0xff);
    this.setU8(3, v & 0xff);
  }
  setEntropy(v: number): void {
    this.setU16(F.ENTROPY, v);
  }
  setNextHeader(v: number): void {
    this.setU16(F.NEXT_HEADER, v);
  }
  setExtension(v: number): void {
    this.setU32(F.EXTENSION, v);
  }
  summary(): string {
    return `AFH2${this.long ? ' long' : ''} ${this.srcXpu} > ${this.dstXpu} tc ${this.tc} ${ipEcnName(this.ecn)} entropy ${this.entropy}`;
  }
}

export interface SueAfhInit {
  long?: boolean;
  tc?: number;
  ecn?: number;
  dstXpu: number;
  srcXpu: number;
  flags?: number;
  entropy?: number;
  nextHeader?: number;
  extension?: number;
}

export class SueAfhHeader {
  readonly long: boolean;
  readonly tc: number;
  readonly ecn: number;
  readonly dstXpu: number;
  readonly srcXpu: number;
  readonly flags: number;
  readonly entropy: number;
  readonly nextHeader: number;
  readonly extension: number;
  constructor(init: SueAfhInit) {
    this.long = init.long ?? false;
    this.tc = init.tc ?? 0;
    this.ecn = init.ecn ?? 0;
    this.dstXpu = init.dstXpu;
    this.srcXpu = init.srcXpu;
    this.flags = init.flags ?? 0;
    this.entropy = init.entropy ?? 0;
    this.nextHeader = init.nextHeader ?? SUE_AFH_NEXT_RH;
    this.extension = init.extension ?? 0;
  }
  /** `view` must be checked. */
  static parse(view: SueAfhView): SueAfhHeader {
    if (view.version !== SUE_AFH_VERSION) throw new WireError('unsupported', SUE, 'afh.version', `${view.version}, expected ${SUE_AFH_VERSION}`);
    return new SueAfhHeader({
      long: view.long,
      tc: view.tc,
      ecn: view.ecn,
      dstXpu: view.dstXpu,
      srcXpu: view.srcXpu,
      flags: view.flags,
      entropy: view.entropy,
      nextHeader: view.nextHeader,
      extension: view.extension,
    });
  }
  bufferLen(): number {
    return this.long ? SUE_AFH_LONG_LEN : SUE_AFH_SHORT_LEN;
  }
  emit(view: SueAfhView): void {
    checkUint(SUE, 'tc', this.tc, 7);
    checkUint(SUE, 'ecn', this.ecn, 3);
    checkUint(SUE, 'dstXpu', this.dstXpu, 0x3ff);
    checkUint(SUE, 'srcXpu', this.srcXpu, 0x3ff);
    checkUint(SUE, 'flags', this.flags, 0x0f);
    checkUint(SUE, 'entropy', this.entropy, 0xffff);
    if (!this.long && (this.nextHeader !== SUE_AFH_NEXT_RH || this.extension !== 0)) {
      throw new WireError('malformed', SUE, 'afh.long', 'next header and extension need the long form');
    }
    checkUint(SUE, 'nextHeader', this.nextHeader, 0xffff);
    checkUint(SUE, 'extension', this.extension, 0xffffffff);
    checkLen(SUE, 'afh', view.buffer.length, this.bufferLen());
    view.setFirst(SUE_AFH_VERSION, this.long, this.tc, this.ecn);
    view.setIds(this.dstXpu, this.srcXpu, this.flags);
    view.setEntropy(this.entropy);
    if (this.long) {
      view.setNextHeader(this.nextHeader);
      view.setExtension(this.extension);
    }
  }
}
