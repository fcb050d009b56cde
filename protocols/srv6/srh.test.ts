// SRH codec on hand-built headers: every field, TLVs, RFC 8754 §4.3.1.1 rules, the End step, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { IP_PROTOCOL } from '../ip.ts';
import { ipv6FormatAddress } from '../ipv6/address.ts';
import { ipv6WalkHeaders } from '../ipv6/ext.ts';
import { catchWire, fuzz } from '../testing.ts';
import {
  SRV6_SRH_TLV,
  Srv6SrhHeader,
  Srv6SrhView,
  srv6ActiveSegment,
  srv6Advance,
  srv6HmacTlv,
  srv6ParseHmacTlv,
  type Srv6SrhInit,
} from './srh.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// Next UDP | Hdr Ext Len 6 (56 bytes) | type 4 | Segments Left 1 | Last Entry 2 | flags 0 | tag 0x1234 |
// Segment List [0] 2001:db8::3 (final), [1] 2001:db8::2 (active), [2] 2001:db8::1 (first).
const SRH3 = hex(
  '11 06 04 01 02 00 1234' +
    '20010db8000000000000000000000003' +
    '20010db8000000000000000000000002' +
    '20010db8000000000000000000000001',
);
// Next IPv6 | Hdr Ext Len 7 (64 bytes) | type 4 | Segments Left 0 | Last Entry 1 | flags 0 | tag 0 |
// [0] 2001:db8:a::2, [1] 2001:db8:a::1 | HMAC TLV (type 5, len 14: D bit, key 7, HMAC 01..08) |
// Pad1 | PadN (type 4, len 5, zeros).
const SRH_TLV = hex(
  '29 07 04 00 01 00 0000' +
    '20010db8000a00000000000000000002' +
    '20010db8000a00000000000000000001' +
    '05 0e 8000 00000007 0102030405060708' +
    '00' +
    '04 05 0000000000',
);

const H3 = new Srv6SrhHeader({
  nextHeader: IP_PROTOCOL.UDP,
  segmentsLeft: 1,
  segments: ['2001:db8::3', '2001:db8::2', '2001:db8::1'],
  tag: 0x1234,
});
const HMAC = srv6HmacTlv({ dBit: true, keyId: 7, hmac: hex('0102030405060708') });
const H_TLV = new Srv6SrhHeader({
  nextHeader: 41,
  segmentsLeft: 0,
  segments: ['2001:db8:a::2', '2001:db8:a::1'],
  tlvs: [HMAC, { type: SRV6_SRH_TLV.PAD1, value: new Uint8Array(0) }, { type: SRV6_SRH_TLV.PADN, value: new Uint8Array(5) }],
});

const parse = (b: Uint8Array) => Srv6SrhHeader.parse(Srv6SrhView.checked(b));
const emit = (h: Srv6SrhHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(Srv6SrhView.unchecked(out));
  return out;
};
const patch = (b: Uint8Array, i: number, v: number) => {
  const c = b.slice();
  c[i] = v;
  return c;
};

describe('Srv6SrhView', () => {
  test('reads every field; the segment list is in reverse path order', () => {
    const v = Srv6SrhView.checked(SRH3);
    expect([v.nextHeader, v.hdrExtLen, v.headerLen, v.routingType, v.segmentsLeft, v.lastEntry, v.flags, v.tag]).toEqual([
      17, 6, 56, 4, 1, 2, 0, 0x1234,
    ]);
    expect(v.segmentCapacity).toBe(3);
    expect([0, 1, 2].map((i) => ipv6FormatAddress(v.segment(i)))).toEqual(['2001:db8::3', '2001:db8::2', '2001:db8::1']);
    expect(v.segment(1).byteOffset).toBe(SRH3.byteOffset + 24);
    expect(v.tlvArea.length).toBe(0);
    expect(v.data.length).toBe(54); // the generic Ipv6ExtView part
    expect(v.summary()).toBe('SRH next UDP sl 1 le 2 flags 0x00 tag 0x1234 [2001:db8::3 2001:db8::2 2001:db8::1]');
  });

  test('TLV area after Segment List[Last Entry]', () => {
    const v = Srv6SrhView.checked(SRH_TLV);
    expect([v.headerLen, v.segmentCapacity, v.lastEntry]).toEqual([64, 3, 1]);
    expect(v.tlvArea).toEqual(SRH_TLV.subarray(40));
    expect(v.summary()).toBe('SRH next 41 sl 0 le 1 flags 0x00 tag 0x0000 [2001:db8:a::2 2001:db8:a::1] tlv 24B');
  });

  test('ipv6WalkHeaders steps over it', () => {
    const payload = new Uint8Array(SRH3.length + 4);
    payload.set(SRH3);
    const chain = ipv6WalkHeaders(IP_PROTOCOL.IPV6_ROUTE, payload);
    expect([chain.ext.length, chain.protocol, chain.upper.length]).toEqual([1, IP_PROTOCOL.UDP, 4]);
    expect(parse(chain.ext[0].bytes)).toEqual(H3);
  });
});

describe('Srv6SrhHeader', () => {
  test('parses both headers; TLVs kept raw, HMAC decodable', () => {
    expect(parse(SRH3)).toEqual(H3);
    expect(parse(SRH3).lastEntry).toBe(2);
    const h = parse(SRH_TLV);
    expect(h).toEqual(H_TLV);
    expect(h.tlvs.map((t) => [t.type, t.value.length])).toEqual([
      [5, 14],
      [0, 0],
      [4, 5],
    ]);
    expect(srv6ParseHmacTlv(h.tlvs[0])).toEqual({ dBit: true, keyId: 7, hmac: hex('0102030405060708') });
    expect(h.tlvs[0].value.buffer).toBe(SRH_TLV.buffer);
  });

  test('writes every field over 0xa5', () => {
    expect(emit(H3, 0xa5)).toEqual(SRH3);
    expect(emit(H_TLV, 0xa5)).toEqual(SRH_TLV);
    expect(H3.toExt()).toEqual({ type: IP_PROTOCOL.IPV6_ROUTE, bytes: SRH3 });
  });

  test('round trip, extremes and unknown TLVs included', () => {
    for (const b of [SRH3, SRH_TLV]) expect(emit(parse(b))).toEqual(b);
    const max = new Srv6SrhHeader({
      nextHeader: 255,
      segmentsLeft: 127,
      segments: Array.from({ length: 127 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`),
      flags: 0xff,
      tag: 0xffff,
      tlvs: [{ type: 200, value: new Uint8Array(6).fill(9) }],
    });
    expect(max.bufferLen()).toBe(2048);
    expect(emit(max)[1]).toBe(255);
    expect(parse(emit(max))).toEqual(max);
  });

  test('the reduced encoding: Segments Left = Last Entry + 1 (§4.1.1)', () => {
    const reduced = parse(patch(SRH3, 3, 3));
    expect(reduced.segmentsLeft).toBe(3);
    expect(srv6ActiveSegment(reduced)).toBeUndefined();
    expect(srv6Advance(reduced).dst).toBe('2001:db8::1');
  });

  test('End step: decrement Segments Left, the new destination is Segment List[Segments Left]', () => {
    const start = new Srv6SrhHeader({ ...H3, segmentsLeft: 2 });
    expect(srv6ActiveSegment(start)).toBe('2001:db8::1');
    const one = srv6Advance(start);
    expect([one.dst, one.srh.segmentsLeft, srv6ActiveSegment(one.srh)]).toEqual(['2001:db8::2', 1, '2001:db8::2']);
    const two = srv6Advance(one.srh);
    expect([two.dst, two.srh.segmentsLeft]).toEqual(['2001:db8::3', 0]);
    expect(start.segmentsLeft).toBe(2); // headers are values
    expect(catchWire(() => srv6Advance(two.srh)).field).toBe('segmentsLeft');
    expect(catchWire(() => srv6Advance(new Srv6SrhHeader({ ...H3, segmentsLeft: 9 }))).kind).toBe('malformed');
  });

  test('truncated: the fixed 8 bytes, then Hdr Ext Len', () => {
    for (const [b, field] of [
      [SRH3.subarray(0, 7), 'header'],
      [SRH3.subarray(0, 55), 'hdrExtLen'],
    ] as const) {
      const e = catchWire(() => Srv6SrhView.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'srv6', field]);
    }
  });

  test('RFC 8754 §4.3.1.1 and §2.1 rules are malformed WireErrors naming them', () => {
    const cases: Array<[Uint8Array, string, RegExp]> = [
      [patch(SRH3, 4, 3), 'lastEntry', /Last Entry 3 > max_last_entry 2/],
      [patch(patch(SRH3.subarray(0, 16), 1, 1), 4, 0), 'lastEntry', /max_last_entry -1/], // 16 bytes: no whole entry
      [patch(SRH3, 3, 4), 'segmentsLeft', /Segments Left 4 > Last Entry \+ 1 \(3\)/],
      [patch(SRH_TLV, 58, 6), 'tlv', /type 4 at offset 17 runs past/], // PadN longer than the header
      [patch(SRH_TLV, 41, 30), 'tlv', /type 5 at offset 0/],
      [patch(patch(SRH_TLV, 58, 4), 63, 4), 'tlv', /type 4 at offset 23 runs past/], // a last type byte, no length
    ];
    for (const [b, field, msg] of cases) {
      const e = catchWire(() => parse(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['malformed', 'srv6', field]);
      expect(e.message).toMatch(msg);
    }
    const rt0 = catchWire(() => parse(patch(SRH3, 2, 0)));
    expect([rt0.kind, rt0.field]).toEqual(['unsupported', 'routingType']);
    // Last Entry below capacity: the rest of the header is TLV area (here sixteen Pad1).
    const spare = SRH3.slice();
    spare[4] = 1;
    spare.fill(0, 40);
    expect(parse(spare).tlvs.length).toBe(16);
    expect(emit(parse(spare))).toEqual(spare);
  });

  test('emit rejects what cannot be encoded', () => {
    const cases: Array<[Partial<Srv6SrhInit>, string]> = [
      [{ nextHeader: 256 }, 'nextHeader'],
      [{ segmentsLeft: -1 }, 'segmentsLeft'],
      [{ flags: 0x100 }, 'flags'],
      [{ tag: 0x10000 }, 'tag'],
      [{ segments: [] }, 'segments'],
      [{ segments: Array<string>(128).fill('::1') }, 'segments'],
      [{ tlvs: [{ type: 4, value: new Uint8Array(3) }] }, 'tlvs'], // 61 bytes: not a multiple of 8
      [{ tlvs: [{ type: 0, value: new Uint8Array(6) }] }, 'tlvs[0].value'], // Pad1 has no value
      [{ tlvs: [{ type: 256, value: new Uint8Array(6) }] }, 'tlvs[0].type'],
    ];
    for (const [init, field] of cases) {
      const e = catchWire(() => new Srv6SrhHeader({ ...H3, ...init }).emit(Srv6SrhView.unchecked(new Uint8Array(4096))));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    const addr = catchWire(() => new Srv6SrhHeader({ ...H3, segments: ['::1', 'nope'] }).toExt());
    expect([addr.protocol, addr.field]).toEqual(['ipv6', 'segments[1]']);
    const short = catchWire(() => H3.emit(Srv6SrhView.unchecked(new Uint8Array(55))));
    expect([short.kind, short.field]).toEqual(['truncated', 'header']);
  });

  test('HMAC TLV helpers', () => {
    expect(HMAC).toEqual({ type: 5, value: hex('8000 00000007 0102030405060708') });
    expect(srv6ParseHmacTlv(srv6HmacTlv({ dBit: false, keyId: 0xffffffff, hmac: new Uint8Array(32) }))).toEqual({
      dBit: false,
      keyId: 0xffffffff,
      hmac: new Uint8Array(32),
    });
    expect(catchWire(() => srv6ParseHmacTlv({ type: 4, value: new Uint8Array(6) })).kind).toBe('malformed');
    expect(catchWire(() => srv6ParseHmacTlv({ type: 5, value: new Uint8Array(5) })).kind).toBe('truncated');
  });

  test('fuzz: only WireError, and emit(parse(x)) gives back the header bytes', () => {
    const stats = fuzz({
      seed: 8754,
      maxLen: 96,
      samples: [SRH3, SRH_TLV],
      // Often keep the routing type and fit Hdr Ext Len to the input, so inputs reach the §4.3.1.1 and TLV checks.
      fixup: (b) => {
        if (b.length < 8) return;
        if (b[0] & 1) b[2] = 4;
        if (b[0] & 2) b[1] %= b.length >> 3;
      },
      parse,
      roundTrip: (h, b) => expect(emit(h)).toEqual(b.subarray(0, Srv6SrhView.checked(b).headerLen)),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.malformed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(1000);
  });
});
