// ACK, ACK_CC and ACK_CCX on hand-built bytes, probe and EPSN forms, both layouts; 0xa5 fill; round trip; bad input.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import {
  UET_ACK_CCX_LEN,
  UET_ACK_CC_LEN,
  UET_ACK_EPSN_LEN,
  UET_ACK_FLAG,
  UET_ACK_LEN,
  UET_CC_TYPE,
  UetAckHeader,
  UetAckView,
  uetCcTypeName,
  type UetAckInit,
} from './ack.ts';
import type { UetLayoutOptions } from './common.ts';
import { UET_NEXT_HEADER, UET_PDS_TYPE } from './prologue.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// ACK (7) nh NONE flags M|RETX (0x30): 00111 0000 0110000 = 0x3830; ACK PSN offset +2, CACK PSN
// 999, SPDCID 7, DPDCID 5.
const ACK = hex('3830 0002 000003e7 0007 0005');
// ACK (7) nh RSP (4) flags P (0x08): 00111 0100 0001000 = 0x3a08; probe opaque 0xbeef, CACK 1000.
const PROBE = hex('3a08 beef 000003e8 0007 0005');
// ACK_CC (8) flags REQ_CLEAR (0x02): 0x4002; offset 0, CACK 1000, 7, 5; cc_type credit (1) and cc
// flags 0x2 = 0x12, MPR 8, SACK offset -64 (0xffc0), SACK bitmap, CC state.
const ACK_CC = hex('4002 0000 000003e8 0007 0005 12 08 ffc0 8000000000000001 0102030405060708');
// ACK_CCX (9) flags REQ_CLOSE (0x04): 0x4804; offset -1, CACK 0, SPDCID 1, DPDCID 2; NSCC, no cc
// flags, MPR 255, SACK offset 0, bitmap all ones, CC state 0, CCX state.
const ACK_CCX = hex('4804 ffff 00000000 0001 0002 00 ff 0000 ffffffffffffffff 0000000000000000 1122334455667788');
// Provider closing ACK: ACK (7) flags EPSN|REQ_CLOSE (0x44) = 0x3844; offset 0, CACK 1000, 7, 5,
// expected PSN 1001.
const EPSN = hex('3844 0000 000003e8 0007 0005 000003e9');

const H: Record<string, UetAckHeader> = {
  ack: new UetAckHeader({ type: UET_PDS_TYPE.ACK, ecnMarked: true, retx: true, ackPsnOffset: 2, cackPsn: 999, spdcid: 7, dpdcid: 5 }),
  probe: new UetAckHeader({
    type: UET_PDS_TYPE.ACK,
    nextHeader: UET_NEXT_HEADER.RSP,
    probeOpaque: 0xbeef,
    cackPsn: 1000,
    spdcid: 7,
    dpdcid: 5,
  }),
  cc: new UetAckHeader({
    type: UET_PDS_TYPE.ACK_CC,
    requestClear: true,
    cackPsn: 1000,
    spdcid: 7,
    dpdcid: 5,
    cc: {
      ccType: UET_CC_TYPE.CREDIT,
      ccFlags: 2,
      mpr: 8,
      sackPsnOffset: -64,
      sackBitmap: 0x8000_0000_0000_0001n,
      ccState: 0x0102_0304_0506_0708n,
    },
  }),
  ccx: new UetAckHeader({
    type: UET_PDS_TYPE.ACK_CCX,
    requestClose: true,
    ackPsnOffset: -1,
    cackPsn: 0,
    spdcid: 1,
    dpdcid: 2,
    cc: { ccType: UET_CC_TYPE.NSCC, ccFlags: 0, mpr: 255, sackPsnOffset: 0, sackBitmap: 2n ** 64n - 1n, ccState: 0n },
    ccxState: 0x1122_3344_5566_7788n,
  }),
  epsn: new UetAckHeader({ type: UET_PDS_TYPE.ACK, requestClose: true, cackPsn: 1000, spdcid: 7, dpdcid: 5, epsn: 1001 }),
};
const BYTES: Record<string, Uint8Array> = { ack: ACK, probe: PROBE, cc: ACK_CC, ccx: ACK_CCX, epsn: EPSN };
const PROVIDER: UetLayoutOptions = { ackEpsn: true };

const parse = (b: Uint8Array, o: UetLayoutOptions = PROVIDER) => UetAckHeader.parse(UetAckView.checked(b, o));
const emit = (h: UetAckHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(UetAckView.unchecked(out));
  return out;
};

describe('UetAckView', () => {
  test('reads every field of an ACK', () => {
    const v = UetAckView.checked(ACK);
    expect([v.type, v.nextHeader, v.ecnMarked, v.retx, v.probe, v.requestClose, v.requestClear]).toEqual([
      7, 0, true, true, false, false, false,
    ]);
    expect([v.ackPsnOffset, v.cackPsn, v.ackPsn, v.spdcid, v.dpdcid, v.headerLen, v.hasCc]).toEqual([
      2, 999, 1001, 7, 5, 12, false,
    ]);
    expect(v.summary()).toBe('UET ACK cack_psn 999 ack_psn 1001 spdcid 7 dpdcid 5 [M RETX]');
  });

  test('probe ACK: the offset slot is the opaque value', () => {
    const v = UetAckView.checked(PROBE);
    expect([v.probe, v.probeOpaque, v.nextHeader]).toEqual([true, 0xbeef, UET_NEXT_HEADER.RSP]);
    expect(v.summary()).toBe('UET ACK nh RSP cack_psn 1000 probe 0xbeef spdcid 7 dpdcid 5 [P]');
  });

  test('reads every field of ACK_CC', () => {
    const v = UetAckView.checked(ACK_CC);
    expect([v.headerLen, v.hasCc, v.requestClear, v.ccType, v.ccFlags, v.mpr]).toEqual([32, true, true, 1, 2, 8]);
    expect([v.sackPsnOffset, v.sackBasePsn, v.sackBitmap, v.ccState]).toEqual([
      -64,
      936,
      0x8000_0000_0000_0001n,
      0x0102_0304_0506_0708n,
    ]);
    expect(v.summary()).toBe(
      'UET ACK_CC cack_psn 1000 ack_psn 1000 spdcid 7 dpdcid 5 credit mpr 8 sack_base 936 sack 0x8000000000000001 [REQ_CLEAR]',
    );
  });

  test('reads every field of ACK_CCX; the SACK base wraps below zero', () => {
    const v = UetAckView.checked(ACK_CCX);
    expect([v.headerLen, v.ackPsn, v.ccType, v.mpr, v.sackBitmap, v.ccState, v.ccxState]).toEqual([
      40,
      0xffffffff,
      0,
      255,
      2n ** 64n - 1n,
      0n,
      0x1122_3344_5566_7788n,
    ]);
    const b = ACK_CCX.slice();
    UetAckView.unchecked(b).setSackPsnOffset(-1);
    expect(UetAckView.checked(b).sackBasePsn).toBe(0xffffffff);
  });

  test('EPSN: 16 bytes under the provider layout, flag ignored and 12 bytes by default', () => {
    const p = UetAckView.checked(EPSN, PROVIDER);
    expect([p.hasEpsn, p.headerLen, p.epsn, p.payload.length]).toEqual([true, UET_ACK_EPSN_LEN, 1001, 0]);
    expect(p.summary()).toBe('UET ACK cack_psn 1000 ack_psn 1000 spdcid 7 dpdcid 5 epsn 1001 [REQ_CLOSE EPSN]');
    const d = UetAckView.checked(EPSN);
    expect([d.hasEpsn, d.headerLen, d.payload.length, d.flags & UET_ACK_FLAG.EPSN]).toEqual([false, 12, 4, 0x40]);
    expect(parse(EPSN, {})).toEqual(new UetAckHeader({ type: 7, requestClose: true, cackPsn: 1000, spdcid: 7, dpdcid: 5 }));
    expect(catchWire(() => UetAckView.checked(EPSN.subarray(0, 15), PROVIDER)).field).toBe('epsn');
  });

  test('cc type names', () => {
    expect([uetCcTypeName(0), uetCcTypeName(1), uetCcTypeName(9)]).toEqual(['nscc', 'credit', 'cc-9']);
  });
});

describe('UetAckHeader', () => {
  test('parses every form', () => {
    for (const k of Object.keys(H)) expect(parse(BYTES[k]), k).toEqual(H[k]);
    expect([H.ack.ackPsn, H.probe.ackPsn, H.probe.probe, H.ack.probe]).toEqual([1001, undefined, true, false]);
  });

  test('writes every field over 0xa5', () => {
    for (const k of Object.keys(H)) expect(emit(H[k], 0xa5), k).toEqual(BYTES[k]);
  });

  test('round trip', () => {
    for (const k of Object.keys(H)) expect(parse(emit(parse(emit(H[k])))), k).toEqual(H[k]);
  });

  test('header sizes: ACK 12, ACK_CC 32, ACK_CCX 40 (EPSN ACK 16)', () => {
    expect([H.ack.bufferLen(), H.cc.bufferLen(), H.ccx.bufferLen(), H.epsn.bufferLen()]).toEqual([12, 32, 40, 16]);
    expect([UET_ACK_LEN, UET_ACK_CC_LEN, UET_ACK_CCX_LEN]).toEqual([12, 32, 40]);
  });

  test('truncated input', () => {
    for (const [b, field] of [
      [ACK.subarray(0, 11), 'header'],
      [ACK_CC.subarray(0, 31), 'cc'],
      [ACK_CCX.subarray(0, 39), 'cc'],
    ] as const) {
      const e = catchWire(() => UetAckView.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'uet', field]);
    }
    expect(catchWire(() => H.ccx.emit(UetAckView.unchecked(new Uint8Array(32)))).kind).toBe('truncated');
  });

  test('malformed input and values', () => {
    const nack = ACK.slice();
    nack[0] = 0x50;
    expect(catchWire(() => parse(nack)).field).toBe('type');
    const base: UetAckInit = { type: 7, cackPsn: 1, spdcid: 1, dpdcid: 1 };
    const cc = H.cc.cc!;
    const cases: Array<[Partial<UetAckInit>, string]> = [
      [{ type: 10 }, 'type'],
      [{ ackPsnOffset: 1, probeOpaque: 1 }, 'ackPsnOffset'],
      [{ ackPsnOffset: -32769 }, 'ackPsnOffset'],
      [{ probeOpaque: 0x10000 }, 'probeOpaque'],
      [{ cackPsn: 2 ** 32 }, 'cackPsn'],
      [{ dpdcid: 1.5 }, 'dpdcid'],
      [{ epsn: 1, type: 8, cc }, 'epsn'],
      [{ cc }, 'cc'],
      [{ type: 8 }, 'cc'],
      [{ type: 8, cc: { ...cc, ccType: 16 } }, 'cc.ccType'],
      [{ type: 8, cc: { ...cc, sackBitmap: 2n ** 64n } }, 'cc.sackBitmap'],
      [{ type: 8, cc: { ...cc, ccState: -1n } }, 'cc.ccState'],
      [{ type: 8, cc, ccxState: 0n }, 'ccxState'],
      [{ type: 9, cc }, 'ccxState'],
    ];
    for (const [patch, field] of cases) {
      const e = catchWire(() => emit(new UetAckHeader({ ...base, ...patch })));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });
});
