// Codec test helpers: a seeded PRNG, a fuzz loop (only WireError may escape a parse), catching a WireError.
import { WireError, type WireErrorKind } from './wire.ts';

/** mulberry32: a small deterministic generator of uint32 values. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Fills a buffer of `len` bytes from `rnd`. */
export function randomBytes(rnd: () => number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = rnd() & 0xff;
  return b;
}

export interface FuzzOptions<H> {
  seed: number;
  /** Default 20 000. */
  iterations?: number;
  /** Longest random input; default 256. */
  maxLen?: number;
  /** Valid inputs; half the iterations mutate one (byte flips, truncation, extension). */
  samples?: Uint8Array[];
  /** Repairs a mutated input (e.g. refills a checksum) so mutations reach deeper checks; errors are ignored. */
  fixup?: (buf: Uint8Array) => void;
  parse: (buf: Uint8Array) => H;
  /** Called after each successful parse: emit the header, parse the result and compare (throw on mismatch). */
  roundTrip: (h: H, buf: Uint8Array) => void;
}

export interface FuzzStats {
  parsed: number;
  rejected: Record<WireErrorKind, number>;
}

/**
 * Runs the loop and throws (with seed, iteration and input in hex) when parse throws anything but
 * a WireError or a round trip fails.
 */
export function fuzz<H>(o: FuzzOptions<H>): FuzzStats {
  const rnd = prng(o.seed);
  const maxLen = o.maxLen ?? 256;
  const stats: FuzzStats = { parsed: 0, rejected: { truncated: 0, malformed: 0, unsupported: 0 } };
  const n = o.iterations ?? 20_000;
  for (let i = 0; i < n; i++) {
    const input =
      o.samples?.length && rnd() & 1
        ? mutate(rnd, o.samples[rnd() % o.samples.length])
        : randomBytes(rnd, rnd() % (maxLen + 1));
    if (o.fixup) {
      try {
        o.fixup(input);
      } catch {
        // Best effort: an input too short to repair is still a good input.
      }
    }
    const where = () => `fuzz seed ${o.seed} iteration ${i} input ${Buffer.from(input).toString('hex')}`;
    let h: H;
    try {
      h = o.parse(input);
    } catch (e) {
      if (e instanceof WireError) {
        stats.rejected[e.kind]++;
        continue;
      }
      throw new Error(`${where()}: parse threw ${String(e)}`, { cause: e });
    }
    stats.parsed++;
    try {
      o.roundTrip(h, input);
    } catch (e) {
      throw new Error(`${where()}: round trip failed: ${String(e)}`, { cause: e });
    }
  }
  return stats;
}

function mutate(rnd: () => number, sample: Uint8Array): Uint8Array {
  let b: Uint8Array = sample.slice();
  const op = rnd() % 4;
  if (op === 0) b = b.subarray(0, rnd() % (b.length + 1));
  else if (op === 1) {
    const ext = new Uint8Array(b.length + (rnd() % 64));
    ext.set(b);
    for (let i = b.length; i < ext.length; i++) ext[i] = rnd() & 0xff;
    b = ext;
  }
  const flips = op === 3 ? 0 : 1 + (rnd() % 4);
  for (let k = 0; k < flips && b.length; k++) b[rnd() % b.length] ^= 1 << (rnd() % 8);
  return b;
}

/** Runs `f` and returns the WireError it throws; anything else (or nothing) is rethrown / an error. */
export function catchWire(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError, nothing was thrown');
}
