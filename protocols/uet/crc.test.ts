// CRC32C: standard check values, chaining, the trailer over IPv4/UDP, IPv6/UDP and IP protocol 253.
import { describe, expect, test } from 'vitest';
import { buildFrame } from '../frame.ts';
import { Ipv4View } from '../ipv4/ipv4.ts';
import { catchWire } from '../testing.ts';
import { UdpView } from '../udp/udp.ts';
import {
  UET_CRC_LEN,
  UetCrcTrailerHeader,
  UetCrcTrailerView,
  uetCrc32c,
  uetCrcCompute,
  uetCrcFill,
  uetCrcVerify,
} from './crc.ts';
import { UET_IP_PROTOCOL, UET_UDP_PORT_DEFAULT } from './encap.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const ETH = { dst: '02:1a:c5:00:00:02', src: '02:1a:c5:00:00:01' };
// A UUD packet (prologue 0x3000, reserved) with 4 data bytes and room for the trailer.
const UET = Uint8Array.of(0x30, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0);

describe('uetCrc32c', () => {
  test('the standard check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(uetCrc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(uetCrc32c(new Uint8Array(0))).toBe(0);
    expect(uetCrc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(uetCrc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(uetCrc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(uetCrc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  test('chains over pieces', () => {
    const all = ascii('123456789');
    expect(uetCrc32c(all.subarray(4), uetCrc32c(all.subarray(0, 4)))).toBe(0xe3069283);
  });
});

describe('UetCrcTrailerView / UetCrcTrailerHeader', () => {
  test('reads, writes over 0xa5, round trips; 4 bytes', () => {
    const b = Uint8Array.of(0xe3, 0x06, 0x92, 0x83);
    const v = UetCrcTrailerView.checked(b);
    expect(v.crc).toBe(0xe3069283);
    expect(v.summary()).toBe('UET CRC32C 0xe3069283');
    const h = UetCrcTrailerHeader.parse(v);
    const out = new Uint8Array(UET_CRC_LEN).fill(0xa5);
    h.emit(UetCrcTrailerView.unchecked(out));
    expect(out).toEqual(b);
    expect(catchWire(() => UetCrcTrailerView.checked(b.subarray(0, 3))).kind).toBe('truncated');
    expect(catchWire(() => new UetCrcTrailerHeader({ crc: 2 ** 32 }).emit(UetCrcTrailerView.unchecked(out))).field).toBe('crc');
  });
});

describe('trailer over the IP packet', () => {
  test('IPv4/UDP: covers from the source address, not TTL/DSCP/IP checksum, UDP checksum as zero', () => {
    const frame = buildFrame({
      eth: ETH,
      ip: { version: 4, src: '10.1.0.1', dst: '10.1.0.2', dscp: 0 },
      udp: { srcPort: 0xc123, dstPort: UET_UDP_PORT_DEFAULT },
      payload: UET,
      pad: false,
    });
    const ip = frame.subarray(14);
    uetCrcFill(ip);
    const ph = { src: ip.subarray(12, 16), dst: ip.subarray(16, 20) };
    UdpView.checked(ip.subarray(20)).fillChecksum(ph);
    expect(uetCrcVerify(ip)).toBe(true);
    // The same CRC by hand: source address to the trailer with the UDP checksum zeroed.
    const covered = ip.slice(12, ip.length - 4);
    covered[8 + 6] = covered[8 + 7] = 0;
    expect(uetCrcCompute(ip)).toBe(uetCrc32c(covered));
    expect(UetCrcTrailerView.checked(ip.subarray(ip.length - 4)).crc).toBe(uetCrc32c(covered));

    const rerouted = ip.slice();
    const v = Ipv4View.checked(rerouted);
    v.setTtl(1);
    v.setDscp(46);
    v.fillChecksum();
    expect(uetCrcVerify(rerouted)).toBe(true);
    const corrupt = ip.slice();
    corrupt[corrupt.length - 5] ^= 1;
    expect(uetCrcVerify(corrupt)).toBe(false);
    const otherSrc = ip.slice();
    otherSrc[15] ^= 1;
    expect(uetCrcVerify(otherSrc)).toBe(false);
    expect(uetCrcVerify(ip, { zeroUdpChecksum: false })).toBe(false);
  });

  test('IPv6/UDP and IPv4 protocol 253 (entropy header)', () => {
    const v6 = buildFrame({
      eth: ETH,
      ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2', hopLimit: 64 },
      udp: { srcPort: 1, dstPort: UET_UDP_PORT_DEFAULT },
      payload: UET,
    }).subarray(14);
    uetCrcFill(v6);
    expect(uetCrcVerify(v6)).toBe(true);
    const covered = v6.slice(8, v6.length - 4);
    covered[32 + 6] = covered[32 + 7] = 0;
    expect(uetCrcCompute(v6)).toBe(uetCrc32c(covered));

    const raw = new Uint8Array(4 + UET.length);
    raw.set([0x12, 0x34, 0, 0]);
    raw.set(UET, 4);
    const frame = buildFrame({ eth: ETH, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', protocol: UET_IP_PROTOCOL }, payload: raw });
    const ip = frame.subarray(14, 14 + 20 + raw.length);
    uetCrcFill(ip);
    expect(uetCrcCompute(ip)).toBe(uetCrc32c(ip.subarray(12, ip.length - 4)));
    expect(uetCrcVerify(ip)).toBe(true);
  });

  test('bad IP packets are WireErrors', () => {
    expect(catchWire(() => uetCrcCompute(new Uint8Array(0))).kind).toBe('truncated');
    expect(catchWire(() => uetCrcCompute(new Uint8Array(40).fill(0x55))).field).toBe('crc');
    const tiny = buildFrame({ eth: ETH, ip: { version: 4, src: '1.1.1.1', dst: '2.2.2.2', protocol: 253 }, payload: Uint8Array.of(1, 2), pad: false });
    expect(catchWire(() => uetCrcCompute(tiny.subarray(14))).kind).toBe('truncated');
  });
});
