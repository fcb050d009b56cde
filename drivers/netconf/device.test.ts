// The NETCONF device against our server: YANG paths on both ietf-interfaces trees, bigint counters, config, link-down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryInterfacesProvider, type MemoryInterfacesOptions } from '../../emulators/mgmt/netconf/provider.ts';
import { NetconfServer } from '../../emulators/mgmt/netconf/server.ts';
import { DeviceError, has } from '../device.ts';
import { NetconfAuthError } from './client.ts';
import { createNetconfDevice, type NetconfDevice } from './device.ts';
import { configFor, filterFor, parsePath } from './paths.ts';

const BIG = 2n ** 64n - 7n; // not representable as a JS number
const PASSWORD = 'dev1ce-pw';

interface Lab {
  server: NetconfServer;
  provider: MemoryInterfacesProvider;
  device: NetconfDevice;
}

async function lab(options: MemoryInterfacesOptions & { candidate?: boolean } = {}): Promise<Lab> {
  const provider = new MemoryInterfacesProvider(
    [{ name: 'eth0', counters: { 'in-octets': BIG, 'in-unicast-pkts': 10n, 'in-multicast-pkts': 2n, 'out-errors': 3n } }, { name: 'eth1', operStatus: 'down' }],
    options,
  );
  const server = new NetconfServer({ provider, users: [{ username: 'lab', password: PASSWORD }], ...(options.candidate === false ? { candidate: false } : {}) });
  const port = await server.start();
  const device = await createNetconfDevice({ id: 'dut', kind: 'router', ports: ['eth0', 'eth1'] }, { netconf: { host: '127.0.0.1', port, username: 'lab', password: PASSWORD, timeoutMs: 5000 } });
  return { server, provider, device };
}

describe('YANG paths', () => {
  it('parses keys, quotes and prefixes and builds filters and config', () => {
    const segs = parsePath("/if:interfaces/interface[name='eth 0']/statistics/in-octets");
    expect(segs).toEqual([
      { name: 'interfaces', keys: {} },
      { name: 'interface', keys: { name: 'eth 0' } },
      { name: 'statistics', keys: {} },
      { name: 'in-octets', keys: {} },
    ]);
    expect(filterFor(segs)).toBe('<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>eth 0</name><statistics><in-octets/></statistics></interface></interfaces>');
    expect(configFor(parsePath('/interfaces/interface[name=a<b]/enabled'), false, 'merge')).toBe(
      '<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>a&lt;b</name><enabled nc:operation="merge">false</enabled></interface></interfaces>',
    );
    expect(() => parsePath('/system/hostname')).toThrow(/unknown top-level node "system"/);
    expect(() => parsePath('interfaces')).toThrow(/cannot parse/);
  });
});

describe('NETCONF device against our server (RFC 8343 and RFC 7223 trees)', () => {
  let l: Lab;
  beforeAll(async () => {
    l = await lab();
  });
  afterAll(async () => {
    await l?.device.close();
    await l?.server.stop();
  });

  it('offers config, state, counters and faults, and lacks traffic, capture and cmis', () => {
    expect(has(l.device, 'config', 'state', 'counters', 'faults')).toBe(true);
    expect(has(l.device, 'traffic')).toBe(false);
    expect(l.device.driver).toBe('netconf');
  });

  it('reads state leaves with their YANG types; counter64 as exact bigints', async () => {
    const s = l.device.state;
    expect(await s.get('/interfaces/interface[name=eth0]/oper-status')).toBe('up');
    expect(await s.get('/interfaces/interface[name=eth1]/oper-status')).toBe('down');
    expect(await s.get('/interfaces/interface[name=eth0]/statistics/in-octets')).toBe(BIG);
    expect(await s.get('/interfaces-state/interface[name=eth0]/statistics/in-octets')).toBe(BIG);
    const stats = (await s.get('/interfaces/interface[name=eth0]/statistics')) as Record<string, unknown>;
    expect(stats['in-unicast-pkts']).toBe(10n);
    expect(stats['out-errors']).toBe(3); // counter32
    expect(await s.get('/interfaces/interface[name=eth9]/oper-status')).toBeUndefined();
    expect(((await s.get('/interfaces/interface')) as unknown[]).length).toBe(2);
  });

  it('maps statistics to PortCounters', async () => {
    const c = await l.device.counters.port('eth0');
    expect(c).toMatchObject({ inOctets: BIG, inPkts: 12n, outErrors: 3n, outOctets: 0n });
    expect(Object.keys(await l.device.counters.all())).toEqual(['eth0', 'eth1']);
    await expect(l.device.counters.port('eth7')).rejects.toThrow(/interface "eth7" not found/);
  });

  it('reads and edits configuration by path (merge, replace, delete)', async () => {
    const cfg = l.device.config;
    expect(await cfg.get('/interfaces/interface[name=eth0]/enabled')).toBe(true);
    await cfg.edit('/interfaces/interface[name=eth1]/description', 'uplink');
    expect(await cfg.get('/interfaces/interface[name=eth1]/description')).toBe('uplink');
    await cfg.edit('/interfaces/interface[name=eth1]', { description: 'spine', mtu: 9000 }, 'replace');
    expect(await cfg.get('/interfaces/interface[name=eth1]')).toEqual({ name: 'eth1', description: 'spine', mtu: '9000' });
    await cfg.edit('/interfaces/interface[name=eth1]/description', undefined, 'delete');
    expect(await cfg.get('/interfaces/interface[name=eth1]/description')).toBeUndefined();
    await cfg.edit('/interfaces/interface[name=eth1]', { type: 'ianaift:ethernetCsmacd', enabled: true }, 'replace');
    expect(((await cfg.get()) as { interfaces: { interface: unknown[] } }).interfaces.interface).toHaveLength(2);
  });

  it('brings a link down through enabled=false and back up on clear', async () => {
    const handle = await l.device.faults.inject({ kind: 'link-down', port: 'eth0' });
    expect(l.provider.adminUp('eth0')).toBe(false);
    expect(await l.device.state.get('/interfaces/interface[name=eth0]/oper-status')).toBe('down');
    await l.device.faults.clear(handle);
    expect(await l.device.state.get('/interfaces/interface[name=eth0]/oper-status')).toBe('up');
    expect(await l.device.config.get('/interfaces/interface[name=eth0]/enabled')).toBe(true);
    await expect(l.device.faults.inject({ kind: 'loss', port: 'eth0', rate: 0.1 })).rejects.toThrow(/faults.inject\(loss\) unimplemented/);
  });

  it('turns refused edits into DeviceError with the rpc-error as cause', async () => {
    const e = await l.device.config.edit('/interfaces/interface[name=eth0]/enabled', 'maybe').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DeviceError);
    expect(String(e)).toMatch(/invalid-value/);
    await expect(l.device.state.get('/system/hostname')).rejects.toThrow(DeviceError);
  });
});

describe('NETCONF device on a server with only the RFC 7223 tree and no candidate', () => {
  let l: Lab;
  beforeAll(async () => {
    l = await lab({ stateTree: 'legacy', candidate: false, config: [] });
  });
  afterAll(async () => {
    await l?.device.close();
    await l?.server.stop();
  });

  it('falls back to interfaces-state and writes to running, filling in the mandatory type', async () => {
    expect(await l.device.state.get('/interfaces/interface[name=eth0]/oper-status')).toBe('up');
    expect((await l.device.counters.port('eth0')).inOctets).toBe(BIG);
    const handle = await l.device.faults.inject({ kind: 'link-down', port: 'eth1' });
    expect(await l.device.config.get('/interfaces/interface[name=eth1]')).toEqual({ name: 'eth1', enabled: false, type: 'ianaift:ethernetCsmacd' });
    await l.device.faults.clearAll();
    expect(await l.device.config.get('/interfaces/interface[name=eth1]')).toBeUndefined();
    expect(handle).toBe('link-down:eth1');
  });
});

describe('createNetconfDevice', () => {
  it('reports bad settings and refused credentials as DeviceError without the secret', async () => {
    await expect(createNetconfDevice({ id: 'd', kind: 'router', ports: [] }, {})).rejects.toThrow(/no netconf settings/);
    const { server, device } = await lab();
    await device.close();
    const e = await createNetconfDevice({ id: 'd', kind: 'router', ports: [] }, { netconf: { host: '127.0.0.1', port: server.port, username: 'lab', password: 'not-the-password' } }).catch((x: unknown) => x);
    await server.stop();
    expect(e).toBeInstanceOf(DeviceError);
    expect((e as DeviceError).cause).toBeInstanceOf(NetconfAuthError);
    expect((e as Error).message).not.toContain('not-the-password');
  });
});
