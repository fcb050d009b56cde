// The console server as a raw serial peer sees it: framing, pipelining, error codes, over a socat pty pair.
//
// Checks: CRLF and LF requests; empty lines get no answer; pipelined requests are answered in
// order, one line each; an over-long line is answered `err 1 line too long` and the next request
// is intact; provider errors map to their codes (ConsoleMemoryError) or 6; a short read is 6.
// Without socat the suite is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { peerMissing, peerTitle, until } from '../../../drivers/snmp/testing.ts';
import { startSocatPair, type SocatPair } from '../../../drivers/serial/testing.ts';
import { ConsoleMemoryError, ConsoleServer } from './console-server.ts';

const missing = peerMissing('socat', 'socat', 'the console server test');

describe.skipIf(missing !== undefined)(peerTitle('console server seen from a raw serial port', missing), () => {
  let dir: string;
  let pair: SocatPair | undefined;
  let server: ConsoleServer | undefined;
  let port: SerialPort | undefined;
  const lines: string[] = [];
  const errors: Error[] = [];

  /** Writes raw bytes and waits for `count` more answer lines. */
  const exchange = async (bytes: string, count: number): Promise<string[]> => {
    const start = lines.length;
    port!.write(bytes, 'latin1');
    await until(() => lines.length >= start + count, `${count} answer line(s) to ${JSON.stringify(bytes.slice(0, 40))}`, 3000, 5);
    return lines.slice(start);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fabric-hil-console-server-'));
    pair = await startSocatPair(dir);
    server = await ConsoleServer.open({
      path: pair.b,
      id: 'raw test bridge',
      onError: (e) => errors.push(e),
      memory: {
        read: (bank, _page, offset, len) => {
          if (bank === 4) throw new ConsoleMemoryError(4, 'module busy, retry');
          if (bank === 6) throw new Error('i2c bus\nstuck');
          if (bank === 8) return new Uint8Array(len - 1);
          return Uint8Array.from({ length: len }, (_, i) => offset + i);
        },
        write: () => {},
      },
    });
    port = new SerialPort({ path: pair.a, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port!.open((err) => (err ? reject(err) : resolve())));
    let pending = '';
    port.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const parts = pending.split('\n');
      pending = parts.pop()!;
      lines.push(...parts);
    });
  });

  afterAll(async () => {
    if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
    await server?.close();
    await pair?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('answers LF and CRLF requests, ignores empty lines, keeps pipelined order', async () => {
    expect(await exchange('id\r\n', 1)).toEqual(['ok raw test bridge']);
    expect(await exchange('\n\r\n\nrd 0 0 16 3\nwr 0 0 0 00\r\necho z9\n', 3)).toEqual(['ok 101112', 'ok', 'ok z9']);
  });

  test('an over-long line gets err 1 and the next request is intact', async () => {
    expect(await exchange(`${'x'.repeat(400)}\nid\n`, 2)).toEqual(['err 1 line too long', 'ok raw test bridge']);
    expect(await exchange(`rd 0 0 0 ${'9'.repeat(290)}\n`, 1)).toEqual(['err 1 len: "9999999999999..." is not a number']);
  });

  test('codec and provider errors map to codes', async () => {
    expect(await exchange('rd 0 0 255 2\n', 1)).toEqual(['err 2 len: offset 255 + len 2 runs past byte 255 of the page']);
    expect(await exchange('rd 4 0 0 1\n', 1)).toEqual(['err 4 module busy, retry']);
    expect(await exchange('rd 6 0 0 1\n', 1)).toEqual(['err 6 i2c bus?stuck']);
    expect(await exchange('rd 8 0 0 2\n', 1)).toEqual(['err 6 memory provider returned 1 bytes for 2']);
    expect(await exchange('wr 0 0 0 0g\n', 1)).toEqual(['err 1 data: not an even number of hex digits']);
    expect(errors.map((e) => e.message)).toEqual(['i2c bus\nstuck', 'memory provider returned 1 bytes for 2']);
  });
});
