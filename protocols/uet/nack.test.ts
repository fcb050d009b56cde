// NACK and NACK_CCX on hand-built bytes: every field, NACK codes, 0xa5 fill, round trip, bad input.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import {
  UET_NACK_CCX_LEN,
  UET_NACK_CODE,
  UET_NACK_LEN,
  UetNackHeader,
  UetNackView,
  uetNackCodeName,
  uetNackIsResourceExhaustion,
  type UetNackInit,
} from './nack.ts';
import { UET_PDS_TYPE } from './prologue.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// NACK (10) nh NONE flags RETX (0x10): 01010 0000 0010000 = 0x5010; code TRIMMED, vendor 0, NACK PSN
// 1001, SPDCID 7, DPDCID 5, payload 1005.
const NACK = hex('5010 01 00 000003e9 0007 0005 000003ed');
// NACK_CCX (12) flags M|NT (0x28): 01100 0000 0101000 = 0x6028; code INV_DPDCID (0x0e), vendor
// 0x7f, RUDI packet id 0xdeadbeef, PDC ids 0, payload 0; nccx_type 2 with state 1
// 0x0123456789abcde in the same 8 bytes, state 2.
const NACK_CCX = hex('6028 0e 7f deadbeef 0000 0000 00000000 20123456789abcde fedcba9876543210');

const NACK_H = new UetNackHeader({
  type: UET_PDS_TYPE.NACK,
  retx: true,
  nackCode: UET_NACK_CODE.TRIMMED,
  nackPsn: 1001,
  spdcid: 7,
  dpdcid: 5,
  nackPayload: 1005,
});
const NACK_CCX_H = new UetNackHeader({
  type: UET_PDS_TYPE.NACK_CCX,
  ecnMarked: true,
  rudi: true,
  nackCode: UET_NACK_CODE.INV_DPDCID,
  vendorCode: 0x7f,
  nackPsn: 0xdeadbeef,
  spdcid: 0,
  dpdcid: 0,
  ccx: { nccxType: 2, state1: 0x0123_4567_89ab_cden, state2: 0xfedc_ba98_7654_3210n },
});

const parse = (b: Uint8Array) => UetNackHeader.parse(UetNackView.checked(b));
const emit = (h: UetNackHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(UetNackView.unchecked(out));
  return out;
};

describe('UetNackView', () => {
  test('reads every field of a NACK', () => {
    const v = UetNackView.checked(NACK);
    expect([v.type, v.ecnMarked, v.retx, v.rudi, v.nackCode, v.vendorCode]).toEqual([10, false, true, false, 1, 0]);
    expect([v.nackPsn, v.spdcid, v.dpdcid, v.nackPayload, v.headerLen, v.hasCcx]).toEqual([1001, 7, 5, 1005, 16, false]);
    expect(v.summary()).toBe('UET NACK TRIMMED psn 1001 spdcid 7 dpdcid 5 payload 0x000003ed [RETX]');
  });

  test('reads every field of a NACK_CCX (RUDI: the PSN slot is the packet id)', () => {
    const v = UetNackView.checked(NACK_CCX);
    expect([v.hasCcx, v.headerLen, v.rudi, v.ecnMarked, v.nackCode, v.vendorCode, v.nackPsn]).toEqual([
      true,
      32,
      true,
      true,
      0x0e,
      0x7f,
      0xdeadbeef,
    ]);
    expect([v.nccxType, v.nccxState1, v.nccxState2]).toEqual([2, 0x0123_4567_89ab_cden, 0xfedc_ba98_7654_3210n]);
    expect(v.summary()).toBe('UET NACK_CCX INV_DPDCID vendor 0x7f pkt_id 3735928559 spdcid 0 dpdcid 0 payload 0x00000000 [M NT]');
  });

  test('every NACK code of protocol-facts has a name; unknown codes pass through', () => {
    const facts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x0b, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x15, 0x16, 0x17, 0x1a, 0xfd, 0xfe, 0xff];
    for (const c of facts) expect(uetNackCodeName(c)).not.toMatch(/^0x/);
    expect(uetNackCodeName(0x0c)).toBe('0x0c');
    expect(uetNackCodeName(UET_NACK_CODE.RCVR_INFER_LOSS)).toBe('RCVR_INFER_LOSS');
    expect([4, 10, 3, 11].map(uetNackIsResourceExhaustion)).toEqual([true, true, false, false]);
    const unknown = NACK.slice();
    unknown[2] = 0x80;
    expect(parse(unknown).nackCode).toBe(0x80);
    expect(parse(emit(parse(unknown))).nackCode).toBe(0x80);
  });
});

describe('UetNackHeader', () => {
  test('parses, writes every field over 0xa5, round trips', () => {
    expect(parse(NACK)).toEqual(NACK_H);
    expect(parse(NACK_CCX)).toEqual(NACK_CCX_H);
    expect(emit(NACK_H, 0xa5)).toEqual(NACK);
    expect(emit(NACK_CCX_H, 0xa5)).toEqual(NACK_CCX);
    for (const h of [NACK_H, NACK_CCX_H]) expect(parse(emit(parse(emit(h))))).toEqual(h);
  });

  test('header sizes: NACK 16, NACK_CCX 32', () => {
    expect([NACK_H.bufferLen(), NACK_CCX_H.bufferLen(), UET_NACK_LEN, UET_NACK_CCX_LEN]).toEqual([16, 32, 16, 32]);
  });

  test('truncated input', () => {
    expect(catchWire(() => UetNackView.checked(NACK.subarray(0, 15))).field).toBe('header');
    const e = catchWire(() => UetNackView.checked(NACK_CCX.subarray(0, 31)));
    expect([e.kind, e.field]).toEqual(['truncated', 'ccx']);
    expect(catchWire(() => NACK_CCX_H.emit(UetNackView.unchecked(new Uint8Array(16)))).kind).toBe('truncated');
  });

  test('malformed input and values', () => {
    const ctrl = NACK.slice();
    ctrl[0] = 0x58;
    expect(catchWire(() => parse(ctrl)).field).toBe('type');
    const base: UetNackInit = { type: 10, nackCode: 1, nackPsn: 1, spdcid: 1, dpdcid: 1 };
    const ccx = NACK_CCX_H.ccx!;
    const cases: Array<[Partial<UetNackInit>, string]> = [
      [{ type: 7 }, 'type'],
      [{ nackCode: 256 }, 'nackCode'],
      [{ vendorCode: -1 }, 'vendorCode'],
      [{ nackPsn: 2 ** 32 }, 'nackPsn'],
      [{ nackPayload: 2 ** 32 }, 'nackPayload'],
      [{ ccx }, 'ccx'],
      [{ type: 12 }, 'ccx'],
      [{ type: 12, ccx: { ...ccx, state1: 1n << 60n } }, 'ccx.state1'],
      [{ type: 12, ccx: { ...ccx, nccxType: 16 } }, 'ccx.nccxType'],
    ];
    for (const [patch, field] of cases) {
      const e = catchWire(() => emit(new UetNackHeader({ ...base, ...patch })));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });
});
