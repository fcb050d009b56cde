// PDS UUD request header (4 B): unreliable unordered delivery, the prologue and two reserved bytes.
//
// Layout: dissector ("no hdr, 2 bytes reserved"), provider `struct uet_pds_uud_req`; they agree.
// No flags are defined.
import { checkLen, type Field } from '../wire.ts';
import { UET, checkU, uetMalformed } from './common.ts';
import { UET_PDS_TYPE, UetPdsPrologueView, uetPdsTypeName } from './prologue.ts';

const F = {
  PROLOGUE: [0, 2],
  RESERVED: [2, 4], // sent as zero, ignored on receipt
} as const satisfies Record<string, Field>;

export const UET_UUD_LEN = F.RESERVED[1];

export class UetUudView extends UetPdsPrologueView {
  static override unchecked(buf: Uint8Array): UetUudView {
    return new UetUudView(buf);
  }
  static override checked(buf: Uint8Array): UetUudView {
    const v = new UetUudView(buf);
    v.checkLen();
    return v;
  }
  override checkLen(): void {
    checkLen(UET, 'header', this.buffer.length, UET_UUD_LEN);
  }
  get reserved(): number {
    return this.u16(F.RESERVED);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_UUD_LEN);
  }
  setReserved(v: number): void {
    this.setU16(F.RESERVED, v);
  }
  override summary(): string {
    return this.prologueSummary();
  }
}

export interface UetUudInit {
  nextHeader?: number;
}

export class UetUudHeader {
  readonly kind = 'uud';
  readonly type = UET_PDS_TYPE.UUD_REQ;
  readonly nextHeader: number;
  constructor(init: UetUudInit = {}) {
    this.nextHeader = init.nextHeader ?? 0;
  }
  /** `view` must be checked. Flags and reserved bytes are ignored on receipt. */
  static parse(view: UetUudView): UetUudHeader {
    if (view.type !== UET_PDS_TYPE.UUD_REQ) throw uetMalformed('type', `${uetPdsTypeName(view.type)} is not UUD_REQ`);
    return new UetUudHeader({ nextHeader: view.nextHeader });
  }
  bufferLen(): number {
    return UET_UUD_LEN;
  }
  emit(view: UetUudView): void {
    checkU('nextHeader', this.nextHeader, 4);
    checkLen(UET, 'header', view.buffer.length, UET_UUD_LEN);
    view.setPrologue(UET_PDS_TYPE.UUD_REQ, this.nextHeader, 0);
    view.setReserved(0);
  }
}
