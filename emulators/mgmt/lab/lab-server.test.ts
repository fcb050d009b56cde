// Lab-in-a-box against the in-process emulator: the same twin served over NETCONF, SNMP and the OTG API gives the same answers.
//
// Device time is frozen (a fake wall clock) except when a test moves it, so the served twin and a
// reference twin built in-process with the same seed can be compared value for value.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmulator, type EmulatorSession } from '../../../drivers/emulator/emulator-driver.ts';
import { openLabDevice } from '../../../drivers/lab/lab-device.ts';
import { NetconfClient } from '../../../drivers/netconf/client.ts';
import { createNetconfDevice, type NetconfDevice } from '../../../drivers/netconf/device.ts';
import { DeviceError, type Device, type DeviceWith, type FlowSpec } from '../../../drivers/device.ts';
import { IETF_INTERFACES_NS } from '../../../protocols/netconf/index.ts';
import type { TwinTopology } from '../../twin.ts';
import { startLabServer, type LabServer } from './lab-server.ts';
import { EMULATOR_CAPABILITY } from './yang.ts';

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

let wallMs = 0;
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

/** Moves both twins on by `ms` of device time (the served one through its pacer). */
async function advance(ms: number): Promise<void> {
  const target = server.twin.nowPs() + Math.round(ms * 1e9);
  wallMs += ms;
  for (let i = 0; server.twin.nowPs() < target; i++) {
    if (i > 2000) throw new Error('the pacer did not move the served twin');
    await new Promise((r) => setTimeout(r, 1));
  }
  ref.twin.runFor(server.twin.nowPs() - ref.twin.nowPs());
  expect(server.twin.nowPs()).toBe(target);
}

const info = (id: string) => ({ id, kind: TOPOLOGY.devices.find((d) => d.id === id)!.kind, ports: TOPOLOGY.devices.find((d) => d.id === id)!.ports });

beforeAll(async () => {
  server = await startLabServer({ topology: TOPOLOGY, seed: SEED, timeScale: 1, ptyDir: tmp }, CREDS, { wallNowMs: () => wallMs });
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

describe('lab-in-a-box clock', () => {
  it('advances on device time paced to the wall clock', async () => {
    const live = await startLabServer({ topology: TOPOLOGY, seed: SEED, timeScale: 0.01, ptyDir: tmp }, CREDS, { wallNowMs: () => performance.now() });
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
    } finally {
      await d.close();
      await live.stop();
    }
  });
});
