// PDS prologue and entropy header on hand-built bytes: bit positions, every field, 0xa5 fill, round trip, short input.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import { UET_ENTROPY_LEN, UetEntropyHeader, UetEntropyView } from './entropy.ts';
import {
  UET_CTRL_TYPE,
  UET_NEXT_HEADER,
  UET_PDS_PROLOGUE_LEN,
  UET_PDS_TYPE,
  UetPdsPrologueHeader,
  UetPdsPrologueView,
  uetCtrlTypeName,
  uetNextHeaderName,
  uetPdsTypeName,
} from './prologue.ts';

// type RUD_CC_REQ (13) = 01101, next header REQ_STD (3) = 0011, flags RETX|AR (0x18) = 0011000:
// 01101 0011 0011000 = 0110 1001 1001 1000 = 0x69 0x98.
const PROLOGUE = Uint8Array.of(0x69, 0x98);
// Entropy 0x1234, reserved 0, then the first PDS byte.
const ENTROPY = Uint8Array.of(0x12, 0x34, 0x00, 0x00, 0x69);

describe('UetPdsPrologueView', () => {
  test('reads every field', () => {
    const v = UetPdsPrologueView.checked(PROLOGUE);
    expect([v.type, v.nextHeader, v.ctrlType, v.flags]).toEqual([UET_PDS_TYPE.RUD_CC_REQ, 3, 3, 0x18]);
    expect(v.summary()).toBe('UET RUD_CC_REQ nh REQ_STD flags 0x18');
  });

  test('the low bit of the next header is the top bit of byte 1; flags are its low 7 bits', () => {
    const b = new Uint8Array(2);
    const v = UetPdsPrologueView.unchecked(b);
    v.setNextHeader(1);
    expect([...b]).toEqual([0x00, 0x80]);
    v.setFlags(0x7f);
    expect([...b]).toEqual([0x00, 0xff]);
    v.setType(31);
    expect([...b]).toEqual([0xf8, 0xff]);
    expect([v.type, v.nextHeader, v.flags]).toEqual([31, 1, 0x7f]);
    v.setCtrlType(UET_CTRL_TYPE.NEGOTIATION);
    expect([v.type, v.ctrlType, v.flags]).toEqual([31, 9, 0x7f]);
  });

  test('CTRL shows its control type', () => {
    // CTRL (11) = 01011, control type CLOSE_REQ (5) = 0101, no flags: 0101 1010 1000 0000.
    expect(UetPdsPrologueView.checked(Uint8Array.of(0x5a, 0x80)).summary()).toBe('UET CTRL CLOSE_REQ flags 0x00');
  });

  test('names, unknown values pass through', () => {
    expect(uetPdsTypeName(14)).toBe('ROD_CC_REQ');
    expect(uetPdsTypeName(21)).toBe('type-21');
    expect(uetNextHeaderName(UET_NEXT_HEADER.RSP_DATA_SMALL)).toBe('RSP_DATA_SMALL');
    expect(uetNextHeaderName(12)).toBe('nh-12');
    expect(uetCtrlTypeName(9)).toBe('NEGOTIATION');
    expect(uetCtrlTypeName(15)).toBe('ctrl-15');
  });
});

describe('UetPdsPrologueHeader', () => {
  const h = new UetPdsPrologueHeader({ type: 13, nextHeader: 3, flags: 0x18 });

  test('parse, write every field over 0xa5, round trip (raw values, unknown type kept)', () => {
    expect(UetPdsPrologueHeader.parse(UetPdsPrologueView.checked(PROLOGUE))).toEqual(h);
    const out = new Uint8Array(UET_PDS_PROLOGUE_LEN).fill(0xa5);
    h.emit(UetPdsPrologueView.unchecked(out));
    expect(out).toEqual(PROLOGUE);
    const odd = new UetPdsPrologueHeader({ type: 30, nextHeader: 15, flags: 0x41 });
    const b = new Uint8Array(2);
    odd.emit(UetPdsPrologueView.unchecked(b));
    expect(UetPdsPrologueHeader.parse(UetPdsPrologueView.checked(b))).toEqual(odd);
  });

  test('short and out-of-range input', () => {
    const e = catchWire(() => UetPdsPrologueView.checked(PROLOGUE.subarray(0, 1)));
    expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'uet', 'prologue']);
    for (const [init, field] of [
      [{ type: 32 }, 'type'],
      [{ type: 2, nextHeader: 16 }, 'nextHeader'],
      [{ type: 2, flags: 0x80 }, 'flags'],
    ] as const) {
      const err = catchWire(() => new UetPdsPrologueHeader(init).emit(UetPdsPrologueView.unchecked(new Uint8Array(2))));
      expect([err.kind, err.field]).toEqual(['malformed', field]);
    }
    expect(catchWire(() => h.emit(UetPdsPrologueView.unchecked(new Uint8Array(1)))).kind).toBe('truncated');
  });
});

describe('UetEntropyView / UetEntropyHeader', () => {
  test('reads every field; payload in place', () => {
    const v = UetEntropyView.checked(ENTROPY);
    expect([v.entropy, v.reserved]).toEqual([0x1234, 0]);
    expect(v.payload.byteOffset).toBe(ENTROPY.byteOffset + UET_ENTROPY_LEN);
    expect(v.summary()).toBe('UET entropy 0x1234');
  });

  test('writes over 0xa5 (reserved cleared), parse, round trip', () => {
    const h = new UetEntropyHeader({ entropy: 0x1234 });
    const out = new Uint8Array(4).fill(0xa5);
    h.emit(UetEntropyView.unchecked(out));
    expect(out).toEqual(ENTROPY.subarray(0, 4));
    const reserved = ENTROPY.slice(0, 4);
    reserved[3] = 1;
    expect(UetEntropyHeader.parse(UetEntropyView.checked(reserved))).toEqual(h);
  });

  test('short and out-of-range input', () => {
    expect(catchWire(() => UetEntropyView.checked(ENTROPY.subarray(0, 3))).field).toBe('entropy');
    expect(catchWire(() => new UetEntropyHeader({ entropy: 0x10000 }).emit(UetEntropyView.unchecked(new Uint8Array(4)))).kind).toBe(
      'malformed',
    );
  });
});
