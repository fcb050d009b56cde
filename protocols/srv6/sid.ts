// SRv6 SIDs (RFC 8986 §3.1): LOC:FUNCT:ARG split by bit lengths, and the endpoint behaviour codepoints (§10.2).
import { ipv6FormatAddress, ipv6ParseAddress } from '../ipv6/address.ts';
import { WireError } from '../wire.ts';

/** IANA "SRv6 Endpoint Behaviors" (RFC 8986 §10.2), the ones this harness uses; others pass through as numbers. */
export const SRV6_ENDPOINT_BEHAVIOR = {
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
} as const;

const BEHAVIOR_NAMES: Record<number, string> = {
  1: 'End',
  5: 'End.X',
  9: 'End.T',
  14: 'End.B6.Encaps',
  15: 'End.BM',
  16: 'End.DX6',
  17: 'End.DX4',
  18: 'End.DT6',
  19: 'End.DT4',
  20: 'End.DT46',
  21: 'End.DX2',
};

export function srv6EndpointBehaviorName(b: number): string {
  return BEHAVIOR_NAMES[b] ?? `behavior-${b}`;
}

/** Bit lengths of a SID's parts (a locator's SID structure); the bits after ARG are zero (§3.1). */
export interface Srv6SidStructure {
  /** Block plus node (B:N). */
  locatorBits: number;
  functionBits: number;
  /** Default 0. */
  argumentBits?: number;
}

export interface Srv6SidParts {
  /** The locator as a prefix, "2001:db8:100::/48": the SID with every bit after the locator cleared. */
  locator: string;
  function: bigint;
  argument: bigint;
}

const bad = (field: string, detail: string) => new WireError('malformed', 'srv6', field, detail);

function lengths(s: Srv6SidStructure): [loc: number, fn: number, arg: number] {
  const l = [s.locatorBits, s.functionBits, s.argumentBits ?? 0] as [number, number, number];
  if (l.some((x) => !Number.isInteger(x) || x < 0) || l[0] + l[1] + l[2] > 128) {
    throw bad('sidStructure', `locator ${l[0]} + function ${l[1]} + argument ${l[2]} bits: not within 0..128`);
  }
  return l;
}

const toBig = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex')}`);
const fromBig = (v: bigint) => Uint8Array.from(Buffer.from(v.toString(16).padStart(32, '0'), 'hex'));
const bits = (v: bigint, from: number, n: number) => (v >> BigInt(128 - from - n)) & ((1n << BigInt(n)) - 1n);

/** Splits a SID (IPv6 text) into locator prefix, function and argument. */
export function srv6SplitSid(sid: string, s: Srv6SidStructure): Srv6SidParts {
  const [loc, fn, arg] = lengths(s);
  const v = toBig(ipv6ParseAddress(sid, 'sid'));
  return {
    locator: `${ipv6FormatAddress(fromBig(bits(v, 0, loc) << BigInt(128 - loc)))}/${loc}`,
    function: bits(v, loc, fn),
    argument: bits(v, loc + fn, arg),
  };
}

/** The SID with `parts` in place: the locator ("addr" or "addr/len") must have no bits past locatorBits. */
export function srv6JoinSid(parts: Srv6SidParts, s: Srv6SidStructure): string {
  const [loc, fn, arg] = lengths(s);
  const l = toBig(ipv6ParseAddress(parts.locator.replace(/\/\d+$/, ''), 'locator'));
  if (bits(l, loc, 128 - loc) !== 0n) throw bad('locator', `${parts.locator} has bits set past /${loc}`);
  if (parts.function < 0n || parts.function >> BigInt(fn)) throw bad('function', `${parts.function} does not fit ${fn} bits`);
  if (parts.argument < 0n || parts.argument >> BigInt(arg)) throw bad('argument', `${parts.argument} does not fit ${arg} bits`);
  const v = l | (parts.function << BigInt(128 - loc - fn)) | (parts.argument << BigInt(128 - loc - fn - arg));
  return ipv6FormatAddress(fromBig(v));
}
