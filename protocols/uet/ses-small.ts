// SES small request header (20 B, next header REQ_SMALL): the provider's "optimized non-matching" request.
//
// Layout: dissector `dissect_ses_small_req`, provider `struct uet_ses_req_onm`; they agree. The
// HD flag is reserved here (no header data field).
import { checkLen, type Field } from '../wire.ts';
import { UET, checkBig, checkU } from './common.ts';
import {
  UET_SES_REQ_FIELDS,
  UetSesRequestCommon,
  UetSesRequestView,
  type UetSesRequestCommonInit,
} from './ses-request.ts';

const F = {
  ...UET_SES_REQ_FIELDS,
  REQUEST_LENGTH: [2, 4], // reserved(2) request length(14)
  BUFFER_OFFSET: [12, 20],
} as const satisfies Record<string, Field>;

export const UET_SES_SMALL_LEN = F.BUFFER_OFFSET[1];

export class UetSesSmallView extends UetSesRequestView {
  static unchecked(buf: Uint8Array): UetSesSmallView {
    return new UetSesSmallView(buf);
  }
  static checked(buf: Uint8Array): UetSesSmallView {
    const v = new UetSesSmallView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'ses', this.buffer.length, UET_SES_SMALL_LEN);
  }
  /** 14 bits. */
  get requestLength(): number {
    return this.u16(F.REQUEST_LENGTH) & 0x3fff;
  }
  get bufferOffset(): bigint {
    return this.u64(F.BUFFER_OFFSET[0]);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_SES_SMALL_LEN);
  }
  /** Reserved bits are cleared. */
  setRequestLength(v: number): void {
    this.setU16(F.REQUEST_LENGTH, v & 0x3fff);
  }
  setBufferOffset(v: bigint): void {
    this.setU64(F.BUFFER_OFFSET[0], v);
  }
  summary(): string {
    const off = this.bufferOffset.toString(16);
    return `${this.commonSummary('small')} off 0x${off} len ${this.requestLength}${this.flagSummary()}`;
  }
}

export interface UetSesSmallInit extends UetSesRequestCommonInit {
  /** 14 bits. */
  requestLength: number;
  /** Default 0n. */
  bufferOffset?: bigint;
}

export class UetSesSmallHeader extends UetSesRequestCommon {
  readonly kind = 'small';
  readonly requestLength: number;
  readonly bufferOffset: bigint;
  constructor(init: UetSesSmallInit) {
    super(init);
    this.requestLength = init.requestLength;
    this.bufferOffset = init.bufferOffset ?? 0n;
  }
  /** `view` must be checked; reserved bits are ignored on receipt. */
  static parse(view: UetSesSmallView): UetSesSmallHeader {
    return new UetSesSmallHeader({
      ...UetSesRequestCommon.commonOf(view),
      requestLength: view.requestLength,
      bufferOffset: view.bufferOffset,
    });
  }
  bufferLen(): number {
    return UET_SES_SMALL_LEN;
  }
  emit(view: UetSesSmallView): void {
    this.checkCommon();
    checkU('requestLength', this.requestLength, 14);
    checkBig('bufferOffset', this.bufferOffset, 64);
    checkLen(UET, 'ses', view.buffer.length, UET_SES_SMALL_LEN);
    this.emitCommon(view);
    view.setRequestLength(this.requestLength);
    view.setBufferOffset(this.bufferOffset);
  }
}
