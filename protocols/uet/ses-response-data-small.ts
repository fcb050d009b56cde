// SES small response-with-data header (next header RSP_DATA_SMALL): 4 B in the dissector, 12 B in the provider.
//
// Dissector `dissect_ses_resp_data_small`: list/opcode, version/return code, reserved(2) payload
// length(14). Provider `struct uet_ses_rsp_ds`: the same 4 bytes, then resource-index generation(8)
// job id(24) and the original request's PSN. UetLayoutOptions.smallResponseWithData picks the
// layout a view reads; a header with `provider` fields emits the 12-byte form.
import { checkLen, type Field } from '../wire.ts';
import { UET, checkU, uetLayout, type UetLayoutOptions } from './common.ts';
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
  PAYLOAD_LENGTH: [2, 4], // reserved(2) payload length(14)
  GEN_JOB_ID: [4, 8], // provider layout: resource-index generation(8) job id(24)
  ORIG_REQ_PSN: [8, 12], // provider layout
} as const satisfies Record<string, Field>;

/** Dissector layout. */
export const UET_SES_RSP_DATA_SMALL_LEN = F.PAYLOAD_LENGTH[1];
/** Provider layout. */
export const UET_SES_RSP_DATA_SMALL_PROVIDER_LEN = F.ORIG_REQ_PSN[1];

export class UetSesResponseDataSmallView extends UetSesResponseCommonView {
  private readonly providerLayout: boolean;
  protected constructor(buf: Uint8Array, opts: UetLayoutOptions) {
    super(buf);
    this.providerLayout = uetLayout(opts).smallResponseWithData === 'provider';
  }
  static unchecked(buf: Uint8Array, opts: UetLayoutOptions = {}): UetSesResponseDataSmallView {
    return new UetSesResponseDataSmallView(buf, opts);
  }
  static checked(buf: Uint8Array, opts: UetLayoutOptions = {}): UetSesResponseDataSmallView {
    const v = new UetSesResponseDataSmallView(buf, opts);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'ses', this.buffer.length, this.headerLen);
  }
  /** True when the view reads the provider's 12-byte layout. */
  get hasProviderFields(): boolean {
    return this.providerLayout;
  }
  get headerLen(): number {
    return this.providerLayout ? UET_SES_RSP_DATA_SMALL_PROVIDER_LEN : UET_SES_RSP_DATA_SMALL_LEN;
  }
  get payloadLength(): number {
    return this.u16(F.PAYLOAD_LENGTH) & 0x3fff;
  }
  /** Provider layout only, as are jobId and origRequestPsn. */
  get indexGeneration(): number {
    return this.u8(F.GEN_JOB_ID);
  }
  get jobId(): number {
    return this.u32(F.GEN_JOB_ID) & 0xffffff;
  }
  get origRequestPsn(): number {
    return this.u32(F.ORIG_REQ_PSN);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }
  /** Reserved bits are cleared. */
  setPayloadLength(v: number): void {
    this.setU16(F.PAYLOAD_LENGTH, v & 0x3fff);
  }
  setGenerationJobId(generation: number, jobId: number): void {
    this.setU32(F.GEN_JOB_ID, (((generation & 0xff) << 24) | (jobId & 0xffffff)) >>> 0);
  }
  setOrigRequestPsn(v: number): void {
    this.setU32(F.ORIG_REQ_PSN, v);
  }
  summary(): string {
    const provider = this.providerLayout ? ` job ${this.jobId} orig_psn ${this.origRequestPsn}` : '';
    return `${this.commonSummary('rsp_data_small')} payload ${this.payloadLength}${provider}`;
  }
}

/** The provider's extra 8 bytes. */
export interface UetSesSmallRspProviderFields {
  /** 8 bits. */
  indexGeneration: number;
  /** 24 bits. */
  jobId: number;
  origRequestPsn: number;
}

export interface UetSesResponseDataSmallInit extends Omit<UetSesResponseCommonInit, 'opcode'> {
  /** Default RESPONSE_W_DATA. */
  opcode?: number;
  /** 14 bits. */
  payloadLength: number;
  /** Present = provider layout (12 bytes). */
  provider?: UetSesSmallRspProviderFields;
}

export class UetSesResponseDataSmallHeader {
  readonly kind = 'responseDataSmall';
  readonly opcode: number;
  readonly list: number;
  readonly version: number;
  readonly returnCode: number;
  readonly payloadLength: number;
  readonly provider?: UetSesSmallRspProviderFields;
  constructor(init: UetSesResponseDataSmallInit) {
    this.opcode = init.opcode ?? UET_SES_RSP_OPCODE.RESPONSE_W_DATA;
    this.list = init.list ?? 0;
    this.version = init.version ?? 0;
    this.returnCode = init.returnCode;
    this.payloadLength = init.payloadLength;
    if (init.provider) this.provider = { ...init.provider };
  }
  /** `view` must be checked; its layout decides whether the provider fields are read. */
  static parse(view: UetSesResponseDataSmallView): UetSesResponseDataSmallHeader {
    uetCheckSesRspOpcode(view.opcode, true);
    return new UetSesResponseDataSmallHeader({
      opcode: view.opcode,
      list: view.list,
      version: view.version,
      returnCode: view.returnCode,
      payloadLength: view.payloadLength,
      ...(view.hasProviderFields
        ? { provider: { indexGeneration: view.indexGeneration, jobId: view.jobId, origRequestPsn: view.origRequestPsn } }
        : {}),
    });
  }
  bufferLen(): number {
    return this.provider ? UET_SES_RSP_DATA_SMALL_PROVIDER_LEN : UET_SES_RSP_DATA_SMALL_LEN;
  }
  emit(view: UetSesResponseDataSmallView): void {
    uetCheckSesRspCommon(this, true);
    checkU('payloadLength', this.payloadLength, 14);
    if (this.provider) {
      checkU('provider.indexGeneration', this.provider.indexGeneration, 8);
      checkU('provider.jobId', this.provider.jobId, 24);
      checkU('provider.origRequestPsn', this.provider.origRequestPsn, 32);
    }
    checkLen(UET, 'ses', view.buffer.length, this.bufferLen());
    view.setListOpcode(this.list, this.opcode);
    view.setVersionReturnCode(this.version, this.returnCode);
    view.setPayloadLength(this.payloadLength);
    if (this.provider) {
      view.setGenerationJobId(this.provider.indexGeneration, this.provider.jobId);
      view.setOrigRequestPsn(this.provider.origRequestPsn);
    }
  }
}
