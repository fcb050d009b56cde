// RUD/ROD request header on hand-built bytes: plain, SYN and CC forms; 0xa5 fill; round trip; bad input.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import { UET_NEXT_HEADER, UET_PDS_TYPE } from './prologue.ts';
import {
  UET_REQ_FLAG,
  UET_RUD_CC_REQ_LEN,
  UET_RUD_REQ_LEN,
  UetRequestHeader,
  UetRequestView,
  type UetRequestInit,
} from './request.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// RUD_REQ (2) nh REQ_STD (3) flags AR: 00010 0011 0001000 = 0x1188; clear PSN offset -3 (0xfffd),
// PSN 1000 (0x3e8), SPDCID 5, DPDCID 7.
const RUD = hex('1188 fffd 000003e8 0005 0007');
// ROD_REQ (3) nh NONE flags SYN|AR (0x0c): 00011 0000 0001100 = 0x180c; clear offset 0, PSN 1000,
// SPDCID 5, DPDCID slot: pdc_info 0x1, psn_offset 10 -> 0x100a (start PSN 990).
const ROD_SYN = hex('180c 0000 000003e8 0005 100a');
// RUD_CC_REQ (13) nh REQ_SMALL (1) flags RETX (0x10): 01101 0001 0010000 = 0x6890; clear +1, PSN
// 0xfffffffe, SPDCID 0x0100, DPDCID 0x0200, CCC id 3, credit target 0x001000.
const RUD_CC = hex('6890 0001 fffffffe 0100 0200 03 001000');

const RUD_H = new UetRequestHeader({
  type: UET_PDS_TYPE.RUD_REQ,
  nextHeader: UET_NEXT_HEADER.REQ_STD,
  ackRequest: true,
  clearPsnOffset: -3,
  psn: 1000,
  spdcid: 5,
  dpdcid: 7,
});
const ROD_SYN_H = new UetRequestHeader({
  type: UET_PDS_TYPE.ROD_REQ,
  ackRequest: true,
  psn: 1000,
  spdcid: 5,
  syn: { pdcInfo: 1, psnOffset: 10 },
});
const RUD_CC_H = new UetRequestHeader({
  type: UET_PDS_TYPE.RUD_CC_REQ,
  nextHeader: UET_NEXT_HEADER.REQ_SMALL,
  retx: true,
  clearPsnOffset: 1,
  psn: 0xfffffffe,
  spdcid: 0x100,
  dpdcid: 0x200,
  cc: { cccId: 3, creditTarget: 0x1000 },
});

const parse = (b: Uint8Array) => UetRequestHeader.parse(UetRequestView.checked(b));
const emit = (h: UetRequestHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(UetRequestView.unchecked(out));
  return out;
};

describe('UetRequestView', () => {
  test('reads every field of a RUD request', () => {
    const v = UetRequestView.checked(RUD);
    expect([v.type, v.nextHeader, v.retx, v.ackRequest, v.syn]).toEqual([2, 3, false, true, false]);
    expect([v.clearPsnOffset, v.psn, v.clearPsn, v.spdcid, v.dpdcid]).toEqual([-3, 1000, 997, 5, 7]);
    expect([v.isCc, v.headerLen, v.payload.length]).toEqual([false, UET_RUD_REQ_LEN, 0]);
    expect(v.summary()).toBe('UET RUD_REQ nh REQ_STD psn 1000 clear_psn 997 spdcid 5 dpdcid 7 [AR]');
  });

  test('SYN: the DPDCID slot is pdc_info and psn_offset', () => {
    const v = UetRequestView.checked(ROD_SYN);
    expect([v.syn, v.pdcInfo, v.psnOffset, v.startPsn, v.flags]).toEqual([true, 1, 10, 990, UET_REQ_FLAG.SYN | UET_REQ_FLAG.AR]);
    expect(v.summary()).toBe('UET ROD_REQ psn 1000 clear_psn 1000 spdcid 5 pdc_info 0x1 start_psn 990 [AR SYN]');
  });

  test('CC variant: 16 bytes, CCC id and credit target; clear PSN wraps', () => {
    const v = UetRequestView.checked(RUD_CC);
    expect([v.isCc, v.headerLen, v.cccId, v.creditTarget, v.retx, v.clearPsn]).toEqual([true, 16, 3, 0x1000, true, 0xffffffff]);
    expect(v.summary()).toBe(
      'UET RUD_CC_REQ nh REQ_SMALL psn 4294967294 clear_psn 4294967295 spdcid 256 dpdcid 512 ccc 3 credit 4096 [RETX]',
    );
  });

  test('payload follows the header, in place', () => {
    const b = new Uint8Array(20);
    b.set(RUD);
    const v = UetRequestView.checked(b);
    expect(v.payload.length).toBe(8);
    expect(v.payload.byteOffset).toBe(b.byteOffset + 12);
  });
});

describe('UetRequestHeader', () => {
  test('parses each form', () => {
    expect(parse(RUD)).toEqual(RUD_H);
    expect(parse(ROD_SYN)).toEqual(ROD_SYN_H);
    expect(parse(RUD_CC)).toEqual(RUD_CC_H);
    expect([ROD_SYN_H.ordered, ROD_SYN_H.startPsn, RUD_H.ordered, RUD_H.startPsn]).toEqual([true, 990, false, undefined]);
  });

  test('writes every field over 0xa5', () => {
    expect(emit(RUD_H, 0xa5)).toEqual(RUD);
    expect(emit(ROD_SYN_H, 0xa5)).toEqual(ROD_SYN);
    expect(emit(RUD_CC_H, 0xa5)).toEqual(RUD_CC);
  });

  test('round trip, extremes included', () => {
    for (const h of [RUD_H, ROD_SYN_H, RUD_CC_H]) expect(parse(emit(parse(emit(h))))).toEqual(h);
    const max = new UetRequestHeader({
      type: UET_PDS_TYPE.ROD_CC_REQ,
      nextHeader: 15,
      retx: true,
      ackRequest: true,
      clearPsnOffset: -32768,
      psn: 0xffffffff,
      spdcid: 0xffff,
      syn: { pdcInfo: 15, psnOffset: 0xfff },
      cc: { cccId: 255, creditTarget: 0xffffff },
    });
    expect(parse(emit(max))).toEqual(max);
    expect(emit(max)[1] & 0x7f).toBe(0x1c);
  });

  test('header sizes: 12, and 16 for the CC types', () => {
    expect([RUD_H.bufferLen(), ROD_SYN_H.bufferLen(), RUD_CC_H.bufferLen()]).toEqual([12, 12, 16]);
    expect(UET_RUD_CC_REQ_LEN).toBe(16);
  });

  test('truncated input', () => {
    let e = catchWire(() => UetRequestView.checked(RUD.subarray(0, 11)));
    expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'uet', 'header']);
    e = catchWire(() => UetRequestView.checked(RUD_CC.subarray(0, 15)));
    expect([e.kind, e.field]).toEqual(['truncated', 'cc']);
    expect(catchWire(() => RUD_CC_H.emit(UetRequestView.unchecked(new Uint8Array(12)))).kind).toBe('truncated');
  });

  test('malformed input and values', () => {
    const ack = RUD.slice();
    ack[0] = 0x38; // type ACK
    expect(catchWire(() => parse(ack)).field).toBe('type');
    const base: UetRequestInit = { type: 2, psn: 1, spdcid: 1, dpdcid: 1 };
    const cases: Array<[Partial<UetRequestInit>, string]> = [
      [{ type: 7 }, 'type'],
      [{ nextHeader: 16 }, 'nextHeader'],
      [{ clearPsnOffset: 32768 }, 'clearPsnOffset'],
      [{ psn: 2 ** 32 }, 'psn'],
      [{ psn: -1 }, 'psn'],
      [{ spdcid: 0x10000 }, 'spdcid'],
      [{ dpdcid: undefined }, 'dpdcid'],
      [{ syn: { pdcInfo: 0, psnOffset: 0 } }, 'dpdcid'],
      [{ dpdcid: undefined, syn: { pdcInfo: 16, psnOffset: 0 } }, 'syn.pdcInfo'],
      [{ dpdcid: undefined, syn: { pdcInfo: 0, psnOffset: 0x1000 } }, 'syn.psnOffset'],
      [{ cc: { cccId: 0, creditTarget: 0 } }, 'cc'],
      [{ type: 13 }, 'cc'],
      [{ type: 13, cc: { cccId: 0, creditTarget: 0x1000000 } }, 'cc.creditTarget'],
    ];
    for (const [patch, field] of cases) {
      const e = catchWire(() => emit(new UetRequestHeader({ ...base, ...patch })));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });
});
