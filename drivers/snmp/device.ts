// SNMP lab driver: a partial device whose counters and interface state come from IF-MIB.
//
// Ports are named as the agent names its interfaces (ifName, else ifDescr). Names map to ifIndex
// through a cache refreshed by a walk whenever a name is unknown or its row has gone, so a
// single-port read costs one Get. Every SNMP failure surfaces as DeviceError (the test is broken,
// not failed) with the typed SNMP error as its cause. Capabilities SNMP cannot give (config,
// traffic, capture, faults, cmis) are absent, so tests that need them are blocked.
import {
  AbstractDevice,
  DeviceError,
  type CaptureCapability,
  type CmisCapability,
  type ConfigCapability,
  type CountersCapability,
  type FaultsCapability,
  type PortCounters,
  type StateCapability,
  type TrafficCapability,
} from '../device.ts';
import { getIfMibRow, toPortCounters, walkIfIndexes, walkIfMib, type IfMibInterface } from './if-mib.ts';
import { SnmpManager, type SnmpAuthProtocol, type SnmpPrivProtocol, type SnmpRequestOptions, type SnmpTarget } from './manager.ts';

export const SNMP_DRIVER = 'snmp';

/** What the driver needs of a testbed device (structurally a harness TestbedDevice). */
export interface LabDeviceInfo {
  id: string;
  kind: string;
  ports: readonly string[];
}

export type SnmpSettings = SnmpTarget & SnmpRequestOptions;

const INTERFACE_PATH = /^\/interfaces\/interface\[name=([^\]]+)\]\/(oper-status|admin-status|speed)$/;
const AUTH: readonly SnmpAuthProtocol[] = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'];
const PRIV: readonly SnmpPrivProtocol[] = ['des', 'aes', 'aes256b', 'aes256r'];

/** Checks the binding's `snmp:` section (secrets already resolved); errors name the field. */
export function snmpSettings(deviceId: string, raw: Record<string, unknown> | undefined): SnmpSettings {
  const fail = (field: string, expected: string): never => {
    throw new DeviceError(deviceId, `snmp.${field}: expected ${expected}`);
  };
  if (!raw) return fail('', "an 'snmp:' settings section");
  const str = (k: string, required: boolean): string | undefined => {
    const v = raw[k];
    if (v === undefined && !required) return undefined;
    return typeof v === 'string' && v.length > 0 ? v : fail(k, 'a non-empty string');
  };
  const int = (k: string, min: number, max: number): number | undefined => {
    const v = raw[k];
    if (v === undefined) return undefined;
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(k, `an integer in ${min}..${max}`);
  };
  const oneOf = <T extends string>(k: string, allowed: readonly T[]): T | undefined => {
    const v = raw[k];
    if (v === undefined) return undefined;
    return allowed.includes(v as T) ? (v as T) : fail(k, `one of ${allowed.join(', ')}`);
  };
  const common = {
    host: str('host', true)!,
    port: int('port', 1, 65535),
    timeoutMs: int('timeoutMs', 1, 3_600_000),
    retries: int('retries', 0, 100),
  };
  const version = raw.version;
  if (version === 'v2c') return { ...common, version, community: str('community', true)! };
  if (version === 'v3') {
    return {
      ...common,
      version,
      user: str('user', true)!,
      authProtocol: oneOf('authProtocol', AUTH),
      authKey: str('authKey', false),
      privProtocol: oneOf('privProtocol', PRIV),
      privKey: str('privKey', false),
    };
  }
  return fail('version', 'v2c or v3');
}

export class SnmpDevice extends AbstractDevice {
  readonly driver = SNMP_DRIVER;
  readonly id: string;
  readonly kind: string;
  readonly ports: readonly string[];

  override config: ConfigCapability | undefined = undefined;
  override traffic: TrafficCapability | undefined = undefined;
  override capture: CaptureCapability | undefined = undefined;
  override faults: FaultsCapability | undefined = undefined;
  override cmis: CmisCapability | undefined = undefined;
  override counters: CountersCapability;
  override state: StateCapability;

  private indexes = new Map<string, number>();

  constructor(
    info: LabDeviceInfo,
    readonly manager: SnmpManager,
  ) {
    super();
    this.id = info.id;
    this.kind = info.kind;
    this.ports = [...info.ports];
    this.counters = {
      port: async (portId) => toPortCounters(await this.row(portId)),
      all: async () => {
        const rows = await this.snmp(() => walkIfMib(this.manager));
        this.indexes = new Map([...rows.values()].map((r) => [r.name, r.index]));
        const out: Record<string, PortCounters> = {};
        for (const [name, r] of rows) out[name] = toPortCounters(r);
        return out;
      },
    };
    this.state = {
      get: async (path) => {
        const m = INTERFACE_PATH.exec(path);
        if (!m) return undefined;
        const r = await this.row(m[1]!);
        return m[2] === 'oper-status' ? r.operStatus : m[2] === 'admin-status' ? r.adminStatus : r.speedBps;
      },
    };
  }

  override async close(): Promise<void> {
    await this.manager.close();
  }

  /** One interface's IF-MIB row by name; refreshes the name cache once when needed. */
  private async row(name: string): Promise<IfMibInterface> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0 || !this.indexes.has(name)) this.indexes = await this.snmp(() => walkIfIndexes(this.manager));
      const index = this.indexes.get(name);
      if (index === undefined) break;
      const r = await this.snmp(() => getIfMibRow(this.manager, index));
      if (r && r.name === name) return r;
    }
    const known = [...this.indexes.keys()];
    throw new DeviceError(this.id, `no interface named "${name}" in IF-MIB (interfaces: ${known.join(', ') || 'none'})`);
  }

  private async snmp<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new DeviceError(this.id, (err as Error).message, { cause: err });
    }
  }
}

/**
 * Lab driver factory: opens a manager from the `snmp:` settings and checks that the agent answers
 * (a Get of sysUpTime), so a wrong address or key fails the binding with a clear reason.
 */
export async function createSnmpDevice(device: LabDeviceInfo, settings: Record<string, Record<string, unknown>>): Promise<SnmpDevice> {
  const s = snmpSettings(device.id, settings.snmp);
  const manager = await SnmpManager.open(s, { timeoutMs: s.timeoutMs, retries: s.retries });
  try {
    await manager.get(['1.3.6.1.2.1.1.3.0']);
  } catch (err) {
    await manager.close();
    throw new DeviceError(device.id, (err as Error).message, { cause: err });
  }
  return new SnmpDevice(device, manager);
}
