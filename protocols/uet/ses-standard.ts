// SES standard request header (44 B, next header REQ_STD): RMA, sends, tagged sends, atomics, rendezvous.
//
// Layout: dissector `dissect_ses_std_req`, provider `struct uet_ses_req_std`; they agree. Bytes
// 32..39 are header (completion) data when SOM is set, else reserved(18) payload length(14) message
// offset(32) (both sources); they are kept raw as `headerData` with decoding getters. Bytes 12..19
// carry a restart token for the deferrable sends, and bytes 24..31 one for DEFERRABLE_RTR.
import { checkLen, hex, type Field } from '../wire.ts';
import { UET, checkBig, checkU } from './common.ts';
import {
  UET_SES_REQ_FIELDS,
  UetSesRequestCommon,
  UetSesRequestView,
  type UetSesRequestCommonInit,
} from './ses-request.ts';

const F = {
  ...UET_SES_REQ_FIELDS,
  MSG_ID: [2, 4],
  BUFFER_OFFSET: [12, 20], // restart token for DEFERRABLE_SEND / DEFERRABLE_TSEND
  INITIATOR: [20, 24],
  MEMORY_KEY: [24, 32], // memory key or match bits; restart token for DEFERRABLE_RTR
  HEADER_DATA: [32, 40], // SOM: header data; else reserved(18) payload length(14) message offset(32)
  REQUEST_LENGTH: [40, 44],
} as const satisfies Record<string, Field>;

export const UET_SES_STD_LEN = F.REQUEST_LENGTH[1];

/** The header-data word of a standard request without SOM. */
export function uetSesPackLengthOffset(payloadLength: number, messageOffset: number): bigint {
  checkU('payloadLength', payloadLength, 14);
  checkU('messageOffset', messageOffset, 32);
  return (BigInt(payloadLength) << 32n) | BigInt(messageOffset);
}

export class UetSesStandardView extends UetSesRequestView {
  static unchecked(buf: Uint8Array): UetSesStandardView {
    return new UetSesStandardView(buf);
  }
  static checked(buf: Uint8Array): UetSesStandardView {
    const v = new UetSesStandardView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'ses', this.buffer.length, UET_SES_STD_LEN);
  }
  get messageId(): number {
    return this.u16(F.MSG_ID);
  }
  /** Or the restart token of a deferrable send. */
  get bufferOffset(): bigint {
    return this.u64(F.BUFFER_OFFSET[0]);
  }
  get initiator(): number {
    return this.u32(F.INITIATOR);
  }
  /** Memory key or match bits, or the restart token of DEFERRABLE_RTR. */
  get memoryKey(): bigint {
    return this.u64(F.MEMORY_KEY[0]);
  }
  get headerData(): bigint {
    return this.u64(F.HEADER_DATA[0]);
  }
  /** Without SOM. */
  get payloadLength(): number {
    return this.u16(F.HEADER_DATA[0] + 2) & 0x3fff;
  }
  /** Without SOM. */
  get messageOffset(): number {
    return this.u32(F.HEADER_DATA[0] + 4);
  }
  get requestLength(): number {
    return this.u32(F.REQUEST_LENGTH);
  }
  /** What follows: extension headers, if any, and data. */
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_SES_STD_LEN);
  }
  setMessageId(v: number): void {
    this.setU16(F.MSG_ID, v);
  }
  setBufferOffset(v: bigint): void {
    this.setU64(F.BUFFER_OFFSET[0], v);
  }
  setInitiator(v: number): void {
    this.setU32(F.INITIATOR, v);
  }
  setMemoryKey(v: bigint): void {
    this.setU64(F.MEMORY_KEY[0], v);
  }
  setHeaderData(v: bigint): void {
    this.setU64(F.HEADER_DATA[0], v);
  }
  setRequestLength(v: number): void {
    this.setU32(F.REQUEST_LENGTH, v);
  }
  summary(): string {
    const data = this.startOfMessage
      ? this.hasHeaderData
        ? ` hdr_data 0x${this.headerData.toString(16)}`
        : ''
      : ` msg_off ${this.messageOffset} payload ${this.payloadLength}`;
    return (
      `${this.commonSummary('std')} msg ${this.messageId} off 0x${this.bufferOffset.toString(16)} ` +
      `init ${hex(this.initiator, 8)} key 0x${this.memoryKey.toString(16)} len ${this.requestLength}` +
      `${data}${this.flagSummary()}`
    );
  }
}

export interface UetSesStandardInit extends UetSesRequestCommonInit {
  messageId: number;
  /** Default 0n. */
  bufferOffset?: bigint;
  /** Default 0. */
  initiator?: number;
  /** Memory key / match bits; default 0n. */
  memoryKey?: bigint;
  /** Raw bytes 32..39; default 0n (see uetSesPackLengthOffset). */
  headerData?: bigint;
  requestLength: number;
}

export class UetSesStandardHeader extends UetSesRequestCommon {
  readonly kind = 'standard';
  readonly messageId: number;
  readonly bufferOffset: bigint;
  readonly initiator: number;
  readonly memoryKey: bigint;
  readonly headerData: bigint;
  readonly requestLength: number;
  constructor(init: UetSesStandardInit) {
    super(init);
    this.messageId = init.messageId;
    this.bufferOffset = init.bufferOffset ?? 0n;
    this.initiator = init.initiator ?? 0;
    this.memoryKey = init.memoryKey ?? 0n;
    this.headerData = init.headerData ?? 0n;
    this.requestLength = init.requestLength;
  }
  /** `view` must be checked; reserved bits are ignored on receipt. */
  static parse(view: UetSesStandardView): UetSesStandardHeader {
    return new UetSesStandardHeader({
      ...UetSesRequestCommon.commonOf(view),
      messageId: view.messageId,
      bufferOffset: view.bufferOffset,
      initiator: view.initiator,
      memoryKey: view.memoryKey,
      headerData: view.headerData,
      requestLength: view.requestLength,
    });
  }
  /** Decoded from headerData; meaningful without SOM. */
  get payloadLength(): number {
    return Number((this.headerData >> 32n) & 0x3fffn);
  }
  get messageOffset(): number {
    return Number(this.headerData & 0xffff_ffffn);
  }
  bufferLen(): number {
    return UET_SES_STD_LEN;
  }
  emit(view: UetSesStandardView): void {
    this.checkCommon();
    checkU('messageId', this.messageId, 16);
    checkBig('bufferOffset', this.bufferOffset, 64);
    checkU('initiator', this.initiator, 32);
    checkBig('memoryKey', this.memoryKey, 64);
    checkBig('headerData', this.headerData, 64);
    checkU('requestLength', this.requestLength, 32);
    checkLen(UET, 'ses', view.buffer.length, UET_SES_STD_LEN);
    this.emitCommon(view);
    view.setMessageId(this.messageId);
    view.setBufferOffset(this.bufferOffset);
    view.setInitiator(this.initiator);
    view.setMemoryKey(this.memoryKey);
    view.setHeaderData(this.headerData);
    view.setRequestLength(this.requestLength);
  }
}
