// Interop: our SNMP manager and IF-MIB helpers against Debian's snmpd (net-snmp 5.9) on loopback.
//
// Checks: a v2c walk of ifTable/ifXTable gives the machine's real interfaces (lo at least, and every
// name in /sys/class/net that snmpd lists) with 64-bit counters as bigints; v3 authPriv (SHA/AES)
// Gets of sysDescr and of lo's ifHCInOctets (Counter64 -> bigint); a wrong v3 auth key gives
// SnmpAuthError without either key in its message; a closed port gives SnmpTimeoutError within
// timeout x tries; the SNMP device answers counters and oper-status for lo.
// Without snmpd the suite is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSnmpDevice } from './device.ts';
import { IF_MIB, walkIfMib } from './if-mib.ts';
import { SnmpAuthError, SnmpManager, SnmpTimeoutError, type SnmpTarget } from './manager.ts';
import { freeUdpPort, peerMissing, peerTitle, SNMPD_COMMUNITY, SNMPD_USER, startSnmpd, type Snmpd } from './testing.ts';

const missing = peerMissing('snmpd', 'snmpd', 'the SNMP manager interop test');

describe.skipIf(missing !== undefined)(peerTitle('SNMP manager against Debian snmpd', missing), () => {
  let dir: string;
  let snmpd: Snmpd | undefined;
  const managers: SnmpManager[] = [];
  const open = async (target: SnmpTarget, timeoutMs = 2000, retries = 1): Promise<SnmpManager> => {
    const m = await SnmpManager.open(target, { timeoutMs, retries });
    managers.push(m);
    return m;
  };
  const v2c = (): SnmpTarget => ({ host: '127.0.0.1', port: snmpd!.port, version: 'v2c', community: SNMPD_COMMUNITY });
  const v3 = (authKey: string = SNMPD_USER.authKey): SnmpTarget => ({
    host: '127.0.0.1',
    port: snmpd!.port,
    version: 'v3',
    user: SNMPD_USER.user,
    authProtocol: 'sha',
    authKey,
    privProtocol: 'aes',
    privKey: SNMPD_USER.privKey,
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fabric-hil-snmpd-'));
    snmpd = await startSnmpd(dir);
  });

  afterAll(async () => {
    await Promise.allSettled(managers.map((m) => m.close()));
    await snmpd?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('v2c walk of ifTable/ifXTable lists the real interfaces with 64-bit counters', async () => {
    const m = await open(v2c());
    const ifs = await walkIfMib(m);
    const lo = ifs.get('lo');
    expect(lo, `interfaces seen: ${[...ifs.keys()].join(', ')}`).toBeDefined();
    expect(lo!.operStatus).toBe('up');
    expect(lo!.highCapacity).toBe(true);
    expect(typeof lo!.inOctets).toBe('bigint');
    expect(lo!.inOctets).toBeGreaterThanOrEqual(0n);
    const kernel = new Set(readdirSync('/sys/class/net'));
    for (const name of ifs.keys()) expect(kernel, `snmpd lists ${name}`).toContain(name);

    const column = await m.subtree(IF_MIB.ifHCInOctets);
    expect(column.length).toBe(ifs.size);
    expect(column.every((vb) => vb.type === 'Counter64' && typeof vb.value === 'bigint')).toBe(true);
    // subtree stays inside the column: nothing from the next one
    expect(column.every((vb) => vb.oid.startsWith(`${IF_MIB.ifHCInOctets}.`))).toBe(true);
  });

  test('v2c getBulk returns the requested columns', async () => {
    const m = await open(v2c());
    const vbs = await m.getBulk(['1.3.6.1.2.1.1.3', IF_MIB.ifDescr], 1, 3);
    expect(vbs[0]).toMatchObject({ oid: '1.3.6.1.2.1.1.3.0', type: 'TimeTicks' });
    expect(vbs.slice(1).length).toBeGreaterThan(0);
    expect(vbs[1]!.oid.startsWith(`${IF_MIB.ifDescr}.`)).toBe(true);
  });

  test('v3 authPriv (SHA/AES) gets sysDescr and a Counter64 as bigint', async () => {
    const m = await open(v3());
    const lo = (await walkIfMib(await open(v2c()))).get('lo')!;
    const [descr, octets, absent] = await m.get(['1.3.6.1.2.1.1.1.0', `${IF_MIB.ifHCInOctets}.${lo.index}`, '1.3.6.1.2.1.1.99.0']);
    expect(descr!.type).toBe('OctetString');
    expect(Buffer.from(descr!.value as Uint8Array).toString()).toMatch(/^Linux /);
    expect(octets).toMatchObject({ type: 'Counter64' });
    expect(typeof octets!.value).toBe('bigint');
    expect(octets!.value as bigint).toBeGreaterThanOrEqual(lo.inOctets);
    expect(absent!.type).toBe('NoSuchObject');
  });

  test('a wrong v3 auth key gives SnmpAuthError that names neither key', async () => {
    const wrongKey = 'not-the-auth-key-42';
    const m = await open(v3(wrongKey), 500, 0);
    const err = await m.get(['1.3.6.1.2.1.1.1.0']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnmpAuthError);
    expect((err as SnmpAuthError).status).toBe('wrongDigests');
    const shown = `${(err as Error).message} ${(err as Error).stack} ${JSON.stringify(err)}`;
    for (const secret of [wrongKey, SNMPD_USER.authKey, SNMPD_USER.privKey]) expect(shown).not.toContain(secret);
    expect((err as Error).cause).toBeUndefined();
  });

  test('a closed port gives SnmpTimeoutError within timeout x tries', async () => {
    const port = await freeUdpPort();
    const m = await open({ host: '127.0.0.1', port, version: 'v2c', community: 'secret-community' }, 200, 1);
    const t0 = performance.now();
    const err = await m.get(['1.3.6.1.2.1.1.1.0']).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    expect(err).toBeInstanceOf(SnmpTimeoutError);
    expect((err as Error).message).toContain('no answer within 200 ms (2 tries)');
    expect((err as Error).message).not.toContain('secret-community');
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(200 * 2 + 1000);
  });

  test('the SNMP device reads lo counters and oper-status', async () => {
    const device = await createSnmpDevice(
      { id: 'host1', kind: 'server', ports: ['lo'] },
      { snmp: { host: '127.0.0.1', port: snmpd!.port, version: 'v3', ...SNMPD_USER, authProtocol: 'sha', privProtocol: 'aes' } },
    );
    try {
      const c = await device.counters.port('lo');
      expect(typeof c.inOctets).toBe('bigint');
      expect((await device.counters.all()).lo).toBeDefined();
      expect(await device.state.get('/interfaces/interface[name=lo]/oper-status')).toBe('up');
      expect(await device.state.get('/interfaces/interface[name=lo]/nothing')).toBeUndefined();
      await expect(device.counters.port('nope0')).rejects.toThrow(/no interface named "nope0"/);
    } finally {
      await device.close();
    }
  });
});
