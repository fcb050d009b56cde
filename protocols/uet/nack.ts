// PDS NACK (16 B) and NACK_CCX (32 B): why a packet was not accepted, for RUD/ROD and (flag NT) RUDI.
//
// Layout: dissector `dissect_pds_nack`, provider `struct uet_pds_nack` / `uet_pds_nack_ccx`. The
// first 16 bytes agree; the dissector only skips NACK_CCX's 16 extra bytes ("TODO"), so their
// split (nccx_type 4 bits, state 1 of 60 bits, state 2 of 64 bits) is the provider's. The last
// 4 bytes of NACK are "specific to nack_code" in the provider; the dissector labels them "Max Recvd
// PSN + 1". Flags M 0x20, RETX 0x10, NT 0x08 appear in both.
import { checkLen, hex, type Field } from '../wire.ts';
import { UET, checkBig, checkU, flagList, uetMalformed } from './common.ts';
import { UET_PDS_TYPE, UetPdsPrologueView, uetPdsTypeName } from './prologue.ts';

const F = {
  PROLOGUE: [0, 2],
  NACK_CODE: [2, 3],
  VENDOR_CODE: [3, 4],
  NACK_PSN: [4, 8], // with NT: the RUDI packet id
  SPDCID: [8, 10], // zero with NT
  DPDCID: [10, 12], // zero with NT
  PAYLOAD: [12, 16],
  NCCX_TYPE_STATE1: [16, 24], // NACK_CCX: nccx_type(4) state1(60)
  NCCX_STATE2: [24, 32],
} as const satisfies Record<string, Field>;

export const UET_NACK_LEN = F.PAYLOAD[1];
export const UET_NACK_CCX_LEN = F.NCCX_STATE2[1];

/** NACK flags (values of the 7-bit prologue flag field); 0x40 and 0x07 are reserved. */
export const UET_NACK_FLAG = {
  /** The NACKed packet arrived ECN-marked. */
  M: 0x20,
  RETX: 0x10,
  /** NACK type: set for RUDI (the PSN slot is the packet id), clear for RUD/ROD. */
  NT: 0x08,
} as const;

/** NACK codes (dissector and provider agree); other values pass through as numbers. */
export const UET_NACK_CODE = {
  TRIMMED: 0x01,
  TRIMMED_LAST_HOP: 0x02,
  TRIMMED_ACK: 0x03,
  NO_PDC_AVAIL: 0x04,
  NO_CCC_AVAIL: 0x05,
  NO_BITMAP: 0x06,
  NO_PKT_BUFFER: 0x07,
  NO_GTD_DEL_AVAIL: 0x08,
  NO_SES_MSG_AVAIL: 0x09,
  NO_RESOURCE: 0x0a,
  PSN_OOR_WINDOW: 0x0b,
  ROD_OOO: 0x0d,
  INV_DPDCID: 0x0e,
  PDC_HDR_MISMATCH: 0x0f,
  CLOSING: 0x10,
  CLOSING_IN_ERR: 0x11,
  PKT_NOT_RCVD: 0x12,
  GTD_DEL_RESP_UNAVAIL: 0x13,
  ACK_WITH_DATA: 0x14,
  INVALID_SYN: 0x15,
  PDC_MODE_MISMATCH: 0x16,
  NEW_START_PSN: 0x17,
  RCVD_SES_PROCG: 0x18,
  UNEXP_EVENT: 0x19,
  RCVR_INFER_LOSS: 0x1a,
  EXP_NORMAL: 0xfd,
  EXP_ERR: 0xfe,
  EXP_FATAL: 0xff,
} as const;

const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(UET_NACK_CODE).map(([k, v]) => [v, k]),
);

export function uetNackCodeName(c: number): string {
  return CODE_NAMES[c] ?? hex(c, 2);
}

/** Codes 0x04..0x0a: the target ran out of some resource (protocol-facts "resource exhaustion"). */
export function uetNackIsResourceExhaustion(c: number): boolean {
  return c >= UET_NACK_CODE.NO_PDC_AVAIL && c <= UET_NACK_CODE.NO_RESOURCE;
}

export function uetIsNackType(t: number): boolean {
  return t === UET_PDS_TYPE.NACK || t === UET_PDS_TYPE.NACK_CCX;
}

export class UetNackView extends UetPdsPrologueView {
  static override unchecked(buf: Uint8Array): UetNackView {
    return new UetNackView(buf);
  }
  static override checked(buf: Uint8Array): UetNackView {
    const v = new UetNackView(buf);
    v.checkLen();
    return v;
  }
  /** 16 bytes, 32 for NACK_CCX. */
  override checkLen(): void {
    checkLen(UET, 'header', this.buffer.length, UET_NACK_LEN);
    if (this.hasCcx) checkLen(UET, 'ccx', this.buffer.length, UET_NACK_CCX_LEN);
  }
  get hasCcx(): boolean {
    return this.type === UET_PDS_TYPE.NACK_CCX;
  }
  get headerLen(): number {
    return this.hasCcx ? UET_NACK_CCX_LEN : UET_NACK_LEN;
  }
  get ecnMarked(): boolean {
    return this.flag(UET_NACK_FLAG.M);
  }
  get retx(): boolean {
    return this.flag(UET_NACK_FLAG.RETX);
  }
  /** NT: the NACK answers a RUDI packet. */
  get rudi(): boolean {
    return this.flag(UET_NACK_FLAG.NT);
  }
  get nackCode(): number {
    return this.u8(F.NACK_CODE);
  }
  get vendorCode(): number {
    return this.u8(F.VENDOR_CODE);
  }
  /** The NACKed PSN, or the RUDI packet id with NT. */
  get nackPsn(): number {
    return this.u32(F.NACK_PSN);
  }
  get spdcid(): number {
    return this.u16(F.SPDCID);
  }
  get dpdcid(): number {
    return this.u16(F.DPDCID);
  }
  get nackPayload(): number {
    return this.u32(F.PAYLOAD);
  }
  /** NACK_CCX only, as are the two states. */
  get nccxType(): number {
    return this.u8(F.NCCX_TYPE_STATE1) >> 4;
  }
  /** 60 bits. */
  get nccxState1(): bigint {
    return this.dv.getBigUint64(F.NCCX_TYPE_STATE1[0]) & 0x0fff_ffff_ffff_ffffn;
  }
  get nccxState2(): bigint {
    return this.dv.getBigUint64(F.NCCX_STATE2[0]);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }
  setNackCode(v: number): void {
    this.setU8(F.NACK_CODE, v);
  }
  setVendorCode(v: number): void {
    this.setU8(F.VENDOR_CODE, v);
  }
  setNackPsn(v: number): void {
    this.setU32(F.NACK_PSN, v);
  }
  setSpdcid(v: number): void {
    this.setU16(F.SPDCID, v);
  }
  setDpdcid(v: number): void {
    this.setU16(F.DPDCID, v);
  }
  setNackPayload(v: number): void {
    this.setU32(F.PAYLOAD, v);
  }
  setNccx(type: number, state1: bigint, state2: bigint): void {
    this.dv.setBigUint64(F.NCCX_TYPE_STATE1[0], (BigInt(type & 0x0f) << 60n) | (state1 & 0x0fff_ffff_ffff_ffffn));
    this.dv.setBigUint64(F.NCCX_STATE2[0], state2);
  }
  override summary(): string {
    const vendor = this.vendorCode ? ` vendor ${hex(this.vendorCode, 2)}` : '';
    const what = this.rudi ? `pkt_id ${this.nackPsn}` : `psn ${this.nackPsn}`;
    const flags = flagList([
      [this.ecnMarked, 'M'],
      [this.retx, 'RETX'],
      [this.rudi, 'NT'],
    ]);
    return (
      `${this.prologueSummary()} ${uetNackCodeName(this.nackCode)}${vendor} ${what} spdcid ${this.spdcid} ` +
      `dpdcid ${this.dpdcid} payload ${hex(this.nackPayload, 8)}${flags}`
    );
  }
}

/** The 16 extra bytes of NACK_CCX (provider layout). */
export interface UetNackCcx {
  /** 4 bits. */
  nccxType: number;
  /** 60 bits. */
  state1: bigint;
  state2: bigint;
}

export interface UetNackInit {
  /** NACK or NACK_CCX. */
  type: number;
  nextHeader?: number;
  ecnMarked?: boolean;
  retx?: boolean;
  /** NT flag: a RUDI NACK (nackPsn is then the packet id, PDC ids zero). */
  rudi?: boolean;
  nackCode: number;
  vendorCode?: number;
  nackPsn: number;
  spdcid: number;
  dpdcid: number;
  /** The code-specific 32-bit payload; default 0. */
  nackPayload?: number;
  /** Present exactly for NACK_CCX. */
  ccx?: UetNackCcx;
}

export class UetNackHeader {
  readonly kind = 'nack';
  readonly type: number;
  readonly nextHeader: number;
  readonly ecnMarked: boolean;
  readonly retx: boolean;
  readonly rudi: boolean;
  readonly nackCode: number;
  readonly vendorCode: number;
  readonly nackPsn: number;
  readonly spdcid: number;
  readonly dpdcid: number;
  readonly nackPayload: number;
  readonly ccx?: UetNackCcx;
  constructor(init: UetNackInit) {
    this.type = init.type;
    this.nextHeader = init.nextHeader ?? 0;
    this.ecnMarked = init.ecnMarked ?? false;
    this.retx = init.retx ?? false;
    this.rudi = init.rudi ?? false;
    this.nackCode = init.nackCode;
    this.vendorCode = init.vendorCode ?? 0;
    this.nackPsn = init.nackPsn;
    this.spdcid = init.spdcid;
    this.dpdcid = init.dpdcid;
    this.nackPayload = init.nackPayload ?? 0;
    if (init.ccx) this.ccx = { ...init.ccx };
  }
  /** `view` must be checked. Unknown NACK codes are kept (they are the receiver's to judge). */
  static parse(view: UetNackView): UetNackHeader {
    if (!uetIsNackType(view.type)) throw uetMalformed('type', `${uetPdsTypeName(view.type)} is not a NACK`);
    return new UetNackHeader({
      type: view.type,
      nextHeader: view.nextHeader,
      ecnMarked: view.ecnMarked,
      retx: view.retx,
      rudi: view.rudi,
      nackCode: view.nackCode,
      vendorCode: view.vendorCode,
      nackPsn: view.nackPsn,
      spdcid: view.spdcid,
      dpdcid: view.dpdcid,
      nackPayload: view.nackPayload,
      ...(view.hasCcx ? { ccx: { nccxType: view.nccxType, state1: view.nccxState1, state2: view.nccxState2 } } : {}),
    });
  }
  bufferLen(): number {
    return this.type === UET_PDS_TYPE.NACK_CCX ? UET_NACK_CCX_LEN : UET_NACK_LEN;
  }
  emit(view: UetNackView): void {
    if (!uetIsNackType(this.type)) throw uetMalformed('type', `${this.type} is not a NACK type`);
    checkU('nextHeader', this.nextHeader, 4);
    checkU('nackCode', this.nackCode, 8);
    checkU('vendorCode', this.vendorCode, 8);
    checkU('nackPsn', this.nackPsn, 32);
    checkU('spdcid', this.spdcid, 16);
    checkU('dpdcid', this.dpdcid, 16);
    checkU('nackPayload', this.nackPayload, 32);
    if ((this.type === UET_PDS_TYPE.NACK_CCX) !== (this.ccx !== undefined)) {
      throw uetMalformed('ccx', 'the CCX extension is given exactly for NACK_CCX');
    }
    if (this.ccx) {
      checkU('ccx.nccxType', this.ccx.nccxType, 4);
      checkBig('ccx.state1', this.ccx.state1, 60);
      checkBig('ccx.state2', this.ccx.state2, 64);
    }
    checkLen(UET, 'header', view.buffer.length, this.bufferLen());
    const flags =
      (this.ecnMarked ? UET_NACK_FLAG.M : 0) | (this.retx ? UET_NACK_FLAG.RETX : 0) | (this.rudi ? UET_NACK_FLAG.NT : 0);
    view.setPrologue(this.type, this.nextHeader, flags);
    view.setNackCode(this.nackCode);
    view.setVendorCode(this.vendorCode);
    view.setNackPsn(this.nackPsn);
    view.setSpdcid(this.spdcid);
    view.setDpdcid(this.dpdcid);
    view.setNackPayload(this.nackPayload);
    if (this.ccx) view.setNccx(this.ccx.nccxType, this.ccx.state1, this.ccx.state2);
  }
}
