// SRv6 SID structure (RFC 8986 §3.1) and endpoint behaviour codepoints (§10.2).
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import { SRV6_ENDPOINT_BEHAVIOR, srv6EndpointBehaviorName, srv6JoinSid, srv6SplitSid } from './sid.ts';

describe('SRv6 SIDs', () => {
  test('splits LOC:FUNCT:ARG on byte boundaries and joins them back', () => {
    const s = { locatorBits: 48, functionBits: 16, argumentBits: 16 };
    const parts = srv6SplitSid('2001:db8:100:e1:42::', s);
    expect(parts).toEqual({ locator: '2001:db8:100::/48', function: 0xe1n, argument: 0x42n });
    expect(srv6JoinSid(parts, s)).toBe('2001:db8:100:e1:42::');
  });

  test('splits on any bit boundary; bits after ARG are ignored', () => {
    // 2001:db8:1:: /44 locator (block 32 + node 12), 20-bit function, 8-bit argument, then 0x7 (ignored).
    const s = { locatorBits: 44, functionBits: 20 };
    expect(srv6SplitSid('2001:db8:1:fedc:ba98::7', s)).toEqual({ locator: '2001:db8::/44', function: 0x1fedcn, argument: 0n });
    expect(srv6SplitSid('2001:db8:1:fedc:ba98::7', { ...s, argumentBits: 8 }).argument).toBe(0xban);
    expect(srv6JoinSid({ locator: '2001:db8::', function: 0x1fedcn, argument: 0xban }, { ...s, argumentBits: 8 })).toBe('2001:db8:1:fedc:ba00::');
    expect(srv6SplitSid('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', { locatorBits: 0, functionBits: 128 }).function).toBe(2n ** 128n - 1n);
    expect(srv6SplitSid('2001:db8::1', { locatorBits: 128, functionBits: 0 })).toEqual({ locator: '2001:db8::1/128', function: 0n, argument: 0n });
  });

  test('structures, values and locators that do not fit are malformed', () => {
    for (const [f, field] of [
      [() => srv6SplitSid('::1', { locatorBits: 64, functionBits: 64, argumentBits: 1 }), 'sidStructure'],
      [() => srv6SplitSid('::1', { locatorBits: -1, functionBits: 8 }), 'sidStructure'],
      [() => srv6SplitSid('::1', { locatorBits: 1.5, functionBits: 8 }), 'sidStructure'],
      [() => srv6SplitSid('nope', { locatorBits: 48, functionBits: 16 }), 'sid'],
      [() => srv6JoinSid({ locator: '2001:db8:1::/32', function: 0n, argument: 0n }, { locatorBits: 32, functionBits: 16 }), 'locator'],
      [() => srv6JoinSid({ locator: '2001:db8::', function: 0x10000n, argument: 0n }, { locatorBits: 32, functionBits: 16 }), 'function'],
      [() => srv6JoinSid({ locator: '2001:db8::', function: -1n, argument: 0n }, { locatorBits: 32, functionBits: 16 }), 'function'],
      [() => srv6JoinSid({ locator: '2001:db8::', function: 1n, argument: 1n }, { locatorBits: 32, functionBits: 16 }), 'argument'],
    ] as const) {
      const e = catchWire(f);
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });

  test('endpoint behaviour codepoints (RFC 8986 §10.2); unknown values keep their number', () => {
    expect(SRV6_ENDPOINT_BEHAVIOR).toEqual({
      END: 1,
      END_X: 5,
      END_T: 9,
      END_B6_ENCAPS: 14,
      END_BM: 15,
      END_DX6: 16,
      END_DX4: 17,
      END_DT6: 18,
      END_DT4: 19,
      END_DT46: 20,
      END_DX2: 21,
    });
    expect(Object.values(SRV6_ENDPOINT_BEHAVIOR).map(srv6EndpointBehaviorName)).toEqual([
      'End',
      'End.X',
      'End.T',
      'End.B6.Encaps',
      'End.BM',
      'End.DX6',
      'End.DX4',
      'End.DT6',
      'End.DT4',
      'End.DT46',
      'End.DX2',
    ]);
    expect(srv6EndpointBehaviorName(2)).toBe('behavior-2');
  });
});
