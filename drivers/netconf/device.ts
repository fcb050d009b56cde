// The NETCONF lab driver: a partial device whose state, config, counters and link-down faults go over NETCONF.
//
// Ports are interface names (`eth0`). State paths under /interfaces are looked up in the RFC 8343
// tree first and in the RFC 7223 `interfaces-state` tree (what older agents such as netconfd
// serve) when the leaf is not there; both are asked in one <get>. Writes go to the candidate
// (locked, committed, unlocked; discarded on failure) when the server has :candidate, else to
// running. Every NETCONF failure becomes a DeviceError carrying the typed error as its cause.
// A server that offers the project module fabric-hil-emulator (lab-in-a-box) is an emulated
// device: state, config and faults then go through the module's RPCs, which carry the twin's own
// values by path, and the device gets a `virtual` clock reading the module's device-time-ps. That
// clock advances through the module's advance-time RPC when the server's clock-mode is stepped,
// and by waiting (polling device time) when it is paced. When the server names its twin
// (`twin-id`), the device offers a lifecycle reset (the module's reset RPC) scoped to that twin,
// so a binding resets the whole served fabric once per test file. Gear without the module is
// unchanged: no clock, no lifecycle.
import {
  IANA_IF_TYPE_NS,
  IETF_INTERFACES_NS,
  NETCONF_CAP_CANDIDATE,
  escapeXmlAttr,
  escapeXmlText,
  type XmlElement,
} from '../../protocols/netconf/index.ts';
import {
  AbstractDevice,
  DeviceError,
  NotImplementedError,
  type ClockCapability,
  type CountersCapability,
  type DeviceLifecycle,
  type Fault,
  type PortCounters,
} from '../device.ts';
import { decodeTwinValue, encodeTwinValue } from '../../emulators/mgmt/lab/value-json.ts';
import { EMULATOR_NS, EMULATOR_RPC, EMULATOR_RPC_LEAF, EMULATOR_STATE, offersEmulatorModule } from '../../emulators/mgmt/lab/yang.ts';
import { NetconfClient, type NetconfConnectOptions } from './client.ts';
import { configFor, filterFor, parsePath, select, toValue, valueAt, type PathSegment } from './paths.ts';

export const NETCONF_DRIVER = 'netconf';

/** What the driver needs of a testbed device (structurally the harness's TestbedDevice). */
export interface NetconfTestbedDevice {
  id: string;
  kind: string;
  ports: readonly string[];
}

interface LinkDown {
  port: string;
  /** The interface had no config entry: clearing deletes the one we made. */
  created: boolean;
  previous: string | undefined;
}

const IF = IETF_INTERFACES_NS;

function bothTrees(segs: PathSegment[]): PathSegment[][] {
  if (segs[0]!.name !== 'interfaces') return [segs];
  return [segs, [{ ...segs[0]!, name: 'interfaces-state' }, ...segs.slice(1)]];
}

function counter(stats: XmlElement | undefined, ...leaves: string[]): bigint {
  let sum = 0n;
  for (const leaf of leaves) {
    const t = stats?.children.find((c) => c.name === leaf)?.text.trim();
    if (t !== undefined && /^[0-9]{1,20}$/.test(t)) sum += BigInt(t);
  }
  return sum;
}

function portCounters(stats: XmlElement): PortCounters {
  return {
    inOctets: counter(stats, 'in-octets'),
    outOctets: counter(stats, 'out-octets'),
    inPkts: counter(stats, 'in-unicast-pkts', 'in-broadcast-pkts', 'in-multicast-pkts'),
    outPkts: counter(stats, 'out-unicast-pkts', 'out-broadcast-pkts', 'out-multicast-pkts'),
    inDiscards: counter(stats, 'in-discards'),
    outDiscards: counter(stats, 'out-discards'),
    inErrors: counter(stats, 'in-errors'),
    outErrors: counter(stats, 'out-errors'),
  };
}

export class NetconfDevice extends AbstractDevice {
  readonly driver = NETCONF_DRIVER;
  private readonly faultsInjected = new Map<string, LinkDown>();

  constructor(
    readonly id: string,
    readonly kind: string,
    readonly ports: readonly string[],
    readonly client: NetconfClient,
  ) {
    super();
    if (offersEmulatorModule(client.serverCapabilities)) this.useEmulatorModule();
  }

  override clock: ClockCapability | undefined = undefined;
  override lifecycle: DeviceLifecycle | undefined = undefined;
  /** The emulator module's clock (lab-in-a-box), when the server offers the module. */
  private emulatorClock: EmulatorModuleClock | undefined;
  /**
   * Port counters as the emulated device counts them, fabric counters (ecnMarked, trims, PFC)
   * included: only from a server with the emulator module, else undefined. A composite device
   * fills the fabric counters IF-MIB lacks from here.
   */
  fabricCounters: CountersCapability | undefined = undefined;

  override traffic = undefined;
  override capture = undefined;
  override cmis = undefined;

  override state = {
    get: (path: string) =>
      this.guard(`state.get ${path}`, async () => {
        const variants = bothTrees(parsePath(path));
        const data = await this.client.get(variants.map(filterFor).join(''));
        for (const segs of variants) {
          const v = valueAt(data, segs);
          if (v !== undefined) return v;
        }
        return undefined;
      }),
  };

  override config = {
    get: (path?: string) =>
      this.guard(`config.get ${path ?? '/'}`, async () => {
        if (path === undefined) {
          const data = await this.client.getConfig('running');
          return Object.fromEntries(data.children.map((c) => [c.name, toValue(c)]));
        }
        const segs = parsePath(path);
        return valueAt(await this.client.getConfig('running', filterFor(segs)), segs);
      }),
    edit: (path: string, value: unknown, op: 'merge' | 'replace' | 'delete' = 'merge') =>
      this.guard(`config.edit ${path}`, () => this.write(configFor(parsePath(path), value, op))),
  };

  override counters = {
    port: (portId: string) =>
      this.guard(`counters.port ${portId}`, async () => {
        const all = await this.readCounters(portId);
        const c = all.get(portId);
        if (!c) throw new DeviceError(this.id, `counters.port: interface "${portId}" not found in ietf-interfaces state`);
        return c;
      }),
    all: () =>
      this.guard('counters.all', async () => {
        const all = await this.readCounters();
        const wanted = this.ports.length > 0 ? this.ports.filter((p) => all.has(p)) : [...all.keys()];
        return Object.fromEntries(wanted.map((p) => [p, all.get(p)!]));
      }),
  };

  override faults = {
    inject: (fault: Fault) =>
      this.guard(`faults.inject ${fault.kind}`, async () => {
        if (fault.kind !== 'link-down') return this.unimplemented('faults', `inject(${fault.kind})`);
        const handle = `link-down:${fault.port}`;
        if (this.faultsInjected.has(handle)) return handle;
        const entry = `/interfaces/interface[name='${fault.port}']`;
        const config = (await this.config.get(entry)) as Record<string, unknown> | undefined;
        let xml = `<interfaces xmlns="${IF}"><interface><name>${escapeXmlText(fault.port)}</name><enabled>false</enabled>`;
        if (!config) {
          // ietf-interfaces makes `type` mandatory: take it from the operational state.
          xml += await this.operationalType(fault.port);
        }
        await this.write(`${xml}</interface></interfaces>`);
        const previous = config?.enabled;
        this.faultsInjected.set(handle, { port: fault.port, created: !config, previous: previous === undefined ? undefined : String(previous) });
        return handle;
      }),
    clear: (handle: string) => this.guard(`faults.clear ${handle}`, () => this.clearFault(handle)),
    clearAll: () =>
      this.guard('faults.clearAll', async () => {
        for (const h of [...this.faultsInjected.keys()]) await this.clearFault(h);
      }),
  };

  override async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * Reads what the emulator module says of the device (clock mode, twin id) once connected, and
   * offers the lifecycle reset when the server names its twin. No-op on gear without the module.
   */
  async init(): Promise<void> {
    const clock = this.emulatorClock;
    if (!clock) return;
    const { twinId } = await this.guard('emulator state', () => clock.read());
    if (twinId === undefined) return;
    this.lifecycle = {
      scope: `${EMULATOR_NS}#${twinId}`,
      reset: () => this.guard('reset', async () => void (await this.emulatorRpc(EMULATOR_RPC.RESET))),
    };
  }

  /** One RPC of the fabric-hil-emulator module; `args` are its input leaves (undefined ones left out). */
  private emulatorRpc(name: string, args: Record<string, string | undefined> = {}): Promise<XmlElement> {
    const inner = Object.entries(args)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `<${k}>${escapeXmlText(v)}</${k}>`)
      .join('');
    return this.client.rpc(`<${name} xmlns="${EMULATOR_NS}">${inner}</${name}>`);
  }

  /** State, config and faults through the emulator module; a clock on its device time. */
  private useEmulatorModule(): void {
    const output = (reply: XmlElement, leaf: string): string | undefined => reply.children.find((c) => c.name === leaf && c.ns === EMULATOR_NS)?.text;
    this.state = {
      get: (path: string) => this.guard(`state.get ${path}`, async () => decodeTwinValue(output(await this.emulatorRpc(EMULATOR_RPC.GET_STATE, { path }), 'value'))),
    };
    this.config = {
      get: (path?: string) =>
        this.guard(`config.get ${path ?? '/'}`, async () => decodeTwinValue(output(await this.emulatorRpc(EMULATOR_RPC.GET_CONFIG_VALUE, { path }), 'value'))),
      edit: (path: string, value: unknown, op: 'merge' | 'replace' | 'delete' = 'merge') =>
        this.guard(`config.edit ${path}`, async () => {
          await this.emulatorRpc(EMULATOR_RPC.EDIT_CONFIG_VALUE, { path, value: encodeTwinValue(value), operation: op });
        }),
    };
    this.faults = {
      inject: (fault: Fault) =>
        this.guard(`faults.inject ${fault.kind}`, async () => {
          const handle = output(await this.emulatorRpc(EMULATOR_RPC.INJECT_FAULT, { fault: encodeTwinValue(fault) }), 'handle');
          if (handle === undefined) throw new DeviceError(this.id, 'faults.inject: the server answered no <handle>');
          return handle.trim();
        }),
      clear: (handle: string) => this.guard(`faults.clear ${handle}`, async () => void (await this.emulatorRpc(EMULATOR_RPC.CLEAR_FAULT, { handle }))),
      clearAll: () => this.guard('faults.clearAll', async () => void (await this.emulatorRpc(EMULATOR_RPC.CLEAR_ALL_FAULTS))),
    };
    this.emulatorClock = new EmulatorModuleClock((what, f) => this.guard(what, f), this.client, (ps) => this.emulatorRpc(EMULATOR_RPC.ADVANCE_TIME, { [EMULATOR_RPC_LEAF.DURATION_PS]: ps }));
    this.clock = this.emulatorClock;
    const twinCounters = async (port?: string): Promise<Record<string, PortCounters>> => {
      const raw = decodeTwinValue(output(await this.emulatorRpc(EMULATOR_RPC.GET_COUNTERS, { port }), 'value')) as Record<string, Record<string, unknown>> | undefined;
      const out: Record<string, PortCounters> = {};
      for (const [name, c] of Object.entries(raw ?? {})) {
        const entry: Record<string, bigint> = {};
        for (const [k, v] of Object.entries(c)) if (typeof v === 'number' && Number.isFinite(v)) entry[k] = BigInt(Math.max(0, Math.trunc(v)));
        out[name] = entry as unknown as PortCounters;
      }
      return out;
    };
    this.fabricCounters = {
      port: (portId: string) =>
        this.guard(`counters.port ${portId}`, async () => {
          const c = (await twinCounters(portId))[portId];
          if (!c) throw new DeviceError(this.id, `counters.port: no counters for "${portId}"`);
          return c;
        }),
      all: () => this.guard('counters.all', () => twinCounters()),
    };
  }

  private async clearFault(handle: string): Promise<void> {
    const f = this.faultsInjected.get(handle);
    if (!f) throw new DeviceError(this.id, `faults.clear: unknown handle "${handle}"`);
    const name = `<name>${escapeXmlText(f.port)}</name>`;
    if (f.created) await this.write(`<interfaces xmlns="${IF}"><interface nc:operation="delete">${name}</interface></interfaces>`);
    else if (f.previous === undefined) await this.write(`<interfaces xmlns="${IF}"><interface>${name}<enabled nc:operation="remove"/></interface></interfaces>`);
    else await this.write(`<interfaces xmlns="${IF}"><interface>${name}<enabled>${escapeXmlText(f.previous)}</enabled></interface></interfaces>`);
    this.faultsInjected.delete(handle);
  }

  /** The interface's `type` leaf from operational state, with its identity's namespace declared. */
  private async operationalType(port: string): Promise<string> {
    const variants = bothTrees(parsePath(`/interfaces/interface[name='${port}']/type`));
    const data = await this.client.get(variants.map(filterFor).join(''));
    const type = variants.map((v) => select(data, v)[0]).find((e) => e !== undefined);
    if (!type) throw new DeviceError(this.id, `faults.inject link-down: interface "${port}" not found in ietf-interfaces state`);
    const text = type.text.trim();
    const prefix = text.includes(':') ? text.slice(0, text.indexOf(':')) : '';
    if (!prefix) return `<type xmlns:ianaift="${IANA_IF_TYPE_NS}">ianaift:${escapeXmlText(text)}</type>`;
    return `<type xmlns:${prefix}="${escapeXmlAttr(type.scope[prefix] ?? IANA_IF_TYPE_NS)}">${escapeXmlText(text)}</type>`;
  }

  private async readCounters(only?: string): Promise<Map<string, PortCounters>> {
    const entry = only === undefined ? '<name/>' : `<name>${escapeXmlText(only)}</name>`;
    const filter = ['interfaces', 'interfaces-state'].map((t) => `<${t} xmlns="${IF}"><interface>${entry}<statistics/></interface></${t}>`).join('');
    const data = await this.client.get(filter);
    const out = new Map<string, PortCounters>();
    // interfaces-state first, so the RFC 8343 tree wins where both have the entry.
    for (const tree of ['interfaces-state', 'interfaces']) {
      for (const e of select(data, [{ name: tree, keys: {} }, { name: 'interface', keys: {} }])) {
        const name = e.children.find((c) => c.name === 'name')?.text.trim();
        const stats = e.children.find((c) => c.name === 'statistics');
        if (name !== undefined && stats) out.set(name, portCounters(stats));
      }
    }
    return out;
  }

  /** One configuration change: candidate (locked, committed) when the server has it, else running. */
  private async write(config: string): Promise<void> {
    if (!this.client.hasCapability(NETCONF_CAP_CANDIDATE)) return this.client.editConfig('running', config);
    await this.client.lock('candidate');
    try {
      await this.client.editConfig('candidate', config);
      await this.client.commit();
    } catch (e) {
      await this.client.discardChanges().catch(() => undefined);
      throw e;
    } finally {
      await this.client.unlock('candidate').catch(() => undefined);
    }
  }

  private async guard<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof DeviceError || e instanceof NotImplementedError) throw e;
      throw new DeviceError(this.id, `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** What the emulator module's state container says of the device's clock and twin. */
interface EmulatorClockState {
  nowPs: number;
  /** Absent from servers before clock modes: those are paced. */
  mode: 'stepped' | 'paced';
  timeScale: number | undefined;
  twinId: string | undefined;
}

/**
 * Device time of a lab-in-a-box device (the module's `device-time-ps`). On a stepped clock,
 * `advance` asks the server to run the twin that far (advance-time, a whole number of
 * picoseconds, as the in-process clock rounds) and returns once it has; on a paced clock it waits,
 * polling, until device time has moved by the duration, sleeping about as long as the pace
 * (`time-scale`) says it takes. The mode is read once: a server keeps it for its lifetime.
 */
class EmulatorModuleClock implements ClockCapability {
  readonly kind = 'virtual' as const;
  private mode: EmulatorClockState['mode'] | undefined;
  private timeScale: number | undefined;

  constructor(
    private readonly guard: <T>(what: string, f: () => Promise<T>) => Promise<T>,
    private readonly client: NetconfClient,
    private readonly advanceRpc: (durationPs: string) => Promise<XmlElement>,
  ) {}

  async read(): Promise<EmulatorClockState> {
    const c = EMULATOR_STATE;
    const data = await this.client.get(`<${c.CONTAINER} xmlns="${EMULATOR_NS}"/>`);
    const box = data.children.find((e) => e.name === c.CONTAINER && e.ns === EMULATOR_NS);
    const leaf = (n: string): string | undefined => box?.children.find((e) => e.name === n)?.text.trim();
    const nowPs = Number(leaf(c.DEVICE_TIME_PS));
    if (!Number.isFinite(nowPs)) throw new Error(`the server gave no ${c.DEVICE_TIME_PS}`);
    const scale = Number(leaf(c.TIME_SCALE));
    const mode = leaf(c.CLOCK_MODE) ?? 'paced';
    if (mode !== 'stepped' && mode !== 'paced') throw new Error(`${c.CLOCK_MODE} "${mode}" is neither stepped nor paced`);
    const state: EmulatorClockState = { nowPs, mode, timeScale: scale > 0 ? scale : undefined, twinId: leaf(c.TWIN_ID) || undefined };
    this.mode = mode;
    this.timeScale = state.timeScale ?? this.timeScale;
    return state;
  }

  nowPs(): Promise<number> {
    return this.guard('clock.nowPs', async () => (await this.read()).nowPs);
  }

  advance(durationPs: number): Promise<void> {
    if (!(durationPs >= 0) || !Number.isFinite(durationPs)) {
      return Promise.reject(new RangeError(`clock.advance: durationPs must be a finite number >= 0, got ${durationPs}`));
    }
    return this.guard('clock.advance', async () => {
      if (this.mode === undefined) await this.read();
      if (this.mode === 'stepped') {
        const reply = await this.advanceRpc(String(Math.round(durationPs)));
        const reached = reply.children.find((c) => c.name === EMULATOR_RPC_LEAF.DEVICE_TIME_PS && c.ns === EMULATOR_NS);
        if (reached === undefined) throw new Error(`advance-time answered no <${EMULATOR_RPC_LEAF.DEVICE_TIME_PS}>`);
        return;
      }
      let { nowPs } = await this.read();
      const target = nowPs + durationPs;
      while (nowPs < target) {
        const wallMs = this.timeScale ? (target - nowPs) / 1e9 / this.timeScale : 5;
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(1, Math.ceil(wallMs)))));
        nowPs = (await this.read()).nowPs;
      }
    });
  }
}

function str(v: unknown, field: string, deviceId: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new DeviceError(deviceId, `netconf.${field} must be a non-empty string`);
  return v;
}

/**
 * Connects a testbed device bound to the `netconf` driver. `settings.netconf` holds host, port,
 * username, password or privateKeyFile (+ passphrase) and timeoutMs, secrets already resolved.
 */
export async function createNetconfDevice(
  device: NetconfTestbedDevice,
  settings: Record<string, Record<string, unknown>>,
): Promise<NetconfDevice> {
  const s = settings[NETCONF_DRIVER];
  if (!s) throw new DeviceError(device.id, 'no netconf settings in the binding');
  const host = str(s.host, 'host', device.id);
  const username = str(s.username, 'username', device.id);
  if (!host || !username) throw new DeviceError(device.id, 'netconf.host and netconf.username are required');
  const opts: NetconfConnectOptions = { host, username };
  if (s.port !== undefined) opts.port = Number(s.port);
  if (s.timeoutMs !== undefined) opts.timeoutMs = Number(s.timeoutMs);
  const password = str(s.password, 'password', device.id);
  const privateKeyFile = str(s.privateKeyFile, 'privateKeyFile', device.id);
  const passphrase = str(s.passphrase, 'passphrase', device.id);
  if (password !== undefined) opts.password = password;
  if (privateKeyFile !== undefined) opts.privateKeyFile = privateKeyFile;
  if (passphrase !== undefined) opts.passphrase = passphrase;
  if (!password && !privateKeyFile) throw new DeviceError(device.id, 'netconf needs a password or a privateKeyFile');
  try {
    const client = await NetconfClient.connect(opts);
    const d = new NetconfDevice(device.id, device.kind, device.ports, client);
    await d.init().catch(async (e: unknown) => {
      await client.close().catch(() => undefined);
      throw e;
    });
    return d;
  } catch (e) {
    if (e instanceof DeviceError) throw e;
    throw new DeviceError(device.id, e instanceof Error ? e.message : String(e), { cause: e });
  }
}
