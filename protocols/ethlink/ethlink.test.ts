// EthLink codecs on hand-built bytes: every OEFH field, write over 0xa5, frames, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import {
  ETHLINK_LAYOUT_ASSUMED,
  ETHLINK_OEFH_LEN,
  ETHLINK_SEMANTIC,
  ETHLINK_TXN_OPCODE,
  EthlinkOefhHeader,
  EthlinkOefhView,
  buildEthlinkFrame,
  ethlinkLayoutNote,
  parseEthlinkFrame,
} from './index.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// version 1 | LSU | tc 6 | 0 ; dst 1023 | src 512 | 0 ; entropy 0x1234
//   01 01 110 0 = 0x5c ; 1111111111 1000000000 0000 -> ff e0 00
const OEFH = hex('5c ffe000 1234');

describe('EthlinkOefhView / EthlinkOefhHeader', () => {
  test('reads every field', () => {
    const v = EthlinkOefhView.checked(OEFH);
    expect([v.version, v.semantic, v.tc, v.dstId, v.srcId, v.reserved, v.entropy]).toEqual([1, 1, 6, 1023, 512, 0, 0x1234]);
    expect(v.summary()).toBe('OEFH LSU 512 > 1023 tc 6 entropy 4660');
  });

  test('writes over 0xa5 and round-trips; rewrites the semantic in place', () => {
    const h = EthlinkOefhHeader.parse(EthlinkOefhView.checked(OEFH));
    expect(h).toEqual(new EthlinkOefhHeader({ semantic: ETHLINK_SEMANTIC.LSU, tc: 6, dstId: 1023, srcId: 512, entropy: 0x1234 }));
    const out = new Uint8Array(ETHLINK_OEFH_LEN).fill(0xa5);
    h.emit(EthlinkOefhView.unchecked(out));
    expect(out).toEqual(OEFH);
    EthlinkOefhView.unchecked(out).setSemantic(0);
    expect([EthlinkOefhView.checked(out).semantic, EthlinkOefhView.checked(out).tc]).toEqual([0, 6]);
  });

  test('bad version, reserved bits, wide ids', () => {
    const v0 = OEFH.slice();
    v0[0] &= 0x3f;
    expect(catchWire(() => EthlinkOefhHeader.parse(EthlinkOefhView.checked(v0))).kind).toBe('unsupported');
    const r = OEFH.slice();
    r[3] |= 1;
    expect(catchWire(() => EthlinkOefhHeader.parse(EthlinkOefhView.checked(r))).field).toBe('oefh.reserved');
    expect(catchWire(() => new EthlinkOefhHeader({ dstId: 1024, srcId: 0 }).emit(EthlinkOefhView.unchecked(new Uint8Array(6)))).field).toBe('dstId');
    expect(catchWire(() => EthlinkOefhView.checked(OEFH.subarray(0, 5))).kind).toBe('truncated');
  });
});

describe('EthLink frames', () => {
  test('OEFH | transaction | data; reads carry no data', () => {
    const f = buildEthlinkFrame({ oefh: { dstId: 3, srcId: 4 }, opcode: ETHLINK_TXN_OPCODE.WRITE, address: 0x100, data: new Uint8Array(64).fill(9) });
    expect(f.length).toBe(6 + 8 + 64);
    expect([...f.subarray(6, 14)]).toEqual([1, 0, 0, 64, 0, 0, 1, 0]);
    const p = parseEthlinkFrame(f);
    expect([p.oefh.dstId, p.opcode, p.length, p.address, p.data.length]).toEqual([3, 1, 64, 0x100, 64]);
    const r = parseEthlinkFrame(buildEthlinkFrame({ oefh: { dstId: 3, srcId: 4 }, opcode: ETHLINK_TXN_OPCODE.READ, length: 256 }));
    expect([r.opcode, r.length, r.data.length]).toEqual([2, 256, 0]);
    expect(catchWire(() => parseEthlinkFrame(f.subarray(0, 70))).field).toBe('txn.data');
    const long = new Uint8Array(f.length + 2);
    long.set(f);
    expect(catchWire(() => parseEthlinkFrame(long)).field).toBe('length');
    expect(catchWire(() => buildEthlinkFrame({ oefh: { dstId: 3, srcId: 4 }, opcode: ETHLINK_TXN_OPCODE.READ, data: new Uint8Array(1) })).field).toBe('data');
  });

  test('fuzz: only WireError escapes, parses re-encode to the same bytes', () => {
    const stats = fuzz({
      seed: 0xe1,
      iterations: 5000,
      maxLen: 100,
      samples: [buildEthlinkFrame({ oefh: { dstId: 1, srcId: 2, semantic: 1 }, opcode: 1, data: new Uint8Array(32) })],
      parse: parseEthlinkFrame,
      roundTrip: (p, buf) => {
        const out = buildEthlinkFrame({ oefh: p.oefh, opcode: p.opcode, flags: p.flags, length: p.length, address: p.address, ...(p.data.length ? { data: p.data } : {}) });
        expect(out).toEqual(buf);
      },
    });
    expect(stats.parsed).toBeGreaterThan(30);
  });

  test('the layout is marked as assumed', () => {
    expect(ETHLINK_LAYOUT_ASSUMED).toBe(true);
    expect(ethlinkLayoutNote).toMatch(/assumed/);
  });
});
