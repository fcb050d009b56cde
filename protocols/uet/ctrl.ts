// PDS control packet (16 B): ACK request, clear, close, probe, credit and their requests.
//
// Layout: dissector `dissect_pds_ctl`, provider `struct uet_pds_ctrl`; offsets agree. The control
// type sits in the prologue's next-header bits. Provider-only details, modelled because they cost
// no bytes: flag ISROD 0x20 (the dissector calls it reserved), control type 9 (negotiation), and,
// with SYN, the DPDCID slot carrying pdc_info + psn_offset as in a request (the dissector always
// shows a DPDCID). The 32-bit payload means, per control type (provider comment): ACK request ->
// message id or 0; clear -> clear PSN; clear request -> PSN to clear; probe -> SACK bitmap base
// PSN; credit -> credit; credit request -> target credit; others -> 0.
import { checkLen, hex, type Field } from '../wire.ts';
import { UET, checkU, flagList, uetMalformed } from './common.ts';
import { UET_CTRL_TYPE, UET_PDS_TYPE, UetPdsPrologueView, uetPdsTypeName } from './prologue.ts';
import type { UetSynInfo } from './request.ts';

const F = {
  PROLOGUE: [0, 2], // control type in the next-header bits
  PROBE_OPAQUE: [2, 4], // reserved unless the control type is PROBE
  PSN: [4, 8],
  SPDCID: [8, 10],
  DPDCID: [10, 12], // with SYN: pdc_info(4) psn_offset(12)
  PAYLOAD: [12, 16],
} as const satisfies Record<string, Field>;

export const UET_CTRL_LEN = F.PAYLOAD[1];

/** CTRL flags (values of the 7-bit prologue flag field); 0x40 and 0x03 are reserved. */
export const UET_CTRL_FLAG = {
  /** Provider only: the PDC is ROD (clear: RUD). */
  ISROD: 0x20,
  RETX: 0x10,
  AR: 0x08,
  SYN: 0x04,
} as const;

export class UetCtrlView extends UetPdsPrologueView {
  static override unchecked(buf: Uint8Array): UetCtrlView {
    return new UetCtrlView(buf);
  }
  static override checked(buf: Uint8Array): UetCtrlView {
    const v = new UetCtrlView(buf);
    v.checkLen();
    return v;
  }
  override checkLen(): void {
    checkLen(UET, 'header', this.buffer.length, UET_CTRL_LEN);
  }
  get isRod(): boolean {
    return this.flag(UET_CTRL_FLAG.ISROD);
  }
  get retx(): boolean {
    return this.flag(UET_CTRL_FLAG.RETX);
  }
  get ackRequest(): boolean {
    return this.flag(UET_CTRL_FLAG.AR);
  }
  get syn(): boolean {
    return this.flag(UET_CTRL_FLAG.SYN);
  }
  get probeOpaque(): number {
    return this.u16(F.PROBE_OPAQUE);
  }
  get psn(): number {
    return this.u32(F.PSN);
  }
  get spdcid(): number {
    return this.u16(F.SPDCID);
  }
  /** The raw slot; the DPDCID only when SYN is clear. */
  get dpdcid(): number {
    return this.u16(F.DPDCID);
  }
  get pdcInfo(): number {
    return this.u16(F.DPDCID) >> 12;
  }
  get psnOffset(): number {
    return this.u16(F.DPDCID) & 0x0fff;
  }
  get ctrlPayload(): number {
    return this.u32(F.PAYLOAD);
  }
  /** Bytes after the header (none are defined; kept for padding and trailers). */
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_CTRL_LEN);
  }
  setProbeOpaque(v: number): void {
    this.setU16(F.PROBE_OPAQUE, v);
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
  setCtrlPayload(v: number): void {
    this.setU32(F.PAYLOAD, v);
  }
  override summary(): string {
    const probe = this.ctrlType === UET_CTRL_TYPE.PROBE ? ` probe ${hex(this.probeOpaque)}` : '';
    const pdc = this.syn ? `pdc_info ${hex(this.pdcInfo, 1)} psn_offset ${this.psnOffset}` : `dpdcid ${this.dpdcid}`;
    const flags = flagList([
      [this.isRod, 'ROD'],
      [this.retx, 'RETX'],
      [this.ackRequest, 'AR'],
      [this.syn, 'SYN'],
    ]);
    const payload = hex(this.ctrlPayload, 8);
    return `${this.prologueSummary()}${probe} psn ${this.psn} spdcid ${this.spdcid} ${pdc} payload ${payload}${flags}`;
  }
}

export interface UetCtrlInit {
  /** UET_CTRL_TYPE (4 bits). */
  ctrlType: number;
  isRod?: boolean;
  retx?: boolean;
  ackRequest?: boolean;
  /** The probe's opaque value (reserved for other control types); default 0. */
  probeOpaque?: number;
  psn: number;
  spdcid: number;
  /** Exactly one of dpdcid and syn. */
  dpdcid?: number;
  /** Present = SYN flag set. */
  syn?: UetSynInfo;
  /** Default 0. */
  ctrlPayload?: number;
}

export class UetCtrlHeader {
  readonly kind = 'ctrl';
  readonly type = UET_PDS_TYPE.CTRL;
  readonly ctrlType: number;
  readonly isRod: boolean;
  readonly retx: boolean;
  readonly ackRequest: boolean;
  readonly probeOpaque: number;
  readonly psn: number;
  readonly spdcid: number;
  readonly dpdcid?: number;
  readonly syn?: UetSynInfo;
  readonly ctrlPayload: number;
  constructor(init: UetCtrlInit) {
    this.ctrlType = init.ctrlType;
    this.isRod = init.isRod ?? false;
    this.retx = init.retx ?? false;
    this.ackRequest = init.ackRequest ?? false;
    this.probeOpaque = init.probeOpaque ?? 0;
    this.psn = init.psn;
    this.spdcid = init.spdcid;
    if (init.dpdcid !== undefined) this.dpdcid = init.dpdcid;
    if (init.syn) this.syn = { ...init.syn };
    this.ctrlPayload = init.ctrlPayload ?? 0;
  }
  /** `view` must be checked. Unknown control types are kept. */
  static parse(view: UetCtrlView): UetCtrlHeader {
    if (view.type !== UET_PDS_TYPE.CTRL) throw uetMalformed('type', `${uetPdsTypeName(view.type)} is not CTRL`);
    return new UetCtrlHeader({
      ctrlType: view.ctrlType,
      isRod: view.isRod,
      retx: view.retx,
      ackRequest: view.ackRequest,
      probeOpaque: view.probeOpaque,
      psn: view.psn,
      spdcid: view.spdcid,
      ...(view.syn ? { syn: { pdcInfo: view.pdcInfo, psnOffset: view.psnOffset } } : { dpdcid: view.dpdcid }),
      ctrlPayload: view.ctrlPayload,
    });
  }
  bufferLen(): number {
    return UET_CTRL_LEN;
  }
  emit(view: UetCtrlView): void {
    checkU('ctrlType', this.ctrlType, 4);
    checkU('probeOpaque', this.probeOpaque, 16);
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
    checkU('ctrlPayload', this.ctrlPayload, 32);
    checkLen(UET, 'header', view.buffer.length, UET_CTRL_LEN);
    const flags =
      (this.isRod ? UET_CTRL_FLAG.ISROD : 0) |
      (this.retx ? UET_CTRL_FLAG.RETX : 0) |
      (this.ackRequest ? UET_CTRL_FLAG.AR : 0) |
      (this.syn ? UET_CTRL_FLAG.SYN : 0);
    view.setPrologue(UET_PDS_TYPE.CTRL, this.ctrlType, flags);
    view.setProbeOpaque(this.probeOpaque);
    view.setPsn(this.psn);
    view.setSpdcid(this.spdcid);
    if (this.syn) view.setSynInfo(this.syn.pdcInfo, this.syn.psnOffset);
    else view.setDpdcid(this.dpdcid!);
    view.setCtrlPayload(this.ctrlPayload);
  }
}
