// SES response-with-data header (20 B, next header RSP_DATA): read responses and fetching atomics.
//
// Layout: dissector `dissect_ses_resp_data`, provider `struct uet_ses_rsp_d`; they agree on the
// offsets. Byte 4 is reserved in the dissector and the resource-index generation in the provider's
// common response struct; it is kept (as indexGeneration, assumed) so it round-trips.
import { checkLen, type Field } from '../wire.ts';
import { UET, checkU } from './common.ts';
import {
  UET_SES_RSP_FIELDS,
  UET_SES_RSP_OPCODE,
  UetSesResponseCommonView,
  uetCheckSesRspCommon,
  uetCheckSesRspOpcode,
  type UetSesResponseCommonInit,
} from './ses-response.ts';

const F = {
  ...UET_SES_RSP_FIELDS,
  MSG_ID: [2, 4],
  GEN_JOB_ID: [4, 8], // reserved or resource-index generation(8), job id(24)
  READ_REQ_MSG_ID: [8, 10], // message id of the read request answered
  PAYLOAD_LENGTH: [10, 12], // reserved(2) payload length(14)
  MOD_LENGTH: [12, 16],
  MESSAGE_OFFSET: [16, 20],
} as const satisfies Record<string, Field>;

export const UET_SES_RSP_DATA_LEN = F.MESSAGE_OFFSET[1];

export class UetSesResponseDataView extends UetSesResponseCommonView {
  static unchecked(buf: Uint8Array): UetSesResponseDataView {
    return new UetSesResponseDataView(buf);
  }
  static checked(buf: Uint8Array): UetSesResponseDataView {
    const v = new UetSesResponseDataView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'ses', this.buffer.length, UET_SES_RSP_DATA_LEN);
  }
  get messageId(): number {
    return this.u16(F.MSG_ID);
  }
  get indexGeneration(): number {
    return this.u8(F.GEN_JOB_ID);
  }
  get jobId(): number {
    return this.u32(F.GEN_JOB_ID) & 0xffffff;
  }
  get readRequestMessageId(): number {
    return this.u16(F.READ_REQ_MSG_ID);
  }
  get payloadLength(): number {
    return this.u16(F.PAYLOAD_LENGTH) & 0x3fff;
  }
  get modifiedLength(): number {
    return this.u32(F.MOD_LENGTH);
  }
  get messageOffset(): number {
    return this.u32(F.MESSAGE_OFFSET);
  }
  /** The response data. */
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_SES_RSP_DATA_LEN);
  }
  setMessageId(v: number): void {
    this.setU16(F.MSG_ID, v);
  }
  setGenerationJobId(generation: number, jobId: number): void {
    this.setU32(F.GEN_JOB_ID, (((generation & 0xff) << 24) | (jobId & 0xffffff)) >>> 0);
  }
  setReadRequestMessageId(v: number): void {
    this.setU16(F.READ_REQ_MSG_ID, v);
  }
  /** Reserved bits are cleared. */
  setPayloadLength(v: number): void {
    this.setU16(F.PAYLOAD_LENGTH, v & 0x3fff);
  }
  setModifiedLength(v: number): void {
    this.setU32(F.MOD_LENGTH, v);
  }
  setMessageOffset(v: number): void {
    this.setU32(F.MESSAGE_OFFSET, v);
  }
  summary(): string {
    return (
      `${this.commonSummary('rsp_data')} msg ${this.messageId} job ${this.jobId} read_msg ${this.readRequestMessageId} ` +
      `payload ${this.payloadLength} msg_off ${this.messageOffset} mod_len ${this.modifiedLength}`
    );
  }
}

export interface UetSesResponseDataInit extends Omit<UetSesResponseCommonInit, 'opcode'> {
  /** Default RESPONSE_W_DATA. */
  opcode?: number;
  messageId: number;
  /** Default 0. */
  indexGeneration?: number;
  jobId: number;
  readRequestMessageId: number;
  /** 14 bits. */
  payloadLength: number;
  /** Default 0. */
  modifiedLength?: number;
  /** Default 0. */
  messageOffset?: number;
}

export class UetSesResponseDataHeader {
  readonly kind = 'responseData';
  readonly opcode: number;
  readonly list: number;
  readonly version: number;
  readonly returnCode: number;
  readonly messageId: number;
  readonly indexGeneration: number;
  readonly jobId: number;
  readonly readRequestMessageId: number;
  readonly payloadLength: number;
  readonly modifiedLength: number;
  readonly messageOffset: number;
  constructor(init: UetSesResponseDataInit) {
    this.opcode = init.opcode ?? UET_SES_RSP_OPCODE.RESPONSE_W_DATA;
    this.list = init.list ?? 0;
    this.version = init.version ?? 0;
    this.returnCode = init.returnCode;
    this.messageId = init.messageId;
    this.indexGeneration = init.indexGeneration ?? 0;
    this.jobId = init.jobId;
    this.readRequestMessageId = init.readRequestMessageId;
    this.payloadLength = init.payloadLength;
    this.modifiedLength = init.modifiedLength ?? 0;
    this.messageOffset = init.messageOffset ?? 0;
  }
  /** `view` must be checked. */
  static parse(view: UetSesResponseDataView): UetSesResponseDataHeader {
    uetCheckSesRspOpcode(view.opcode, true);
    return new UetSesResponseDataHeader({
      opcode: view.opcode,
      list: view.list,
      version: view.version,
      returnCode: view.returnCode,
      messageId: view.messageId,
      indexGeneration: view.indexGeneration,
      jobId: view.jobId,
      readRequestMessageId: view.readRequestMessageId,
      payloadLength: view.payloadLength,
      modifiedLength: view.modifiedLength,
      messageOffset: view.messageOffset,
    });
  }
  bufferLen(): number {
    return UET_SES_RSP_DATA_LEN;
  }
  emit(view: UetSesResponseDataView): void {
    uetCheckSesRspCommon(this, true);
    checkU('messageId', this.messageId, 16);
    checkU('indexGeneration', this.indexGeneration, 8);
    checkU('jobId', this.jobId, 24);
    checkU('readRequestMessageId', this.readRequestMessageId, 16);
    checkU('payloadLength', this.payloadLength, 14);
    checkU('modifiedLength', this.modifiedLength, 32);
    checkU('messageOffset', this.messageOffset, 32);
    checkLen(UET, 'ses', view.buffer.length, UET_SES_RSP_DATA_LEN);
    view.setListOpcode(this.list, this.opcode);
    view.setVersionReturnCode(this.version, this.returnCode);
    view.setMessageId(this.messageId);
    view.setGenerationJobId(this.indexGeneration, this.jobId);
    view.setReadRequestMessageId(this.readRequestMessageId);
    view.setPayloadLength(this.payloadLength);
    view.setModifiedLength(this.modifiedLength);
    view.setMessageOffset(this.messageOffset);
  }
}
