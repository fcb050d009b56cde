// UDP codec on captured datagrams: fields, checksum over IPv4 and IPv6 pseudo-headers, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { ipv4ParseAddress } from '../ipv4/address.ts';
import { ipv6ParseAddress } from '../ipv6/address.ts';
import { catchWire, fuzz } from '../testing.ts';
import { checksumAdd, checksumFold, checksumPseudoHeader } from '../wire.ts';
import { UDP_HEADER_LEN, UdpHeader, UdpView, type UdpPseudoHeader } from './udp.ts';

// 10.1.0.1:49152 > 10.1.0.2:4791, payload "fabric-hil\r\n", checksum 0x42f4 (tshark 4.0: good).
const V4 = Uint8Array.of(
  0xc0, 0x00, 0x12, 0xb7, 0x00, 0x14, 0x42, 0xf4, 0x66, 0x61, 0x62, 0x72, 0x69, 0x63, 0x2d, 0x68, 0x69, 0x6c, 0x0d,
  0x0a,
);
const V4_PH: UdpPseudoHeader = { src: ipv4ParseAddress('10.1.0.1'), dst: ipv4ParseAddress('10.1.0.2') };
// [2001:db8:0:1::10]:4791 > [2001:db8:0:2::20]:4791, payload de ad be ef, checksum 0xe125 (tshark 4.0: good).
const V6 = Uint8Array.of(0x12, 0xb7, 0x12, 0xb7, 0x00, 0x0c, 0xe1, 0x25, 0xde, 0xad, 0xbe, 0xef);
const V6_PH: UdpPseudoHeader = { src: ipv6ParseAddress('2001:db8:0:1::10'), dst: ipv6ParseAddress('2001:db8:0:2::20') };

const parse = (b: Uint8Array, ph?: UdpPseudoHeader) => UdpHeader.parse(UdpView.checked(b), ph);
/** Payload first, then the header with its checksum. */
const emit = (h: UdpHeader, payload: Uint8Array, ph?: UdpPseudoHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen() + h.payloadLen).fill(fill);
  out.set(payload, UDP_HEADER_LEN);
  h.emit(UdpView.unchecked(out), ph);
  return out;
};

describe('UdpView', () => {
  test('reads every field', () => {
    const v = UdpView.checked(V4);
    expect([v.srcPort, v.dstPort, v.length, v.checksum]).toEqual([49152, 4791, 20, 0x42f4]);
    expect(new TextDecoder().decode(v.payload)).toBe('fabric-hil\r\n');
    expect(v.payload.byteOffset).toBe(V4.byteOffset + 8);
    expect(v.summary()).toBe('UDP 49152 > 4791 len 20');
  });

  test('verifies over the IPv4 and IPv6 pseudo-headers', () => {
    expect(UdpView.checked(V4).verifyChecksum(V4_PH)).toBe(true);
    expect(UdpView.checked(V4).verifyChecksum({ src: V4_PH.dst, dst: V4_PH.dst })).toBe(false);
    expect(UdpView.checked(V6).verifyChecksum(V6_PH)).toBe(true);
    expect(UdpView.checked(V6).verifyChecksum(V4_PH)).toBe(false);
  });

  test('zero checksum: none over IPv4, invalid over IPv6', () => {
    const b = V6.slice();
    UdpView.unchecked(b).setChecksum(0);
    expect(UdpView.checked(b).verifyChecksum({ src: V4_PH.src, dst: V4_PH.dst })).toBe(true);
    expect(UdpView.checked(b).verifyChecksum(V6_PH)).toBe(false);
  });

  test('a computed zero is sent as 0xffff', () => {
    // Choose the last payload word so that the sum of everything else is 0xffff.
    const b = V4.slice();
    const v = UdpView.unchecked(b);
    v.setChecksum(0);
    b[18] = b[19] = 0;
    const s = checksumFold(checksumAdd(checksumPseudoHeader(V4_PH.src, V4_PH.dst, 17, 20), b));
    const w = ~s & 0xffff;
    b[18] = w >> 8;
    b[19] = w & 0xff;
    v.fillChecksum(V4_PH);
    expect(v.checksum).toBe(0xffff);
    expect(v.verifyChecksum(V4_PH)).toBe(true);
  });

  test('length beyond the datagram: payload stops at length', () => {
    const long = new Uint8Array(30);
    long.set(V4);
    expect(UdpView.checked(long).payload.length).toBe(12);
  });
});

describe('UdpHeader', () => {
  const h4 = new UdpHeader({ srcPort: 49152, dstPort: 4791, payloadLen: 12 });
  const h6 = new UdpHeader({ srcPort: 4791, dstPort: 4791, payloadLen: 4 });

  test('parses the captured datagrams, checksums verified', () => {
    expect(parse(V4, V4_PH)).toEqual(h4);
    expect(parse(V6, V6_PH)).toEqual(h6);
  });

  test('writes every field over 0xa5', () => {
    expect(emit(h4, V4.subarray(8), V4_PH, 0xa5)).toEqual(V4);
    expect(emit(h6, V6.subarray(8), V6_PH, 0xa5)).toEqual(V6);
    const none = emit(h4, V4.subarray(8), undefined, 0xa5);
    expect([...none.subarray(0, 8)]).toEqual([0xc0, 0x00, 0x12, 0xb7, 0x00, 0x14, 0x00, 0x00]);
  });

  test('without a pseudo-header, emit needs only the header bytes', () => {
    const out = new Uint8Array(8);
    h4.emit(UdpView.unchecked(out));
    expect(UdpView.unchecked(out).length).toBe(20);
    expect(catchWire(() => h4.emit(UdpView.unchecked(out), V4_PH)).kind).toBe('truncated');
  });

  test('round trip', () => {
    expect(parse(emit(parse(V4), V4.subarray(8), V4_PH), V4_PH)).toEqual(h4);
  });

  test('truncated and malformed', () => {
    for (const [b, field] of [
      [V4.subarray(0, 7), 'header'],
      [V4.subarray(0, 19), 'length'],
    ] as const) {
      const e = catchWire(() => UdpView.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'udp', field]);
    }
    const short = V4.slice();
    short[5] = 7;
    expect(catchWire(() => UdpView.checked(short)).field).toBe('length');
    const bad = V4.slice();
    bad[19] ^= 1;
    const e = catchWire(() => parse(bad, V4_PH));
    expect([e.kind, e.field]).toEqual(['malformed', 'checksum']);
    expect(parse(bad)).toEqual(h4);
    for (const [init, field] of [
      [{ srcPort: 65536, dstPort: 1, payloadLen: 0 }, 'srcPort'],
      [{ srcPort: 1, dstPort: -1, payloadLen: 0 }, 'dstPort'],
      [{ srcPort: 1, dstPort: 1, payloadLen: 65528 }, 'payloadLen'],
    ] as const) {
      const err = catchWire(() => new UdpHeader(init).emit(UdpView.unchecked(new Uint8Array(8))));
      expect([err.kind, err.field]).toEqual(['malformed', field]);
    }
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x), checksums verified', () => {
    const stats = fuzz({
      seed: 768,
      maxLen: 64,
      samples: [V4, V6],
      // Refill the checksum half the time so parses with the pseudo-header succeed.
      fixup: (b) => {
        if (b.length >= 8 && b[0] & 1) UdpView.checked(b).fillChecksum(V6_PH);
      },
      parse: (b) => parse(b, V6_PH),
      roundTrip: (h, b) => expect(parse(emit(h, UdpView.checked(b).payload, V6_PH), V6_PH)).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.malformed).toBeGreaterThan(1000);
  });
});
