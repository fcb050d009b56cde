// Console line protocol: requests and responses for CMIS module memory over a serial console line.
//
// # The protocol
//
// A console bridge (a controller in front of an optical module, or the emulator's stand-in) answers
// requests on a serial line. The design is prompt-free: the bridge sends no prompt, banner or echo,
// and answers each request line with exactly one response line, in order. A client writes a
// request and reads one line; it never scrapes prompts.
//
// Framing
//   ASCII lines ending in "\n"; a "\r" before it is dropped, so "\r\n" works too. A line is at most
//   CONSOLE_MAX_LINE (300) characters without its terminator; a longer one is discarded up to its
//   terminator and answered `err 1 line too long`. Empty lines get no answer, so a client may send
//   "\n" to end whatever partial line the bridge holds. Characters are printable ASCII (0x20-0x7e).
//   Tokens are separated by one or more spaces; keywords are case-insensitive; numbers are decimal
//   (1-10 digits) or hex with 0x (1-8 digits).
//
// Requests                                                       Answer on success
//   id                                  identify the bridge        ok <text>
//   rd <bank> <page> <offset> <len>     read len bytes             ok <hex>  (exactly 2*len digits)
//   wr <bank> <page> <offset> <hex>     write the bytes given      ok
//   echo <token>                        resynchronise              ok <token>
//
//   bank 0-255, page 0-255, offset 0-255, len 1-128 and offset + len <= 256 (a request never runs
//   past the end of a page); <hex> is 2-256 hex digits, an even count (1-128 bytes). The bridge
//   passes bank, page and offset through to the module as CMIS 5 addresses them (§8.1: bytes
//   0-127 are lower memory whatever the page, 128-255 the selected bank and page). <token> is 1-32
//   of [A-Za-z0-9_-]: after a timeout a client sends `echo <fresh token>` and discards lines until
//   `ok <token>`, so a late answer is never taken for the next request's.
//
// Responses
//   ok [<text>]                success; text (printable ASCII) runs to the end of the line
//   err <code> [<message>]     failure; code 1-999, message free text to the end of the line
//
// Error codes (CONSOLE_ERR)
//   1 syntax      not a valid request: unknown keyword, missing or extra token, bad number or hex,
//                 line too long, non-printable character
//   2 range       a value outside its range (bank, page, offset, len, offset + len > 256)
//   3 read-only   a write to read-only memory
//   4 busy        the module cannot answer now; retrying later may succeed
//   5 no module   no module is present (or none at that bank)
//   6 failed      the module or bridge failed the operation otherwise
// Codes outside this list parse as they are, so a newer bridge does not break an older client.
//
// This module is the codec: parse and format requests and responses (both throw nothing but
// ConsoleWireError, a WireError), and a line splitter that enforces the framing.
import { WireError } from '../wire.ts';

export const CONSOLE_MAX_LINE = 300;
export const CONSOLE_MAX_LEN = 128;
export const CONSOLE_PAGE_BYTES = 256;
export const CONSOLE_TOKEN_MAX = 32;

export const CONSOLE_ERR = {
  SYNTAX: 1,
  RANGE: 2,
  READ_ONLY: 3,
  BUSY: 4,
  NO_MODULE: 5,
  FAILED: 6,
} as const;
export type ConsoleErrorCode = (typeof CONSOLE_ERR)[keyof typeof CONSOLE_ERR];

/** Short names of the codes, for messages; unknown codes print as `code N`. */
export function consoleErrorName(code: number): string {
  const names: Record<number, string> = { 1: 'syntax', 2: 'range', 3: 'read-only', 4: 'busy', 5: 'no module', 6: 'failed' };
  return names[code] ?? `code ${code}`;
}

export interface ConsoleAddress {
  bank: number;
  page: number;
  offset: number;
}

export type ConsoleRequest =
  | { op: 'id' }
  | { op: 'echo'; token: string }
  | ({ op: 'rd'; len: number } & ConsoleAddress)
  | ({ op: 'wr'; data: Uint8Array } & ConsoleAddress);

export type ConsoleResponse = { ok: true; text: string } | { ok: false; code: number; message: string };

/** The codec's only error; `code` is the console error a bridge answers for it (1 syntax, 2 range). */
export class ConsoleWireError extends WireError {
  constructor(
    readonly code: typeof CONSOLE_ERR.SYNTAX | typeof CONSOLE_ERR.RANGE,
    field: string,
    readonly detail: string,
  ) {
    super('malformed', 'console', field, detail);
  }
}

const PRINTABLE = /^[\x20-\x7e]*$/;
const TOKEN = /^[A-Za-z0-9_-]{1,32}$/;
const DECIMAL = /^[0-9]{1,10}$/;
const HEX_NUMBER = /^0x[0-9a-f]{1,8}$/i;
const HEX_BYTES = /^(?:[0-9a-f]{2})+$/i;

function syntax(field: string, detail: string): never {
  throw new ConsoleWireError(CONSOLE_ERR.SYNTAX, field, detail);
}

function range(field: string, detail: string): never {
  throw new ConsoleWireError(CONSOLE_ERR.RANGE, field, detail);
}

function checkLine(line: string): void {
  if (line.length > CONSOLE_MAX_LINE) syntax('line', `longer than ${CONSOLE_MAX_LINE} characters`);
  if (!PRINTABLE.test(line)) syntax('line', 'non-printable character');
}

function parseNumber(field: string, token: string | undefined, max: number, min = 0): number {
  if (token === undefined) return syntax(field, 'missing');
  if (!DECIMAL.test(token) && !HEX_NUMBER.test(token)) return syntax(field, `"${shorten(token)}" is not a number`);
  const value = Number(token);
  if (value < min || value > max) range(field, `${value} not in ${min}..${max}`);
  return value;
}

/** A token as quoted in messages: at most 16 characters. */
function shorten(token: string): string {
  return token.length > 16 ? `${token.slice(0, 13)}...` : token;
}

function checkNumber(field: string, value: number, max: number, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > max) range(field, `${value} not an integer in ${min}..${max}`);
}

function checkSpan(offset: number, len: number): void {
  if (offset + len > CONSOLE_PAGE_BYTES) range('len', `offset ${offset} + len ${len} runs past byte 255 of the page`);
}

/** Lowercase hex of the bytes. */
export function consoleHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of an even-length hex string; `expectedLen` checks the count (an rd answer). */
export function parseConsoleHex(hex: string, expectedLen?: number): Uint8Array {
  if (!HEX_BYTES.test(hex)) syntax('hex', 'not an even number of hex digits');
  if (expectedLen !== undefined && hex.length !== expectedLen * 2) {
    syntax('hex', `${hex.length / 2} bytes where ${expectedLen} were asked for`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Parses one request line (without its terminator; a trailing "\r" is accepted). */
export function parseConsoleRequest(raw: string): ConsoleRequest {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  checkLine(line);
  const tokens = line.split(' ').filter((t) => t !== '');
  const [keyword, ...args] = tokens;
  if (keyword === undefined) return syntax('keyword', 'empty request');
  const arity = (n: number): void => {
    if (args.length !== n) syntax('line', `${keyword.toLowerCase()} takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
  };
  switch (keyword.toLowerCase()) {
    case 'id':
      arity(0);
      return { op: 'id' };
    case 'echo':
      arity(1);
      if (!TOKEN.test(args[0]!)) syntax('token', `1-${CONSOLE_TOKEN_MAX} of A-Z a-z 0-9 _ -`);
      return { op: 'echo', token: args[0]! };
    case 'rd': {
      arity(4);
      const bank = parseNumber('bank', args[0], 255);
      const page = parseNumber('page', args[1], 255);
      const offset = parseNumber('offset', args[2], 255);
      const len = parseNumber('len', args[3], CONSOLE_MAX_LEN, 1);
      checkSpan(offset, len);
      return { op: 'rd', bank, page, offset, len };
    }
    case 'wr': {
      arity(4);
      const bank = parseNumber('bank', args[0], 255);
      const page = parseNumber('page', args[1], 255);
      const offset = parseNumber('offset', args[2], 255);
      const hex = args[3]!;
      if (!HEX_BYTES.test(hex)) syntax('data', 'not an even number of hex digits');
      if (hex.length > CONSOLE_MAX_LEN * 2) range('data', `${hex.length / 2} bytes, at most ${CONSOLE_MAX_LEN}`);
      checkSpan(offset, hex.length / 2);
      return { op: 'wr', bank, page, offset, data: parseConsoleHex(hex) };
    }
    default:
      return syntax('keyword', `unknown request "${shorten(keyword)}"`);
  }
}

/** Formats a request line without its terminator; checks every value as the bridge would. */
export function formatConsoleRequest(req: ConsoleRequest): string {
  switch (req.op) {
    case 'id':
      return 'id';
    case 'echo':
      if (!TOKEN.test(req.token)) syntax('token', `1-${CONSOLE_TOKEN_MAX} of A-Z a-z 0-9 _ -`);
      return `echo ${req.token}`;
    case 'rd':
    case 'wr': {
      checkNumber('bank', req.bank, 255);
      checkNumber('page', req.page, 255);
      checkNumber('offset', req.offset, 255);
      const len = req.op === 'rd' ? req.len : req.data.length;
      checkNumber(req.op === 'rd' ? 'len' : 'data', len, CONSOLE_MAX_LEN, 1);
      checkSpan(req.offset, len);
      const at = `${req.bank} ${req.page} ${req.offset}`;
      return req.op === 'rd' ? `rd ${at} ${req.len}` : `wr ${at} ${consoleHex(req.data)}`;
    }
  }
}

/** Parses one response line (without its terminator; a trailing "\r" is accepted). */
export function parseConsoleResponse(raw: string): ConsoleResponse {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  checkLine(line);
  const ok = /^ok(?: (.*))?$/i.exec(line);
  if (ok) return { ok: true, text: ok[1] ?? '' };
  const err = /^err ([0-9]{1,3})(?: (.*))?$/i.exec(line);
  if (err) {
    const code = Number(err[1]);
    if (code < 1) syntax('code', 'error code 0');
    return { ok: false, code, message: err[2] ?? '' };
  }
  return syntax('line', 'a response starts with "ok" or "err <code>"');
}

/** Formats a response line without its terminator. Text must be printable ASCII that fits a line. */
export function formatConsoleResponse(res: ConsoleResponse): string {
  if (res.ok) {
    const line = res.text === '' ? 'ok' : `ok ${res.text}`;
    checkLine(line);
    return line;
  }
  checkNumber('code', res.code, 999, 1);
  const line = res.message === '' ? `err ${res.code}` : `err ${res.code} ${res.message}`;
  checkLine(line);
  return line;
}

/** Makes free text safe for a response: printable ASCII only, cut to `max` characters. */
export function consoleText(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

/** What the splitter found: a line (terminator and trailing "\r" removed), or an over-long line. */
export type ConsoleLineEvent = { line: string } | { tooLong: true };

/**
 * Splits a byte stream into lines. A line longer than `maxLine` is discarded up to its "\n" and
 * reported once as `tooLong`, so a stream without newlines never grows memory past `maxLine`.
 * Bytes are read as Latin-1 (one character each), so any byte sequence gives some line.
 */
export class ConsoleLineSplitter {
  private pending = '';
  private discarding = false;

  constructor(private readonly maxLine = CONSOLE_MAX_LINE) {}

  push(chunk: Uint8Array | string): ConsoleLineEvent[] {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const out: ConsoleLineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (!this.discarding) {
        // keep at most maxLine + 2 characters: enough to know the line (less a "\r") is too long
        this.pending += text.slice(start, Math.min(nl === -1 ? text.length : nl, start + this.maxLine + 2 - this.pending.length));
        if (this.pending.length > this.maxLine + 1) {
          this.discarding = true;
          this.pending = '';
          out.push({ tooLong: true });
        }
      }
      if (nl === -1) return out;
      if (!this.discarding) {
        const line = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
        out.push(line.length > this.maxLine ? { tooLong: true } : { line });
      }
      this.discarding = false;
      this.pending = '';
      start = nl + 1;
    }
  }

  /** Drops a partial line (after the line was reset). */
  reset(): void {
    this.pending = '';
    this.discarding = false;
  }
}
