// PDS RUD/ROD request header (12 B), its SYN form, and the CC variants RUD_CC_REQ/ROD_CC_REQ (16 B).
//
// Layout: dissector `dissect_pds_rud_rod_req`, provider `struct uet_pds_req` (+ `uet_pds_req_cc_state`);
// they agree on every offset. With SYN set the DPDCID slot (the target has no PDC yet) carries
// pdc_info (4 bits) and psn_offset (12 bits): start PSN = PSN - psn_offset. The sources name
// different bits of pdc_info ("use reserved PDC" is bit 0 of the nibble in the provider, bit 3 in
// the dissector), so the nibble is kept raw (no meaning assumed). The dissector splits the CC variants' 4 extra bytes
// into CCC ID (8) and credit target (24); the provider keeps them as one opaque `req_cc_state`.
import { checkLen, hex, type Field } from '../wire.ts';
import { UET, checkI16, checkU, flagList, uetMalformed } from './common.ts';
import { UET_PDS_TYPE, UetPdsPrologueView, uetPdsTypeName } from './prologue.ts';

const F = {
  PROLOGUE: [0, 2],
  CLEAR_PSN_OFFSET: [2, 4], // signed: clear PSN = PSN + offset
  PSN: [4, 8],
  SPDCID: [8, 10],
  DPDCID: [10, 12], // with SYN: pdc_info(4) psn_offset(12)
  CCC_ID: [12, 13], // CC variants only
  CREDIT_TARGET: [13, 16], // CC variants only, 24 bits
} as const satisfies Record<string, Field>;

/** RUD_REQ and ROD_REQ. */
export const UET_RUD_REQ_LEN = F.DPDCID[1];
/** RUD_CC_REQ and ROD_CC_REQ. */
export const UET_RUD_CC_REQ_LEN = F.CREDIT_TARGET[1];

/**
 * Request flags: values of the 7-bit prologue flag field, the low 7 bits of byte 1 (prologue.ts);
 * bit positions as in the dissector's `UET_PDS_RUD_ROD_FLAGS_*`, which the provider repeats.
 * 0x60 and 0x03 are reserved.
 */
export const UET_REQ_FLAG = { RETX: 0x10, AR: 0x08, SYN: 0x04 } as const;

const REQUEST_TYPES: readonly number[] = [
  UET_PDS_TYPE.RUD_REQ,
  UET_PDS_TYPE.ROD_REQ,
  UET_PDS_TYPE.RUD_CC_REQ,
  UET_PDS_TYPE.ROD_CC_REQ,
];

export function uetIsRequestType(t: number): boolean {
  return REQUEST_TYPES.includes(t);
}

export function uetIsCcRequestType(t: number): boolean {
  return t === UET_PDS_TYPE.RUD_CC_REQ || t === UET_PDS_TYPE.ROD_CC_REQ;
}

/** What a SYN packet carries in the DPDCID slot (also used by CTRL). */
export interface UetSynInfo {
  /** 4 bits, kept raw (see the file comment). */
  pdcInfo: number;
  /** 12 bits: how far PSN is past the PDC's start PSN. */
  psnOffset: number;
}

/** The 4 extra bytes of RUD_CC_REQ / ROD_CC_REQ. */
export interface UetReqCcState {
  cccId: number;
  /** 24 bits. */
  creditTarget: number;
}

export class UetRequestView extends UetPdsPrologueView {
  static override unchecked(buf: Uint8Array): UetRequestView {
    return new UetRequestView(buf);
  }
  static override checked(buf: Uint8Array): UetRequestView {
    const v = new UetRequestView(buf);
    v.checkLen();
    return v;
  }
  /** 12 bytes, 16 for the CC types. */
  override checkLen(): void {
    checkLen(UET, 'header', this.buffer.length, UET_RUD_REQ_LEN);
    if (this.isCc) checkLen(UET, 'cc', this.buffer.length, UET_RUD_CC_REQ_LEN);
  }
  get isCc(): boolean {
    return uetIsCcRequestType(this.type);
  }
  get headerLen(): number {
    return this.isCc ? UET_RUD_CC_REQ_LEN : UET_RUD_REQ_LEN;
  }
  get retx(): boolean {
    return this.flag(UET_REQ_FLAG.RETX);
  }
  get ackRequest(): boolean {
    return this.flag(UET_REQ_FLAG.AR);
  }
  get syn(): boolean {
    return this.flag(UET_REQ_FLAG.SYN);
  }
  get clearPsnOffset(): number {
    return this.dv.getInt16(F.CLEAR_PSN_OFFSET[0]);
  }
  get psn(): number {
    return this.u32(F.PSN);
  }
  get clearPsn(): number {
    return (this.psn + this.clearPsnOffset) >>> 0;
  }
  get spdcid(): number {
    return this.u16(F.SPDCID);
  }
  /** The raw slot; the DPDCID only when SYN is clear. */
  get dpdcid(): number {
    return this.u16(F.DPDCID);
  }
  /** With SYN: the top 4 bits of the DPDCID slot. */
  get pdcInfo(): number {
    return this.u16(F.DPDCID) >> 12;
  }
  /** With SYN: the low 12 bits of the DPDCID slot. */
  get psnOffset(): number {
    return this.u16(F.DPDCID) & 0x0fff;
  }
  /** With SYN: the PDC's first PSN. */
  get startPsn(): number {
    return (this.psn - this.psnOffset) >>> 0;
  }
  /** CC types only. */
  get cccId(): number {
    return this.u8(F.CCC_ID);
  }
  /** CC types only. */
  get creditTarget(): number {
    return this.u32(F.CCC_ID) & 0xffffff;
  }
  /** What follows the header: the SES header, if any, and data. */
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }
  setClearPsnOffset(v: number): void {
    this.dv.setInt16(F.CLEAR_PSN_OFFSET[0], v);
  }
  setPsn(v: number): void {
    this.setU32(F.PSN, v);
  }
  setSpdcid(v: number): void {
    this.setU16(F.SPDCID, v);
  }
  setDpdcid(v: number): void {
    this.setU16(F.DPDCID, v);
  }
  setSynInfo(pdcInfo: number, psnOffset: number): void {
    this.setU16(F.DPDCID, ((pdcInfo & 0x0f) << 12) | (psnOffset & 0x0fff));
  }
  setCccId(v: number): void {
    this.setU8(F.CCC_ID, v);
  }
  setCreditTarget(v: number): void {
    this.setU8(F.CREDIT_TARGET[0], v >>> 16);
    this.setU16(F.CREDIT_TARGET[0] + 1, v & 0xffff);
  }
  override summary(): string {
    const pdc = this.syn
      ? `pdc_info ${hex(this.pdcInfo, 1)} start_psn ${this.startPsn}`
      : `dpdcid ${this.dpdcid}`;
    const cc = this.isCc ? ` ccc ${this.cccId} credit ${this.creditTarget}` : '';
    const flags = flagList([
      [this.retx, 'RETX'],
      [this.ackRequest, 'AR'],
      [this.syn, 'SYN'],
    ]);
    return `${this.prologueSummary()} psn ${this.psn} clear_psn ${this.clearPsn} spdcid ${this.spdcid} ${pdc}${cc}${flags}`;
  }
}

export interface UetRequestInit {
  /** RUD_REQ, ROD_REQ, RUD_CC_REQ or ROD_CC_REQ. */
  type: number;
  nextHeader?: number;
  retx?: boolean;
  ackRequest?: boolean;
  /** Signed 16 bits; default 0. */
  clearPsnOffset?: number;
  psn: number;
  spdcid: number;
  /** Exactly one of dpdcid and syn. */
  dpdcid?: number;
  /** Present = SYN flag set; the DPDCID slot then carries this. */
  syn?: UetSynInfo;
  /** Present exactly for the CC types. */
  cc?: UetReqCcState;
}

export class UetRequestHeader {
  readonly kind = 'request';
  readonly type: number;
  readonly nextHeader: number;
  readonly retx: boolean;
  readonly ackRequest: boolean;
  readonly clearPsnOffset: number;
  readonly psn: number;
  readonly spdcid: number;
  readonly dpdcid?: number;
  readonly syn?: UetSynInfo;
  readonly cc?: UetReqCcState;
  constructor(init: UetRequestInit) {
    this.type = init.type;
    this.nextHeader = init.nextHeader ?? 0;
    this.retx = init.retx ?? false;
    this.ackRequest = init.ackRequest ?? false;
    this.clearPsnOffset = init.clearPsnOffset ?? 0;
    this.psn = init.psn;
    this.spdcid = init.spdcid;
    if (init.dpdcid !== undefined) this.dpdcid = init.dpdcid;
    if (init.syn) this.syn = { ...init.syn };
    if (init.cc) this.cc = { ...init.cc };
  }
  /** `view` must be checked. The type must be a RUD/ROD request type. */
  static parse(view: UetRequestView): UetRequestHeader {
    if (!uetIsRequestType(view.type)) throw uetMalformed('type', `${uetPdsTypeName(view.type)} is not a RUD/ROD request`);
    return new UetRequestHeader({
      type: view.type,
      nextHeader: view.nextHeader,
      retx: view.retx,
      ackRequest: view.ackRequest,
      clearPsnOffset: view.clearPsnOffset,
      psn: view.psn,
      spdcid: view.spdcid,
      ...(view.syn ? { syn: { pdcInfo: view.pdcInfo, psnOffset: view.psnOffset } } : { dpdcid: view.dpdcid }),
      ...(view.isCc ? { cc: { cccId: view.cccId, creditTarget: view.creditTarget } } : {}),
    });
  }
  /** Reliable ordered delivery (ROD) rather than unordered (RUD). */
  get ordered(): boolean {
    return this.type === UET_PDS_TYPE.ROD_REQ || this.type === UET_PDS_TYPE.ROD_CC_REQ;
  }
  /** With SYN: the PDC's first PSN. */
  get startPsn(): number | undefined {
    return this.syn ? (this.psn - this.syn.psnOffset) >>> 0 : undefined;
  }
  bufferLen(): number {
    return uetIsCcRequestType(this.type) ? UET_RUD_CC_REQ_LEN : UET_RUD_REQ_LEN;
  }
  emit(view: UetRequestView): void {
    if (!uetIsRequestType(this.type)) throw uetMalformed('type', `${this.type} is not a RUD/ROD request type`);
    checkU('nextHeader', this.nextHeader, 4);
    checkI16('clearPsnOffset', this.clearPsnOffset);
    checkU('psn', this.psn, 32);
    checkU('spdcid', this.spdcid, 16);
    if ((this.dpdcid === undefined) === (this.syn === undefined)) {
      throw uetMalformed('dpdcid', 'give exactly one of dpdcid and syn');
    }
    if (this.dpdcid !== undefined) checkU('dpdcid', this.dpdcid, 16);
    if (this.syn) {
      checkU('syn.pdcInfo', this.syn.pdcInfo, 4);
      checkU('syn.psnOffset', this.syn.psnOffset, 12);
    }
    if (uetIsCcRequestType(this.type) !== (this.cc !== undefined)) {
      throw uetMalformed('cc', 'CC state is given exactly for RUD_CC_REQ and ROD_CC_REQ');
    }
    if (this.cc) {
      checkU('cc.cccId', this.cc.cccId, 8);
      checkU('cc.creditTarget', this.cc.creditTarget, 24);
    }
    checkLen(UET, 'header', view.buffer.length, this.bufferLen());
    const flags =
      (this.retx ? UET_REQ_FLAG.RETX : 0) | (this.ackRequest ? UET_REQ_FLAG.AR : 0) | (this.syn ? UET_REQ_FLAG.SYN : 0);
    view.setPrologue(this.type, this.nextHeader, flags);
    view.setClearPsnOffset(this.clearPsnOffset);
    view.setPsn(this.psn);
    view.setSpdcid(this.spdcid);
    if (this.syn) view.setSynInfo(this.syn.pdcInfo, this.syn.psnOffset);
    else view.setDpdcid(this.dpdcid!);
    if (this.cc) {
      view.setCccId(this.cc.cccId);
      view.setCreditTarget(this.cc.creditTarget);
    }
  }
}
