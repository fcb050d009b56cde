// SES standard (44 B), medium (32 B) and small (20 B) request headers on hand-built bytes.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import { UET_SES_OPCODE, uetSesOpcodeName } from './ses-request.ts';
import { UET_SES_MEDIUM_LEN, UetSesMediumHeader, UetSesMediumView, type UetSesMediumInit } from './ses-medium.ts';
import { UET_SES_SMALL_LEN, UetSesSmallHeader, UetSesSmallView } from './ses-small.ts';
import {
  UET_SES_STD_LEN,
  UetSesStandardHeader,
  UetSesStandardView,
  uetSesPackLengthOffset,
  type UetSesStandardInit,
} from './ses-standard.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// Standard: opcode WRITE (0x01); version 0 flags HD|EOM|SOM (0x07); message id 0x0102; index
// generation 3, job id 0x123456; PIDonFEP 0xabc; resource index 0xdef; buffer offset 0x1000;
// initiator 0xbeef; memory key; header data (SOM); request length 8192.
const STD = hex('01 07 0102 03123456 0abc 0def 0000000000001000 0000beef 1122334455667788 a1a2a3a4a5a6a7a8 00002000');
// Standard, middle of a message: opcode SEND (5); version 1, flags REL|EOM (0x4a); message id 9;
// job 1; bytes 32..39 = payload length 1024, message offset 8192.
const STD_MID = hex('05 4a 0009 00000001 0001 0002 0000000000000000 00000000 0000000000000000 0000040000002000 00004000');
// Medium: opcode SEND (5); version 1, HD|EOM|SOM (0x47); reserved + request length 64; job 1;
// PIDonFEP 2; resource index 3; header data 0xc0ffee (HD); initiator 0x10; memory key 0xff.
const MEDIUM = hex('05 47 0040 00000001 0002 0003 0000000000c0ffee 00000010 00000000000000ff');
// Medium without HD: TAGGED_SEND (9), EOM|SOM (0x03), request length 0x3fff, generation 0xff job 1,
// PIDonFEP and resource index 0xfff, buffer offset 0x10, all-ones initiator and match bits.
const MEDIUM_OFF = hex('09 03 3fff ff000001 0fff 0fff 0000000000000010 ffffffff ffffffffffffffff');
// Small: READ (2), REL|EOM|SOM (0x0b), request length 256, generation 1 job 2, PIDonFEP 3,
// resource index 4, buffer offset 2^32.
const SMALL = hex('02 0b 0100 01000002 0003 0004 0000000100000000');

const STD_H = new UetSesStandardHeader({
  opcode: UET_SES_OPCODE.WRITE,
  hasHeaderData: true,
  endOfMessage: true,
  startOfMessage: true,
  messageId: 0x0102,
  indexGeneration: 3,
  jobId: 0x123456,
  pidOnFep: 0xabc,
  resourceIndex: 0xdef,
  bufferOffset: 0x1000n,
  initiator: 0xbeef,
  memoryKey: 0x1122_3344_5566_7788n,
  headerData: 0xa1a2_a3a4_a5a6_a7a8n,
  requestLength: 8192,
});
const STD_MID_H = new UetSesStandardHeader({
  opcode: UET_SES_OPCODE.SEND,
  version: 1,
  relative: true,
  endOfMessage: true,
  messageId: 9,
  jobId: 1,
  pidOnFep: 1,
  resourceIndex: 2,
  headerData: uetSesPackLengthOffset(1024, 8192),
  requestLength: 0x4000,
});
const MEDIUM_H = new UetSesMediumHeader({
  opcode: UET_SES_OPCODE.SEND,
  version: 1,
  endOfMessage: true,
  startOfMessage: true,
  requestLength: 64,
  jobId: 1,
  pidOnFep: 2,
  resourceIndex: 3,
  headerData: 0xc0ffeen,
  initiator: 0x10,
  memoryKey: 0xffn,
});
const MEDIUM_OFF_H = new UetSesMediumHeader({
  opcode: UET_SES_OPCODE.TAGGED_SEND,
  endOfMessage: true,
  startOfMessage: true,
  requestLength: 0x3fff,
  indexGeneration: 0xff,
  jobId: 1,
  pidOnFep: 0xfff,
  resourceIndex: 0xfff,
  bufferOffset: 0x10n,
  initiator: 0xffffffff,
  memoryKey: 2n ** 64n - 1n,
});
const SMALL_H = new UetSesSmallHeader({
  opcode: UET_SES_OPCODE.READ,
  relative: true,
  endOfMessage: true,
  startOfMessage: true,
  requestLength: 256,
  indexGeneration: 1,
  jobId: 2,
  pidOnFep: 3,
  resourceIndex: 4,
  bufferOffset: 2n ** 32n,
});

const pStd = (b: Uint8Array) => UetSesStandardHeader.parse(UetSesStandardView.checked(b));
const pMed = (b: Uint8Array) => UetSesMediumHeader.parse(UetSesMediumView.checked(b));
const pSmall = (b: Uint8Array) => UetSesSmallHeader.parse(UetSesSmallView.checked(b));
const eStd = (h: UetSesStandardHeader, f = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(f);
  h.emit(UetSesStandardView.unchecked(out));
  return out;
};
const eMed = (h: UetSesMediumHeader, f = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(f);
  h.emit(UetSesMediumView.unchecked(out));
  return out;
};
const eSmall = (h: UetSesSmallHeader, f = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(f);
  h.emit(UetSesSmallView.unchecked(out));
  return out;
};

describe('UetSesStandardView / UetSesStandardHeader', () => {
  test('reads every field', () => {
    const v = UetSesStandardView.checked(STD);
    expect([v.opcode, v.version, v.flags, v.startOfMessage, v.endOfMessage, v.hasHeaderData]).toEqual([1, 0, 7, true, true, true]);
    expect([v.relative, v.deliveryComplete, v.initiatorError]).toEqual([false, false, false]);
    expect([v.messageId, v.indexGeneration, v.jobId, v.pidOnFep, v.resourceIndex]).toEqual([0x102, 3, 0x123456, 0xabc, 0xdef]);
    expect([v.bufferOffset, v.initiator, v.memoryKey, v.headerData, v.requestLength]).toEqual([
      0x1000n,
      0xbeef,
      0x1122_3344_5566_7788n,
      0xa1a2_a3a4_a5a6_a7a8n,
      8192,
    ]);
    expect(v.summary()).toBe(
      'UET SES std WRITE job 1193046 pid 2748 ri 3567 msg 258 off 0x1000 init 0x0000beef key 0x1122334455667788 len 8192 ' +
        'hdr_data 0xa1a2a3a4a5a6a7a8 [SOM EOM HD]',
    );
  });

  test('without SOM, bytes 32..39 are payload length and message offset', () => {
    const v = UetSesStandardView.checked(STD_MID);
    expect([v.version, v.relative, v.payloadLength, v.messageOffset]).toEqual([1, true, 1024, 8192]);
    expect([STD_MID_H.payloadLength, STD_MID_H.messageOffset]).toEqual([1024, 8192]);
    expect(v.summary()).toMatch(/msg_off 8192 payload 1024 \[EOM REL\]$/);
  });

  test('parses, writes every field over 0xa5, round trips; 44 bytes', () => {
    expect(pStd(STD)).toEqual(STD_H);
    expect(pStd(STD_MID)).toEqual(STD_MID_H);
    expect(eStd(STD_H, 0xa5)).toEqual(STD);
    expect(eStd(STD_MID_H, 0xa5)).toEqual(STD_MID);
    for (const h of [STD_H, STD_MID_H]) expect(pStd(eStd(pStd(eStd(h))))).toEqual(h);
    expect([STD_H.bufferLen(), UET_SES_STD_LEN]).toEqual([44, 44]);
  });

  test('reserved bits are ignored on receipt and sent as zero', () => {
    const b = STD.slice();
    b[0] |= 0xc0;
    b[8] |= 0xf0;
    b[10] |= 0xf0;
    expect(pStd(b)).toEqual(STD_H);
  });

  test('truncated and malformed', () => {
    const e = catchWire(() => UetSesStandardView.checked(STD.subarray(0, 43)));
    expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'uet', 'ses']);
    const base: UetSesStandardInit = { opcode: 1, messageId: 0, jobId: 0, pidOnFep: 0, resourceIndex: 0, requestLength: 0 };
    for (const [patch, field] of [
      [{ opcode: 64 }, 'opcode'],
      [{ version: 4 }, 'version'],
      [{ indexGeneration: 256 }, 'indexGeneration'],
      [{ jobId: 0x1000000 }, 'jobId'],
      [{ pidOnFep: 0x1000 }, 'pidOnFep'],
      [{ resourceIndex: 0x1000 }, 'resourceIndex'],
      [{ messageId: 0x10000 }, 'messageId'],
      [{ bufferOffset: 2n ** 64n }, 'bufferOffset'],
      [{ memoryKey: -1n }, 'memoryKey'],
      [{ headerData: 2n ** 64n }, 'headerData'],
      [{ requestLength: 2 ** 32 }, 'requestLength'],
    ] as const) {
      const err = catchWire(() => eStd(new UetSesStandardHeader({ ...base, ...patch })));
      expect([err.kind, err.field]).toEqual(['malformed', field]);
    }
    expect(catchWire(() => uetSesPackLengthOffset(0x4000, 0)).field).toBe('payloadLength');
  });

  test('opcode names, provider-only and unknown opcodes', () => {
    expect(uetSesOpcodeName(0x0c)).toBe('DEFERRABLE_RTR');
    expect(uetSesOpcodeName(0x11)).toBe('SYNC_ATOMIC');
    expect(uetSesOpcodeName(0x3f)).toBe('opcode-63');
    const b = STD.slice();
    b[0] = 0x3f;
    expect(pStd(eStd(pStd(b))).opcode).toBe(0x3f);
  });
});

describe('UetSesMediumView / UetSesMediumHeader', () => {
  test('reads every field; HD picks header data or buffer offset', () => {
    const v = UetSesMediumView.checked(MEDIUM);
    expect([v.opcode, v.version, v.hasHeaderData, v.requestLength, v.jobId, v.pidOnFep, v.resourceIndex]).toEqual([
      5, 1, true, 64, 1, 2, 3,
    ]);
    expect([v.dataOrOffset, v.initiator, v.memoryKey]).toEqual([0xc0ffeen, 0x10, 0xffn]);
    expect(v.summary()).toBe('UET SES medium SEND job 1 pid 2 ri 3 hdr_data 0xc0ffee init 0x00000010 key 0xff len 64 [SOM EOM HD]');
    const o = UetSesMediumView.checked(MEDIUM_OFF);
    expect([o.hasHeaderData, o.requestLength, o.indexGeneration, o.dataOrOffset, o.initiator]).toEqual([
      false,
      0x3fff,
      0xff,
      0x10n,
      0xffffffff,
    ]);
    expect(o.summary()).toContain(' off 0x10 ');
  });

  test('parses, writes every field over 0xa5, round trips; 32 bytes', () => {
    expect(pMed(MEDIUM)).toEqual(MEDIUM_H);
    expect(pMed(MEDIUM_OFF)).toEqual(MEDIUM_OFF_H);
    expect(eMed(MEDIUM_H, 0xa5)).toEqual(MEDIUM);
    expect(eMed(MEDIUM_OFF_H, 0xa5)).toEqual(MEDIUM_OFF);
    for (const h of [MEDIUM_H, MEDIUM_OFF_H]) expect(pMed(eMed(pMed(eMed(h))))).toEqual(h);
    expect([MEDIUM_H.hasHeaderData, MEDIUM_OFF_H.hasHeaderData, MEDIUM_H.bufferLen(), UET_SES_MEDIUM_LEN]).toEqual([
      true,
      false,
      32,
      32,
    ]);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetSesMediumView.checked(MEDIUM.subarray(0, 31))).field).toBe('ses');
    const base: UetSesMediumInit = { opcode: 5, requestLength: 0, jobId: 0, pidOnFep: 0, resourceIndex: 0 };
    for (const [patch, field] of [
      [{ requestLength: 0x4000 }, 'requestLength'],
      [{ headerData: 1n, bufferOffset: 1n }, 'headerData'],
      [{ headerData: 2n ** 64n }, 'headerData'],
      [{ memoryKey: 2n ** 64n }, 'memoryKey'],
    ] as const) {
      const err = catchWire(() => eMed(new UetSesMediumHeader({ ...base, ...patch })));
      expect([err.kind, err.field]).toEqual(['malformed', field]);
    }
  });
});

describe('UetSesSmallView / UetSesSmallHeader', () => {
  test('reads every field', () => {
    const v = UetSesSmallView.checked(SMALL);
    expect([v.opcode, v.relative, v.startOfMessage, v.endOfMessage, v.requestLength]).toEqual([2, true, true, true, 256]);
    expect([v.indexGeneration, v.jobId, v.pidOnFep, v.resourceIndex, v.bufferOffset]).toEqual([1, 2, 3, 4, 2n ** 32n]);
    expect(v.summary()).toBe('UET SES small READ job 2 pid 3 ri 4 off 0x100000000 len 256 [SOM EOM REL]');
  });

  test('parses, writes every field over 0xa5, round trips; 20 bytes', () => {
    expect(pSmall(SMALL)).toEqual(SMALL_H);
    expect(eSmall(SMALL_H, 0xa5)).toEqual(SMALL);
    expect(pSmall(eSmall(pSmall(SMALL)))).toEqual(SMALL_H);
    expect([SMALL_H.bufferLen(), UET_SES_SMALL_LEN]).toEqual([20, 20]);
    const reserved = SMALL.slice();
    reserved[2] |= 0xc0;
    expect(pSmall(reserved)).toEqual(SMALL_H);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetSesSmallView.checked(SMALL.subarray(0, 19))).kind).toBe('truncated');
    const err = catchWire(() => eSmall(new UetSesSmallHeader({ ...SMALL_H, requestLength: 0x4000 })));
    expect([err.kind, err.field]).toEqual(['malformed', 'requestLength']);
    expect(catchWire(() => SMALL_H.emit(UetSesSmallView.unchecked(new Uint8Array(19)))).kind).toBe('truncated');
  });
});
