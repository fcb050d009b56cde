// IPv6 codec on captured packets: fields, RFC 5952 text, extension-header walk, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { IP_ECN, IP_PROTOCOL } from '../ip.ts';
import { catchWire, fuzz, prng, randomBytes } from '../testing.ts';
import { WireError } from '../wire.ts';
import { ipv6FormatAddress, ipv6ParseAddress } from './address.ts';
import { Ipv6ExtView, ipv6IsExtensionHeader, ipv6WalkHeaders } from './ext.ts';
import { IPV6_HEADER_LEN, Ipv6Header, Ipv6View, type Ipv6Init } from './ipv6.ts';

// IPv6 / UDP 4791 > 4791, DSCP 10, ECT(0), flow label 0xabcde, hop limit 63 (tshark 4.0: UDP checksum good).
const PACKET = Uint8Array.of(
  0x62, 0xaa, 0xbc, 0xde, 0x00, 0x0c, 0x11, 0x3f, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x20, 0x12, 0xb7, 0x12, 0xb7, 0x00, 0x0c, 0xe1, 0x25, 0xde, 0xad, 0xbe, 0xef,
);
// IPv6 / Hop-by-Hop (PadN) / SRH (one segment 2001:db8::99, segments left 1) / UDP 5000 > 4791.
const WITH_EXT = Uint8Array.of(
  0x60, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x20, 0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x11, 0x02, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x20,
  0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99, 0x13, 0x88, 0x12, 0xb7,
  0x00, 0x0c, 0xa1, 0xe7, 0x73, 0x72, 0x68, 0x21,
);
const HEADER = new Ipv6Header({
  src: '2001:db8:0:1::10',
  dst: '2001:db8:0:2::20',
  nextHeader: IP_PROTOCOL.UDP,
  payloadLen: 12,
  hopLimit: 63,
  dscp: 10,
  ecn: IP_ECN.ECT0,
  flowLabel: 0xabcde,
});

const parse = (b: Uint8Array) => Ipv6Header.parse(Ipv6View.checked(b));
const emit = (h: Ipv6Header, fill = 0) => {
  const out = new Uint8Array(h.bufferLen() + h.payloadLen).fill(fill);
  h.emit(Ipv6View.unchecked(out));
  return out;
};

describe('Ipv6View', () => {
  test('reads every field', () => {
    const v = Ipv6View.checked(PACKET);
    expect(v.version).toBe(6);
    expect(v.trafficClass).toBe(0x2a);
    expect(v.dscp).toBe(10);
    expect(v.ecn).toBe(IP_ECN.ECT0);
    expect(v.flowLabel).toBe(0xabcde);
    expect(v.payloadLen).toBe(12);
    expect(v.nextHeader).toBe(IP_PROTOCOL.UDP);
    expect(v.hopLimit).toBe(63);
    expect(ipv6FormatAddress(v.src)).toBe('2001:db8:0:1::10');
    expect(ipv6FormatAddress(v.dst)).toBe('2001:db8:0:2::20');
    expect(v.payload.length).toBe(12);
    expect(v.payload.byteOffset).toBe(PACKET.byteOffset + IPV6_HEADER_LEN);
    expect(v.summary()).toBe('IPv6 2001:db8:0:1::10 > 2001:db8:0:2::20 next UDP plen 12 hlim 63 dscp 10 ecn ECT(0) flow 0xabcde');
  });

  test('payload stops at payload length', () => {
    const long = new Uint8Array(PACKET.length + 9);
    long.set(PACKET);
    expect(Ipv6View.checked(long).payload.length).toBe(12);
  });
});

describe('Ipv6Header', () => {
  test('parses the captured packet', () => {
    expect(parse(PACKET)).toEqual(HEADER);
  });

  test('writes every field over 0xa5 and leaves the payload alone', () => {
    const out = emit(HEADER, 0xa5);
    expect(out.subarray(0, 40)).toEqual(PACKET.subarray(0, 40));
    expect(out.subarray(40).every((x) => x === 0xa5)).toBe(true);
  });

  test('round trip, extremes included', () => {
    expect(parse(emit(parse(PACKET)))).toEqual(HEADER);
    const max = new Ipv6Header({ ...HEADER, dscp: 63, ecn: IP_ECN.CE, flowLabel: 0xfffff, hopLimit: 255 });
    expect(emit(max).subarray(0, 4)).toEqual(Uint8Array.of(0x6f, 0xff, 0xff, 0xff));
    expect(parse(emit(max))).toEqual(max);
  });

  test('truncated and malformed input', () => {
    for (const [b, field] of [
      [PACKET.subarray(0, 39), 'header'],
      [PACKET.subarray(0, 51), 'length'],
    ] as const) {
      const e = catchWire(() => Ipv6View.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'ipv6', field]);
    }
    const v4 = PACKET.slice();
    v4[0] = 0x42;
    expect(catchWire(() => parse(v4)).field).toBe('version');
    const cases: Array<[Partial<Ipv6Init>, string]> = [
      [{ src: '2001:db8::1::2' }, 'src'],
      [{ dst: '10.0.0.1' }, 'dst'],
      [{ flowLabel: 0x100000 }, 'flowLabel'],
      [{ hopLimit: 256 }, 'hopLimit'],
      [{ nextHeader: 256 }, 'nextHeader'],
      [{ payloadLen: 65536 }, 'payloadLen'],
    ];
    for (const [patch, field] of cases) {
      const e = catchWire(() => new Ipv6Header({ ...HEADER, ...patch }).emit(Ipv6View.unchecked(new Uint8Array(40))));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 0x86dd,
      maxLen: 96,
      samples: [PACKET, WITH_EXT],
      parse,
      roundTrip: (h) => expect(parse(emit(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(1000);
  });
});

describe('IPv6 addresses', () => {
  test('RFC 5952 §4 text', () => {
    const cases: Array<[string, string]> = [
      ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one zero group stays
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longest run
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3: the first of equal runs
      ['2001:DB8::ABCD', '2001:db8::abcd'], // §4.3: lowercase
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['fe80:0:0:0:0:0:0:0', 'fe80::'],
      ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'], // §5: IPv4-mapped
      ['::192.0.2.1', '::c000:201'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ];
    for (const [input, text] of cases) expect(ipv6FormatAddress(ipv6ParseAddress(input))).toBe(text);
  });

  test('rejects what RFC 4291 does not allow', () => {
    const bad = ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', 'g::', ':1::', '1:'];
    for (const text of [...bad, '::1.2.3', '::1.2.3.4:5', 'fe80::1%eth0']) {
      expect(catchWire(() => ipv6ParseAddress(text)).kind, text).toBe('malformed');
    }
  });

  test('fuzz: format agrees with the WHATWG serializer and parses back', () => {
    const rnd = prng(5952);
    for (let i = 0; i < 20_000; i++) {
      const b = randomBytes(rnd, 16);
      // Sparse addresses exercise zero runs.
      for (let g = 0; g < 8; g++) if (rnd() % 3 === 0) b[2 * g] = b[2 * g + 1] = 0;
      const text = ipv6FormatAddress(b);
      expect(ipv6ParseAddress(text)).toEqual(b);
      if (!text.includes('.')) expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
    }
  });
});

describe('extension headers', () => {
  test('walks Hop-by-Hop and a Routing header to UDP', () => {
    const v = Ipv6View.checked(WITH_EXT);
    expect(v.nextHeader).toBe(IP_PROTOCOL.HOPOPT);
    const chain = ipv6WalkHeaders(v.nextHeader, v.payload);
    expect(chain.ext.map((e) => [e.type, e.offset, e.bytes.length])).toEqual([
      [IP_PROTOCOL.HOPOPT, 0, 8],
      [IP_PROTOCOL.IPV6_ROUTE, 8, 24],
    ]);
    expect(chain.protocol).toBe(IP_PROTOCOL.UDP);
    expect(chain.upper.length).toBe(12);
    expect(chain.upper.byteOffset).toBe(WITH_EXT.byteOffset + 40 + 32);
    expect(chain.fragmented).toBe(false);
    const srh = Ipv6ExtView.checked(chain.ext[1].bytes, IP_PROTOCOL.IPV6_ROUTE);
    expect([srh.nextHeader, srh.headerLen, srh.data[0], srh.data[1]]).toEqual([17, 24, 4, 1]);
    expect(srh.summary()).toBe('IPv6-ext Routing next UDP len 24');
  });

  test('lengths by type: generic, AH, Fragment', () => {
    const b = Uint8Array.of(17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    expect(Ipv6ExtView.checked(b, IP_PROTOCOL.IPV6_OPTS).headerLen).toBe(16);
    expect(Ipv6ExtView.checked(b, IP_PROTOCOL.AH).headerLen).toBe(12);
    expect(Ipv6ExtView.checked(b, IP_PROTOCOL.IPV6_FRAG).headerLen).toBe(8);
    const frag = ipv6WalkHeaders(IP_PROTOCOL.IPV6_FRAG, b);
    expect([frag.fragmented, frag.protocol, frag.upper.length]).toEqual([true, 17, 8]);
    expect(ipv6IsExtensionHeader(IP_PROTOCOL.ESP)).toBe(false);
    expect(ipv6WalkHeaders(IP_PROTOCOL.ESP, b).ext).toEqual([]);
  });

  test('a header running past the payload is truncated', () => {
    const v = Ipv6View.checked(WITH_EXT);
    const e = catchWire(() => ipv6WalkHeaders(v.nextHeader, v.payload.subarray(0, 31)));
    expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'ipv6', 'ext.length']);
    expect(catchWire(() => ipv6WalkHeaders(0, new Uint8Array(7))).field).toBe('ext');
  });

  test('fuzz: the walk throws only WireError and accounts for every byte', () => {
    const rnd = prng(43);
    const types = [0, 43, 44, 51, 60, 135, 17, 59, 50];
    for (let i = 0; i < 20_000; i++) {
      const b = randomBytes(rnd, rnd() % 200);
      for (let at = 0; at < b.length; at += 8) b[at] = types[rnd() % types.length];
      try {
        const c = ipv6WalkHeaders(types[rnd() % types.length], b);
        expect(c.ext.reduce((n, e) => n + e.bytes.length, 0) + c.upper.length).toBe(b.length);
      } catch (e) {
        expect(e).toBeInstanceOf(WireError);
      }
    }
  });
});
