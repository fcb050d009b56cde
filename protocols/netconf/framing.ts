// RFC 6242 message framing: end-of-message `]]>]]>` (base:1.0) and chunked (base:1.1), decoder and encoder.
//
// Guarantees of the decoder: bytes may arrive split anywhere; it throws nothing but
// NetconfFramingError; it holds at most about `maxMessageBytes` of one message plus the unread
// input of the last push, so a peer cannot make it grow without bound; a chunk header that
// announces more than the limit is refused before its data arrives. After an error the decoder
// is poisoned (the stream has no recoverable boundary) and rethrows that error.
// The framing may change only between messages: callers take messages one at a time with
// `next()` and switch after the hello exchange (RFC 6242 §4.1), even when the peer's first
// chunked message arrived in the same read as its hello.
import { NetconfFramingError } from './errors.ts';

export type NetconfFraming = 'eom' | 'chunked';

export const NETCONF_EOM = ']]>]]>';
/** Largest chunk-size of RFC 6242 §4.2 (the ABNF's 4294967295). */
export const NETCONF_MAX_CHUNK_BYTES = 4294967295;
export const NETCONF_DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const EOM_BYTES = Buffer.from(NETCONF_EOM);
const LF = 0x0a;
const HASH = 0x23;
const ZERO = 0x30;
const NINE = 0x39;
/** `\n#` + 10 digits + `\n`: the longest valid chunk header. */
const MAX_HEADER_BYTES = 13;

/** Frames one message: appends `]]>]]>`, or wraps it in chunks of at most `maxChunkBytes`. */
export function encodeNetconfMessage(
  message: string | Uint8Array,
  framing: NetconfFraming,
  maxChunkBytes: number = NETCONF_MAX_CHUNK_BYTES,
): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message);
  if (framing === 'eom') {
    if (body.includes(EOM_BYTES)) throw new RangeError('a base:1.0 message cannot contain "]]>]]>"');
    return Buffer.concat([body, EOM_BYTES]);
  }
  if (body.length === 0) throw new RangeError('a chunked message needs at least one byte (RFC 6242 §4.2)');
  if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < 1 || maxChunkBytes > NETCONF_MAX_CHUNK_BYTES) {
    throw new RangeError(`maxChunkBytes must be an integer in 1..${NETCONF_MAX_CHUNK_BYTES}, got ${maxChunkBytes}`);
  }
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; at += maxChunkBytes) {
    const part = body.subarray(at, Math.min(body.length, at + maxChunkBytes));
    out.push(Buffer.from(`\n#${part.length}\n`), part);
  }
  out.push(Buffer.from('\n##\n'));
  return Buffer.concat(out);
}

export interface NetconfFrameDecoderOptions {
  /** Starting framing; every session starts with end-of-message for the hellos. */
  framing?: NetconfFraming;
  /** Largest message accepted, bytes (default 16 MiB). */
  maxMessageBytes?: number;
}

type Header = { kind: 'chunk'; size: number; len: number } | { kind: 'end'; len: number };

/** Incremental decoder: `push` bytes as they arrive, then call `next()` until it returns null. */
export class NetconfFrameDecoder {
  readonly maxMessageBytes: number;
  private mode: NetconfFraming;
  private buf = Buffer.alloc(4096);
  private rd = 0;
  private wr = 0;
  /** EOM mode: where the delimiter search resumes, so a long message is scanned once. */
  private scanFrom = 0;
  /** Chunked mode: data bytes of the current chunk still to come (0: a header is expected). */
  private chunkLeft = 0;
  private parts: Buffer[] = [];
  private partsLen = 0;
  private failed: NetconfFramingError | undefined;

  constructor(options: NetconfFrameDecoderOptions = {}) {
    this.mode = options.framing ?? 'eom';
    this.maxMessageBytes = options.maxMessageBytes ?? NETCONF_DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer, got ${this.maxMessageBytes}`);
    }
  }

  get framing(): NetconfFraming {
    return this.mode;
  }

  /** Unread input plus the part of a chunked message already decoded, bytes. */
  get bufferedBytes(): number {
    return this.wr - this.rd + this.partsLen;
  }

  /** Switches framing; only between messages. */
  setFraming(framing: NetconfFraming): void {
    if (this.chunkLeft > 0 || this.partsLen > 0) throw new Error('NETCONF framing can change only between messages');
    this.mode = framing;
    this.scanFrom = this.rd;
  }

  push(bytes: Uint8Array): void {
    if (this.failed) throw this.failed;
    const need = this.wr - this.rd + bytes.length;
    if (this.wr + bytes.length > this.buf.length) {
      const target = need > this.buf.length / 2 ? Buffer.alloc(Math.max(need, this.buf.length * 2)) : this.buf;
      this.buf.copy(target, 0, this.rd, this.wr);
      this.scanFrom -= this.rd;
      this.wr -= this.rd;
      this.rd = 0;
      this.buf = target;
    }
    this.buf.set(bytes, this.wr);
    this.wr += bytes.length;
  }

  /** The next whole message, or null when more bytes are needed. */
  next(): Buffer | null {
    if (this.failed) throw this.failed;
    try {
      const msg = this.mode === 'eom' ? this.nextEom() : this.nextChunked();
      if (this.rd === this.wr) this.rd = this.wr = this.scanFrom = 0;
      return msg;
    } catch (e) {
      if (e instanceof NetconfFramingError) this.failed = e;
      this.buf = Buffer.alloc(0);
      this.parts = [];
      this.rd = this.wr = this.partsLen = 0;
      throw e;
    }
  }

  /** Marks the end of input: a partly received message is a framing error. */
  end(): void {
    if (this.failed) return;
    if (this.bufferedBytes > 0) {
      this.failed = new NetconfFramingError('closed', `stream ended inside a message (${this.bufferedBytes} bytes pending)`);
      throw this.failed;
    }
  }

  private nextEom(): Buffer | null {
    const at = this.buf.subarray(0, this.wr).indexOf(EOM_BYTES, Math.max(this.rd, this.scanFrom));
    if (at < 0) {
      // The last bytes may be the start of a delimiter: they do not count against the limit yet.
      if (this.wr - this.rd - (EOM_BYTES.length - 1) > this.maxMessageBytes) this.tooBig(this.wr - this.rd);
      this.scanFrom = Math.max(this.rd, this.wr - (EOM_BYTES.length - 1));
      return null;
    }
    if (at - this.rd > this.maxMessageBytes) this.tooBig(at - this.rd);
    const msg = Buffer.from(this.buf.subarray(this.rd, at));
    this.rd = this.scanFrom = at + EOM_BYTES.length;
    return msg;
  }

  private nextChunked(): Buffer | null {
    for (;;) {
      if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, this.wr - this.rd);
        if (take === 0) return null;
        this.parts.push(Buffer.from(this.buf.subarray(this.rd, this.rd + take)));
        this.partsLen += take;
        this.rd += take;
        this.chunkLeft -= take;
        continue;
      }
      const h = this.header();
      if (!h) return null;
      this.rd += h.len;
      if (h.kind === 'end') {
        if (this.partsLen === 0) throw new NetconfFramingError('bad-chunk-header', 'end-of-chunks before any chunk');
        const msg = Buffer.concat(this.parts, this.partsLen);
        this.parts = [];
        this.partsLen = 0;
        return msg;
      }
      if (this.partsLen + h.size > this.maxMessageBytes) this.tooBig(this.partsLen + h.size);
      this.chunkLeft = h.size;
    }
  }

  /** Parses a chunk header at `rd`; null when incomplete; throws as soon as a byte cannot fit. */
  private header(): Header | null {
    const b = this.buf;
    const avail = this.wr - this.rd;
    const at = this.rd;
    const where = this.partsLen === 0 ? 'before a message' : 'between chunks';
    if (avail < 1) return null;
    if (b[at] !== LF) throw new NetconfFramingError('junk', `byte 0x${b[at]!.toString(16).padStart(2, '0')} ${where}, expected "\\n#"`);
    if (avail < 2) return null;
    if (b[at + 1] !== HASH) throw new NetconfFramingError('junk', `byte 0x${b[at + 1]!.toString(16).padStart(2, '0')} after "\\n" ${where}, expected "#"`);
    if (avail < 3) return null;
    const c = b[at + 2]!;
    if (c === HASH) {
      if (avail < 4) return null;
      if (b[at + 3] !== LF) throw new NetconfFramingError('bad-chunk-header', 'end-of-chunks "\\n##" not followed by "\\n"');
      return { kind: 'end', len: 4 };
    }
    if (c === ZERO) throw new NetconfFramingError('bad-chunk-size', 'chunk size 0 or with a leading zero');
    if (c < ZERO || c > NINE) throw new NetconfFramingError('bad-chunk-header', `byte 0x${c.toString(16).padStart(2, '0')} where a chunk size was expected`);
    let size = 0;
    for (let i = at + 2; i < at + Math.min(avail, MAX_HEADER_BYTES); i++) {
      const d = b[i]!;
      if (d === LF) return { kind: 'chunk', size, len: i - at + 1 };
      if (d < ZERO || d > NINE) throw new NetconfFramingError('bad-chunk-header', `byte 0x${d.toString(16).padStart(2, '0')} inside a chunk size`);
      size = size * 10 + (d - ZERO);
      if (size > NETCONF_MAX_CHUNK_BYTES) throw new NetconfFramingError('bad-chunk-size', `chunk size over ${NETCONF_MAX_CHUNK_BYTES}`);
    }
    if (avail >= MAX_HEADER_BYTES) throw new NetconfFramingError('bad-chunk-size', 'chunk size longer than 10 digits');
    return null;
  }

  private tooBig(bytes: number): never {
    throw new NetconfFramingError('too-big', `message of ${bytes} bytes or more exceeds the limit of ${this.maxMessageBytes} bytes`);
  }
}
