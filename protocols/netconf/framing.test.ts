// RFC 6242 framing: round trips at every split, the 1.0 -> 1.1 switch, typed errors, the size limit, a fuzz loop.
import { describe, expect, it } from 'vitest';
import { prng, randomBytes } from '../testing.ts';
import { NetconfFramingError } from './errors.ts';
import { encodeNetconfMessage, NetconfFrameDecoder, type NetconfFraming } from './framing.ts';

const MSGS = ['<hello/>', '<rpc message-id="1"><get/></rpc>', `<rpc-reply>${'é€'.repeat(50)}</rpc-reply>`];

function decodeAll(dec: NetconfFrameDecoder, bytes: Uint8Array, splits: number[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const end of [...splits, bytes.length]) {
    dec.push(bytes.subarray(at, end));
    at = end;
    for (let m = dec.next(); m !== null; m = dec.next()) out.push(m.toString('utf8'));
  }
  return out;
}

function framingError(f: () => unknown): NetconfFramingError {
  try {
    f();
  } catch (e) {
    if (e instanceof NetconfFramingError) return e;
    throw e;
  }
  throw new Error('expected a NetconfFramingError');
}

function feed(framing: NetconfFraming, text: string, max?: number): () => unknown {
  return () => {
    const dec = new NetconfFrameDecoder({ framing, ...(max ? { maxMessageBytes: max } : {}) });
    dec.push(Buffer.from(text));
    while (dec.next() !== null);
  };
}

describe('NETCONF framing encoder', () => {
  it('appends ]]>]]> for base:1.0 and wraps chunks for base:1.1', () => {
    expect(encodeNetconfMessage('<a/>', 'eom').toString()).toBe('<a/>]]>]]>');
    expect(encodeNetconfMessage('<a/>', 'chunked').toString()).toBe('\n#4\n<a/>\n##\n');
    expect(encodeNetconfMessage('<abcd/>', 'chunked', 3).toString()).toBe('\n#3\n<ab\n#3\ncd/\n#1\n>\n##\n');
    expect(encodeNetconfMessage('é', 'chunked').toString()).toBe('\n#2\né\n##\n'); // sizes in bytes, not characters
  });

  it('refuses what it cannot frame', () => {
    expect(() => encodeNetconfMessage('', 'chunked')).toThrow(RangeError);
    expect(() => encodeNetconfMessage('a]]>]]>b', 'eom')).toThrow(RangeError);
    expect(() => encodeNetconfMessage('a', 'chunked', 0)).toThrow(RangeError);
  });
});

describe('NETCONF framing decoder', () => {
  for (const framing of ['eom', 'chunked'] as const) {
    it(`${framing}: decodes several messages split at every position`, () => {
      const stream = Buffer.concat(MSGS.map((m) => encodeNetconfMessage(m, framing, 7)));
      for (let cut = 0; cut <= stream.length; cut++) {
        expect(decodeAll(new NetconfFrameDecoder({ framing }), stream, [cut])).toEqual(MSGS);
      }
      expect(decodeAll(new NetconfFrameDecoder({ framing }), stream, [...stream.keys()].slice(1))).toEqual(MSGS);
    });
  }

  it('switches to chunked after the hello even when both arrive in one read', () => {
    const dec = new NetconfFrameDecoder();
    dec.push(Buffer.concat([encodeNetconfMessage('<hello/>', 'eom'), encodeNetconfMessage('<rpc/>', 'chunked')]));
    expect(dec.next()?.toString()).toBe('<hello/>');
    dec.setFraming('chunked');
    expect(dec.next()?.toString()).toBe('<rpc/>');
    expect(dec.next()).toBeNull();
  });

  it('refuses to switch inside a message', () => {
    const dec = new NetconfFrameDecoder({ framing: 'chunked' });
    dec.push(Buffer.from('\n#5\nab'));
    expect(dec.next()).toBeNull();
    expect(() => dec.setFraming('eom')).toThrow(/between messages/);
  });

  it.each([
    ['\n#abc\n<a/>\n##\n', 'bad-chunk-header'],
    ['\n#0\n\n##\n', 'bad-chunk-size'],
    ['\n#05\nabcde\n##\n', 'bad-chunk-size'],
    ['\n#4294967296\n', 'bad-chunk-size'],
    ['\n#12345678901\n', 'bad-chunk-size'],
    ['\n#3\nabcX\n##\n', 'junk'],
    ['x\n#1\na\n##\n', 'junk'],
    ['\n\n#1\na\n##\n', 'junk'],
    ['\n##\n', 'bad-chunk-header'],
    ['\n#1\na\n##x', 'bad-chunk-header'],
    ['\n#1 \na\n##\n', 'bad-chunk-header'],
  ])('chunked %j -> %s', (text, problem) => {
    expect(framingError(feed('chunked', text)).problem).toBe(problem);
  });

  it('refuses a chunk header announcing more than the limit before its data arrives', () => {
    const e = framingError(feed('chunked', '\n#4294967295\n'));
    expect(e.problem).toBe('too-big');
    expect(e.message).toMatch(/16777216/);
    expect(framingError(feed('chunked', '\n#100\n', 99)).problem).toBe('too-big');
  });

  it('counts all chunks of a message against the limit', () => {
    expect(framingError(feed('chunked', '\n#60\n' + 'a'.repeat(60) + '\n#60\n', 100)).problem).toBe('too-big');
    expect(() => feed('chunked', '\n#50\n' + 'a'.repeat(50) + '\n#50\n' + 'b'.repeat(50) + '\n##\n', 100)()).not.toThrow();
  });

  it('refuses an end-of-message stream that grows past the limit without a delimiter', () => {
    const dec = new NetconfFrameDecoder({ maxMessageBytes: 1000 });
    dec.push(Buffer.alloc(1005, 0x61)); // 1000 bytes of message, then 5 that could still start "]]>]]>"
    expect(dec.next()).toBeNull();
    dec.push(Buffer.alloc(1, 0x61));
    expect(framingError(() => dec.next()).problem).toBe('too-big');
    expect(() => feed('eom', 'a'.repeat(1000) + ']]>]]>', 1000)()).not.toThrow();
    expect(framingError(feed('eom', 'a'.repeat(1001) + ']]>]]>', 1000)).problem).toBe('too-big');
  });

  it('stays failed after an error and reports a message cut short at the end of input', () => {
    const dec = new NetconfFrameDecoder({ framing: 'chunked' });
    dec.push(Buffer.from('\n#0'));
    const first = framingError(() => dec.next());
    expect(framingError(() => dec.push(Buffer.from('\n#1\na\n##\n')))).toBe(first);
    const cut = new NetconfFrameDecoder();
    cut.push(Buffer.from('<rpc>'));
    expect(cut.next()).toBeNull();
    expect(framingError(() => cut.end()).problem).toBe('closed');
  });

  it('decodes a large message arriving in small pieces in linear time', () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 0x62);
    for (const framing of ['eom', 'chunked'] as const) {
      const wire = encodeNetconfMessage(body, framing, 65536);
      const dec = new NetconfFrameDecoder({ framing });
      let got: Buffer | null = null;
      for (let at = 0; at < wire.length; at += 32768) {
        dec.push(wire.subarray(at, at + 32768));
        got = dec.next() ?? got;
        expect(dec.bufferedBytes).toBeLessThanOrEqual(body.length + 32768);
      }
      expect(got?.equals(body)).toBe(true);
    }
  });
});

describe('NETCONF framing fuzz', () => {
  it('throws only NetconfFramingError on random and mutated streams, with bounded buffering', () => {
    const rnd = prng(6242);
    const samples = (['eom', 'chunked'] as const).map((f) => Buffer.concat(MSGS.map((m) => encodeNetconfMessage(m, f, 1 + (rnd() % 9)))));
    const stats = { messages: 0, errors: 0 };
    for (let i = 0; i < 20_000; i++) {
      const framing: NetconfFraming = rnd() & 1 ? 'chunked' : 'eom';
      let input: Uint8Array;
      if (rnd() & 1) input = randomBytes(rnd, rnd() % 300);
      else {
        const b = Buffer.from(samples[framing === 'eom' ? 0 : 1]!);
        for (let k = 1 + (rnd() % 4); k > 0; k--) b[rnd() % b.length] ^= 1 << (rnd() % 8);
        input = rnd() & 1 ? b.subarray(0, rnd() % (b.length + 1)) : b;
      }
      const max = rnd() & 1 ? 64 : 4096;
      const dec = new NetconfFrameDecoder({ framing, maxMessageBytes: max });
      try {
        let at = 0;
        while (at < input.length) {
          const n = 1 + (rnd() % 40);
          dec.push(input.subarray(at, at + n));
          at += n;
          for (let m = dec.next(); m !== null; m = dec.next()) {
            stats.messages++;
            expect(m.length).toBeLessThanOrEqual(max);
          }
          expect(dec.bufferedBytes).toBeLessThanOrEqual(max + 40 + 13);
        }
      } catch (e) {
        if (!(e instanceof NetconfFramingError)) throw new Error(`fuzz iteration ${i} (${framing}): ${String(e)} on ${Buffer.from(input).toString('hex')}`);
        stats.errors++;
      }
    }
    expect(stats.messages).toBeGreaterThan(1000);
    expect(stats.errors).toBeGreaterThan(1000);
  });
});
