// Binding: turns a loaded testbed into devices, one driver per device, with bounded calls.
//
// Emulator-bound devices share one twin (built from the emulator part of the topology); lab
// drivers are looked up in a registry that the real-device drivers fill. Every capability call
// goes through a timeout, so a device that stops answering makes its test broken, not the run hang.
// Lab devices are opened a few at a time (OPEN_CONCURRENCY); the devices keep testbed order. With
// `reset`, the binding performs each device's lifecycle reset (drivers/device.ts DeviceLifecycle)
// once per scope, bounded by the same timeout, before it returns: a test file then starts from
// the state the devices started in (a lab-in-a-box twin rebuilt from its seed).
import { openEmulator, EMULATOR_DRIVER, type EmulatorSession } from '../drivers/emulator/emulator-driver.ts';
import { DeviceError, CAPABILITIES, type Device } from '../drivers/device.ts';
import type { TwinTopology } from '../emulators/twin.ts';
import { openLabDevice, type LabDriverName } from '../drivers/lab/lab-device.ts';
import type { Testbed, TestbedDevice } from './testbed.ts';
import { resolveSettings } from './secrets.ts';

/** Opens a real device through its drivers (replaceable in tests of the binding itself). */
export type LabDeviceOpener = (device: TestbedDevice, settings: Record<string, Record<string, unknown>>) => Promise<Device>;

const openLab: LabDeviceOpener = (d, settings) => openLabDevice(d, d.drivers.filter((x): x is LabDriverName => x !== EMULATOR_DRIVER), settings);

export interface BoundTestbed {
  readonly testbed: Testbed;
  readonly devices: ReadonlyMap<string, Device>;
  readonly emulator: EmulatorSession | null;
  /** Resolved secret values, for redaction. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

export class BindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BindError';
  }
}

function emulatorTopology(tb: Testbed): TwinTopology {
  const emulated = new Set(tb.devices.filter((d) => d.drivers.includes(EMULATOR_DRIVER)).map((d) => d.id));
  const links = [];
  for (const l of tb.links) {
    const inA = emulated.has(l.a.device);
    const inB = emulated.has(l.b.device);
    if (inA !== inB) {
      const [emu, lab] = inA ? [l.a, l.b] : [l.b, l.a];
      throw new BindError(
        `link ${emu.device}:${emu.port} - ${lab.device}:${lab.port} joins an emulated device to a lab device; ` +
          'the emulator cannot carry traffic to real gear (bind both ends to the same kind of driver)',
      );
    }
    if (inA) links.push({ a: l.a, b: l.b, rateBps: l.rateBps, lengthKm: l.lengthKm, fibre: l.fibre });
  }
  return {
    devices: tb.devices
      .filter((d) => emulated.has(d.id))
      .map((d) => ({ id: d.id, kind: d.kind, ports: [...d.ports], params: d.params, defects: [...d.defects] })),
    links,
  };
}

/** Wraps every capability method so that it rejects with DeviceError after `timeoutMs`. */
export function withCallTimeouts(device: Device, timeoutMs: number): Device {
  const wrapped: Record<string, unknown> = {};
  for (const cap of CAPABILITIES) {
    const impl = device[cap] as unknown as Record<string, unknown> | undefined;
    if (!impl) continue;
    const proxy: Record<string, unknown> = {};
    for (const key of Object.keys(impl).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(impl)))) {
      if (key === 'constructor') continue;
      const v = impl[key];
      proxy[key] =
        typeof v === 'function'
          ? (...args: unknown[]) => boundCall(device.id, `${cap}.${key}`, timeoutMs, () => (v as Function).apply(impl, args))
          : v;
    }
    wrapped[cap] = proxy;
  }
  return Object.assign(Object.create(device) as Device, wrapped);
}

function boundCall<T>(deviceId: string, what: string, timeoutMs: number, call: () => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new DeviceError(deviceId, `${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    Promise.resolve()
      .then(call)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/** Lab devices opened at once while binding (each open is a few round trips: SSH, SNMP, HTTP). */
const OPEN_CONCURRENCY = 16;

/**
 * Runs `f` on every item, at most `limit` at a time. On the first failure no further item is
 * started; the ones under way are waited for (so whatever they open can be closed), then the
 * failure is thrown.
 */
export async function eachLimited<T>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        await f(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== null) throw (failure as { err: unknown }).err;
}

/** Calls the lifecycle reset of each scope once (in device order), each bounded by `timeoutMs`. */
export async function resetDevices(devices: readonly Device[], timeoutMs: number): Promise<string[]> {
  const done: string[] = [];
  for (const d of devices) {
    const l = d.lifecycle;
    if (!l || done.includes(l.scope)) continue;
    await boundCall(d.id, 'lifecycle.reset', timeoutMs, () => l.reset());
    done.push(l.scope);
  }
  return done;
}

export async function bindTestbed(
  tb: Testbed,
  opts: {
    seed: number;
    driverTimeoutMs: number;
    env?: NodeJS.ProcessEnv;
    openLab?: LabDeviceOpener;
    /** Reset the devices that offer it (each lifecycle scope once), as a test file starts. */
    reset?: boolean;
  },
): Promise<BoundTestbed> {
  const { devices: settings, secrets } = resolveSettings(tb, opts.env ?? process.env);
  const devices = new Map<string, Device>();
  const topo = emulatorTopology(tb);
  const emulator = topo.devices.length > 0 ? openEmulator(topo, opts.seed) : null;
  const opened: Device[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(opened.map((d) => d.close()));
  };
  const inOrder: Device[] = new Array(tb.devices.length);
  try {
    await eachLimited(tb.devices, OPEN_CONCURRENCY, async (d, i) => {
      const device = d.drivers.includes(EMULATOR_DRIVER)
        ? emulator!.devices.get(d.id)!
        : await (opts.openLab ?? openLab)(d, (settings.get(d.id) ?? {}) as Record<string, Record<string, unknown>>);
      opened.push(device);
      inOrder[i] = device;
    });
    for (const device of inOrder) devices.set(device.id, withCallTimeouts(device, opts.driverTimeoutMs));
    if (opts.reset) await resetDevices(inOrder, opts.driverTimeoutMs);
  } catch (err) {
    await close();
    if (err instanceof DeviceError || err instanceof BindError) throw err;
    throw new BindError(err instanceof Error ? err.message : String(err));
  }
  return { testbed: tb, devices, emulator, secrets, close };
}
