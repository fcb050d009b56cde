// IPv4 codec on a captured packet: read, write over 0xa5, round trip, options, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { IP_ECN, IP_PROTOCOL } from '../ip.ts';
import { catchWire, fuzz } from '../testing.ts';
import { internetChecksum } from '../wire.ts';
import { ipv4FormatAddress, ipv4ParseAddress } from './address.ts';
import { IPV4_HEADER_LEN, Ipv4Header, Ipv4View, type Ipv4Init } from './ipv4.ts';

// IPv4 / UDP 10.1.0.1:49152 > 10.1.0.2:4791, DSCP 26 (AF31), ECN CE, DF; header checksum 0x0a10
// (tshark 4.0: good).
const PACKET = Uint8Array.of(
  0x45, 0x6b, 0x00, 0x28, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11, 0x0a, 0x10, 0x0a, 0x01, 0x00, 0x01, 0x0a, 0x01, 0x00,
  0x02, 0xc0, 0x00, 0x12, 0xb7, 0x00, 0x14, 0x42, 0xf4, 0x66, 0x61, 0x62, 0x72, 0x69, 0x63, 0x2d, 0x68, 0x69, 0x6c,
  0x0d, 0x0a,
);
const HEADER = new Ipv4Header({
  src: '10.1.0.1',
  dst: '10.1.0.2',
  protocol: IP_PROTOCOL.UDP,
  payloadLen: 20,
  ttl: 64,
  dscp: 26,
  ecn: IP_ECN.CE,
  ident: 0x1c46,
  dontFrag: true,
});

const parse = (b: Uint8Array) => Ipv4Header.parse(Ipv4View.checked(b));
const emit = (h: Ipv4Header, fill = 0) => {
  const out = new Uint8Array(h.bufferLen() + h.payloadLen).fill(fill);
  h.emit(Ipv4View.unchecked(out));
  return out;
};

describe('Ipv4View', () => {
  test('reads every field', () => {
    const v = Ipv4View.checked(PACKET);
    expect(v.version).toBe(4);
    expect(v.headerLen).toBe(IPV4_HEADER_LEN);
    expect(v.dscp).toBe(26);
    expect(v.ecn).toBe(IP_ECN.CE);
    expect(v.totalLen).toBe(40);
    expect(v.ident).toBe(0x1c46);
    expect(v.dontFrag).toBe(true);
    expect(v.moreFrags).toBe(false);
    expect(v.fragOffsetBytes).toBe(0);
    expect(v.ttl).toBe(64);
    expect(v.protocol).toBe(IP_PROTOCOL.UDP);
    expect(v.checksum).toBe(0x0a10);
    expect(v.verifyChecksum()).toBe(true);
    expect(ipv4FormatAddress(v.src)).toBe('10.1.0.1');
    expect(ipv4FormatAddress(v.dst)).toBe('10.1.0.2');
    expect(v.options.length).toBe(0);
    expect(v.payload.length).toBe(20);
    expect(v.payload.byteOffset).toBe(PACKET.byteOffset + 20);
    expect(v.summary()).toBe('IPv4 10.1.0.1 > 10.1.0.2 proto UDP len 40 ttl 64 dscp 26 ecn CE');
  });

  test('payload stops at total length (Ethernet padding excluded)', () => {
    const padded = new Uint8Array(60);
    padded.set(PACKET);
    expect(Ipv4View.checked(padded).payload.length).toBe(20);
  });

  test('setters, checksum fill and summary of a fragment', () => {
    const b = PACKET.slice();
    const v = Ipv4View.unchecked(b);
    v.setFragment(false, true, 1480);
    v.setEcn(IP_ECN.NOT_ECT);
    v.setDscp(0);
    v.setTtl(1);
    expect(v.verifyChecksum()).toBe(false);
    v.fillChecksum();
    expect(v.verifyChecksum()).toBe(true);
    expect([v.dontFrag, v.moreFrags, v.fragOffsetBytes]).toEqual([false, true, 1480]);
    expect(v.summary()).toBe('IPv4 10.1.0.1 > 10.1.0.2 proto UDP len 40 ttl 1 ecn Not-ECT frag 1480+');
  });
});

describe('Ipv4Header', () => {
  test('parses the captured packet', () => {
    expect(parse(PACKET)).toEqual(HEADER);
  });

  test('writes every field over 0xa5 and leaves the payload alone', () => {
    const out = emit(HEADER, 0xa5);
    expect(out.subarray(0, 20)).toEqual(PACKET.subarray(0, 20));
    expect(out.subarray(20).every((x) => x === 0xa5)).toBe(true);
  });

  test('round trip, with options and fragment fields', () => {
    expect(parse(emit(parse(PACKET)))).toEqual(HEADER);
    const withOptions = new Ipv4Header({
      ...HEADER,
      options: Uint8Array.of(0x94, 0x04, 0x00, 0x00), // Router Alert (RFC 2113)
      moreFrags: true,
      fragOffsetBytes: 8 * 0x1fff,
      ecn: IP_ECN.ECT1,
    });
    const bytes = emit(withOptions);
    expect(bytes[0]).toBe(0x46);
    expect(Ipv4View.checked(bytes).options).toEqual(Uint8Array.of(0x94, 0x04, 0x00, 0x00));
    expect(parse(bytes)).toEqual(withOptions);
  });

  test('defaults', () => {
    const h = new Ipv4Header({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, payloadLen: 0 });
    expect([h.ttl, h.dscp, h.ecn, h.ident, h.dontFrag, h.moreFrags, h.fragOffsetBytes, h.options.length]).toEqual([
      64, 0, 0, 0, false, false, 0, 0,
    ]);
  });

  test('truncated input', () => {
    const ihl15 = PACKET.slice(0, 20);
    ihl15[0] = 0x4f;
    for (const [b, field] of [
      [PACKET.subarray(0, 19), 'header'],
      [ihl15, 'options'],
      [PACKET.subarray(0, 39), 'length'],
    ] as const) {
      const e = catchWire(() => Ipv4View.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'ipv4', field]);
    }
  });

  test('malformed input', () => {
    const mut = (i: number, v: number) => {
      const b = PACKET.slice();
      b[i] = v;
      return b;
    };
    expect(catchWire(() => Ipv4View.checked(mut(0, 0x44))).field).toBe('ihl');
    expect(catchWire(() => Ipv4View.checked(mut(3, 19))).field).toBe('length');
    const v6 = mut(0, 0x65);
    Ipv4View.unchecked(v6).fillChecksum();
    expect(catchWire(() => parse(v6)).field).toBe('version');
    const badSum = mut(8, 63);
    const e = catchWire(() => parse(badSum));
    expect([e.kind, e.field]).toEqual(['malformed', 'checksum']);
    expect(Ipv4Header.parse(Ipv4View.checked(badSum), { checksum: 'ignore' }).ttl).toBe(63);
  });

  test('bad values are malformed on emit', () => {
    const cases: Array<[Partial<Ipv4Init>, string]> = [
      [{ src: '10.1.0' }, 'src'],
      [{ dst: '10.1.0.256' }, 'dst'],
      [{ options: new Uint8Array(3) }, 'options'],
      [{ options: new Uint8Array(44) }, 'options'],
      [{ ttl: 256 }, 'ttl'],
      [{ dscp: 64 }, 'dscp'],
      [{ fragOffsetBytes: 12 }, 'fragOffsetBytes'],
      [{ payloadLen: 65516 }, 'payloadLen'],
      [{ protocol: -1 }, 'protocol'],
    ];
    for (const [patch, field] of cases) {
      const e = catchWire(() => emit(new Ipv4Header({ ...HEADER, ...patch })));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    expect(catchWire(() => HEADER.emit(Ipv4View.unchecked(new Uint8Array(19)))).kind).toBe('truncated');
  });

  test('addresses: strict dotted quad', () => {
    expect([...ipv4ParseAddress('192.168.0.255')]).toEqual([192, 168, 0, 255]);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', ' 1.2.3.4', '1.2.3.-4', '1..3.4']) {
      expect(catchWire(() => ipv4ParseAddress(bad)).kind).toBe('malformed');
    }
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 0x0800,
      maxLen: 96,
      samples: [PACKET, emit(new Ipv4Header({ ...HEADER, options: new Uint8Array(8).fill(1) }))],
      // Refill the checksum half the time so mutations reach the checks after it.
      fixup: (b) => {
        if (b.length >= 20 && b[0] & 1) {
          const hl = Math.max(20, (b[0] & 15) * 4);
          b[10] = b[11] = 0;
          const c = internetChecksum(b.subarray(0, Math.min(hl, b.length)));
          b[10] = c >> 8;
          b[11] = c & 0xff;
        }
      },
      parse,
      roundTrip: (h) => expect(parse(emit(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.malformed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(1000);
  });
});
