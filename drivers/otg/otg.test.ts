// The OTG driver against the lab-in-a-box OTG server: the API subset, the pcapng capture, and typed errors that never hang.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTwin } from '../../emulators/build.ts';
import { OtgServer } from '../../emulators/mgmt/lab/otg-server.ts';
import { flowFromOtg, flowToOtg, OtgApiError } from '../../emulators/mgmt/lab/otg-api.ts';
import type { Twin, TwinTopology } from '../../emulators/twin.ts';
import { readPcapng } from '../../protocols/pcapng/index.ts';
import { DeviceError } from '../device.ts';
import { OtgClient, OtgConnectError, OtgHttpError, OtgTimeoutError } from './client.ts';
import { createOtgDevice, OtgDevice } from './device.ts';

const TOPOLOGY: TwinTopology = {
  devices: [
    { id: 'dut1', kind: 'switch', ports: ['port1', 'port2'] },
    { id: 'ate1', kind: 'traffic-generator', ports: ['p1', 'p2'] },
  ],
  links: [
    { a: { device: 'ate1', port: 'p1' }, b: { device: 'dut1', port: 'port1' } },
    { a: { device: 'ate1', port: 'p2' }, b: { device: 'dut1', port: 'port2' } },
  ],
};
const INFO = { id: 'ate1', kind: 'traffic-generator', ports: ['p1', 'p2'] };

let twin: Twin;
let server: OtgServer;
let device: OtgDevice;

beforeAll(async () => {
  twin = buildTwin(TOPOLOGY, { seed: 3 });
  server = new OtgServer({ node: () => twin.node('ate1')! });
  await server.start();
  device = await createOtgDevice(INFO, { otg: { url: server.url, timeoutMs: 2000 } });
});
afterAll(async () => {
  await device?.close();
  await server?.stop();
});

describe('OTG flows', () => {
  it('map to OTG flows and back without loss', () => {
    const f = { name: 'f', txPort: 'p1', rxPort: 'ate1:p2', bytes: 10_500, frameBytes: 1000, rateBps: 4e11, startPs: 12.5, transport: 'uet' as const, entropies: 4, attributes: { vc: 2 } };
    const otg = flowToOtg(f);
    expect(otg.duration).toEqual({ choice: 'fixed_packets', fixed_packets: { packets: 11 } });
    expect(otg.tx_rx).toEqual({ choice: 'port', port: { tx_name: 'p1', rx_names: ['ate1:p2'] } });
    expect(flowFromOtg(otg, 0)).toEqual(f);
    // A plain OTG flow (no extension): packets x size, counts as decimal strings as protojson writes them.
    expect(flowFromOtg({ name: 'g', tx_rx: { choice: 'port', port: { tx_name: 'p1', rx_names: ['p2'] } }, size: { choice: 'fixed', fixed: 500 }, duration: { choice: 'fixed_packets', fixed_packets: { packets: '4' } } }, 0)).toEqual({
      name: 'g',
      txPort: 'p1',
      rxPort: 'p2',
      bytes: 2000,
      frameBytes: 500,
    });
    expect(() => flowFromOtg({ name: 'h', tx_rx: { choice: 'port', port: { tx_name: 'p1', rx_names: ['p2'] } } }, 3)).toThrow(OtgApiError);
  });
});

describe('OTG device', () => {
  it('sets, starts and measures flows, and captures frames also served as pcapng', async () => {
    await device.capture!.start('p2');
    await device.traffic!.setFlows([{ name: 'a', txPort: 'p1', rxPort: 'ate1:p2', bytes: 3000, frameBytes: 1000 }]);
    await device.traffic!.start();
    expect((await device.client.metrics({ choice: 'flow' })).choice).toBe('flow_metrics');
    twin.runFor(1e9);
    const [m] = await device.traffic!.metrics();
    expect(m).toMatchObject({ name: 'a', txFrames: 3, rxFrames: 3, rxBytes: 3000, done: true });
    const frames = await device.capture!.stop('p2');
    expect(frames.map((f) => f.direction)).toEqual(['rx', 'rx', 'rx']);
    expect(frames[0]!.bytes.length).toBeGreaterThan(0);
    const pcap = readPcapng(await device.client.capturePcapng('p2'));
    expect(pcap.packets.length).toBe(3);
    const ports = await device.client.metrics({ choice: 'port', port: { port_names: ['p2'] } });
    expect(ports).toMatchObject({ choice: 'port_metrics', port_metrics: [{ name: 'p2', frames_rx: 3 }] });
    const config = await device.client.getConfig();
    expect(config.flows?.map((f) => f.name)).toEqual(['a']);
  });

  it('offers only what the binding says the endpoint serves (otg.offers), and names a bad list', async () => {
    const tap = await createOtgDevice(INFO, { otg: { url: server.url, offers: ['capture'] } });
    try {
      expect(tap.capture).toBeDefined();
      expect(tap.traffic).toBeUndefined();
    } finally {
      await tap.close();
    }
    await expect(createOtgDevice(INFO, { otg: { url: server.url, offers: ['pcap'] } })).rejects.toThrow(/otg\.offers: expected a non-empty list of traffic and\/or capture/);
  });

  it('turns API errors into DeviceErrors carrying the OTG error', async () => {
    const err = await device.traffic!.setFlows([{ name: 'x', txPort: 'p9', rxPort: 'p2', bytes: 1 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).cause).toBeInstanceOf(OtgHttpError);
    expect((err as DeviceError).message).toMatch(/HTTP 404.*no port "p9"/);
    await expect(device.capture!.stop('p9')).rejects.toThrow(/no port "p9"/);
  });

  it('answers bad requests with the OTG Error object', async () => {
    const post = (path: string, body: string) =>
      fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post('/config', '{nope')).toMatchObject({ status: 400, body: { code: 400, kind: 'validation', errors: [expect.stringMatching(/not JSON/)] } });
    expect(await post('/control/state', '{"choice":"protocol"}')).toMatchObject({ status: 400 });
    expect(await post('/nowhere', '{}')).toMatchObject({ status: 404 });
    expect((await fetch(`${server.url}/control/state`)).status).toBe(405);
  });

  it('sends a request again on a fresh connection when the server reset the kept-alive one it went out on', async () => {
    // A raw HTTP/1.1 server: on its first connection it answers one request and resets the
    // connection when the next one arrives (an idle timeout racing the request); later
    // connections answer every request.
    let connections = 0;
    let answered = 0;
    const raw = net.createServer((sock) => {
      const n = ++connections;
      let served = 0;
      let buf = '';
      sock.on('error', () => undefined);
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        while (buf.includes('\r\n\r\n')) {
          buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
          if (n === 1 && served === 1) return sock.resetAndDestroy();
          served++;
          answered++;
          const body = '{"flows":[]}';
          sock.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
        }
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    const client = new OtgClient({ url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, timeoutMs: 2000 });
    try {
      await client.getConfig();
      await expect(client.getConfig()).resolves.toEqual({ flows: [] });
      expect(connections).toBe(2);
      expect(answered).toBe(2);
    } finally {
      client.close();
      raw.close();
    }
  });

  it('fails with a typed error, within its timeout, when the server is gone or silent', async () => {
    await expect(new OtgClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000 }).getConfig()).rejects.toBeInstanceOf(OtgConnectError);
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const client = new OtgClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 200 });
    const t0 = performance.now();
    await expect(client.getConfig()).rejects.toBeInstanceOf(OtgTimeoutError);
    expect(performance.now() - t0).toBeLessThan(2000);
    client.close();
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
    await expect(createOtgDevice(INFO, { otg: { url: 'ftp://x' } })).rejects.toThrow(/otg.url/);
  });
});
