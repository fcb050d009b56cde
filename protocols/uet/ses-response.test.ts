// SES response (12 B), response with data (20 B) and small response with data (4 B / provider 12 B) on hand-built bytes.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import {
  UET_SES_RSP_DATA_SMALL_LEN,
  UET_SES_RSP_DATA_SMALL_PROVIDER_LEN,
  UetSesResponseDataSmallHeader,
  UetSesResponseDataSmallView,
} from './ses-response-data-small.ts';
import { UET_SES_RSP_DATA_LEN, UetSesResponseDataHeader, UetSesResponseDataView } from './ses-response-data.ts';
import {
  UET_SES_LIST,
  UET_SES_RC,
  UET_SES_RSP_LEN,
  UET_SES_RSP_OPCODE,
  UetSesResponseHeader,
  UetSesResponseView,
  uetSesRcName,
  uetSesRspOpcodeName,
} from './ses-response.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// Response: list EXPECTED, opcode RESPONSE (0x01); version 0, return code OK (0x01); message id
// 0x0102; generation 0, job 0x123456; modified length 4096.
const RSP = hex('01 01 0102 00123456 00001000');
// Response: list OVERFLOW, DEFAULT_RESPONSE (0x40); version 1, BAD_JOB_ID (0x5b); message id 1;
// generation 2, job 3; modified length 0.
const RSP_ERR = hex('40 5b 0001 02000003 00000000');
// Response with data: RESPONSE_W_DATA (0x02), OK; message id 7; job 0x42; read request message id
// 0x0102; reserved + payload length 1024; modified length 1024; message offset 8192.
const RSP_DATA = hex('02 01 0007 00000042 0102 0400 00000400 00002000');
// Small response with data (dissector): RESPONSE_W_DATA, OK, payload length 64.
const RSP_SMALL = hex('02 01 0040');
// Same, provider layout: + generation 0, job 0x123456, original request PSN 1000.
const RSP_SMALL_P = hex('02 01 0040 00123456 000003e8');

const RSP_H = new UetSesResponseHeader({
  opcode: UET_SES_RSP_OPCODE.RESPONSE,
  returnCode: UET_SES_RC.OK,
  messageId: 0x102,
  jobId: 0x123456,
  modifiedLength: 4096,
});
const RSP_ERR_H = new UetSesResponseHeader({
  opcode: UET_SES_RSP_OPCODE.DEFAULT_RESPONSE,
  list: UET_SES_LIST.OVERFLOW,
  version: 1,
  returnCode: UET_SES_RC.BAD_JOB_ID,
  messageId: 1,
  indexGeneration: 2,
  jobId: 3,
});
const RSP_DATA_H = new UetSesResponseDataHeader({
  returnCode: UET_SES_RC.OK,
  messageId: 7,
  jobId: 0x42,
  readRequestMessageId: 0x102,
  payloadLength: 1024,
  modifiedLength: 1024,
  messageOffset: 8192,
});
const RSP_SMALL_H = new UetSesResponseDataSmallHeader({ returnCode: UET_SES_RC.OK, payloadLength: 64 });
const RSP_SMALL_P_H = new UetSesResponseDataSmallHeader({
  returnCode: UET_SES_RC.OK,
  payloadLength: 64,
  provider: { indexGeneration: 0, jobId: 0x123456, origRequestPsn: 1000 },
});

const pRsp = (b: Uint8Array) => UetSesResponseHeader.parse(UetSesResponseView.checked(b));
const pData = (b: Uint8Array) => UetSesResponseDataHeader.parse(UetSesResponseDataView.checked(b));
const pSmall = (b: Uint8Array, provider = false) =>
  UetSesResponseDataSmallHeader.parse(
    UetSesResponseDataSmallView.checked(b, { smallResponseWithData: provider ? 'provider' : 'dissector' }),
  );
const emit = (h: { bufferLen(): number; emit(v: never): void }, make: (b: Uint8Array) => unknown, f = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(f);
  h.emit(make(out) as never);
  return out;
};

describe('UetSesResponseView / UetSesResponseHeader', () => {
  test('reads every field', () => {
    const v = UetSesResponseView.checked(RSP);
    expect([v.list, v.opcode, v.version, v.returnCode, v.messageId, v.indexGeneration, v.jobId, v.modifiedLength]).toEqual([
      0, 1, 0, 1, 0x102, 0, 0x123456, 4096,
    ]);
    expect(v.summary()).toBe('UET SES rsp RESPONSE OK msg 258 job 1193046 mod_len 4096');
    const e = UetSesResponseView.checked(RSP_ERR);
    expect([e.list, e.opcode, e.version, e.returnCode, e.indexGeneration, e.jobId]).toEqual([1, 0, 1, 0x1b, 2, 3]);
    expect(e.summary()).toBe('UET SES rsp DEFAULT_RESPONSE BAD_JOB_ID overflow msg 1 job 3 mod_len 0');
  });

  test('parses, writes every field over 0xa5, round trips; 12 bytes', () => {
    expect(pRsp(RSP)).toEqual(RSP_H);
    expect(pRsp(RSP_ERR)).toEqual(RSP_ERR_H);
    expect(emit(RSP_H, UetSesResponseView.unchecked, 0xa5)).toEqual(RSP);
    expect(emit(RSP_ERR_H, UetSesResponseView.unchecked, 0xa5)).toEqual(RSP_ERR);
    for (const h of [RSP_H, RSP_ERR_H]) expect(pRsp(emit(h, UetSesResponseView.unchecked))).toEqual(h);
    expect([RSP_H.bufferLen(), UET_SES_RSP_LEN]).toEqual([12, 12]);
  });

  test('names; unknown return codes and opcodes pass through', () => {
    expect([uetSesRcName(0x24), uetSesRcName(0x30), uetSesRspOpcodeName(3), uetSesRspOpcodeName(9)]).toEqual([
      'DROPPED',
      'rc-48',
      'NO_RESPONSE',
      'rsp-opcode-9',
    ]);
    const odd = RSP.slice();
    odd[0] = 0x09;
    odd[1] = 0x30;
    expect(pRsp(emit(pRsp(odd), UetSesResponseView.unchecked))).toMatchObject({ opcode: 9, returnCode: 0x30 });
  });

  test('truncated and malformed; a data opcode in a response without data', () => {
    expect(catchWire(() => UetSesResponseView.checked(RSP.subarray(0, 11))).kind).toBe('truncated');
    const data = RSP.slice();
    data[0] = 0x02;
    const e = catchWire(() => pRsp(data));
    expect([e.kind, e.field]).toEqual(['malformed', 'opcode']);
    expect(catchWire(() => emit(new UetSesResponseHeader({ ...RSP_H, opcode: 2 }), UetSesResponseView.unchecked)).field).toBe('opcode');
    expect(catchWire(() => emit(new UetSesResponseHeader({ ...RSP_H, jobId: 1 << 24 }), UetSesResponseView.unchecked)).field).toBe(
      'jobId',
    );
    expect(catchWire(() => emit(new UetSesResponseHeader({ ...RSP_H, list: 4 }), UetSesResponseView.unchecked)).field).toBe('list');
  });
});

describe('UetSesResponseDataView / UetSesResponseDataHeader', () => {
  test('reads every field', () => {
    const v = UetSesResponseDataView.checked(RSP_DATA);
    expect([v.opcode, v.returnCode, v.messageId, v.jobId, v.readRequestMessageId, v.payloadLength]).toEqual([2, 1, 7, 0x42, 0x102, 1024]);
    expect([v.modifiedLength, v.messageOffset, v.payload.length]).toEqual([1024, 8192, 0]);
    expect(v.summary()).toBe('UET SES rsp_data RESPONSE_W_DATA OK msg 7 job 66 read_msg 258 payload 1024 msg_off 8192 mod_len 1024');
  });

  test('parses, writes every field over 0xa5, round trips; 20 bytes', () => {
    expect(pData(RSP_DATA)).toEqual(RSP_DATA_H);
    expect(emit(RSP_DATA_H, UetSesResponseDataView.unchecked, 0xa5)).toEqual(RSP_DATA);
    expect(pData(emit(pData(RSP_DATA), UetSesResponseDataView.unchecked))).toEqual(RSP_DATA_H);
    expect([RSP_DATA_H.bufferLen(), UET_SES_RSP_DATA_LEN]).toEqual([20, 20]);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetSesResponseDataView.checked(RSP_DATA.subarray(0, 19))).kind).toBe('truncated');
    const noData = RSP_DATA.slice();
    noData[0] = UET_SES_RSP_OPCODE.NO_RESPONSE;
    expect(catchWire(() => pData(noData)).field).toBe('opcode');
    const big = new UetSesResponseDataHeader({ ...RSP_DATA_H, payloadLength: 0x4000 });
    expect(catchWire(() => emit(big, UetSesResponseDataView.unchecked)).field).toBe('payloadLength');
  });
});

describe('UetSesResponseDataSmallView / UetSesResponseDataSmallHeader', () => {
  test('dissector layout: 4 bytes', () => {
    const v = UetSesResponseDataSmallView.checked(RSP_SMALL_P);
    expect([v.hasProviderFields, v.headerLen, v.payloadLength, v.payload.length]).toEqual([false, 4, 64, 8]);
    expect(v.summary()).toBe('UET SES rsp_data_small RESPONSE_W_DATA OK payload 64');
    expect(pSmall(RSP_SMALL)).toEqual(RSP_SMALL_H);
    expect(emit(RSP_SMALL_H, UetSesResponseDataSmallView.unchecked, 0xa5)).toEqual(RSP_SMALL);
    expect([RSP_SMALL_H.bufferLen(), UET_SES_RSP_DATA_SMALL_LEN]).toEqual([4, 4]);
  });

  test('provider layout: 12 bytes with job id and original request PSN', () => {
    const v = UetSesResponseDataSmallView.checked(RSP_SMALL_P, { smallResponseWithData: 'provider' });
    expect([v.hasProviderFields, v.headerLen, v.indexGeneration, v.jobId, v.origRequestPsn]).toEqual([true, 12, 0, 0x123456, 1000]);
    expect(v.summary()).toBe('UET SES rsp_data_small RESPONSE_W_DATA OK payload 64 job 1193046 orig_psn 1000');
    expect(pSmall(RSP_SMALL_P, true)).toEqual(RSP_SMALL_P_H);
    expect(emit(RSP_SMALL_P_H, UetSesResponseDataSmallView.unchecked, 0xa5)).toEqual(RSP_SMALL_P);
    expect(pSmall(emit(RSP_SMALL_P_H, UetSesResponseDataSmallView.unchecked), true)).toEqual(RSP_SMALL_P_H);
    expect([RSP_SMALL_P_H.bufferLen(), UET_SES_RSP_DATA_SMALL_PROVIDER_LEN]).toEqual([12, 12]);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetSesResponseDataSmallView.checked(RSP_SMALL.subarray(0, 3))).kind).toBe('truncated');
    const e = catchWire(() => UetSesResponseDataSmallView.checked(RSP_SMALL, { smallResponseWithData: 'provider' }));
    expect([e.kind, e.field]).toEqual(['truncated', 'ses']);
    const rsp = RSP_SMALL.slice();
    rsp[0] = 0x01;
    expect(catchWire(() => pSmall(rsp)).field).toBe('opcode');
    const bad = new UetSesResponseDataSmallHeader({ ...RSP_SMALL_P_H, provider: { indexGeneration: 0, jobId: 0, origRequestPsn: -1 } });
    expect(catchWire(() => emit(bad, UetSesResponseDataSmallView.unchecked)).field).toBe('provider.origRequestPsn');
  });
});
