// Lab-in-a-box against the in-process emulator: the same twin served over NETCONF, SNMP and the OTG API gives the same answers.
//
// Plan:
// - the served twin runs a stepped clock: device time moves only when a test advances it through
//   the emulator module (advance-time), so it and a reference twin built in-process with the same
//   seed, moved by the same amounts, can be compared value for value;
// - advance-time runs the whole twin to the exact picosecond (rounded as in-process) and answers
//   with the time reached; a bad duration is invalid-value, and a paced clock refuses it;
// - reset rebuilds the whole twin from its topology and seed, and every server (NETCONF, SNMP,
//   OTG) serves the new one: the state, counters, flows and faults of a fresh in-process twin;
// - the paced clock moves device time with the wall clock, and a reset restarts it from 0.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmulator, type EmulatorSession } from '../../../drivers/emulator/emulator-driver.ts';
import { openLabDevice } from '../../../drivers/lab/lab-device.ts';
import { NetconfClient } from '../../../drivers/netconf/client.ts';
import { createNetconfDevice, type NetconfDevice } from '../../../drivers/netconf/device.ts';
import { DeviceError, type Device, type DeviceWith, type FlowSpec, type PortCounters } from '../../../drivers/device.ts';
import { IETF_INTERFACES_NS } from '../../../protocols/netconf/index.ts';
import type { TwinTopology } from '../../twin.ts';
import { startLabServer, type LabServer } from './lab-server.ts';
import { EMULATOR_CAPABILITY, EMULATOR_NS } from './yang.ts';

const TOPOLOGY: TwinTopology = {
  devices: [
    { id: 'dut1', kind: 'switch', ports: ['port1', 'port2'], params: { rateBps: 100e9 } },
    { id: 'ate1', kind: 'traffic-generator', ports: ['p1', 'p2'] },
  ],
  links: [
    { a: { device: 'ate1', port: 'p1' }, b: { device: 'dut1', port: 'port1' } },
    { a: { device: 'ate1', port: 'p2' }, b: { device: 'dut1', port: 'port2' }, rateBps: 100e9, lengthKm: 0.001, fibre: 'smf' },
  ],
};
const SEED = 7;
const CREDS = { username: 'lab', password: 'lab-pw-1', community: 'lab-community-1' };
const FLOW: FlowSpec = { name: 'a-to-b', txPort: 'p1', rxPort: 'ate1:p2', bytes: 100 * 1000, frameBytes: 1000 };

let server: LabServer;
let ref: EmulatorSession;
let dut: Device;
let ate: Device;
let nc: NetconfDevice;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-lab-server-'));

function settingsOf(id: string): Record<string, Record<string, unknown>> {
  const ep = server.endpoints.devices.find((d) => d.id === id)!;
  return {
    netconf: { host: '127.0.0.1', port: ep.netconfPort, username: CREDS.username, password: CREDS.password, timeoutMs: 5000 },
    snmp: { host: '127.0.0.1', port: ep.snmpPort, version: 'v2c', community: CREDS.community, timeoutMs: 2000 },
    otg: { url: ep.otgUrl!, timeoutMs: 5000 },
  };
}

/** Moves both twins on by `ms` of device time (the served one through the module's advance-time). */
async function advance(ms: number): Promise<void> {
  const target = server.twin.nowPs() + Math.round(ms * 1e9);
  await dut.clock!.advance(ms * 1e9);
  await ref.devices.get('dut1')!.clock.advance(ms * 1e9);
  expect(server.twin.nowPs()).toBe(target);
  expect(ref.twin.nowPs()).toBe(target);
}

const info = (id: string) => ({ id, kind: TOPOLOGY.devices.find((d) => d.id === id)!.kind, ports: TOPOLOGY.devices.find((d) => d.id === id)!.ports });

beforeAll(async () => {
  server = await startLabServer({ topology: TOPOLOGY, seed: SEED, ptyDir: tmp }, CREDS, {});
  ref = openEmulator(TOPOLOGY, SEED);
  dut = await openLabDevice(info('dut1'), ['netconf', 'snmp', 'otg'], settingsOf('dut1'));
  ate = await openLabDevice(info('ate1'), ['netconf', 'snmp', 'otg'], settingsOf('ate1'));
  nc = await createNetconfDevice(info('dut1'), settingsOf('dut1'));
});

afterAll(async () => {
  await Promise.allSettled([dut?.close(), ate?.close(), nc?.close()]);
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('lab-in-a-box devices', () => {
  it('are composed from NETCONF, SNMP and OTG, with a virtual clock on device time', async () => {
    expect(dut.driver).toBe('netconf+snmp+otg');
    expect(dut.clock?.kind).toBe('virtual');
    expect(await dut.clock!.nowPs()).toBe(server.twin.nowPs());
    expect(nc.client.hasCapability(EMULATOR_CAPABILITY)).toBe(true);
    expect(dut.lifecycle, 'a reset scoped to the served twin').toBeDefined();
    expect(dut.lifecycle!.scope).toBe(ate.lifecycle!.scope);
  });

  it('carry a flow as the in-process emulator does: metrics and counters', async () => {
    const a = ate as DeviceWith<'traffic'>;
    const r = ref.devices.get('ate1')!;
    await a.traffic.setFlows([FLOW]);
    await r.traffic!.setFlows([FLOW]);
    await a.traffic.start();
    await r.traffic!.start();
    await advance(1);
    const got = await a.traffic.metrics();
    expect(got).toEqual(await r.traffic!.metrics());
    expect(got[0]!.done).toBe(true);
    const refCounters = await ref.devices.get('dut1')!.counters!.all();
    const snmp = await dut.counters!.all();
    expect(snmp, 'IF-MIB counters with the fabric counters filled in').toEqual(refCounters);
    expect(Object.keys(refCounters.port1!)).toContain('ecnMarked');
    for (const p of ['port1', 'port2']) {
      for (const k of ['inOctets', 'outOctets', 'inPkts', 'outPkts', 'inDiscards', 'outDiscards', 'inErrors', 'outErrors'] as const) {
        expect(snmp[p]![k], `SNMP ${p} ${k}`).toBe(refCounters[p]![k]);
        expect((await nc.counters.port(p))[k], `NETCONF ${p} ${k}`).toBe(refCounters[p]![k]);
      }
    }
    expect(refCounters.port1!.inPkts).toBe(100n);
  });

  it('read protocol state by path through the emulator module, with the twin’s own values', async () => {
    const paths = ['/interfaces/interface[name=port2]/oper-status', '/interfaces/interface[name=port1]/speed', '/interfaces', '/system/ports', '/no/such/path'];
    for (const p of paths) expect(await dut.state!.get(p), p).toEqual(await ref.devices.get('dut1')!.state!.get(p));
    expect(await dut.config!.get()).toEqual(await ref.devices.get('dut1')!.config!.get());
  });

  it('inject and clear faults in the twin, with the same handles and effects', async () => {
    const f = { kind: 'link-down', port: 'port2' } as const;
    const status = '/interfaces/interface[name=port2]/oper-status';
    const h = await dut.faults!.inject(f);
    expect(h).toBe(await ref.devices.get('dut1')!.faults!.inject(f));
    await advance(0.001);
    expect(await dut.state!.get(status)).toBe('down');
    expect(await dut.state!.get(status)).toBe(await ref.devices.get('dut1')!.state!.get(status));
    await dut.faults!.clear(h);
    await ref.devices.get('dut1')!.faults!.clear(h);
    await advance(0.001);
    expect(await dut.state!.get(status)).toBe('up');
  });

  it('answer a bad request as a DeviceError carrying the model’s message', async () => {
    await expect(dut.faults!.inject({ kind: 'link-down', port: 'port9' })).rejects.toThrow(/no port "port9"/);
    await expect(dut.config!.edit('/nope', 1)).rejects.toThrow(DeviceError);
    await expect(dut.config!.edit('/nope', 1)).rejects.toThrow(/config path '\/nope' is not supported/);
  });

  it('capture the frames the in-process emulator captures, bit for bit and picosecond for picosecond', async () => {
    const a = ate as DeviceWith<'traffic' | 'capture'>;
    const r = ref.devices.get('ate1')!;
    const flow = { ...FLOW, name: 'cap', bytes: 5 * 1000 };
    await a.capture.start('p2');
    await r.capture!.start('p2');
    await a.traffic.setFlows([flow]);
    await r.traffic!.setFlows([flow]);
    await a.traffic.start();
    await r.traffic!.start();
    await advance(0.5);
    const got = await a.capture.stop('p2');
    expect(got.length).toBe(5);
    expect(got).toEqual(await r.capture!.stop('p2'));
  });

  it('serve ietf-interfaces to a plain NETCONF client: enabled false takes the port administratively down', async () => {
    const ep = server.endpoints.devices.find((d) => d.id === 'dut1')!;
    const client = await NetconfClient.connect({ host: '127.0.0.1', port: ep.netconfPort, username: CREDS.username, password: CREDS.password, timeoutMs: 5000 });
    const node = server.twin.node('dut1')!;
    const edit = async (enabled: boolean) => {
      await client.lock('candidate');
      await client.editConfig('candidate', `<interfaces xmlns="${IETF_INTERFACES_NS}"><interface><name>port1</name><enabled>${enabled}</enabled></interface></interfaces>`);
      await client.commit();
      await client.unlock('candidate');
    };
    try {
      await edit(false);
      expect(node.state!.get('/interfaces/interface[name=port1]/admin-status')).toBe('down');
      expect(await dut.state!.get('/interfaces/interface[name=port1]/enabled')).toBe(false);
      const data = await client.get(`<interfaces-state xmlns="${IETF_INTERFACES_NS}"><interface><name>port1</name><admin-status/></interface></interfaces-state>`);
      expect(JSON.stringify(data)).toContain('"down"');
      await edit(true);
      expect(node.state!.get('/interfaces/interface[name=port1]/admin-status')).toBe('up');
    } finally {
      await client.close();
    }
  });
});

const emulatorRpc = (name: string, inner = '') => nc.client.rpc(`<${name} xmlns="${EMULATOR_NS}">${inner}</${name}>`);

describe('lab-in-a-box stepped clock', () => {
  it('serves its mode, and device time stands still between requests', async () => {
    const data = await nc.client.get(`<emulator xmlns="${EMULATOR_NS}"/>`);
    const text = JSON.stringify(data);
    expect(text).toContain('"stepped"');
    expect(text).not.toContain('time-scale');
    const t0 = await dut.clock!.nowPs();
    for (let i = 0; i < 5; i++) await dut.state!.get('/interfaces/interface[name=port1]/oper-status');
    expect(await dut.clock!.nowPs()).toBe(t0);
    expect(server.twin.nowPs()).toBe(t0);
  });

  it('advance-time runs the whole twin to the exact picosecond and answers with the time reached', async () => {
    const t0 = server.twin.nowPs();
    const events0 = server.twin.eventsProcessed();
    const reply = await emulatorRpc('advance-time', '<duration-ps>1234567</duration-ps>');
    expect(reply.children.find((c) => c.name === 'device-time-ps')?.text).toBe(String(t0 + 1234567));
    expect(server.twin.nowPs()).toBe(t0 + 1234567);
    // Through the driver: a fractional duration is rounded, as the in-process clock rounds it.
    await dut.clock!.advance(0.6);
    await ate.clock!.advance(1e6 + 0.4);
    expect(server.twin.nowPs()).toBe(t0 + 1234567 + 1 + 1e6);
    expect(server.twin.eventsProcessed()).toBeGreaterThanOrEqual(events0);
    ref.twin.runFor(server.twin.nowPs() - ref.twin.nowPs());
  });

  it('refuses a duration that is not a whole number of picoseconds', async () => {
    for (const bad of ['-1', '1.5', 'soon', '99999999999999999999']) {
      await expect(emulatorRpc('advance-time', `<duration-ps>${bad}</duration-ps>`), bad).rejects.toThrow(/invalid-value/);
    }
    await expect(emulatorRpc('advance-time')).rejects.toThrow(/missing-element/);
    await expect(dut.clock!.advance(-1)).rejects.toThrow(RangeError);
  });
});

describe('lab-in-a-box reset', () => {
  it('rebuilds the twin from its topology and seed, and every server serves the new one', async () => {
    const a = ate as DeviceWith<'traffic' | 'counters'>;
    // Leave state behind: a flow half sent, time moved on, a fault, a config change.
    await a.traffic.setFlows([{ ...FLOW, name: 'left-over', bytes: 10 * 1000 * 1000 }]);
    await a.traffic.start();
    await advance(0.01);
    expect((await a.traffic.metrics())[0]!.txFrames).toBeGreaterThan(0);
    await dut.faults!.inject({ kind: 'link-down', port: 'port1' });
    await dut.config!.edit('/interfaces/interface[name=port2]/enabled', false);
    expect(await dut.state!.get('/interfaces/interface[name=port2]/admin-status')).toBe('down');
    const old = server.twin;
    const generation = server.served.generation;

    await dut.lifecycle!.reset();
    expect(server.served.generation).toBe(generation + 1);
    expect(server.twin).not.toBe(old);
    const fresh = openEmulator(TOPOLOGY, SEED);
    expect(await dut.clock!.nowPs()).toBe(0);
    expect(await ate.clock!.nowPs()).toBe(0);
    // NETCONF (module and ietf-interfaces), SNMP and OTG all read the new twin.
    for (const p of ['/interfaces', '/system/ports']) expect(await dut.state!.get(p), p).toEqual(await fresh.devices.get('dut1')!.state!.get(p));
    expect(await dut.config!.get()).toEqual(await fresh.devices.get('dut1')!.config!.get());
    expect(await dut.counters!.all(), 'SNMP + fabric counters').toEqual(await fresh.devices.get('dut1')!.counters!.all());
    expect(await nc.counters.all(), 'ietf-interfaces counters').toEqual(await fresh.devices.get('dut1')!.counters!.all().then(ifMibOnly));
    expect(await a.traffic.metrics(), 'no flows left').toEqual([]);
    const otgConfig = (await (await fetch(`${server.endpoints.devices.find((d) => d.id === 'ate1')!.otgUrl}/config`)).json()) as { flows: unknown[] };
    expect(otgConfig.flows, 'the OTG API forgot the flows set on the old twin').toEqual([]);

    // And the new twin runs as a fresh in-process one does.
    for (const d of [a, fresh.devices.get('ate1')!]) {
      await d.traffic!.setFlows([FLOW]);
      await d.traffic!.start();
    }
    await dut.clock!.advance(1e9);
    await fresh.devices.get('ate1')!.clock.advance(1e9);
    expect(await a.traffic.metrics()).toEqual(await fresh.devices.get('ate1')!.traffic!.metrics());
    expect(await dut.counters!.all()).toEqual(await fresh.devices.get('dut1')!.counters!.all());
  });
});

/** The IF-MIB counters of each port (what ietf-interfaces statistics carry). */
function ifMibOnly(all: Record<string, PortCounters>): Record<string, PortCounters> {
  const keys = ['inOctets', 'outOctets', 'inPkts', 'outPkts', 'inDiscards', 'outDiscards', 'inErrors', 'outErrors'] as const;
  return Object.fromEntries(Object.entries(all).map(([p, c]) => [p, Object.fromEntries(keys.map((k) => [k, c[k]])) as unknown as PortCounters]));
}

describe('lab-in-a-box device whose management plane stops answering', () => {
  it('hangs its reads but still answers the clock, advance-time and reset', async () => {
    const topology: TwinTopology = { ...TOPOLOGY, devices: TOPOLOGY.devices.map((d) => (d.id === 'dut1' ? { ...d, defects: ['mgmt-unresponsive'] } : d)) };
    const live = await startLabServer({ topology, seed: SEED, ptyDir: tmp }, CREDS, {});
    const ep = live.endpoints.devices.find((d) => d.id === 'dut1')!;
    expect(ep.snmpPort).toBeUndefined();
    const d = await createNetconfDevice(info('dut1'), { netconf: { host: '127.0.0.1', port: ep.netconfPort, username: CREDS.username, password: CREDS.password, timeoutMs: 500 } });
    try {
      await d.clock!.advance(5e6);
      expect(await d.clock!.nowPs()).toBe(5e6);
      await expect(d.state.get('/interfaces/interface[name=port1]/oper-status')).rejects.toThrow(DeviceError);
      await expect(d.client.get(`<interfaces xmlns="${IETF_INTERFACES_NS}"/><emulator xmlns="${EMULATOR_NS}"/>`)).rejects.toThrow();
      await d.lifecycle!.reset();
      expect(live.twin.nowPs()).toBe(0);
    } finally {
      await d.close();
      await live.stop();
    }
  });
});

describe('lab-in-a-box paced clock', () => {
  it('advances on device time paced to the wall clock, refuses advance-time, and restarts from 0 on reset', async () => {
    const live = await startLabServer({ topology: TOPOLOGY, seed: SEED, clock: 'paced', timeScale: 0.01, ptyDir: tmp }, CREDS, { wallNowMs: () => performance.now() });
    const ep = live.endpoints.devices[0]!;
    const d = await createNetconfDevice(info(ep.id), { netconf: { host: '127.0.0.1', port: ep.netconfPort, username: CREDS.username, password: CREDS.password, timeoutMs: 5000 } });
    try {
      const clock = d.clock!;
      const t0 = await clock.nowPs();
      const w0 = performance.now();
      await clock.advance(0.2e9); // 0.2 ms of device time: about 20 ms of wall time at 0.01
      const t1 = await clock.nowPs();
      expect(t1 - t0).toBeGreaterThanOrEqual(0.2e9);
      expect(performance.now() - w0).toBeGreaterThanOrEqual(15);
      await expect(clock.advance(-1)).rejects.toThrow(RangeError);
      await expect(d.client.rpc(`<advance-time xmlns="${EMULATOR_NS}"><duration-ps>1</duration-ps></advance-time>`)).rejects.toThrow(/operation-failed.*paced/);
      const before = live.twin;
      await d.lifecycle!.reset();
      expect(live.twin).not.toBe(before);
      expect(await clock.nowPs()).toBeLessThan(t1);
      expect(live.served.pacer?.running).toBe(true);
    } finally {
      await d.close();
      await live.stop();
    }
    expect(live.served.pacer).toBeNull();
  });
});
