// The 12 bytes every SES request header (standard, medium, small) starts with, and the SES request opcodes.
//
// Layout: dissector `dissect_ses_std_req` / `_small_req` / `_medium_req`, provider
// `struct uet_ses_req_cmn`; they agree (the dissector's medium request skips one byte too many
// after the request length, which would make it 33 bytes; the provider's 32-byte struct is
// followed, see ses-medium.ts). Extension headers after the request header (atomic 4 B, compare
// and swap 36 B, rendezvous 24 B, the provider's sync group 4 B) are not decoded: they stay at the
// start of the packet payload.
import { WireView, type Field } from '../wire.ts';
import { checkU, flagList } from './common.ts';

/** Field table of the 12 common bytes, shared by the three request headers. */
export const UET_SES_REQ_FIELDS = {
  RSVD_OPCODE: [0, 1], // reserved(2) opcode(6)
  VER_FLAGS: [1, 2], // version(2) DC IE REL HD EOM SOM
  MSG_ID: [2, 4], // standard: message id; small and medium: reserved(2) request length(14)
  GEN_JOB_ID: [4, 8], // resource-index generation(8) job id(24)
  PID_ON_FEP: [8, 10], // reserved(4) PIDonFEP(12)
  RESOURCE_INDEX: [10, 12], // reserved(4) resource index(12)
} as const satisfies Record<string, Field>;

export const UET_SES_REQ_COMMON_LEN = UET_SES_REQ_FIELDS.RESOURCE_INDEX[1];

/** SES request opcodes (6 bits); 0x10 and 0x11 exist only in the provider. Others pass through. */
export const UET_SES_OPCODE = {
  NO_OP: 0x00,
  WRITE: 0x01,
  READ: 0x02,
  ATOMIC: 0x03,
  FETCHING_ATOMIC: 0x04,
  SEND: 0x05,
  RENDEZVOUS_SEND: 0x06,
  DATAGRAM_SEND: 0x07,
  DEFERRABLE_SEND: 0x08,
  TAGGED_SEND: 0x09,
  RENDEZVOUS_TSEND: 0x0a,
  DEFERRABLE_TSEND: 0x0b,
  DEFERRABLE_RTR: 0x0c,
  TSEND_ATOMIC: 0x0d,
  TSEND_FETCH_ATOMIC: 0x0e,
  MSG_ERROR: 0x0f,
  SYNC_WRITE: 0x10,
  SYNC_ATOMIC: 0x11,
} as const;

const OPCODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(UET_SES_OPCODE).map(([k, v]) => [v, k]));

export function uetSesOpcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? `opcode-${op}`;
}

/** SES request flags: the low 6 bits of byte 1 (the version is the top 2). */
export const UET_SES_REQ_FLAG = {
  /** Delivery complete. */
  DC: 0x20,
  /** Initiator error. */
  IE: 0x10,
  /** Relative addressing (job-relative PIDonFEP). */
  REL: 0x08,
  /** Header data present (reserved in the small request). */
  HD: 0x04,
  EOM: 0x02,
  SOM: 0x01,
} as const;

/** Accessors of the common 12 bytes; the three request views extend it. */
export class UetSesRequestView extends WireView {
  get opcode(): number {
    return this.u8(UET_SES_REQ_FIELDS.RSVD_OPCODE) & 0x3f;
  }
  get version(): number {
    return this.u8(UET_SES_REQ_FIELDS.VER_FLAGS) >> 6;
  }
  /** The six flag bits. */
  get flags(): number {
    return this.u8(UET_SES_REQ_FIELDS.VER_FLAGS) & 0x3f;
  }
  get deliveryComplete(): boolean {
    return (this.flags & UET_SES_REQ_FLAG.DC) !== 0;
  }
  get initiatorError(): boolean {
    return (this.flags & UET_SES_REQ_FLAG.IE) !== 0;
  }
  get relative(): boolean {
    return (this.flags & UET_SES_REQ_FLAG.REL) !== 0;
  }
  get hasHeaderData(): boolean {
    return (this.flags & UET_SES_REQ_FLAG.HD) !== 0;
  }
  get endOfMessage(): boolean {
    return (this.flags & UET_SES_REQ_FLAG.EOM) !== 0;
  }
  get startOfMessage(): boolean {
    return (this.flags & UET_SES_REQ_FLAG.SOM) !== 0;
  }
  get indexGeneration(): number {
    return this.u8(UET_SES_REQ_FIELDS.GEN_JOB_ID);
  }
  get jobId(): number {
    return this.u32(UET_SES_REQ_FIELDS.GEN_JOB_ID) & 0xffffff;
  }
  get pidOnFep(): number {
    return this.u16(UET_SES_REQ_FIELDS.PID_ON_FEP) & 0x0fff;
  }
  get resourceIndex(): number {
    return this.u16(UET_SES_REQ_FIELDS.RESOURCE_INDEX) & 0x0fff;
  }
  protected u64(at: number): bigint {
    return this.dv.getBigUint64(at);
  }
  protected setU64(at: number, v: bigint): void {
    this.dv.setBigUint64(at, v);
  }
  /** Reserved bits are cleared. */
  setOpcode(v: number): void {
    this.setU8(UET_SES_REQ_FIELDS.RSVD_OPCODE, v & 0x3f);
  }
  setVersionFlags(version: number, flags: number): void {
    this.setU8(UET_SES_REQ_FIELDS.VER_FLAGS, ((version & 3) << 6) | (flags & 0x3f));
  }
  setGenerationJobId(generation: number, jobId: number): void {
    this.setU32(UET_SES_REQ_FIELDS.GEN_JOB_ID, (((generation & 0xff) << 24) | (jobId & 0xffffff)) >>> 0);
  }
  setPidOnFep(v: number): void {
    this.setU16(UET_SES_REQ_FIELDS.PID_ON_FEP, v & 0x0fff);
  }
  setResourceIndex(v: number): void {
    this.setU16(UET_SES_REQ_FIELDS.RESOURCE_INDEX, v & 0x0fff);
  }
  protected commonSummary(kind: string): string {
    const op = uetSesOpcodeName(this.opcode);
    return `UET SES ${kind} ${op} job ${this.jobId} pid ${this.pidOnFep} ri ${this.resourceIndex}`;
  }
  protected flagSummary(): string {
    return flagList([
      [this.startOfMessage, 'SOM'],
      [this.endOfMessage, 'EOM'],
      [this.hasHeaderData, 'HD'],
      [this.relative, 'REL'],
      [this.deliveryComplete, 'DC'],
      [this.initiatorError, 'IE'],
    ]);
  }
}

export interface UetSesRequestCommonInit {
  /** 6 bits: UET_SES_OPCODE. */
  opcode: number;
  /** 2 bits; default 0. */
  version?: number;
  deliveryComplete?: boolean;
  initiatorError?: boolean;
  relative?: boolean;
  hasHeaderData?: boolean;
  endOfMessage?: boolean;
  startOfMessage?: boolean;
  /** Resource-index generation, 8 bits; default 0. */
  indexGeneration?: number;
  /** 24 bits. */
  jobId: number;
  /** 12 bits. */
  pidOnFep: number;
  /** 12 bits. */
  resourceIndex: number;
}

/** The common fields as values; the three request headers extend it. */
export class UetSesRequestCommon {
  readonly opcode: number;
  readonly version: number;
  readonly deliveryComplete: boolean;
  readonly initiatorError: boolean;
  readonly relative: boolean;
  readonly hasHeaderData: boolean;
  readonly endOfMessage: boolean;
  readonly startOfMessage: boolean;
  readonly indexGeneration: number;
  readonly jobId: number;
  readonly pidOnFep: number;
  readonly resourceIndex: number;
  constructor(init: UetSesRequestCommonInit) {
    this.opcode = init.opcode;
    this.version = init.version ?? 0;
    this.deliveryComplete = init.deliveryComplete ?? false;
    this.initiatorError = init.initiatorError ?? false;
    this.relative = init.relative ?? false;
    this.hasHeaderData = init.hasHeaderData ?? false;
    this.endOfMessage = init.endOfMessage ?? false;
    this.startOfMessage = init.startOfMessage ?? false;
    this.indexGeneration = init.indexGeneration ?? 0;
    this.jobId = init.jobId;
    this.pidOnFep = init.pidOnFep;
    this.resourceIndex = init.resourceIndex;
  }
  protected static commonOf(view: UetSesRequestView): UetSesRequestCommonInit {
    return {
      opcode: view.opcode,
      version: view.version,
      deliveryComplete: view.deliveryComplete,
      initiatorError: view.initiatorError,
      relative: view.relative,
      hasHeaderData: view.hasHeaderData,
      endOfMessage: view.endOfMessage,
      startOfMessage: view.startOfMessage,
      indexGeneration: view.indexGeneration,
      jobId: view.jobId,
      pidOnFep: view.pidOnFep,
      resourceIndex: view.resourceIndex,
    };
  }
  protected checkCommon(): void {
    checkU('opcode', this.opcode, 6);
    checkU('version', this.version, 2);
    checkU('indexGeneration', this.indexGeneration, 8);
    checkU('jobId', this.jobId, 24);
    checkU('pidOnFep', this.pidOnFep, 12);
    checkU('resourceIndex', this.resourceIndex, 12);
  }
  /** Writes bytes 0..11 except 2..3 (message id, or request length), which the subclass writes. */
  protected emitCommon(view: UetSesRequestView): void {
    const flags =
      (this.deliveryComplete ? UET_SES_REQ_FLAG.DC : 0) |
      (this.initiatorError ? UET_SES_REQ_FLAG.IE : 0) |
      (this.relative ? UET_SES_REQ_FLAG.REL : 0) |
      (this.hasHeaderData ? UET_SES_REQ_FLAG.HD : 0) |
      (this.endOfMessage ? UET_SES_REQ_FLAG.EOM : 0) |
      (this.startOfMessage ? UET_SES_REQ_FLAG.SOM : 0);
    view.setOpcode(this.opcode);
    view.setVersionFlags(this.version, flags);
    view.setGenerationJobId(this.indexGeneration, this.jobId);
    view.setPidOnFep(this.pidOnFep);
    view.setResourceIndex(this.resourceIndex);
  }
}
