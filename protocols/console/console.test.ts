// Console line protocol codec: requests, responses, error codes, line splitting, fuzzing.
import { describe, expect, test } from 'vitest';
import { fuzz, prng } from '../testing.ts';
import { WireError } from '../wire.ts';
import {
  CONSOLE_ERR,
  CONSOLE_MAX_LINE,
  ConsoleLineSplitter,
  ConsoleWireError,
  consoleErrorName,
  consoleText,
  formatConsoleRequest,
  formatConsoleResponse,
  parseConsoleHex,
  parseConsoleRequest,
  parseConsoleResponse,
  type ConsoleLineEvent,
  type ConsoleRequest,
} from './console.ts';

function codeOf(f: () => unknown): { code: number; field: string } | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ConsoleWireError) return { code: e.code, field: e.field };
    throw e;
  }
  return undefined;
}

describe('console requests', () => {
  test('parse each request', () => {
    expect(parseConsoleRequest('id')).toEqual({ op: 'id' });
    expect(parseConsoleRequest('echo sync-7_A')).toEqual({ op: 'echo', token: 'sync-7_A' });
    expect(parseConsoleRequest('rd 0 0 128 4')).toEqual({ op: 'rd', bank: 0, page: 0, offset: 128, len: 4 });
    expect(parseConsoleRequest('wr 1 0x11 0x80 00ff10A5')).toEqual({
      op: 'wr',
      bank: 1,
      page: 0x11,
      offset: 0x80,
      data: new Uint8Array([0x00, 0xff, 0x10, 0xa5]),
    });
  });

  test('accept CRLF, repeated spaces and any keyword case', () => {
    expect(parseConsoleRequest('RD  2 0x10   255 1\r')).toEqual({ op: 'rd', bank: 2, page: 16, offset: 255, len: 1 });
    expect(parseConsoleRequest(' Id ')).toEqual({ op: 'id' });
  });

  test('format exact lines and round trip', () => {
    const reqs: ConsoleRequest[] = [
      { op: 'id' },
      { op: 'echo', token: 'x1' },
      { op: 'rd', bank: 0, page: 0x10, offset: 128, len: 128 },
      { op: 'wr', bank: 255, page: 255, offset: 255, data: new Uint8Array([0xab]) },
      { op: 'wr', bank: 0, page: 0, offset: 128, data: new Uint8Array(128).fill(0xa5) },
    ];
    expect(reqs.map(formatConsoleRequest).slice(0, 4)).toEqual(['id', 'echo x1', 'rd 0 16 128 128', 'wr 255 255 255 ab']);
    for (const r of reqs) expect(parseConsoleRequest(formatConsoleRequest(r))).toEqual(r);
    // the longest request fits a line
    expect(formatConsoleRequest(reqs[4]!).length).toBeLessThanOrEqual(CONSOLE_MAX_LINE);
    expect(formatConsoleRequest({ op: 'wr', bank: 255, page: 255, offset: 128, data: new Uint8Array(128) }).length).toBe(271);
  });

  test.each([
    ['', 1, 'keyword'],
    ['read 0 0 0 1', 1, 'keyword'],
    ['rd 0 0 0', 1, 'line'],
    ['rd 0 0 0 1 2', 1, 'line'],
    ['id now', 1, 'line'],
    ['rd x 0 0 1', 1, 'bank'],
    ['rd -1 0 0 1', 1, 'bank'],
    ['rd 0 0 0 1.5', 1, 'len'],
    ['rd 0 0 0 0x', 1, 'len'],
    ['rd 0 0 0 12345678901', 1, 'len'],
    ['wr 0 0 0 abc', 1, 'data'],
    ['wr 0 0 0 zz', 1, 'data'],
    ['echo', 1, 'line'],
    ['echo bad/token', 1, 'token'],
    [`echo ${'t'.repeat(33)}`, 1, 'token'],
    ['rd 0 0 0\t1', 1, 'line'],
    ['rd 0 0 0 1\r\r', 1, 'line'],
    [`id${' '.repeat(CONSOLE_MAX_LINE)}`, 1, 'line'],
    ['rd 256 0 0 1', 2, 'bank'],
    ['rd 0 0x100 0 1', 2, 'page'],
    ['rd 0 0 256 1', 2, 'offset'],
    ['rd 0 0 0 0', 2, 'len'],
    ['rd 0 0 0 129', 2, 'len'],
    ['rd 0 0 200 57', 2, 'len'],
    ['rd 0 0 0 9999999999', 2, 'len'],
    [`wr 0 0 0 ${'00'.repeat(129)}`, 2, 'data'],
    ['wr 0 0 255 0000', 2, 'len'],
  ])('%j is error %i at %s', (line, code, field) => {
    expect(codeOf(() => parseConsoleRequest(line))).toEqual({ code, field });
  });

  test('formatting checks values like the bridge', () => {
    expect(codeOf(() => formatConsoleRequest({ op: 'rd', bank: 0, page: 0, offset: 250, len: 7 }))).toEqual({ code: 2, field: 'len' });
    expect(codeOf(() => formatConsoleRequest({ op: 'rd', bank: 1.5, page: 0, offset: 0, len: 1 }))).toEqual({ code: 2, field: 'bank' });
    expect(codeOf(() => formatConsoleRequest({ op: 'wr', bank: 0, page: 0, offset: 0, data: new Uint8Array(0) }))).toEqual({ code: 2, field: 'data' });
    expect(codeOf(() => formatConsoleRequest({ op: 'echo', token: 'two words' }))).toEqual({ code: 1, field: 'token' });
  });

  test('the error is a WireError naming the protocol and field', () => {
    const e = (() => {
      try {
        parseConsoleRequest('rd 0 0 300 1');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(WireError);
    expect((e as Error).message).toBe('console offset: malformed (300 not in 0..255)');
  });
});

describe('console responses', () => {
  test('parse and format', () => {
    expect(parseConsoleResponse('ok')).toEqual({ ok: true, text: '' });
    expect(parseConsoleResponse('ok 00ff\r')).toEqual({ ok: true, text: '00ff' });
    expect(parseConsoleResponse('ok fabric-hil console bridge 1.0')).toEqual({ ok: true, text: 'fabric-hil console bridge 1.0' });
    expect(parseConsoleResponse('err 3 read-only byte 0x80')).toEqual({ ok: false, code: 3, message: 'read-only byte 0x80' });
    expect(parseConsoleResponse('err 42')).toEqual({ ok: false, code: 42, message: '' });
    expect(formatConsoleResponse({ ok: true, text: '' })).toBe('ok');
    expect(formatConsoleResponse({ ok: true, text: 'a5' })).toBe('ok a5');
    expect(formatConsoleResponse({ ok: false, code: CONSOLE_ERR.BUSY, message: 'module busy' })).toBe('err 4 module busy');
    expect(formatConsoleResponse({ ok: false, code: 5, message: '' })).toBe('err 5');
  });

  test.each(['', 'okay', 'err', 'err x', 'err 0 zero', 'err 1234 big', 'ERROR 1', 'ok \x01'])('%j is malformed', (line) => {
    expect(codeOf(() => parseConsoleResponse(line))?.code).toBe(1);
  });

  test('formatting refuses what a line cannot carry; consoleText makes text safe', () => {
    expect(codeOf(() => formatConsoleResponse({ ok: false, code: 0, message: 'x' }))).toEqual({ code: 2, field: 'code' });
    expect(codeOf(() => formatConsoleResponse({ ok: true, text: 'a\nb' }))).toEqual({ code: 1, field: 'line' });
    expect(codeOf(() => formatConsoleResponse({ ok: true, text: 'x'.repeat(CONSOLE_MAX_LINE) }))).toEqual({ code: 1, field: 'line' });
    expect(consoleText('bad\nthing\u00e9')).toBe('bad?thing?');
    expect(consoleText('y'.repeat(300)).length).toBe(200);
    expect(formatConsoleResponse({ ok: false, code: 6, message: consoleText('z'.repeat(1000)) }).length).toBeLessThanOrEqual(CONSOLE_MAX_LINE);
    expect(consoleErrorName(3)).toBe('read-only');
    expect(consoleErrorName(77)).toBe('code 77');
  });

  test('hex payloads', () => {
    expect([...parseConsoleHex('00FFa5', 3)]).toEqual([0, 255, 0xa5]);
    expect(codeOf(() => parseConsoleHex('00ff', 3))).toEqual({ code: 1, field: 'hex' });
    expect(codeOf(() => parseConsoleHex(''))).toEqual({ code: 1, field: 'hex' });
  });
});

describe('console line splitter', () => {
  const lines = (events: ConsoleLineEvent[]): Array<string | null> => events.map((e) => ('line' in e ? e.line : null));

  test('splits chunks on \\n and drops a \\r before it', () => {
    const s = new ConsoleLineSplitter();
    expect(lines(s.push('ok 01'))).toEqual([]);
    expect(lines(s.push(new TextEncoder().encode('02\r\nerr 4 busy\n\nid')))).toEqual(['ok 0102', 'err 4 busy', '']);
    expect(lines(s.push('\n'))).toEqual(['id']);
  });

  test('an over-long line is reported once and the next line is intact', () => {
    const s = new ConsoleLineSplitter(10);
    expect(lines(s.push('x'.repeat(10) + '\r\n'))).toEqual(['x'.repeat(10)]);
    expect(lines(s.push('y'.repeat(11) + '\n'))).toEqual([null]);
    expect(lines(s.push('z'.repeat(5)))).toEqual([]);
    expect(lines(s.push('z'.repeat(50)))).toEqual([null]);
    expect(lines(s.push('z'.repeat(5000)))).toEqual([]);
    expect(lines(s.push('\nid\n'))).toEqual(['id']);
    s.push('partial');
    s.reset();
    expect(lines(s.push('id\n'))).toEqual(['id']);
  });
});

describe('console fuzz', () => {
  const strict = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof WireError && !(e instanceof ConsoleWireError)) throw new Error(`not the console error: ${e.message}`);
      throw e;
    }
  };
  const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
  const samples = ['id', 'echo abc', 'rd 0 0 128 4', 'wr 1 0x11 200 00ff', 'ok 00ff', 'err 3 read-only'].map((l) => new TextEncoder().encode(l));

  test('random and mutated request lines throw only ConsoleWireError and round trip', () => {
    const stats = fuzz({
      seed: 7,
      samples,
      maxLen: CONSOLE_MAX_LINE + 20,
      parse: (b) => strict(() => parseConsoleRequest(latin1(b))),
      roundTrip: (req) => expect(parseConsoleRequest(formatConsoleRequest(req))).toEqual(req),
    });
    expect(stats.parsed).toBeGreaterThan(0);
  });

  test('random and mutated response lines throw only ConsoleWireError and round trip', () => {
    const stats = fuzz({
      seed: 8,
      samples,
      maxLen: CONSOLE_MAX_LINE + 20,
      parse: (b) => strict(() => parseConsoleResponse(latin1(b))),
      roundTrip: (res) => expect(parseConsoleResponse(formatConsoleResponse(res))).toEqual(res),
    });
    expect(stats.parsed).toBeGreaterThan(0);
  });

  test('lines built from protocol tokens', () => {
    const rnd = prng(11);
    const words = ['id', 'rd', 'wr', 'echo', 'ok', 'err', '0', '1', '127', '128', '255', '256', '0x', '0x7f', '0xFFFFFFFF', '00', 'a5a5', 'abc', '-1', '', ' ', '\r', 'zz'];
    let parsed = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = rnd() % 7;
      const line = Array.from({ length: n }, () => words[rnd() % words.length]).join(rnd() % 5 ? ' ' : '  ');
      for (const parse of [parseConsoleRequest, parseConsoleResponse] as const) {
        try {
          const v = parse(line);
          parsed++;
          expect(v).toBeDefined();
        } catch (e) {
          if (!(e instanceof ConsoleWireError)) throw new Error(`line ${JSON.stringify(line)}: ${String(e)}`);
        }
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });

  test('the splitter takes any bytes in any chunks and never yields a line over the limit', () => {
    const rnd = prng(12);
    const s = new ConsoleLineSplitter(40);
    for (let i = 0; i < 5000; i++) {
      const chunk = new Uint8Array(rnd() % 120).map(() => (rnd() % 8 === 0 ? 0x0a : rnd() % 8 === 1 ? 0x0d : rnd() & 0xff));
      for (const e of s.push(chunk)) if ('line' in e) expect(e.line.length).toBeLessThanOrEqual(40);
    }
  });
});
