// A lab device: one piece of real gear reached by several drivers at once (NETCONF, SNMP, serial, OTG).
//
// Each driver opens a partial device; the composite takes each capability from the first driver
// that offers it, in a fixed preference (state and config from NETCONF, counters from SNMP's
// IF-MIB when present, faults from NETCONF, cmis from the serial console, traffic and capture
// from the OTG API, the clock from NETCONF when it offers one: lab-in-a-box's device time; the
// fabric counters IF-MIB lacks (ECN marks, trims, PFC) from a part that offers `fabricCounters`). A
// capability no driver offers stays missing, so a test that needs it is blocked. A part's
// lifecycle reset (lab-in-a-box NETCONF: the served twin) becomes the device's; several parts'
// resets are done one after the other, under the scopes joined. Opening is all
// or nothing: if one driver fails to connect, the ones already open are closed.
//
// Serial: a console bridge serves one module. `serial: { path }` reaches the same bridge from
// every port; `serial: { ports: { <port>: <path> } }` opens one console per module port (and
// `path`, when also given, serves the ports the map does not name); a port with no console
// answers cmis with a DeviceError.
import {
  CAPABILITIES,
  DeviceError,
  type CapabilityName,
  type Capabilities,
  type CmisCapability,
  type CountersCapability,
  type Device,
  type DeviceLifecycle,
  type PortCounters,
} from '../device.ts';
import { createNetconfDevice } from '../netconf/device.ts';
import { createSnmpDevice } from '../snmp/device.ts';
import { createSerialDevice } from '../serial/device.ts';
import { createOtgDevice } from '../otg/device.ts';

export const LAB_DRIVER_NAMES = ['netconf', 'snmp', 'serial', 'otg'] as const;
export type LabDriverName = (typeof LAB_DRIVER_NAMES)[number];

/** Which driver answers a capability first, when several could. */
export const CAPABILITY_PREFERENCE: Record<CapabilityName, readonly LabDriverName[]> = {
  config: ['netconf'],
  state: ['netconf', 'snmp'],
  counters: ['snmp', 'netconf'],
  traffic: ['otg'],
  capture: ['otg'],
  faults: ['netconf', 'snmp'],
  cmis: ['serial'],
  clock: ['netconf', 'snmp', 'serial'],
};

export interface LabDeviceInfo {
  id: string;
  kind: string;
  ports: readonly string[];
}

type Opener = (info: LabDeviceInfo, settings: Record<string, Record<string, unknown>>) => Promise<Device>;

const OPENERS: Record<LabDriverName, Opener> = {
  netconf: (info, s) => createNetconfDevice(info as never, s),
  snmp: (info, s) => createSnmpDevice(info, s),
  serial: (info, s) => openSerial(info, s),
  otg: (info, s) => createOtgDevice(info, s),
};

/** One console per module port when `serial.ports` maps them, else one console for the device. */
async function openSerial(info: LabDeviceInfo, settings: Record<string, Record<string, unknown>>): Promise<Device> {
  const { ports: map, ...common } = settings.serial ?? {};
  if (map === undefined) return createSerialDevice(info, settings);
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new DeviceError(info.id, 'serial.ports: expected a mapping { <port>: <device path> }');
  const byPort = new Map<string, Device>();
  const opened: Device[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(opened.map((d) => d.close()));
  };
  try {
    for (const [port, path] of Object.entries(map as Record<string, unknown>)) {
      if (!info.ports.includes(port)) throw new DeviceError(info.id, `serial.ports: no port "${port}" on the device (ports: ${info.ports.join(', ')})`);
      const d = await createSerialDevice(info, { ...settings, serial: { ...common, path } });
      opened.push(d);
      byPort.set(port, d);
    }
    if (typeof common.path === 'string') opened.push(await createSerialDevice(info, { ...settings, serial: common }));
  } catch (err) {
    await close();
    throw err;
  }
  const fallback = typeof common.path === 'string' ? opened[opened.length - 1] : undefined;
  const console = (port: string): CmisCapability => {
    const d = byPort.get(port) ?? fallback;
    if (!d?.cmis) throw new DeviceError(info.id, `cmis: no console bridge for port "${port}" in the binding (serial.ports names ${[...byPort.keys()].join(', ') || 'none'})`);
    return d.cmis;
  };
  return {
    id: info.id,
    kind: info.kind,
    driver: 'serial',
    ports: info.ports,
    cmis: {
      read: async (port, bank, page, offset, length) => console(port).read(port, bank, page, offset, length),
      write: async (port, bank, page, offset, data) => console(port).write(port, bank, page, offset, data),
    },
    close,
  };
}

/** Counters IF-MIB does not have; a part with `fabricCounters` (lab-in-a-box NETCONF) supplies them. */
const FABRIC_COUNTERS = ['ecnMarked', 'trims', 'pfcPauseTx', 'pfcPauseRx'] as const;

/** `base` counters with the fabric counters it lacks read from `fabric` at the same time. */
function withFabricCounters(base: CountersCapability, fabric: CountersCapability): CountersCapability {
  const fill = (b: PortCounters, f: PortCounters | undefined): PortCounters => {
    const out = { ...b };
    for (const k of FABRIC_COUNTERS) if (out[k] === undefined && f?.[k] !== undefined) out[k] = f[k];
    return out;
  };
  return {
    port: async (p) => {
      const [b, f] = await Promise.all([base.port(p), fabric.port(p)]);
      return fill(b, f);
    },
    all: async () => {
      const [b, f] = await Promise.all([base.all(), fabric.all()]);
      return Object.fromEntries(Object.entries(b).map(([p, c]) => [p, fill(c, f[p])]));
    },
  };
}

/** Composes partial devices (keyed by the driver that opened them) into one device. */
export function composeDevice(info: LabDeviceInfo, parts: ReadonlyMap<LabDriverName, Device>): Device {
  const device: Device = {
    id: info.id,
    kind: info.kind,
    driver: [...parts.keys()].join('+'),
    ports: info.ports,
    close: async () => {
      await Promise.allSettled([...parts.values()].map((p) => p.close()));
    },
  };
  for (const cap of CAPABILITIES) {
    for (const name of CAPABILITY_PREFERENCE[cap]) {
      const impl = parts.get(name)?.[cap];
      if (impl) {
        (device as Partial<Capabilities>)[cap] = impl as never;
        break;
      }
    }
  }
  const lifecycles = [...parts.values()].map((p) => p.lifecycle).filter((l): l is DeviceLifecycle => l !== undefined);
  if (lifecycles.length === 1) device.lifecycle = lifecycles[0];
  else if (lifecycles.length > 1) {
    device.lifecycle = {
      scope: lifecycles.map((l) => l.scope).join(' + '),
      reset: async () => {
        for (const l of lifecycles) await l.reset();
      },
    };
  }
  const fabric = [...parts.values()].map((p) => (p as { fabricCounters?: CountersCapability }).fabricCounters).find((c) => c !== undefined);
  if (device.counters && fabric && device.counters !== fabric) device.counters = withFabricCounters(device.counters, fabric);
  return device;
}

/** Opens every listed driver for the device and composes them. */
export async function openLabDevice(
  info: LabDeviceInfo,
  drivers: readonly LabDriverName[],
  settings: Record<string, Record<string, unknown>>,
): Promise<Device> {
  const parts = new Map<LabDriverName, Device>();
  try {
    for (const d of drivers) parts.set(d, await OPENERS[d](info, settings));
  } catch (err) {
    await Promise.allSettled([...parts.values()].map((p) => p.close()));
    throw err;
  }
  return composeDevice(info, parts);
}
