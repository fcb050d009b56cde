// OTG lab driver: a partial device whose `traffic` and `capture` go to an OTG-like HTTP/JSON API (drivers/otg/client.ts).
//
// Flows map to OTG flows (emulators/mgmt/lab/otg-api.ts: port tx/rx, fixed size, bps rate,
// fixed packets, the rest in `x_fabric_hil`); start and stop are control/state flow_transmit;
// metrics are monitor/metrics flow_metrics in the order the flows were set; a capture is
// control/state port.capture start, then stop and the frames fetched as JSON (exact times).
// Every failure surfaces as DeviceError (the test is broken) with the typed OTG error as cause.
import {
  AbstractDevice,
  DeviceError,
  type CapturedFrame,
  type CaptureCapability,
  type CmisCapability,
  type ConfigCapability,
  type CountersCapability,
  type FaultsCapability,
  type FlowMetrics,
  type StateCapability,
  type TrafficCapability,
} from '../device.ts';
import { flowToOtg, metricFromOtg, OtgApiError } from '../../emulators/mgmt/lab/otg-api.ts';
import { OtgClient, OtgClientError } from './client.ts';

export const OTG_DRIVER = 'otg';

/** What the driver needs of a testbed device (structurally a harness TestbedDevice). */
export interface LabDeviceInfo {
  id: string;
  kind: string;
  ports: readonly string[];
}

export type OtgOffer = 'traffic' | 'capture';

export interface OtgSettings {
  url: string;
  timeoutMs?: number;
  /** What the endpoint serves (default both): a capture-only tap, or a generator without capture. */
  offers?: OtgOffer[];
}

/** Checks the binding's `otg:` section; errors name the field. */
export function otgSettings(deviceId: string, raw: Record<string, unknown> | undefined): OtgSettings {
  if (!raw) throw new DeviceError(deviceId, "otg: expected an 'otg:' settings section { url }");
  const { url, timeoutMs, offers } = raw;
  if (typeof url !== 'string' || !/^http:\/\/[^\s/]+/.test(url)) throw new DeviceError(deviceId, 'otg.url: expected http://host:port');
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) > 0)) throw new DeviceError(deviceId, 'otg.timeoutMs: expected a positive integer');
  if (offers !== undefined && !(Array.isArray(offers) && offers.length > 0 && offers.every((o) => o === 'traffic' || o === 'capture'))) {
    throw new DeviceError(deviceId, 'otg.offers: expected a non-empty list of traffic and/or capture');
  }
  return { url, ...(timeoutMs !== undefined ? { timeoutMs: timeoutMs as number } : {}), ...(offers !== undefined ? { offers: [...new Set(offers as OtgOffer[])] } : {}) };
}

export class OtgDevice extends AbstractDevice {
  readonly driver = OTG_DRIVER;
  readonly id: string;
  readonly kind: string;
  readonly ports: readonly string[];

  override config: ConfigCapability | undefined = undefined;
  override state: StateCapability | undefined = undefined;
  override counters: CountersCapability | undefined = undefined;
  override faults: FaultsCapability | undefined = undefined;
  override cmis: CmisCapability | undefined = undefined;
  override traffic: TrafficCapability | undefined;
  override capture: CaptureCapability | undefined;

  constructor(
    info: LabDeviceInfo,
    readonly client: OtgClient,
    offers: readonly OtgOffer[] = ['traffic', 'capture'],
  ) {
    super();
    this.id = info.id;
    this.kind = info.kind;
    this.ports = [...info.ports];
    const ports = this.ports.map((p) => ({ name: p, location: `${this.id}:${p}` }));
    this.traffic = !offers.includes('traffic') ? undefined : {
      setFlows: (flows) => this.call('traffic.setFlows', async () => void (await this.client.setConfig({ ports, flows: flows.map(flowToOtg) }))),
      start: () => this.call('traffic.start', () => this.transmit('start')),
      stop: () => this.call('traffic.stop', () => this.transmit('stop')),
      metrics: () =>
        this.call('traffic.metrics', async (): Promise<FlowMetrics[]> => {
          const r = await this.client.metrics({ choice: 'flow', flow: { flow_names: [] } });
          if (r.choice !== 'flow_metrics') throw new OtgApiError('expected flow_metrics');
          return r.flow_metrics.map(metricFromOtg);
        }),
    };
    this.capture = !offers.includes('capture') ? undefined : {
      start: (port) =>
        this.call(`capture.start ${port}`, async () => {
          this.checkPort(port);
          await this.client.setControlState({ choice: 'port', port: { choice: 'capture', capture: { port_names: [port], state: 'start' } } });
        }),
      stop: (port) =>
        this.call(`capture.stop ${port}`, async (): Promise<CapturedFrame[]> => {
          this.checkPort(port);
          await this.client.setControlState({ choice: 'port', port: { choice: 'capture', capture: { port_names: [port], state: 'stop' } } });
          const r = await this.client.captureJson(port);
          return r.frames.map((f, i) => {
            if (typeof f.time_ps !== 'number' || (f.direction !== 'rx' && f.direction !== 'tx') || typeof f.bytes !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(f.bytes)) {
              throw new OtgApiError(`capture frames[${i}]: expected { time_ps, direction: rx|tx, bytes: hex }`);
            }
            const frame: CapturedFrame & { originalLength?: number } = { timePs: f.time_ps, direction: f.direction, bytes: new Uint8Array(Buffer.from(f.bytes, 'hex')) };
            if (typeof f.original_length === 'number') frame.originalLength = f.original_length;
            return frame;
          });
        }),
    };
  }

  override async close(): Promise<void> {
    this.client.close();
  }

  private async transmit(state: 'start' | 'stop'): Promise<void> {
    await this.client.setControlState({ choice: 'traffic', traffic: { choice: 'flow_transmit', flow_transmit: { flow_names: [], state } } });
  }

  private checkPort(port: string): void {
    if (!this.ports.includes(port)) throw new DeviceError(this.id, `no port "${port}" (ports: ${this.ports.join(', ')})`);
  }

  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof DeviceError) throw e;
      if (e instanceof OtgClientError || e instanceof OtgApiError) throw new DeviceError(this.id, `${what}: ${e.message}`, { cause: e });
      throw new DeviceError(this.id, `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** Lab driver factory: checks the `otg:` settings and that the API answers (GET /config). */
export async function createOtgDevice(device: LabDeviceInfo, settings: Record<string, Record<string, unknown>>): Promise<OtgDevice> {
  const s = otgSettings(device.id, settings.otg);
  const client = new OtgClient({ url: s.url, ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}) });
  try {
    await client.getConfig();
  } catch (e) {
    client.close();
    throw new DeviceError(device.id, (e as Error).message, { cause: e });
  }
  return new OtgDevice(device, client, s.offers);
}
