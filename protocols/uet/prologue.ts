// The 2-byte PDS prologue every UET packet starts with: type, next header (or control type), flags.
//
// Bit layout (dissector `dissect_pds`, provider `struct uet_pds_prlg`; both agree), big-endian:
//
//   byte 0          byte 1
//   7 6 5 4 3 2 1 0 7 6 5 4 3 2 1 0
//   [  type(5)  ][ nh/ctl(4) ][ flags(7)  ]
//
// type = bits 15..11 (mask 0xf800), next header or control type = bits 10..7 (0x0780), flags =
// bits 6..0 (0x007f). The 7-bit flag field is the low seven bits of byte 1 (the top bit of byte 1 is
// the low bit of the next header). Flag masks everywhere in protocols/uet/ (RETX 0x10, AR 0x08,
// ...) are values of that 7-bit field, as in the provider's `UET_PDS_*_FLAGS_*` and the
// dissector's `hf_uet_pds_flags_*`, which it applies to the same low byte. Source followed: the
// dissector's masks, checked against the provider's; they agree.
import { WireView, checkLen, hex, type Field } from '../wire.ts';
import { UET, checkU } from './common.ts';

const F = {
  TYPE_NH_FLAGS: [0, 2], // type(5) next header or control type(4) flags(7)
} as const satisfies Record<string, Field>;

export const UET_PDS_PROLOGUE_LEN = F.TYPE_NH_FLAGS[1];

/** PDS types (protocol-facts "PDS types"); other values pass through as numbers. */
export const UET_PDS_TYPE = {
  RESERVED: 0,
  /** Transport security sublayer header (encrypted packets); not decoded here. */
  TSS: 1,
  RUD_REQ: 2,
  ROD_REQ: 3,
  RUDI_REQ: 4,
  RUDI_RESP: 5,
  UUD_REQ: 6,
  ACK: 7,
  ACK_CC: 8,
  ACK_CCX: 9,
  NACK: 10,
  CTRL: 11,
  NACK_CCX: 12,
  RUD_CC_REQ: 13,
  ROD_CC_REQ: 14,
} as const;

const TYPE_NAMES = [
  'Reserved',
  'TSS',
  'RUD_REQ',
  'ROD_REQ',
  'RUDI_REQ',
  'RUDI_RESP',
  'UUD_REQ',
  'ACK',
  'ACK_CC',
  'ACK_CCX',
  'NACK',
  'CTRL',
  'NACK_CCX',
  'RUD_CC_REQ',
  'ROD_CC_REQ',
];

export function uetPdsTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `type-${t}`;
}

/** Next-header values: which SES header follows the PDS header. */
export const UET_NEXT_HEADER = {
  NONE: 0,
  REQ_SMALL: 1,
  REQ_MEDIUM: 2,
  REQ_STD: 3,
  RSP: 4,
  RSP_DATA: 5,
  RSP_DATA_SMALL: 6,
} as const;

const NH_NAMES = ['NONE', 'REQ_SMALL', 'REQ_MEDIUM', 'REQ_STD', 'RSP', 'RSP_DATA', 'RSP_DATA_SMALL'];

export function uetNextHeaderName(nh: number): string {
  return NH_NAMES[nh] ?? `nh-${nh}`;
}

/** Control types of a CTRL packet (in the next-header bits); 9 exists only in the provider. */
export const UET_CTRL_TYPE = {
  NOP: 0,
  ACK_REQ: 1,
  CLEAR: 2,
  CLEAR_REQ: 3,
  CLOSE: 4,
  CLOSE_REQ: 5,
  PROBE: 6,
  CREDIT: 7,
  CREDIT_REQ: 8,
  /** Provider `UET_PDS_CTRL_TYPE_NEGOTIATION`; absent from the dissector. */
  NEGOTIATION: 9,
} as const;

const CTRL_NAMES = [
  'NOP',
  'ACK_REQ',
  'CLEAR',
  'CLEAR_REQ',
  'CLOSE',
  'CLOSE_REQ',
  'PROBE',
  'CREDIT',
  'CREDIT_REQ',
  'NEGOTIATION',
];

export function uetCtrlTypeName(c: number): string {
  return CTRL_NAMES[c] ?? `ctrl-${c}`;
}

/**
 * The prologue over the first two bytes; every PDS header view extends it, so `type`, `nextHeader`
 * and `flags` read the same bytes whatever the header.
 */
export class UetPdsPrologueView extends WireView {
  static unchecked(buf: Uint8Array): UetPdsPrologueView {
    return new UetPdsPrologueView(buf);
  }
  static checked(buf: Uint8Array): UetPdsPrologueView {
    const v = new UetPdsPrologueView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'prologue', this.buffer.length, UET_PDS_PROLOGUE_LEN);
  }
  get type(): number {
    return this.u16(F.TYPE_NH_FLAGS) >> 11;
  }
  /** Next header; for CTRL packets the same bits are the control type. */
  get nextHeader(): number {
    return (this.u16(F.TYPE_NH_FLAGS) >> 7) & 0x0f;
  }
  get ctrlType(): number {
    return this.nextHeader;
  }
  /** The 7-bit flag field (meaning per type). */
  get flags(): number {
    return this.u16(F.TYPE_NH_FLAGS) & 0x7f;
  }
  protected flag(mask: number): boolean {
    return (this.flags & mask) !== 0;
  }
  setType(v: number): void {
    this.setU16(F.TYPE_NH_FLAGS, ((v & 0x1f) << 11) | (this.u16(F.TYPE_NH_FLAGS) & 0x07ff));
  }
  setNextHeader(v: number): void {
    this.setU16(F.TYPE_NH_FLAGS, (this.u16(F.TYPE_NH_FLAGS) & 0xf87f) | ((v & 0x0f) << 7));
  }
  setCtrlType(v: number): void {
    this.setNextHeader(v);
  }
  setFlags(v: number): void {
    this.setU16(F.TYPE_NH_FLAGS, (this.u16(F.TYPE_NH_FLAGS) & 0xff80) | (v & 0x7f));
  }
  /** Writes all three fields at once (values already range-checked by the caller). */
  setPrologue(type: number, nextHeader: number, flags: number): void {
    this.setU16(F.TYPE_NH_FLAGS, ((type & 0x1f) << 11) | ((nextHeader & 0x0f) << 7) | (flags & 0x7f));
  }
  protected prologueSummary(): string {
    const nh =
      this.type === UET_PDS_TYPE.CTRL
        ? ` ${uetCtrlTypeName(this.ctrlType)}`
        : this.nextHeader
          ? ` nh ${uetNextHeaderName(this.nextHeader)}`
          : '';
    return `UET ${uetPdsTypeName(this.type)}${nh}`;
  }
  summary(): string {
    return `${this.prologueSummary()} flags ${hex(this.flags, 2)}`;
  }
}

export interface UetPdsPrologueInit {
  type: number;
  /** Next header, or the control type when type is CTRL. Default 0. */
  nextHeader?: number;
  /** Raw 7-bit flag field. Default 0. */
  flags?: number;
}

/** The prologue alone, values kept raw so that unknown types and reserved flags round-trip. */
export class UetPdsPrologueHeader {
  readonly type: number;
  readonly nextHeader: number;
  readonly flags: number;
  constructor(init: UetPdsPrologueInit) {
    this.type = init.type;
    this.nextHeader = init.nextHeader ?? 0;
    this.flags = init.flags ?? 0;
  }
  /** `view` must be checked; every value is meaningful here (the type is judged by the header that follows). */
  static parse(view: UetPdsPrologueView): UetPdsPrologueHeader {
    return new UetPdsPrologueHeader({ type: view.type, nextHeader: view.nextHeader, flags: view.flags });
  }
  bufferLen(): number {
    return UET_PDS_PROLOGUE_LEN;
  }
  emit(view: UetPdsPrologueView): void {
    checkU('type', this.type, 5);
    checkU('nextHeader', this.nextHeader, 4);
    checkU('flags', this.flags, 7);
    checkLen(UET, 'prologue', view.buffer.length, UET_PDS_PROLOGUE_LEN);
    view.setType(this.type);
    view.setNextHeader(this.nextHeader);
    view.setFlags(this.flags);
  }
}
