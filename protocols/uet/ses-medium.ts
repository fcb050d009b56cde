// SES medium request header (32 B, next header REQ_MEDIUM): single-packet messages with initiator and key.
//
// Layout: provider `struct uet_ses_req_smsg` (common 12 bytes, 8 bytes of header data or buffer
// offset by the HD flag, initiator, memory key / match bits). The dissector's
// `dissect_ses_medium_req` agrees except that it advances three bytes over the two-byte request
// length field, which would put the job ID at byte 6 and make the header 33 bytes against its own
// `UET_SES_MEDIUM_REQ_MIN_HDR_LEN` of 32. Assumed: that extra byte is a slip in the dissector; the
// provider's offsets are followed.
import { checkLen, hex, type Field } from '../wire.ts';
import { UET, checkBig, checkU, uetMalformed } from './common.ts';
import {
  UET_SES_REQ_FIELDS,
  UetSesRequestCommon,
  UetSesRequestView,
  type UetSesRequestCommonInit,
} from './ses-request.ts';

const F = {
  ...UET_SES_REQ_FIELDS,
  REQUEST_LENGTH: [2, 4], // reserved(2) request length(14)
  DATA_OR_OFFSET: [12, 20], // HD set: header data; else buffer offset
  INITIATOR: [20, 24],
  MEMORY_KEY: [24, 32], // memory key or match bits
} as const satisfies Record<string, Field>;

export const UET_SES_MEDIUM_LEN = F.MEMORY_KEY[1];

export class UetSesMediumView extends UetSesRequestView {
  static unchecked(buf: Uint8Array): UetSesMediumView {
    return new UetSesMediumView(buf);
  }
  static checked(buf: Uint8Array): UetSesMediumView {
    const v = new UetSesMediumView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'ses', this.buffer.length, UET_SES_MEDIUM_LEN);
  }
  /** 14 bits. */
  get requestLength(): number {
    return this.u16(F.REQUEST_LENGTH) & 0x3fff;
  }
  /** Header data with HD, else the buffer offset. */
  get dataOrOffset(): bigint {
    return this.u64(F.DATA_OR_OFFSET[0]);
  }
  get initiator(): number {
    return this.u32(F.INITIATOR);
  }
  get memoryKey(): bigint {
    return this.u64(F.MEMORY_KEY[0]);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_SES_MEDIUM_LEN);
  }
  /** Reserved bits are cleared. */
  setRequestLength(v: number): void {
    this.setU16(F.REQUEST_LENGTH, v & 0x3fff);
  }
  setDataOrOffset(v: bigint): void {
    this.setU64(F.DATA_OR_OFFSET[0], v);
  }
  setInitiator(v: number): void {
    this.setU32(F.INITIATOR, v);
  }
  setMemoryKey(v: bigint): void {
    this.setU64(F.MEMORY_KEY[0], v);
  }
  summary(): string {
    const what = this.hasHeaderData ? 'hdr_data' : 'off';
    return (
      `${this.commonSummary('medium')} ${what} 0x${this.dataOrOffset.toString(16)} init ${hex(this.initiator, 8)} ` +
      `key 0x${this.memoryKey.toString(16)} len ${this.requestLength}${this.flagSummary()}`
    );
  }
}

export interface UetSesMediumInit extends Omit<UetSesRequestCommonInit, 'hasHeaderData'> {
  /** 14 bits. */
  requestLength: number;
  /** Present = HD flag set; replaces bufferOffset. */
  headerData?: bigint;
  /** Default 0n unless headerData is given. */
  bufferOffset?: bigint;
  /** Default 0. */
  initiator?: number;
  /** Default 0n. */
  memoryKey?: bigint;
}

export class UetSesMediumHeader extends UetSesRequestCommon {
  readonly kind = 'medium';
  readonly requestLength: number;
  readonly headerData?: bigint;
  readonly bufferOffset?: bigint;
  readonly initiator: number;
  readonly memoryKey: bigint;
  constructor(init: UetSesMediumInit) {
    super({ ...init, hasHeaderData: init.headerData !== undefined });
    this.requestLength = init.requestLength;
    if (init.headerData !== undefined) this.headerData = init.headerData;
    if (init.bufferOffset !== undefined || init.headerData === undefined) this.bufferOffset = init.bufferOffset ?? 0n;
    this.initiator = init.initiator ?? 0;
    this.memoryKey = init.memoryKey ?? 0n;
  }
  /** `view` must be checked; reserved bits are ignored on receipt. */
  static parse(view: UetSesMediumView): UetSesMediumHeader {
    const { hasHeaderData: _hd, ...common } = UetSesRequestCommon.commonOf(view);
    return new UetSesMediumHeader({
      ...common,
      requestLength: view.requestLength,
      ...(view.hasHeaderData ? { headerData: view.dataOrOffset } : { bufferOffset: view.dataOrOffset }),
      initiator: view.initiator,
      memoryKey: view.memoryKey,
    });
  }
  bufferLen(): number {
    return UET_SES_MEDIUM_LEN;
  }
  emit(view: UetSesMediumView): void {
    this.checkCommon();
    checkU('requestLength', this.requestLength, 14);
    if ((this.headerData === undefined) === (this.bufferOffset === undefined)) {
      throw uetMalformed('headerData', 'give exactly one of headerData and bufferOffset');
    }
    checkBig(this.headerData !== undefined ? 'headerData' : 'bufferOffset', (this.headerData ?? this.bufferOffset)!, 64);
    checkU('initiator', this.initiator, 32);
    checkBig('memoryKey', this.memoryKey, 64);
    checkLen(UET, 'ses', view.buffer.length, UET_SES_MEDIUM_LEN);
    this.emitCommon(view);
    view.setRequestLength(this.requestLength);
    view.setDataOrOffset((this.headerData ?? this.bufferOffset)!);
    view.setInitiator(this.initiator);
    view.setMemoryKey(this.memoryKey);
  }
}
