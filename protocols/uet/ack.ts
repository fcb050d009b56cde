// PDS ACK (12 B) and its congestion-control extensions ACK_CC (32 B) and ACK_CCX (40 B).
//
// Layout: dissector `dissect_pds_ack` / `dissect_pds_ack_ext_hdr`, provider `struct uet_pds_ack`,
// `uet_pds_ack_cc`, `uet_pds_ack_ccx`. Offsets agree; where the sources differ:
// - SACK PSN offset: signed in the provider (`int16_t`, SACK base = CACK PSN + offset), unsigned in
//   the dissector. Signed here.
// - ACK_CCX bytes 24..39: the provider has the 8-byte CC state then an 8-byte CCX state; the
//   dissector shows one 16-byte CCX state. Same bytes; modelled (assumed) as the provider's two
//   halves.
// - Flag 0x40 (EPSN) and the 16-byte closing ACK exist only in the provider (`uet_pds_ack_epsn`):
//   see UetLayoutOptions.ackEpsn.
// - The dissector's request field is two bits (1 clear, 2 close); the provider names the same two
//   bits REQ_CLR 0x02 and REQ_CLS 0x04. Kept as two booleans.
// The 64-bit CC state is kept as a bigint: the dissector's NSCC sub-fields overlap each other and
// the provider treats it as opaque.
import { checkLen, hex, type Field } from '../wire.ts';
import { UET, checkBig, checkI16, checkU, flagList, uetLayout, uetMalformed, type UetLayoutOptions } from './common.ts';
import { UET_PDS_TYPE, UetPdsPrologueView, uetPdsTypeName } from './prologue.ts';

const F = {
  PROLOGUE: [0, 2],
  ACK_PSN_OFFSET: [2, 4], // signed: ACK PSN = CACK PSN + offset; with P: the probe's opaque value
  CACK_PSN: [4, 8],
  SPDCID: [8, 10],
  DPDCID: [10, 12],
  EPSN: [12, 16], // ACK with flag EPSN, provider layout only: expected PSN
  CC_TYPE_FLAGS: [12, 13], // ACK_CC/ACK_CCX: cc_type(4) cc_flags(4)
  MPR: [13, 14], // maximum PSN range, in units of 128 PSNs
  SACK_PSN_OFFSET: [14, 16], // signed: SACK base PSN = CACK PSN + offset
  SACK_BITMAP: [16, 24],
  CC_STATE: [24, 32],
  CCX_STATE: [32, 40], // ACK_CCX only
} as const satisfies Record<string, Field>;

export const UET_ACK_LEN = F.DPDCID[1];
/** The provider's closing ACK with flag EPSN. */
export const UET_ACK_EPSN_LEN = F.EPSN[1];
export const UET_ACK_CC_LEN = F.CC_STATE[1];
export const UET_ACK_CCX_LEN = F.CCX_STATE[1];

/** ACK flags (values of the 7-bit prologue flag field); 0x01 is reserved. */
export const UET_ACK_FLAG = {
  /** Provider only: 0-RTT closing ACK carrying the expected PSN (reserved in the dissector). */
  EPSN: 0x40,
  /** The acknowledged packet arrived ECN-marked. */
  M: 0x20,
  /** ACK to a retransmitted packet. */
  RETX: 0x10,
  /** ACK to a probe: the ACK PSN offset slot carries the probe's opaque value. */
  P: 0x08,
  REQ_CLOSE: 0x04,
  REQ_CLEAR: 0x02,
} as const;

/** cc_type of ACK_CC / ACK_CCX; other values pass through as numbers. */
export const UET_CC_TYPE = { NSCC: 0, CREDIT: 1 } as const;

export function uetCcTypeName(t: number): string {
  return t === 0 ? 'nscc' : t === 1 ? 'credit' : `cc-${t}`;
}

const ACK_TYPES: readonly number[] = [UET_PDS_TYPE.ACK, UET_PDS_TYPE.ACK_CC, UET_PDS_TYPE.ACK_CCX];

export function uetIsAckType(t: number): boolean {
  return ACK_TYPES.includes(t);
}

export class UetAckView extends UetPdsPrologueView {
  private readonly epsnLayout: boolean;
  protected constructor(buf: Uint8Array, opts: UetLayoutOptions) {
    super(buf);
    this.epsnLayout = uetLayout(opts).ackEpsn;
  }
  static override unchecked(buf: Uint8Array, opts: UetLayoutOptions = {}): UetAckView {
    return new UetAckView(buf, opts);
  }
  static override checked(buf: Uint8Array, opts: UetLayoutOptions = {}): UetAckView {
    const v = new UetAckView(buf, opts);
    v.checkLen();
    return v;
  }
  /** 12 bytes; 32 for ACK_CC, 40 for ACK_CCX, 16 for an EPSN ACK under the provider layout. */
  override checkLen(): void {
    checkLen(UET, 'header', this.buffer.length, UET_ACK_LEN);
    const len = this.headerLen;
    if (len > UET_ACK_LEN) checkLen(UET, this.hasEpsn ? 'epsn' : 'cc', this.buffer.length, len);
  }
  get headerLen(): number {
    if (this.type === UET_PDS_TYPE.ACK_CC) return UET_ACK_CC_LEN;
    if (this.type === UET_PDS_TYPE.ACK_CCX) return UET_ACK_CCX_LEN;
    return this.hasEpsn ? UET_ACK_EPSN_LEN : UET_ACK_LEN;
  }
  /** An ACK whose expected-PSN payload is decoded (EPSN flag on a plain ACK, provider layout). */
  get hasEpsn(): boolean {
    return this.epsnLayout && this.type === UET_PDS_TYPE.ACK && this.flag(UET_ACK_FLAG.EPSN);
  }
  get hasCc(): boolean {
    return this.type === UET_PDS_TYPE.ACK_CC || this.type === UET_PDS_TYPE.ACK_CCX;
  }
  get ecnMarked(): boolean {
    return this.flag(UET_ACK_FLAG.M);
  }
  get retx(): boolean {
    return this.flag(UET_ACK_FLAG.RETX);
  }
  get probe(): boolean {
    return this.flag(UET_ACK_FLAG.P);
  }
  get requestClose(): boolean {
    return this.flag(UET_ACK_FLAG.REQ_CLOSE);
  }
  get requestClear(): boolean {
    return this.flag(UET_ACK_FLAG.REQ_CLEAR);
  }
  get ackPsnOffset(): number {
    return this.dv.getInt16(F.ACK_PSN_OFFSET[0]);
  }
  /** The same bits as ackPsnOffset, unsigned: meaningful when the P flag is set. */
  get probeOpaque(): number {
    return this.u16(F.ACK_PSN_OFFSET);
  }
  get cackPsn(): number {
    return this.u32(F.CACK_PSN);
  }
  get ackPsn(): number {
    return (this.cackPsn + this.ackPsnOffset) >>> 0;
  }
  get spdcid(): number {
    return this.u16(F.SPDCID);
  }
  get dpdcid(): number {
    return this.u16(F.DPDCID);
  }
  /** When hasEpsn. */
  get epsn(): number {
    return this.u32(F.EPSN);
  }
  /** ACK_CC / ACK_CCX only, as are the getters below. */
  get ccType(): number {
    return this.u8(F.CC_TYPE_FLAGS) >> 4;
  }
  get ccFlags(): number {
    return this.u8(F.CC_TYPE_FLAGS) & 0x0f;
  }
  get mpr(): number {
    return this.u8(F.MPR);
  }
  get sackPsnOffset(): number {
    return this.dv.getInt16(F.SACK_PSN_OFFSET[0]);
  }
  get sackBasePsn(): number {
    return (this.cackPsn + this.sackPsnOffset) >>> 0;
  }
  /** Bit i (LSB = 0) stands for PSN sackBasePsn + i. */
  get sackBitmap(): bigint {
    return this.dv.getBigUint64(F.SACK_BITMAP[0]);
  }
  get ccState(): bigint {
    return this.dv.getBigUint64(F.CC_STATE[0]);
  }
  /** ACK_CCX only. */
  get ccxState(): bigint {
    return this.dv.getBigUint64(F.CCX_STATE[0]);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }
  setAckPsnOffset(v: number): void {
    this.dv.setInt16(F.ACK_PSN_OFFSET[0], v);
  }
  setProbeOpaque(v: number): void {
    this.setU16(F.ACK_PSN_OFFSET, v);
  }
  setCackPsn(v: number): void {
    this.setU32(F.CACK_PSN, v);
  }
  setSpdcid(v: number): void {
    this.setU16(F.SPDCID, v);
  }
  setDpdcid(v: number): void {
    this.setU16(F.DPDCID, v);
  }
  setEpsn(v: number): void {
    this.setU32(F.EPSN, v);
  }
  setCcTypeFlags(ccType: number, ccFlags: number): void {
    this.setU8(F.CC_TYPE_FLAGS, ((ccType & 0x0f) << 4) | (ccFlags & 0x0f));
  }
  setMpr(v: number): void {
    this.setU8(F.MPR, v);
  }
  setSackPsnOffset(v: number): void {
    this.dv.setInt16(F.SACK_PSN_OFFSET[0], v);
  }
  setSackBitmap(v: bigint): void {
    this.dv.setBigUint64(F.SACK_BITMAP[0], v);
  }
  setCcState(v: bigint): void {
    this.dv.setBigUint64(F.CC_STATE[0], v);
  }
  setCcxState(v: bigint): void {
    this.dv.setBigUint64(F.CCX_STATE[0], v);
  }
  override summary(): string {
    const psn = this.probe ? `probe ${hex(this.probeOpaque)}` : `ack_psn ${this.ackPsn}`;
    const epsn = this.hasEpsn ? ` epsn ${this.epsn}` : '';
    let cc = '';
    if (this.hasCc) {
      const sack = `0x${this.sackBitmap.toString(16).padStart(16, '0')}`;
      cc = ` ${uetCcTypeName(this.ccType)} mpr ${this.mpr} sack_base ${this.sackBasePsn} sack ${sack}`;
    }
    const flags = flagList([
      [this.ecnMarked, 'M'],
      [this.retx, 'RETX'],
      [this.probe, 'P'],
      [this.requestClose, 'REQ_CLOSE'],
      [this.requestClear, 'REQ_CLEAR'],
      [this.hasEpsn, 'EPSN'],
    ]);
    const ids = `spdcid ${this.spdcid} dpdcid ${this.dpdcid}`;
    return `${this.prologueSummary()} cack_psn ${this.cackPsn} ${psn} ${ids}${epsn}${cc}${flags}`;
  }
}

/** The ACK_CC / ACK_CCX extension. */
export interface UetAckCc {
  /** 4 bits: UET_CC_TYPE. */
  ccType: number;
  /** 4 bits. */
  ccFlags: number;
  /** Maximum PSN range, 8 bits, in units of 128 PSNs. */
  mpr: number;
  /** Signed 16 bits. */
  sackPsnOffset: number;
  sackBitmap: bigint;
  ccState: bigint;
}

export interface UetAckInit {
  /** ACK, ACK_CC or ACK_CCX. */
  type: number;
  nextHeader?: number;
  ecnMarked?: boolean;
  retx?: boolean;
  requestClose?: boolean;
  requestClear?: boolean;
  /** Signed 16 bits; default 0 unless probeOpaque is given. */
  ackPsnOffset?: number;
  /** Present = P flag set (ACK to a probe); replaces ackPsnOffset. */
  probeOpaque?: number;
  cackPsn: number;
  spdcid: number;
  dpdcid: number;
  /** Present = EPSN flag set, type ACK only; emitted as the provider's 16-byte closing ACK. */
  epsn?: number;
  /** Present exactly for ACK_CC and ACK_CCX. */
  cc?: UetAckCc;
  /** Present exactly for ACK_CCX. */
  ccxState?: bigint;
}

export class UetAckHeader {
  readonly kind = 'ack';
  readonly type: number;
  readonly nextHeader: number;
  readonly ecnMarked: boolean;
  readonly retx: boolean;
  readonly requestClose: boolean;
  readonly requestClear: boolean;
  readonly ackPsnOffset?: number;
  readonly probeOpaque?: number;
  readonly cackPsn: number;
  readonly spdcid: number;
  readonly dpdcid: number;
  readonly epsn?: number;
  readonly cc?: UetAckCc;
  readonly ccxState?: bigint;
  constructor(init: UetAckInit) {
    this.type = init.type;
    this.nextHeader = init.nextHeader ?? 0;
    this.ecnMarked = init.ecnMarked ?? false;
    this.retx = init.retx ?? false;
    this.requestClose = init.requestClose ?? false;
    this.requestClear = init.requestClear ?? false;
    if (init.probeOpaque !== undefined) this.probeOpaque = init.probeOpaque;
    if (init.ackPsnOffset !== undefined || init.probeOpaque === undefined) this.ackPsnOffset = init.ackPsnOffset ?? 0;
    this.cackPsn = init.cackPsn;
    this.spdcid = init.spdcid;
    this.dpdcid = init.dpdcid;
    if (init.epsn !== undefined) this.epsn = init.epsn;
    if (init.cc) this.cc = { ...init.cc };
    if (init.ccxState !== undefined) this.ccxState = init.ccxState;
  }
  /** `view` must be checked (its layout decides whether an EPSN payload is read). */
  static parse(view: UetAckView): UetAckHeader {
    if (!uetIsAckType(view.type)) throw uetMalformed('type', `${uetPdsTypeName(view.type)} is not an ACK`);
    return new UetAckHeader({
      type: view.type,
      nextHeader: view.nextHeader,
      ecnMarked: view.ecnMarked,
      retx: view.retx,
      requestClose: view.requestClose,
      requestClear: view.requestClear,
      ...(view.probe ? { probeOpaque: view.probeOpaque } : { ackPsnOffset: view.ackPsnOffset }),
      cackPsn: view.cackPsn,
      spdcid: view.spdcid,
      dpdcid: view.dpdcid,
      ...(view.hasEpsn ? { epsn: view.epsn } : {}),
      ...(view.hasCc
        ? {
            cc: {
              ccType: view.ccType,
              ccFlags: view.ccFlags,
              mpr: view.mpr,
              sackPsnOffset: view.sackPsnOffset,
              sackBitmap: view.sackBitmap,
              ccState: view.ccState,
            },
          }
        : {}),
      ...(view.type === UET_PDS_TYPE.ACK_CCX ? { ccxState: view.ccxState } : {}),
    });
  }
  /** The ACK to a probe carries no PSN offset. */
  get probe(): boolean {
    return this.probeOpaque !== undefined;
  }
  get ackPsn(): number | undefined {
    return this.ackPsnOffset === undefined ? undefined : (this.cackPsn + this.ackPsnOffset) >>> 0;
  }
  bufferLen(): number {
    if (this.type === UET_PDS_TYPE.ACK_CC) return UET_ACK_CC_LEN;
    if (this.type === UET_PDS_TYPE.ACK_CCX) return UET_ACK_CCX_LEN;
    return this.epsn !== undefined ? UET_ACK_EPSN_LEN : UET_ACK_LEN;
  }
  emit(view: UetAckView): void {
    if (!uetIsAckType(this.type)) throw uetMalformed('type', `${this.type} is not an ACK type`);
    checkU('nextHeader', this.nextHeader, 4);
    if ((this.ackPsnOffset === undefined) === (this.probeOpaque === undefined)) {
      throw uetMalformed('ackPsnOffset', 'give exactly one of ackPsnOffset and probeOpaque');
    }
    if (this.ackPsnOffset !== undefined) checkI16('ackPsnOffset', this.ackPsnOffset);
    if (this.probeOpaque !== undefined) checkU('probeOpaque', this.probeOpaque, 16);
    checkU('cackPsn', this.cackPsn, 32);
    checkU('spdcid', this.spdcid, 16);
    checkU('dpdcid', this.dpdcid, 16);
    if (this.epsn !== undefined) {
      if (this.type !== UET_PDS_TYPE.ACK) throw uetMalformed('epsn', 'only a plain ACK carries an expected PSN');
      checkU('epsn', this.epsn, 32);
    }
    const hasCc = this.type !== UET_PDS_TYPE.ACK;
    if (hasCc !== (this.cc !== undefined)) {
      throw uetMalformed('cc', 'the CC extension is given exactly for ACK_CC and ACK_CCX');
    }
    if (this.cc) {
      checkU('cc.ccType', this.cc.ccType, 4);
      checkU('cc.ccFlags', this.cc.ccFlags, 4);
      checkU('cc.mpr', this.cc.mpr, 8);
      checkI16('cc.sackPsnOffset', this.cc.sackPsnOffset);
      checkBig('cc.sackBitmap', this.cc.sackBitmap, 64);
      checkBig('cc.ccState', this.cc.ccState, 64);
    }
    if ((this.type === UET_PDS_TYPE.ACK_CCX) !== (this.ccxState !== undefined)) {
      throw uetMalformed('ccxState', 'the CCX state is given exactly for ACK_CCX');
    }
    if (this.ccxState !== undefined) checkBig('ccxState', this.ccxState, 64);
    checkLen(UET, 'header', view.buffer.length, this.bufferLen());
    const flags =
      (this.epsn !== undefined ? UET_ACK_FLAG.EPSN : 0) |
      (this.ecnMarked ? UET_ACK_FLAG.M : 0) |
      (this.retx ? UET_ACK_FLAG.RETX : 0) |
      (this.probe ? UET_ACK_FLAG.P : 0) |
      (this.requestClose ? UET_ACK_FLAG.REQ_CLOSE : 0) |
      (this.requestClear ? UET_ACK_FLAG.REQ_CLEAR : 0);
    view.setPrologue(this.type, this.nextHeader, flags);
    if (this.probeOpaque !== undefined) view.setProbeOpaque(this.probeOpaque);
    else view.setAckPsnOffset(this.ackPsnOffset!);
    view.setCackPsn(this.cackPsn);
    view.setSpdcid(this.spdcid);
    view.setDpdcid(this.dpdcid);
    if (this.epsn !== undefined) view.setEpsn(this.epsn);
    if (this.cc) {
      view.setCcTypeFlags(this.cc.ccType, this.cc.ccFlags);
      view.setMpr(this.cc.mpr);
      view.setSackPsnOffset(this.cc.sackPsnOffset);
      view.setSackBitmap(this.cc.sackBitmap);
      view.setCcState(this.cc.ccState);
    }
    if (this.ccxState !== undefined) view.setCcxState(this.ccxState);
  }
}
