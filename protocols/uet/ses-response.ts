// SES response header (12 B, next header RSP), and what all three response headers share (opcodes, codes, bytes 0..1).
//
// Layout: dissector `dissect_ses_resp`, provider `struct uet_ses_rsp` (`uet_pds_def_rsp`); they
// agree: list(2) opcode(6), version(2) return code(6), message id, resource-index generation(8) job
// id(24), modified length. An opcode that contradicts the next header (RESPONSE_W_DATA here,
// anything else in the with-data headers) is malformed, as the dissector's expert info says;
// opcodes past NO_RESPONSE pass through.
import { WireView, checkLen, type Field } from '../wire.ts';
import { UET, checkU, uetMalformed } from './common.ts';

/** Field table of the 2 common bytes, shared by the three response headers. */
export const UET_SES_RSP_FIELDS = {
  LIST_OPCODE: [0, 1], // list(2) opcode(6)
  VER_RC: [1, 2], // version(2) return code(6)
} as const satisfies Record<string, Field>;

const F = {
  ...UET_SES_RSP_FIELDS,
  MSG_ID: [2, 4],
  GEN_JOB_ID: [4, 8], // resource-index generation(8) job id(24)
  MOD_LENGTH: [8, 12],
} as const satisfies Record<string, Field>;

export const UET_SES_RSP_LEN = F.MOD_LENGTH[1];

/** SES response opcodes (6 bits). */
export const UET_SES_RSP_OPCODE = { DEFAULT_RESPONSE: 0, RESPONSE: 1, RESPONSE_W_DATA: 2, NO_RESPONSE: 3 } as const;

const RSP_OPCODE_NAMES = ['DEFAULT_RESPONSE', 'RESPONSE', 'RESPONSE_W_DATA', 'NO_RESPONSE'];

export function uetSesRspOpcodeName(op: number): string {
  return RSP_OPCODE_NAMES[op] ?? `rsp-opcode-${op}`;
}

/** Which list the request matched at the target (provider `uet_ses_list_t`). */
export const UET_SES_LIST = { EXPECTED: 0, OVERFLOW: 1 } as const;

/** SES return codes (6 bits; both sources agree); others pass through as numbers. */
export const UET_SES_RC = {
  NULL: 0x00,
  OK: 0x01,
  BAD_GENERATION: 0x02,
  DISABLED: 0x03,
  DISABLED_GEN: 0x04,
  NO_MATCH: 0x05,
  UNSUPPORTED_OP: 0x06,
  UNSUPPORTED_SIZE: 0x07,
  AT_INVALID: 0x08,
  AT_PERM: 0x09,
  AT_ATS_ERROR: 0x0a,
  AT_NO_TRANS: 0x0b,
  AT_OUT_OF_RANGE: 0x0c,
  HOST_POISONED: 0x0d,
  HOST_UNSUCCESS_CMPL: 0x0e,
  AMO_UNSUPPORTED_OP: 0x0f,
  AMO_UNSUPPORTED_DT: 0x10,
  AMO_UNSUPPORTED_SIZE: 0x11,
  AMO_UNALIGNED: 0x12,
  AMO_FP_NAN: 0x13,
  AMO_FP_UNDERFLOW: 0x14,
  AMO_FP_OVERFLOW: 0x15,
  AMO_FP_INEXACT: 0x16,
  PERM_VIOLATION: 0x17,
  OP_VIOLATION: 0x18,
  BAD_INDEX: 0x19,
  BAD_PID: 0x1a,
  BAD_JOB_ID: 0x1b,
  BAD_MKEY: 0x1c,
  BAD_ADDR: 0x1d,
  CANCELLED: 0x1e,
  UNDELIVERABLE: 0x1f,
  UNCOR: 0x20,
  UNCOR_TRNSNT: 0x21,
  TOO_LONG: 0x22,
  INITIATOR_ERR: 0x23,
  DROPPED: 0x24,
} as const;

const RC_NAMES: Record<number, string> = Object.fromEntries(Object.entries(UET_SES_RC).map(([k, v]) => [v, k]));

export function uetSesRcName(rc: number): string {
  return RC_NAMES[rc] ?? `rc-${rc}`;
}

/** Throws unless `opcode` may appear in a response header that does (withData) or does not carry data. */
export function uetCheckSesRspOpcode(opcode: number, withData: boolean): void {
  checkU('opcode', opcode, 6);
  if (opcode > UET_SES_RSP_OPCODE.NO_RESPONSE) return;
  if ((opcode === UET_SES_RSP_OPCODE.RESPONSE_W_DATA) !== withData) {
    const name = uetSesRspOpcodeName(opcode);
    throw uetMalformed('opcode', `${name} in a response header ${withData ? 'with' : 'without'} data`);
  }
}

/** The first two bytes of every response header. */
export class UetSesResponseCommonView extends WireView {
  get list(): number {
    return this.u8(UET_SES_RSP_FIELDS.LIST_OPCODE) >> 6;
  }
  get opcode(): number {
    return this.u8(UET_SES_RSP_FIELDS.LIST_OPCODE) & 0x3f;
  }
  get version(): number {
    return this.u8(UET_SES_RSP_FIELDS.VER_RC) >> 6;
  }
  get returnCode(): number {
    return this.u8(UET_SES_RSP_FIELDS.VER_RC) & 0x3f;
  }
  setListOpcode(list: number, opcode: number): void {
    this.setU8(UET_SES_RSP_FIELDS.LIST_OPCODE, ((list & 3) << 6) | (opcode & 0x3f));
  }
  setVersionReturnCode(version: number, rc: number): void {
    this.setU8(UET_SES_RSP_FIELDS.VER_RC, ((version & 3) << 6) | (rc & 0x3f));
  }
  protected commonSummary(kind: string): string {
    const list = this.list === UET_SES_LIST.OVERFLOW ? ' overflow' : this.list ? ` list ${this.list}` : '';
    return `UET SES ${kind} ${uetSesRspOpcodeName(this.opcode)} ${uetSesRcName(this.returnCode)}${list}`;
  }
}

export interface UetSesResponseCommonInit {
  /** 6 bits: UET_SES_RSP_OPCODE. */
  opcode: number;
  /** 2 bits: UET_SES_LIST; default EXPECTED. */
  list?: number;
  /** 2 bits; default 0. */
  version?: number;
  /** 6 bits: UET_SES_RC. */
  returnCode: number;
}

export function uetCheckSesRspCommon(h: Required<UetSesResponseCommonInit>, withData: boolean): void {
  uetCheckSesRspOpcode(h.opcode, withData);
  checkU('list', h.list, 2);
  checkU('version', h.version, 2);
  checkU('returnCode', h.returnCode, 6);
}

export class UetSesResponseView extends UetSesResponseCommonView {
  static unchecked(buf: Uint8Array): UetSesResponseView {
    return new UetSesResponseView(buf);
  }
  static checked(buf: Uint8Array): UetSesResponseView {
    const v = new UetSesResponseView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'ses', this.buffer.length, UET_SES_RSP_LEN);
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
  get modifiedLength(): number {
    return this.u32(F.MOD_LENGTH);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_SES_RSP_LEN);
  }
  setMessageId(v: number): void {
    this.setU16(F.MSG_ID, v);
  }
  setGenerationJobId(generation: number, jobId: number): void {
    this.setU32(F.GEN_JOB_ID, (((generation & 0xff) << 24) | (jobId & 0xffffff)) >>> 0);
  }
  setModifiedLength(v: number): void {
    this.setU32(F.MOD_LENGTH, v);
  }
  summary(): string {
    return `${this.commonSummary('rsp')} msg ${this.messageId} job ${this.jobId} mod_len ${this.modifiedLength}`;
  }
}

export interface UetSesResponseInit extends UetSesResponseCommonInit {
  messageId: number;
  /** 8 bits; default 0. */
  indexGeneration?: number;
  /** 24 bits. */
  jobId: number;
  /** Default 0. */
  modifiedLength?: number;
}

export class UetSesResponseHeader {
  readonly kind = 'response';
  readonly opcode: number;
  readonly list: number;
  readonly version: number;
  readonly returnCode: number;
  readonly messageId: number;
  readonly indexGeneration: number;
  readonly jobId: number;
  readonly modifiedLength: number;
  constructor(init: UetSesResponseInit) {
    this.opcode = init.opcode;
    this.list = init.list ?? 0;
    this.version = init.version ?? 0;
    this.returnCode = init.returnCode;
    this.messageId = init.messageId;
    this.indexGeneration = init.indexGeneration ?? 0;
    this.jobId = init.jobId;
    this.modifiedLength = init.modifiedLength ?? 0;
  }
  /** `view` must be checked. */
  static parse(view: UetSesResponseView): UetSesResponseHeader {
    uetCheckSesRspOpcode(view.opcode, false);
    return new UetSesResponseHeader({
      opcode: view.opcode,
      list: view.list,
      version: view.version,
      returnCode: view.returnCode,
      messageId: view.messageId,
      indexGeneration: view.indexGeneration,
      jobId: view.jobId,
      modifiedLength: view.modifiedLength,
    });
  }
  bufferLen(): number {
    return UET_SES_RSP_LEN;
  }
  emit(view: UetSesResponseView): void {
    uetCheckSesRspCommon(this, false);
    checkU('messageId', this.messageId, 16);
    checkU('indexGeneration', this.indexGeneration, 8);
    checkU('jobId', this.jobId, 24);
    checkU('modifiedLength', this.modifiedLength, 32);
    checkLen(UET, 'ses', view.buffer.length, UET_SES_RSP_LEN);
    view.setListOpcode(this.list, this.opcode);
    view.setVersionReturnCode(this.version, this.returnCode);
    view.setMessageId(this.messageId);
    view.setGenerationJobId(this.indexGeneration, this.jobId);
    view.setModifiedLength(this.modifiedLength);
  }
}
