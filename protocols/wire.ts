// Shared codec primitives: the one WireError, field ranges, big-endian access, the Internet checksum.
//
// Every codec under protocols/ follows smoltcp's `wire/` shape: a field table `F` of [start, end)
// byte ranges at the top of the file (sub-byte fields share one byte's range and are shifted and
// masked), an `XxxView` over bytes whose `checked()` guarantees that no accessor throws afterwards,
// and a plain `XxxHeader` value with `parse(view)`, `emit(view)` and `bufferLen()`.
// Codecs throw nothing but WireError on bad input.

export type WireErrorKind = 'truncated' | 'malformed' | 'unsupported';

/** The only error a codec throws on bad bytes or bad header values. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly kind: WireErrorKind,
    /** Protocol name as in the exported prefix: 'ethernet', 'ipv4', 'udp', 'pcapng', ... */
    readonly protocol: string,
    /** The field that is short or wrong ('length', 'checksum', 'dst', ...). */
    readonly field: string,
    detail?: string,
  ) {
    super(`${protocol} ${field}: ${kind}${detail ? ` (${detail})` : ''}`);
  }
}

/** A [start, end) byte range in a header. */
export type Field = readonly [start: number, end: number];

/** Throws a truncated WireError unless `have >= need`. */
export function checkLen(protocol: string, field: string, have: number, need: number): void {
  if (have < need) throw new WireError('truncated', protocol, field, `need ${need} bytes, have ${have}`);
}

/** Throws a malformed WireError unless `value` is an integer in [0, max]. For emit-side checks. */
export function checkUint(protocol: string, field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new WireError('malformed', protocol, field, `${value} not an integer in 0..${max}`);
  }
}

/** Base of every view: the bytes, a DataView on them, and big-endian accessors by field. */
export abstract class WireView {
  protected readonly dv: DataView;
  constructor(readonly buffer: Uint8Array) {
    this.dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  protected u8(f: Field | number): number {
    return this.dv.getUint8(typeof f === 'number' ? f : f[0]);
  }
  protected u16(f: Field | number): number {
    return this.dv.getUint16(typeof f === 'number' ? f : f[0]);
  }
  protected u32(f: Field | number): number {
    return this.dv.getUint32(typeof f === 'number' ? f : f[0]);
  }
  protected setU8(f: Field | number, v: number): void {
    this.dv.setUint8(typeof f === 'number' ? f : f[0], v);
  }
  protected setU16(f: Field | number, v: number): void {
    this.dv.setUint16(typeof f === 'number' ? f : f[0], v);
  }
  protected setU32(f: Field | number, v: number): void {
    this.dv.setUint32(typeof f === 'number' ? f : f[0], v);
  }
  /** The field's bytes, in place (a subarray, not a copy). */
  protected bytes(f: Field): Uint8Array {
    return this.buffer.subarray(f[0], f[1]);
  }
  /** Copies `v` into the field; `v` must have the field's length. */
  protected setBytes(f: Field, v: Uint8Array): void {
    this.buffer.set(v.subarray(0, f[1] - f[0]), f[0]);
  }
}

// ---- Internet checksum (RFC 1071) ----

/**
 * Adds `data` as big-endian 16-bit words to a running one's-complement sum (unfolded).
 * An odd final byte is padded with zero, so every chunk but the last must have even length.
 */
export function checksumAdd(sum: number, data: Uint8Array): number {
  const n = data.length & ~1;
  let i = 0;
  for (; i < n; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (i < data.length) sum += data[i] << 8;
  // Folding early keeps the sum far below 2^53 whatever the input length.
  return sum > 0x3fffffff ? checksumFold(sum) : sum;
}

/** Folds carries into 16 bits (the one's-complement sum, not yet complemented). */
export function checksumFold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The Internet checksum of the concatenated chunks (all but the last of even length). */
export function internetChecksum(...chunks: Uint8Array[]): number {
  let sum = 0;
  for (const c of chunks) sum = checksumAdd(sum, c);
  return ~checksumFold(sum) & 0xffff;
}

/**
 * Unfolded sum of the IPv4 (RFC 768) or IPv6 (RFC 8200 §8.1) pseudo-header; both reduce to the
 * same words for upper-layer lengths below 2^16 (and the IPv6 32-bit length is added in full).
 */
export function checksumPseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  const sum = checksumAdd(checksumAdd(0, src), dst);
  return sum + protocol + (length & 0xffff) + Math.floor(length / 0x10000);
}

/** Lowercase hex of a number, with `0x` and at least `width` digits. */
export function hex(v: number, width = 4): string {
  return `0x${v.toString(16).padStart(width, '0')}`;
}
