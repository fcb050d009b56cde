// PFC (802.1Qbb) codec on a captured pause frame: read, write over 0xa5, round trip, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import { EthernetView } from './ethernet.ts';
import { ETHERTYPE } from './ethertype.ts';
import { ethernetFormatMac } from './mac.ts';
import { PFC_DST_MAC, PFC_HEADER_LEN, PFC_OPCODE, PfcHeader, PfcView, pfcQuantaToPs } from './pfc.ts';

// Pause classes 3 (65535 quanta) and 4 (10 quanta); class 7 carries a time but is not enabled.
// Padded to the 60-byte minimum; decoded by tshark 4.0 as "Class Based Flow Control [CBFC] Pause".
const FRAME = new Uint8Array(60);
FRAME.set([
  0x01, 0x80, 0xc2, 0x00, 0x00, 0x01, 0x02, 0x1a, 0xc5, 0x00, 0x00, 0x01, 0x88, 0x08, 0x01, 0x01, 0x00, 0x18, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
]);
const PAYLOAD = FRAME.subarray(14);
const parse = (b: Uint8Array) => PfcHeader.parse(PfcView.checked(b));
const emit = (h: PfcHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(PfcView.unchecked(out));
  return out;
};

describe('PfcView', () => {
  test('reads every field', () => {
    const eth = EthernetView.checked(FRAME);
    expect(ethernetFormatMac(eth.dst)).toBe(PFC_DST_MAC);
    expect(eth.ethertype).toBe(ETHERTYPE.MAC_CONTROL);
    const v = PfcView.checked(eth.payload);
    expect(v.opcode).toBe(PFC_OPCODE);
    expect(v.classEnableVector).toBe(0x0018);
    expect(v.classEnable).toBe(0x18);
    expect(Array.from({ length: 8 }, (_, c) => v.pauseQuanta(c))).toEqual([0, 0, 0, 0xffff, 10, 0, 0, 7]);
    expect(v.summary()).toBe('PFC enable 0x18 c3=65535 c4=10');
  });

  test('other MAC-control opcodes', () => {
    const pause = PAYLOAD.slice();
    pause[0] = 0x00; // opcode 0x0001: 802.3 PAUSE
    expect(PfcView.checked(pause).summary()).toBe('MAC-Control opcode 0x0001');
    const e = catchWire(() => parse(pause));
    expect([e.kind, e.protocol, e.field]).toEqual(['unsupported', 'pfc', 'opcode']);
  });

  test('the reserved octet of the vector is ignored on receipt', () => {
    const b = PAYLOAD.slice();
    b[2] = 0xff;
    expect(PfcView.checked(b).classEnableVector).toBe(0xff18);
    expect(parse(b)).toEqual(parse(PAYLOAD));
  });
});

describe('PfcHeader', () => {
  const header = new PfcHeader({ classEnable: 0x18, pauseQuanta: [0, 0, 0, 0xffff, 10, 0, 0, 7] });

  test('parses the captured frame', () => {
    expect(parse(PAYLOAD)).toEqual(header);
  });

  test('writes every field over 0xa5', () => {
    expect(emit(header, 0xa5)).toEqual(PAYLOAD.subarray(0, PFC_HEADER_LEN));
  });

  test('parse / emit round trip', () => {
    expect(parse(emit(parse(PAYLOAD)))).toEqual(header);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => PfcView.checked(PAYLOAD.subarray(0, 19))).kind).toBe('truncated');
    for (const [init, field] of [
      [{ classEnable: 0x100, pauseQuanta: [0, 0, 0, 0, 0, 0, 0, 0] }, 'classEnable'],
      [{ classEnable: 1, pauseQuanta: [0, 0, 0, 0, 0, 0, 0] }, 'pauseQuanta'],
      [{ classEnable: 1, pauseQuanta: [0x10000, 0, 0, 0, 0, 0, 0, 0] }, 'pauseQuanta[0]'],
    ] as const) {
      const e = catchWire(() => emit(new PfcHeader(init)));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });

  test('quanta to time: 512 bit times each', () => {
    expect(pfcQuantaToPs(1, 100e9)).toBe(5120);
    expect(pfcQuantaToPs(0xffff, 400e9)).toBeCloseTo(83_884_800, 0);
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 0x8808,
      maxLen: 48,
      samples: [PAYLOAD],
      parse,
      roundTrip: (h) => expect(parse(emit(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.unsupported).toBeGreaterThan(100);
  });
});
