// Shared codec primitives: the Internet checksum (RFC 1071 examples), WireError, range checks, the fuzz PRNG.
import { describe, expect, test } from 'vitest';
import { prng } from './testing.ts';
import { WireError, checkLen, checkUint, checksumAdd, checksumFold, checksumPseudoHeader, internetChecksum } from './wire.ts';

describe('internet checksum', () => {
  test('RFC 1071 §3 example: sum 0xddf2, checksum 0x220d', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(checksumFold(checksumAdd(0, b))).toBe(0xddf2);
    expect(internetChecksum(b)).toBe(0x220d);
  });

  test('an odd final byte is padded with zero', () => {
    expect(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  test('a buffer holding its own checksum sums to zero', () => {
    const b = Uint8Array.of(0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x00, 0x00);
    const c = internetChecksum(b);
    b[6] = c >> 8;
    b[7] = c & 0xff;
    expect(internetChecksum(b)).toBe(0);
  });

  test('chunks add up like their concatenation; long inputs stay exact', () => {
    const rnd = prng(7);
    const big = Uint8Array.from({ length: 1 << 20 }, () => rnd() & 0xff);
    const words = (() => {
      let s = 0n;
      for (let i = 0; i < big.length; i += 2) s += BigInt((big[i] << 8) | big[i + 1]);
      while (s > 0xffffn) s = (s & 0xffffn) + (s >> 16n);
      return Number(~s & 0xffffn);
    })();
    expect(internetChecksum(big)).toBe(words);
    expect(internetChecksum(big.subarray(0, 1000), big.subarray(1000))).toBe(words);
  });

  test('pseudo-header: protocol and length added as words', () => {
    const src = Uint8Array.of(10, 0, 0, 1);
    const dst = Uint8Array.of(10, 0, 0, 2);
    expect(checksumPseudoHeader(src, dst, 17, 0x1_0008)).toBe(0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 0x0008 + 1);
  });
});

describe('WireError', () => {
  test('names kind, protocol and field', () => {
    const e = new WireError('truncated', 'ipv4', 'header', 'need 20 bytes, have 3');
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('ipv4 header: truncated (need 20 bytes, have 3)');
    expect([e.kind, e.protocol, e.field, e.name]).toEqual(['truncated', 'ipv4', 'header', 'WireError']);
  });

  test('checkLen and checkUint', () => {
    expect(() => checkLen('udp', 'header', 7, 8)).toThrow(/udp header: truncated/);
    expect(() => checkLen('udp', 'header', 8, 8)).not.toThrow();
    for (const v of [-1, 256, 1.5, Number.NaN]) expect(() => checkUint('ipv4', 'ttl', v, 255)).toThrow(WireError);
    expect(() => checkUint('ipv4', 'ttl', 255, 255)).not.toThrow();
  });
});

test('prng is deterministic per seed', () => {
  const a = prng(42);
  const b = prng(42);
  const xs = Array.from({ length: 5 }, a);
  expect(Array.from({ length: 5 }, b)).toEqual(xs);
  expect(new Set(xs).size).toBe(5);
  expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
});
