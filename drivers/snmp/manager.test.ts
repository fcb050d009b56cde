// Our SNMP manager, IF-MIB helpers and SNMP device against our own agent (v2c and v3 authPriv) on loopback.
//
// Checks: scalars; IF-MIB records equal the provider's (Counter64 up to 2^64-1 as bigint); live
// counters, oper-status and rows; a 1000-row ifTable walk; wrong community (timeout) and wrong v3
// key (SnmpAuthError) without secrets in the message; the SNMP device's counters and state; the
// driver's settings checks; the benchmark's figures on a small table.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SnmpAgent, type SnmpInterface } from '../../emulators/mgmt/snmp/agent.ts';
import { NotImplementedError, DeviceError, has } from '../device.ts';
import { benchSnmp, syntheticInterfaces } from './bench.ts';
import { createSnmpDevice, snmpSettings } from './device.ts';
import { IF_MIB, toPortCounters, walkIfMib } from './if-mib.ts';
import { SnmpError, SnmpManager, SnmpTimeoutError, bytesToBigint, type SnmpTarget } from './manager.ts';

const MAX64 = 2n ** 64n - 1n;
const USER = { name: 'lab', authKey: 'agent-auth-secret', privKey: 'agent-priv-secret' };
const COMMUNITY = 'agent-community';

function iface(index: number, name: string, octets: bigint): SnmpInterface {
  return {
    name,
    index,
    operUp: true,
    adminUp: true,
    speedBps: 400_000_000_000,
    counters: { inOctets: octets, outOctets: 5n, inPkts: 10, outPkts: 11, inDiscards: 1, outDiscards: 2, inErrors: 3, outErrors: 2n ** 32n + 4n },
  };
}

describe('SNMP manager against our agent', () => {
  let interfaces: SnmpInterface[] = [];
  const errors: Error[] = [];
  const agent = new SnmpAgent({
    provider: { interfaces: () => interfaces },
    sysDescr: 'fabric-hil test agent',
    sysName: 'leaf1',
    community: COMMUNITY,
    user: USER,
    upTimeMs: () => 0,
    onError: (e) => errors.push(e),
  });
  let port = 0;
  const managers: SnmpManager[] = [];
  const open = async (target: Partial<SnmpTarget> & Pick<SnmpTarget, 'version'>, timeoutMs = 2000, retries = 0): Promise<SnmpManager> => {
    const m = await SnmpManager.open({ host: '127.0.0.1', port, ...target } as SnmpTarget, { timeoutMs, retries });
    managers.push(m);
    return m;
  };
  const v2c = (): Promise<SnmpManager> => open({ version: 'v2c', community: COMMUNITY });
  const v3 = (authKey = USER.authKey): Promise<SnmpManager> =>
    open({ version: 'v3', user: USER.name, authProtocol: 'sha', authKey, privProtocol: 'aes', privKey: USER.privKey }, 1000);

  beforeAll(async () => {
    port = await agent.start({ address: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await Promise.allSettled(managers.map((m) => m.close()));
    await agent.stop();
  });

  test.each(['v2c', 'v3'] as const)('%s: system scalars and typed varbinds', async (version) => {
    interfaces = [iface(1, 'port1', 1n)];
    const m = version === 'v2c' ? await v2c() : await v3();
    const [descr, name, upTime, ifNumber, missing] = await m.get([
      '1.3.6.1.2.1.1.1.0',
      '1.3.6.1.2.1.1.5.0',
      '1.3.6.1.2.1.1.3.0',
      '1.3.6.1.2.1.2.1.0',
      '1.3.6.1.2.1.1.4.0',
    ]);
    expect(Buffer.from(descr!.value as Uint8Array).toString()).toBe('fabric-hil test agent');
    expect(Buffer.from(name!.value as Uint8Array).toString()).toBe('leaf1');
    expect(upTime!.type).toBe('TimeTicks');
    expect(ifNumber).toMatchObject({ type: 'Integer', value: 1 });
    expect(missing!.type).toBe('NoSuchObject');
  });

  test.each(['v2c', 'v3'] as const)('%s: IF-MIB records equal the provider, Counter64 as bigint up to 2^64-1', async (version) => {
    interfaces = [iface(3, 'port3', MAX64), iface(1, 'port1', 2n ** 53n + 1n)];
    interfaces[0]!.operUp = false;
    const m = version === 'v2c' ? await v2c() : await v3();
    const ifs = await walkIfMib(m);
    expect([...ifs.keys()]).toEqual(['port1', 'port3']);
    const p3 = ifs.get('port3')!;
    expect(p3).toMatchObject({ index: 3, descr: 'port3', operStatus: 'down', adminStatus: 'up', speedBps: 400e9, highCapacity: true });
    expect(p3.inOctets).toBe(MAX64);
    expect(ifs.get('port1')!.inOctets).toBe(2n ** 53n + 1n);
    expect(toPortCounters(p3)).toEqual({
      inOctets: MAX64,
      outOctets: 5n,
      inPkts: 10n,
      outPkts: 11n,
      inDiscards: 1n,
      outDiscards: 2n,
      inErrors: 3n,
      outErrors: 4n, // a Counter32 carries the low 32 bits
    });
    const [hc] = await m.get([`${IF_MIB.ifHCInOctets}.3`]);
    expect(hc).toEqual({ oid: `${IF_MIB.ifHCInOctets}.3`, type: 'Counter64', value: MAX64 });
  });

  test('values are read live at request time: counters, status and rows', async () => {
    interfaces = [iface(1, 'port1', 100n), iface(2, 'port2', 200n)];
    const m = await v2c();
    const before = await walkIfMib(m);
    interfaces[0]!.counters.inOctets = 100n + 12_345n;
    interfaces[1]!.operUp = false;
    interfaces.push(iface(7, 'port7', 7n));
    const after = await walkIfMib(m);
    expect(after.get('port1')!.inOctets - before.get('port1')!.inOctets).toBe(12_345n);
    expect(after.get('port2')!.operStatus).toBe('down');
    expect([...after.keys()]).toEqual(['port1', 'port2', 'port7']);
    interfaces = interfaces.filter((i) => i.index !== 2);
    expect([...(await walkIfMib(m)).keys()]).toEqual(['port1', 'port7']);
    const [gone] = await m.get([`${IF_MIB.ifDescr}.2`]);
    expect(gone!.type).toBe('NoSuchInstance');
  });

  test('walks a 1000-row ifTable', async () => {
    interfaces = syntheticInterfaces(1000);
    const m = await v2c();
    const table = await m.subtree('1.3.6.1.2.1.2.2', { maxRepetitions: 50 });
    expect(table.length).toBe(22 * 1000);
    expect(table.every((vb) => vb.oid.startsWith('1.3.6.1.2.1.2.2.1.'))).toBe(true);
    const ifs = await walkIfMib(m, { maxRepetitions: 50 });
    expect(ifs.size).toBe(1000);
    expect(ifs.get('port1000')!.inOctets).toBe(1000n * 1_000_000_007n);
    expect(ifs.get('port7')!.operStatus).toBe('down');
  });

  test('a wrong community times out; the message names no community', async () => {
    interfaces = [iface(1, 'port1', 1n)];
    const m = await open({ version: 'v2c', community: 'wrong-community' }, 150, 1);
    const err = await m.get(['1.3.6.1.2.1.1.1.0']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnmpTimeoutError);
    expect((err as Error).message).toMatch(/no answer within 150 ms \(2 tries\)/);
    expect((err as Error).message).not.toContain('wrong-community');
  });

  // net-snmp's agent drops a message whose digest is wrong without the usmStatsWrongDigests report
  // that snmpd sends (RFC 3412 §7.2.6), so here a wrong key is a timeout; snmpd.test.ts checks
  // SnmpAuthError against the real peer.
  test('a wrong v3 auth key gets no answer; the error names no key', async () => {
    const m = await open(
      { version: 'v3', user: USER.name, authKey: 'wrong-auth-secret', privKey: USER.privKey },
      150,
      0,
    );
    const err = await m.get(['1.3.6.1.2.1.1.1.0']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnmpTimeoutError);
    const shown = `${(err as Error).message} ${(err as Error).stack}`;
    for (const s of ['wrong-auth-secret', USER.authKey, USER.privKey]) expect(shown).not.toContain(s);
    expect(errors.some((e) => /digest/i.test(e.message))).toBe(true);
  });

  test('a closed manager rejects with status closed', async () => {
    const m = await v2c();
    await m.close();
    const err = await m.get(['1.3.6.1.2.1.1.1.0']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnmpError);
    expect(err).toMatchObject({ status: 'closed', message: expect.stringMatching(/: get 1\.3\.6\.1\.2\.1\.1\.1\.0: manager is closed$/) });
  });

  test('the SNMP device: counters by ifName, oper-status, missing capabilities', async () => {
    interfaces = [iface(1, 'Ethernet1', 1000n), iface(2, 'Ethernet2', 2000n)];
    const device = await createSnmpDevice(
      { id: 'leaf1', kind: 'switch', ports: ['Ethernet1', 'Ethernet2'] },
      { snmp: { host: '127.0.0.1', port, version: 'v3', user: USER.name, authKey: USER.authKey, privKey: USER.privKey, timeoutMs: 1000 } },
    );
    try {
      expect(has(device, 'counters', 'state')).toBe(true);
      expect(has(device, 'cmis')).toBe(false);
      expect((await device.counters.port('Ethernet2')).inOctets).toBe(2000n);
      interfaces[1]!.counters.inOctets = 2500n;
      interfaces[1]!.operUp = false;
      expect((await device.counters.port('Ethernet2')).inOctets).toBe(2500n);
      expect(Object.keys(await device.counters.all())).toEqual(['Ethernet1', 'Ethernet2']);
      expect(await device.state.get('/interfaces/interface[name=Ethernet2]/oper-status')).toBe('down');
      expect(await device.state.get('/interfaces/interface[name=Ethernet1]/speed')).toBe(400e9);
      // renumbered interfaces are found again through a fresh name walk
      interfaces = [iface(5, 'Ethernet2', 9n)];
      expect((await device.counters.port('Ethernet2')).inOctets).toBe(9n);
      const err = await device.counters.port('Ethernet9').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as Error).message).toContain('no interface named "Ethernet9" in IF-MIB (interfaces: Ethernet2)');
    } finally {
      await device.close();
    }
  });

  test('the device factory fails with DeviceError when the agent does not answer, and checks its settings', async () => {
    const err = await createSnmpDevice(
      { id: 'leaf1', kind: 'switch', ports: [] },
      { snmp: { host: '127.0.0.1', port, version: 'v3', user: USER.name, authKey: 'bad-key-0000', privKey: USER.privKey, timeoutMs: 100, retries: 0 } },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as Error).message).toMatch(/^device "leaf1": snmp 127\.0\.0\.1:\d+ v3 user lab: get 1\.3\.6\.1\.2\.1\.1\.3\.0: no answer within 100 ms \(1 try\)$/);
    expect((err as Error).message).not.toContain('bad-key-0000');
    expect(() => snmpSettings('d', { host: 'h', version: 'v1' })).toThrow('device "d": snmp.version: expected v2c or v3');
    expect(() => snmpSettings('d', { host: 'h', version: 'v2c' })).toThrow('snmp.community: expected a non-empty string');
    expect(() => snmpSettings('d', { host: 'h', version: 'v3', user: 'u', authProtocol: 'sha1' })).toThrow(
      'snmp.authProtocol: expected one of md5, sha, sha224, sha256, sha384, sha512',
    );
    expect(() => snmpSettings('d', undefined)).toThrow("expected an 'snmp:' settings section");
    expect(new NotImplementedError('cmis', 'x').name).toBe('NotImplementedError');
  });

  test('the agent reported no errors but the deliberate bad credentials', () => {
    expect(errors.filter((e) => !/digest|community/i.test(e.message))).toEqual([]);
  });
});

describe('SNMP helpers', () => {
  test('bytesToBigint reads unsigned big-endian bytes of any length', () => {
    expect(bytesToBigint(new Uint8Array([]))).toBe(0n);
    expect(bytesToBigint(new Uint8Array([0x00, 0xff]))).toBe(255n);
    expect(bytesToBigint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(MAX64);
  });

  test('benchSnmp reports sane positive figures on a small table', async () => {
    const r = await benchSnmp({ rows: 20 });
    expect(r).toMatchObject({ rows: 20, version: 'v2c', varbinds: 22 * 20 });
    expect(r.walkMs).toBeGreaterThan(0);
    expect(r.varbindsPerSecond).toBeGreaterThan(0);
    await expect(benchSnmp({ rows: 0 })).rejects.toThrow(RangeError);
  });
});
