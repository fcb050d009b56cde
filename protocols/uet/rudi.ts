// PDS RUDI request / response header (8 B): reliable unordered delivery for idempotent operations, no PDC state.
//
// Layout: dissector `dissect_pds_rudi_req_rsp`, provider `struct uet_pds_rudi_req` (the response
// reuses it); they agree. Flags M 0x20 and RETX 0x10 come from the provider; the dissector shows
// the flag field as reserved.
import { checkLen, type Field } from '../wire.ts';
import { UET, checkU, flagList, uetMalformed } from './common.ts';
import { UET_PDS_TYPE, UetPdsPrologueView, uetPdsTypeName } from './prologue.ts';

const F = {
  PROLOGUE: [0, 2],
  RESERVED: [2, 4], // sent as zero, ignored on receipt
  PKT_ID: [4, 8],
} as const satisfies Record<string, Field>;

export const UET_RUDI_LEN = F.PKT_ID[1];

/** RUDI flags (values of the 7-bit prologue flag field); 0x40 and 0x0f are reserved. */
export const UET_RUDI_FLAG = {
  /** The request arrived ECN-marked (on a response). */
  M: 0x20,
  RETX: 0x10,
} as const;

export function uetIsRudiType(t: number): boolean {
  return t === UET_PDS_TYPE.RUDI_REQ || t === UET_PDS_TYPE.RUDI_RESP;
}

export class UetRudiView extends UetPdsPrologueView {
  static override unchecked(buf: Uint8Array): UetRudiView {
    return new UetRudiView(buf);
  }
  static override checked(buf: Uint8Array): UetRudiView {
    const v = new UetRudiView(buf);
    v.checkLen();
    return v;
  }
  override checkLen(): void {
    checkLen(UET, 'header', this.buffer.length, UET_RUDI_LEN);
  }
  get ecnMarked(): boolean {
    return this.flag(UET_RUDI_FLAG.M);
  }
  get retx(): boolean {
    return this.flag(UET_RUDI_FLAG.RETX);
  }
  get reserved(): number {
    return this.u16(F.RESERVED);
  }
  get packetId(): number {
    return this.u32(F.PKT_ID);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_RUDI_LEN);
  }
  setReserved(v: number): void {
    this.setU16(F.RESERVED, v);
  }
  setPacketId(v: number): void {
    this.setU32(F.PKT_ID, v);
  }
  override summary(): string {
    const flags = flagList([
      [this.ecnMarked, 'M'],
      [this.retx, 'RETX'],
    ]);
    return `${this.prologueSummary()} pkt_id ${this.packetId}${flags}`;
  }
}

export interface UetRudiInit {
  /** RUDI_REQ or RUDI_RESP. */
  type: number;
  nextHeader?: number;
  ecnMarked?: boolean;
  retx?: boolean;
  packetId: number;
}

export class UetRudiHeader {
  readonly kind = 'rudi';
  readonly type: number;
  readonly nextHeader: number;
  readonly ecnMarked: boolean;
  readonly retx: boolean;
  readonly packetId: number;
  constructor(init: UetRudiInit) {
    this.type = init.type;
    this.nextHeader = init.nextHeader ?? 0;
    this.ecnMarked = init.ecnMarked ?? false;
    this.retx = init.retx ?? false;
    this.packetId = init.packetId;
  }
  /** `view` must be checked. */
  static parse(view: UetRudiView): UetRudiHeader {
    if (!uetIsRudiType(view.type)) throw uetMalformed('type', `${uetPdsTypeName(view.type)} is not RUDI`);
    return new UetRudiHeader({
      type: view.type,
      nextHeader: view.nextHeader,
      ecnMarked: view.ecnMarked,
      retx: view.retx,
      packetId: view.packetId,
    });
  }
  get response(): boolean {
    return this.type === UET_PDS_TYPE.RUDI_RESP;
  }
  bufferLen(): number {
    return UET_RUDI_LEN;
  }
  emit(view: UetRudiView): void {
    if (!uetIsRudiType(this.type)) throw uetMalformed('type', `${this.type} is not a RUDI type`);
    checkU('nextHeader', this.nextHeader, 4);
    checkU('packetId', this.packetId, 32);
    checkLen(UET, 'header', view.buffer.length, UET_RUDI_LEN);
    const flags = (this.ecnMarked ? UET_RUDI_FLAG.M : 0) | (this.retx ? UET_RUDI_FLAG.RETX : 0);
    view.setPrologue(this.type, this.nextHeader, flags);
    view.setReserved(0);
    view.setPacketId(this.packetId);
  }
}
