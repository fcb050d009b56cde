// A lab device: one piece of real gear reached by several drivers at once (NETCONF, SNMP, serial).
//
// Each driver opens a partial device; the composite takes each capability from the first driver
// that offers it, in a fixed preference (state and config from NETCONF, counters from SNMP's
// IF-MIB when present, faults from NETCONF, cmis from the serial console). A capability no driver
// offers stays missing, so a test that needs it is blocked. Opening is all or nothing: if one
// driver fails to connect, the ones already open are closed.
import { CAPABILITIES, type CapabilityName, type Capabilities, type Device } from '../device.ts';
import { createNetconfDevice } from '../netconf/device.ts';
import { createSnmpDevice } from '../snmp/device.ts';
import { createSerialDevice } from '../serial/device.ts';

export const LAB_DRIVER_NAMES = ['netconf', 'snmp', 'serial'] as const;
export type LabDriverName = (typeof LAB_DRIVER_NAMES)[number];

/** Which driver answers a capability first, when several could. */
export const CAPABILITY_PREFERENCE: Record<CapabilityName, readonly LabDriverName[]> = {
  config: ['netconf'],
  state: ['netconf', 'snmp'],
  counters: ['snmp', 'netconf'],
  traffic: [],
  capture: [],
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
  serial: (info, s) => createSerialDevice(info, s),
};

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
