// Twin values as JSON text and back, without loss: what the emulator module's RPCs carry.
//
// State and config values of twin nodes are plain data (numbers, strings, booleans, arrays,
// objects) plus a few types JSON cannot hold; those travel as one-key tagged objects:
//   bigint               {"$bigint": "123"}
//   Uint8Array           {"$bytes": "0a1b"}         (lower-case hex)
//   NaN, +-Infinity, -0  {"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}
//   undefined in a list  {"$undefined": true}        (object members that are undefined are left out)
// A value that is itself undefined has no JSON text: `encodeTwinValue` returns undefined and the
// RPC leaves its output leaf out. Plain objects that happen to have one of these keys alone would
// be read back as the tagged type; twin models never produce such objects.

export class TwinValueError extends Error {
  override readonly name = 'TwinValueError';
}

const HEX = /^(?:[0-9a-f]{2})*$/;

function encodeNumber(n: number): unknown {
  if (Number.isNaN(n)) return { $number: 'NaN' };
  if (n === Infinity) return { $number: 'Infinity' };
  if (n === -Infinity) return { $number: '-Infinity' };
  if (Object.is(n, -0)) return { $number: '-0' };
  return n;
}

function toPlain(v: unknown, seen: Set<object>): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return encodeNumber(v);
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v === undefined) return { $undefined: true };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (typeof v === 'object') {
    if (seen.has(v)) throw new TwinValueError('cannot encode a value that contains itself');
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => toPlain(x, seen));
      if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toPlain(x, seen)]));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = toPlain(x, seen);
      return out;
    } finally {
      seen.delete(v);
    }
  }
  throw new TwinValueError(`cannot encode a ${typeof v}`);
}

/** JSON text of a twin value, or undefined for undefined. */
export function encodeTwinValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return JSON.stringify(toPlain(v, new Set()));
}

function fromPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(fromPlain);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const x = o[k];
    if (k === '$bigint' && typeof x === 'string' && /^-?[0-9]+$/.test(x)) return BigInt(x);
    if (k === '$bytes' && typeof x === 'string' && HEX.test(x)) return new Uint8Array(Buffer.from(x, 'hex'));
    if (k === '$undefined' && x === true) return undefined;
    if (k === '$number' && typeof x === 'string') {
      const n = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 }[x];
      if (n !== undefined) return n;
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = fromPlain(o[k]);
  return out;
}

/** The value of JSON text written by `encodeTwinValue`; undefined text gives undefined. */
export function decodeTwinValue(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new TwinValueError(`not JSON: ${(e as Error).message}`);
  }
  return fromPlain(parsed);
}
