// Interop: Debian's snmpwalk/snmpget (net-snmp 5.9, package `snmp`) against our SNMP agent on loopback.
//
// Checks: v2c numeric walks of ifTable/ifXTable show the provider's rows, statuses, speeds and
// Counter64 values (beyond 2^53, up to 2^64-1); a v3 authPriv (SHA/AES) walk with net-snmp's
// bundled IF-MIB shows named columns; counters and rows changed between two walks are seen
// changed; a wrong community gets no answer. Also the agent's Counter64 encoding on its own.
// Without snmpwalk the interop part is skipped, except under CI=true, where that is a failure.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findBinary, peerMissing, peerTitle } from '../../../drivers/snmp/testing.ts';
import { counter64Bytes, netSnmpMibDir, SnmpAgent, type SnmpInterface } from './agent.ts';

const run = promisify(execFile);
const MAX64 = 2n ** 64n - 1n;
const USER = { name: 'walker', authKey: 'walker-auth-pass', privKey: 'walker-priv-pass' };
const IF_TABLE = '1.3.6.1.2.1.2.2';
const IF_X_TABLE = '1.3.6.1.2.1.31.1.1';

/** Wall-clock uptime for an agent under test (the agent itself reads no clock). */
function uptime(): () => number {
  const t0 = Date.now();
  return () => Date.now() - t0;
}

describe('counter64Bytes', () => {
  test('encodes minimal unsigned BER content', () => {
    expect([...counter64Bytes(0)]).toEqual([0]);
    expect([...counter64Bytes(0x7f)]).toEqual([0x7f]);
    expect([...counter64Bytes(0x80)]).toEqual([0, 0x80]);
    expect([...counter64Bytes(2n ** 40n)]).toEqual([1, 0, 0, 0, 0, 0]);
    expect([...counter64Bytes(MAX64)]).toEqual([0, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect([...counter64Bytes(2n ** 64n)]).toEqual([0]); // wraps like the counter it is
  });
});

describe('SnmpAgent lifecycle', () => {
  test('a taken port fails with SnmpAgentError; a stopped agent starts again', async () => {
    const provider = { interfaces: () => [] };
    const a = new SnmpAgent({ provider, upTimeMs: () => 0 });
    const b = new SnmpAgent({ provider, upTimeMs: () => 0 });
    const port = await a.start();
    expect(port).toBeGreaterThan(0);
    await expect(a.start()).rejects.toThrow('agent already started');
    await expect(b.start({ port })).rejects.toThrow(new RegExp(`^cannot listen on udp 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    await a.stop();
    expect(a.port).toBe(0);
    expect(await b.start({ port })).toBe(port);
    await b.stop();
    await b.stop();
  });
});

const missing = peerMissing('snmpwalk', 'snmp', 'the SNMP agent interop test');

describe.skipIf(missing !== undefined)(peerTitle('snmpwalk against our SNMP agent', missing), () => {
  let dir: string;
  let port = 0;
  const interfaces: SnmpInterface[] = [
    {
      name: 'port1',
      index: 1,
      operUp: true,
      adminUp: true,
      speedBps: 800_000_000_000,
      counters: { inOctets: 2n ** 60n + 3n, outOctets: 42, inPkts: 7, outPkts: 8, inDiscards: 1, outDiscards: 2, inErrors: 3, outErrors: 4 },
    },
    {
      name: 'port2',
      index: 2,
      operUp: false,
      adminUp: false,
      speedBps: 400_000_000_000,
      counters: { inOctets: MAX64, outOctets: 0, inPkts: 0, outPkts: 0, inDiscards: 0, outDiscards: 0, inErrors: 0, outErrors: 0 },
    },
  ];
  const agent = new SnmpAgent({ provider: { interfaces: () => interfaces }, community: 'lab-ro', user: USER, sysName: 'emu1', upTimeMs: uptime() });

  /** Runs a net-snmp command line tool; returns `oid -> "Type: value"`. */
  const tool = async (name: 'snmpwalk' | 'snmpget', args: string[]): Promise<Map<string, string>> => {
    const env = { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: dir, SNMPCONFPATH: dir, HOME: dir };
    const { stdout } = await run(findBinary(name)!, ['-t', '1', '-r', '1', ...args], { env });
    const out = new Map<string, string>();
    for (const line of stdout.split('\n')) {
      const m = /^(\S+) = (.*)$/.exec(line);
      if (m && !m[2]!.startsWith('No more variables')) out.set(m[1]!, m[2]!);
    }
    return out;
  };
  const v2c = (...args: string[]): string[] => ['-v2c', '-c', 'lab-ro', '-On', ...args, `127.0.0.1:${port}`];
  const v3 = (...args: string[]): string[] => [
    '-v3', '-l', 'authPriv', '-u', USER.name, '-a', 'SHA', '-A', USER.authKey, '-x', 'AES', '-X', USER.privKey, ...args, `127.0.0.1:${port}`,
  ];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fabric-hil-snmpwalk-'));
    port = await agent.start({ address: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('v2c walk of ifTable shows the provider rows', async () => {
    const t = await tool('snmpwalk', [...v2c(), IF_TABLE]);
    expect(t.size).toBe(22 * 2);
    expect(t.get('.1.3.6.1.2.1.2.2.1.1.2')).toBe('INTEGER: 2');
    expect(t.get('.1.3.6.1.2.1.2.2.1.2.1')).toBe('STRING: "port1"');
    expect(t.get('.1.3.6.1.2.1.2.2.1.5.1')).toBe('Gauge32: 4294967295'); // ifSpeed saturates
    expect(t.get('.1.3.6.1.2.1.2.2.1.7.2')).toBe('INTEGER: 2'); // ifAdminStatus down
    expect(t.get('.1.3.6.1.2.1.2.2.1.8.1')).toBe('INTEGER: 1'); // ifOperStatus up
    expect(t.get('.1.3.6.1.2.1.2.2.1.8.2')).toBe('INTEGER: 2');
    expect(t.get('.1.3.6.1.2.1.2.2.1.10.1')).toBe('Counter32: 3'); // low 32 bits of 2^60 + 3
    expect(t.get('.1.3.6.1.2.1.2.2.1.16.1')).toBe('Counter32: 42');
  });

  test('v2c walk of ifXTable shows Counter64 values and ifHighSpeed', async () => {
    const t = await tool('snmpwalk', [...v2c(), IF_X_TABLE]);
    expect(t.size).toBe(19 * 2);
    expect(t.get('.1.3.6.1.2.1.31.1.1.1.1.2')).toBe('STRING: "port2"');
    expect(t.get('.1.3.6.1.2.1.31.1.1.1.6.1')).toBe(`Counter64: ${2n ** 60n + 3n}`);
    expect(t.get('.1.3.6.1.2.1.31.1.1.1.6.2')).toBe(`Counter64: ${MAX64}`);
    expect(t.get('.1.3.6.1.2.1.31.1.1.1.7.1')).toBe('Counter64: 7');
    expect(t.get('.1.3.6.1.2.1.31.1.1.1.10.1')).toBe('Counter64: 42');
    expect(t.get('.1.3.6.1.2.1.31.1.1.1.15.1')).toBe('Gauge32: 800000');
  });

  test('v3 authPriv (SHA/AES) walk with the bundled IF-MIB names the columns', async () => {
    const t = await tool('snmpwalk', [...v3('-M', `+${netSnmpMibDir()}`, '-m', 'IF-MIB'), 'IF-MIB::ifXTable']);
    expect(t.get('IF-MIB::ifName.1')).toBe('STRING: port1');
    expect(t.get('IF-MIB::ifHCInOctets.2')).toBe(`Counter64: ${MAX64}`);
    expect(t.get('IF-MIB::ifHCOutUcastPkts.1')).toBe('Counter64: 8');
    const sys = await tool('snmpget', [...v3('-On'), '1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.2.1.0']);
    expect(sys.get('.1.3.6.1.2.1.1.5.0')).toBe('STRING: "emu1"');
    expect(sys.get('.1.3.6.1.2.1.2.1.0')).toBe('INTEGER: 2');
  });

  test('counters and rows that change between two walks are seen changed', async () => {
    const hcIn1 = '.1.3.6.1.2.1.31.1.1.1.6.1';
    const first = await tool('snmpwalk', [...v3('-On'), IF_X_TABLE]);
    interfaces[0]!.counters.inOctets = 2n ** 60n + 3n + 1_000_000n;
    interfaces.push({ ...interfaces[0]!, name: 'port9', index: 9 });
    const second = await tool('snmpwalk', [...v3('-On'), IF_X_TABLE]);
    expect(first.get(hcIn1)).toBe(`Counter64: ${2n ** 60n + 3n}`);
    expect(second.get(hcIn1)).toBe(`Counter64: ${2n ** 60n + 3n + 1_000_000n}`);
    expect(first.has('.1.3.6.1.2.1.31.1.1.1.1.9')).toBe(false);
    expect(second.get('.1.3.6.1.2.1.31.1.1.1.1.9')).toBe('STRING: "port9"');
    interfaces.pop();
  });

  test('a wrong community gets no answer', async () => {
    const err = await tool('snmpget', ['-v2c', '-c', 'wrong', '-t', '0.2', '-r', '0', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.5.0']).catch(
      (e: { stdout?: string; stderr?: string }) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(`${(err as { stdout?: string }).stdout}${(err as { stderr?: string }).stderr}`).toMatch(/Timeout/);
  });
});
