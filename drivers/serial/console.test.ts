// Interop: our console client against our console server over a socat pseudo-terminal pair.
//
// Checks: id; write then read back (one request and split across requests by the serial device);
// err answers with their codes (syntax, range, read-only, no module); a timeout when the server does
// not answer in time, after which the late answer is discarded (echo resync); after socat is killed
// the request in flight fails with ConsoleLineError, a request made meanwhile waits, and once socat
// is restarted on the same link names both ends reopen and it is answered; reopening gives up
// after its bound; serialport's lock keeps a second client off a port in use.
// Without socat the suite is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONSOLE_ERR } from '../../protocols/console/console.ts';
import { ConsoleMemoryError, ConsoleServer, type ConsoleMemory } from '../../emulators/mgmt/serial/console-server.ts';
import { DeviceError, has } from '../device.ts';
import { peerMissing, peerTitle, until } from '../snmp/testing.ts';
import { ConsoleClient, ConsoleError, ConsoleLineError, ConsoleTimeoutError } from './console-client.ts';
import { createSerialDevice, serialSettings } from './device.ts';
import { startSocatPair, type SocatPair } from './testing.ts';

const SLOW_BANK = 9;
const ABSENT_BANK = 7;
const TIMEOUT_MS = 300;

/** 256-byte pages by bank/page; page 0 lower memory (0-127) of bank 0 is read-only. */
class TestMemory implements ConsoleMemory {
  readonly pages = new Map<string, Uint8Array>();
  slowMs = 1.5 * TIMEOUT_MS;
  slowReads = 0;

  private page(bank: number, page: number): Uint8Array {
    const key = `${bank}/${page}`;
    let p = this.pages.get(key);
    if (!p) {
      p = Uint8Array.from({ length: 256 }, (_, i) => (i + bank * 16 + page) & 0xff);
      this.pages.set(key, p);
    }
    return p;
  }

  async read(bank: number, page: number, offset: number, len: number): Promise<Uint8Array> {
    if (bank === ABSENT_BANK) throw new ConsoleMemoryError(CONSOLE_ERR.NO_MODULE, 'no module in bank 7');
    if (bank === SLOW_BANK) {
      this.slowReads++;
      await new Promise((r) => setTimeout(r, this.slowMs));
    }
    return this.page(bank, page).slice(offset, offset + len);
  }

  write(bank: number, page: number, offset: number, data: Uint8Array): void {
    if (bank === 0 && page === 0 && offset < 128) throw new ConsoleMemoryError(CONSOLE_ERR.READ_ONLY, `byte ${offset} is read-only`);
    this.page(bank, page).set(data, offset);
  }
}

const missing = peerMissing('socat', 'socat', 'the serial console interop test');

describe.skipIf(missing !== undefined)(peerTitle('console client and server over socat ptys', missing), () => {
  let dir: string;
  let socat: SocatPair | undefined;
  const memory = new TestMemory();
  let server: ConsoleServer | undefined;
  let client: ConsoleClient | undefined;
  const extra: Array<{ close(): Promise<void> }> = [];
  const pairs: SocatPair[] = [];

  const startPair = async (names?: [string, string]): Promise<SocatPair> => {
    const p = await startSocatPair(dir, names);
    pairs.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fabric-hil-console-'));
    socat = await startPair();
    server = await ConsoleServer.open({ path: socat.b, memory, id: 'test bridge v1', reopenTimeoutMs: 10_000 });
    client = await ConsoleClient.open({ path: socat.a, timeoutMs: TIMEOUT_MS, reopenTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    await Promise.allSettled([client?.close(), server?.close(), ...extra.map((e) => e.close())]);
    await Promise.allSettled(pairs.map((p) => p.process.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('id, write and read back', async () => {
    expect(await client!.identify()).toBe('test bridge v1');
    const data = Uint8Array.from({ length: 128 }, (_, i) => 255 - i);
    await client!.write(1, 0x11, 128, data);
    expect(await client!.read(1, 0x11, 128, 128)).toEqual(data);
    expect(await client!.read(0, 0, 0, 4)).toEqual(new Uint8Array([0, 1, 2, 3]));
    expect(await client!.request('echo abc')).toEqual({ ok: true, text: 'abc' });
  });

  test('error answers carry their codes', async () => {
    const ro = await client!.write(0, 0, 2, new Uint8Array([1])).catch((e: unknown) => e);
    expect(ro).toBeInstanceOf(ConsoleError);
    expect(ro).toMatchObject({ code: 3, detail: 'byte 2 is read-only' });
    expect((ro as Error).message).toBe(`console ${socat!.a}: "wr 0 0 2 01": err 3 (read-only): byte 2 is read-only`);
    await expect(client!.read(ABSENT_BANK, 0, 0, 1)).rejects.toMatchObject({ name: 'ConsoleError', code: 5 });
    expect(await client!.request('rd 0 0 300 1')).toEqual({ ok: false, code: 2, message: 'offset: 300 not in 0..255' });
    expect(await client!.request('peek 0')).toEqual({ ok: false, code: 1, message: 'keyword: unknown request "peek"' });
    await expect(client!.request('id\nid')).rejects.toThrow(RangeError);
  });

  test('a timeout when the server does not answer in time; the late answer is discarded', async () => {
    const t0 = performance.now();
    const err = await client!.read(SLOW_BANK, 0, 0, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsoleTimeoutError);
    expect((err as Error).message).toBe(`console ${socat!.a}: no answer to "rd 9 0 0 2" within ${TIMEOUT_MS} ms`);
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS + 1000);
    // The slow answer ("ok 9091") arrives during the next request's resync and must not be taken for it.
    expect(await client!.read(2, 0, 16, 2)).toEqual(new Uint8Array([48, 49]));
    expect(await client!.read(3, 0, 0, 1)).toEqual(new Uint8Array([48]));
  });

  test('the serial device reads and writes CMIS memory across several requests', async () => {
    // its own pair: serialport locks a port, so a second client cannot share ttyA
    const pair = await startPair(['ttyE', 'ttyF']);
    extra.push(await ConsoleServer.open({ path: pair.b, memory }));
    const device = await createSerialDevice({ id: 'module1', kind: 'optical-module', ports: ['host1', 'line1'] }, { serial: { path: pair.a, timeoutMs: 1000 } });
    extra.push(device);
    await expect(ConsoleClient.open({ path: pair.a })).rejects.toThrow(/cannot open: .*Cannot lock port/);
    expect(has(device, 'cmis')).toBe(true);
    expect(has(device, 'counters')).toBe(false);
    const data = Uint8Array.from({ length: 200 }, (_, i) => i ^ 0x5a);
    await device.cmis.write('host1', 2, 0x10, 56, data);
    expect(await device.cmis.read('line1', 2, 0x10, 56, 200)).toEqual(data);
    expect((await device.cmis.read('host1', 0, 0, 0, 256)).length).toBe(256);
    const err = await device.cmis.write('host1', 0, 0, 0, new Uint8Array([1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).cause).toBeInstanceOf(ConsoleError);
    await expect(device.cmis.read('port9', 0, 0, 0, 1)).rejects.toThrow('no port "port9" (ports: host1, line1)');
    await expect(device.cmis.read('host1', 0, 0, 200, 57)).rejects.toThrow('within bytes 0-255');
    await device.close();
  });

  test('after socat is killed and restarted on the same links, both ends reopen', async () => {
    // its own pair and a longer timeout: the two ends reopen independently, up to ~0.7 s apart
    let pair = await startPair(['ttyG', 'ttyH']);
    const srv = await ConsoleServer.open({ path: pair.b, memory });
    const cli = await ConsoleClient.open({ path: pair.a, timeoutMs: 3000, reopenTimeoutMs: 10_000 });
    extra.push(srv, cli);
    expect(await cli.read(4, 1, 0, 2)).toEqual(new Uint8Array([65, 66]));

    memory.slowMs = 5000;
    const inFlight = cli.read(SLOW_BANK, 0, 0, 1).catch((e: unknown) => e);
    await until(() => memory.slowReads > 0, 'the slow read to reach the server');
    await pair.process.stop();
    const err = await inFlight;
    expect(err).toBeInstanceOf(ConsoleLineError);
    expect((err as Error).message).toMatch(new RegExp(`^console ${pair.a}: line dropped.* while waiting for an answer; reopening$`));
    expect(cli.state).toBe('reopening');

    memory.slowMs = 0;
    const queued = cli.read(4, 1, 2, 2); // waits for the reopen, then for the server to answer an echo
    pair = await startPair(['ttyG', 'ttyH']);
    expect(await queued).toEqual(new Uint8Array([67, 68]));
    expect(cli.state).toBe('open');
    await until(() => srv.state === 'open', 'the server to reopen');
    expect(await cli.identify()).toBe('fabric-hil console bridge');
  });

  test('reopening gives up after its bound', async () => {
    const pair = await startPair(['ttyC', 'ttyD']);
    const lone = await ConsoleClient.open({ path: pair.a, timeoutMs: TIMEOUT_MS, reopenTimeoutMs: 200 });
    extra.push(lone);
    await pair.process.stop();
    await until(() => lone.state === 'closed', 'the lone client to give up', 3000);
    const err = await lone.identify().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsoleLineError);
    expect((err as Error).message).toMatch(/line dropped and did not come back within 200 ms \(last open: .*\)$/);
  });

  test('open errors and settings checks', async () => {
    await expect(ConsoleClient.open({ path: path.join(dir, 'absent') })).rejects.toThrow(
      new RegExp(`^console ${dir}/absent: cannot open: `),
    );
    await expect(createSerialDevice({ id: 'm', kind: 'optical-module', ports: [] }, { serial: { path: path.join(dir, 'absent') } })).rejects.toThrow(
      /^device "m": console .*absent: cannot open/,
    );
    expect(() => serialSettings('m', { path: '/dev/x', parity: 'mark' })).toThrow('device "m": serial.parity: expected none, even or odd');
    expect(() => serialSettings('m', {})).toThrow('serial.path: expected a device path');
  });
});
