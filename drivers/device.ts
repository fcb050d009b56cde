// A device is what a suite holds: a set of small capability interfaces, the same for gear and emulator.
//
// Guarantees: every capability method is async (gear answers over a network); values use units in
// their names; a driver that lacks a capability either omits it (the type guard `has` says so and
// the harness blocks the test) or extends `AbstractDevice`, whose unwritten capabilities throw
// `NotImplementedError` naming the capability (Ondatra binding/abstract.go).

/** The capability names, in the order the report lists them. */
export const CAPABILITIES = ['config', 'state', 'counters', 'traffic', 'capture', 'faults', 'cmis', 'clock'] as const;
export type CapabilityName = (typeof CAPABILITIES)[number];

/** Thrown by an abstract base for a capability the driver has not written. */
export class NotImplementedError extends Error {
  constructor(
    readonly capability: CapabilityName | string,
    readonly deviceId: string,
    readonly method?: string,
  ) {
    super(`${capability}${method ? `.${method}` : ''} unimplemented for device "${deviceId}"`);
    this.name = 'NotImplementedError';
  }
}

/** A device that answered with an error, or did not answer: the test is broken, not failed. */
export class DeviceError extends Error {
  constructor(
    readonly deviceId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`device "${deviceId}": ${message}`, options);
    this.name = 'DeviceError';
  }
}

// ---------------------------------------------------------------------------------------------
// Capabilities

/** Intended configuration by YANG-style path (`/interfaces/interface[name=port1]/enabled`). */
export interface ConfigCapability {
  get(path?: string): Promise<unknown>;
  /** merge (default) sets the leaves given; replace swaps the subtree; delete removes it. */
  edit(path: string, value: unknown, op?: 'merge' | 'replace' | 'delete'): Promise<void>;
}

/** Operational state by YANG-style path. An unknown path resolves to `undefined`. */
export interface StateCapability {
  get(path: string): Promise<unknown>;
}

/** IF-MIB-like port counters; 64-bit counters are bigints so no precision is lost on gear. */
export interface PortCounters {
  inOctets: bigint;
  outOctets: bigint;
  inPkts: bigint;
  outPkts: bigint;
  inDiscards: bigint;
  outDiscards: bigint;
  inErrors: bigint;
  outErrors: bigint;
  /** Optional fabric counters; absent where the device does not count them. */
  ecnMarked?: bigint;
  trims?: bigint;
  pfcPauseTx?: bigint;
  pfcPauseRx?: bigint;
}

export interface CountersCapability {
  port(portId: string): Promise<PortCounters>;
  all(): Promise<Record<string, PortCounters>>;
}

/** An OTG-like flow: from a traffic endpoint's port to another's. */
export interface FlowSpec {
  name: string;
  /** Port of this (traffic-generating) device the flow leaves from. */
  txPort: string;
  /** Port, on this or another traffic device, that receives it (`device:port` or `port`). */
  rxPort: string;
  /** Total payload bytes; the flow ends when all are delivered. */
  bytes: number;
  /** Frame size on the wire, bytes (default: the driver's MTU). */
  frameBytes?: number;
  /** Offered rate; default line rate. */
  rateBps?: number;
  /** Start time offset from `start()`, picoseconds. */
  startPs?: number;
  transport?: 'raw' | 'uet' | 'roce';
  /** Entropy values the flow sprays over (1 = per-flow hash). */
  entropies?: number;
  /**
   * IPv4 multicast group the flow is sent to (raw flows only): the network replicates it to the
   * group's receivers; `rxPort` then names one expected receiver, and rxFrames counts the copies
   * every receiver got (per-receiver figures come from port counters).
   */
  multicastGroup?: string;
  /**
   * Protocol attributes of the flow for devices that generate protocol transactions themselves
   * (scale-up accelerators: opcode, vc, semantic); a device rejects attributes it does not know.
   */
  attributes?: Record<string, string | number | boolean>;
}

export interface FlowMetrics {
  name: string;
  txFrames: number;
  rxFrames: number;
  txBytes: number;
  rxBytes: number;
  /** All bytes delivered. */
  done: boolean;
  /** Flow completion time from the flow's start, picoseconds (when done). */
  fctPs?: number;
  retransmissions: number;
  outOfOrder: number;
  lostFrames: number;
}

export interface TrafficCapability {
  setFlows(flows: FlowSpec[]): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  metrics(): Promise<FlowMetrics[]>;
}

export interface CapturedFrame {
  /** Device time of the frame, picoseconds. */
  timePs: number;
  direction: 'rx' | 'tx';
  /** Ethernet frame bytes, without preamble and FCS. */
  bytes: Uint8Array;
}

export interface CaptureCapability {
  start(portId: string): Promise<void>;
  /** Stops the capture and returns what was seen, oldest first. */
  stop(portId: string): Promise<CapturedFrame[]>;
}

export type Fault =
  | { kind: 'link-down'; port: string }
  | { kind: 'loss'; port: string; rate: number }
  | { kind: 'bit-errors'; port: string; ber: number }
  | { kind: 'laser-off'; port: string }
  | { kind: 'queue-bytes'; port: string; bytes: number };

export interface FaultsCapability {
  /** Injects a fault and returns a handle for `clear`. */
  inject(fault: Fault): Promise<string>;
  clear(handle: string): Promise<void>;
  clearAll(): Promise<void>;
}

/** CMIS module memory: bank, page, byte offset (0-255 as in the CMIS map). */
export interface CmisCapability {
  read(portId: string, bank: number, page: number, offset: number, length: number): Promise<Uint8Array>;
  write(portId: string, bank: number, page: number, offset: number, data: Uint8Array): Promise<void>;
}

/** Device time: virtual on the emulator (advancing is instant), wall time on gear. */
export interface ClockCapability {
  readonly kind: 'virtual' | 'wall';
  nowPs(): Promise<number>;
  /** Lets `durationPs` of device time pass (the emulator runs its events; gear waits). */
  advance(durationPs: number): Promise<void>;
}

/**
 * An optional lifecycle step a device offers (not a capability tests ask for): the binding calls
 * `reset` once per test file, before any test uses the device, to bring it back to the state it
 * started in, so each file starts from the same state (as each file gets a fresh twin
 * in-process). Devices that share one state (the many devices one emulated fabric serves) name
 * the same `scope`, and the binding resets each scope once.
 */
export interface DeviceLifecycle {
  readonly scope: string;
  reset(): Promise<void>;
}

export interface Capabilities {
  config: ConfigCapability;
  state: StateCapability;
  counters: CountersCapability;
  traffic: TrafficCapability;
  capture: CaptureCapability;
  faults: FaultsCapability;
  cmis: CmisCapability;
  clock: ClockCapability;
}

/** What every device has, whatever its driver. */
export interface DeviceInfo {
  readonly id: string;
  readonly kind: string;
  readonly driver: string;
  readonly ports: readonly string[];
}

/** A device: its identity plus whichever capabilities its driver offers. */
export type Device = DeviceInfo & Partial<Capabilities> & {
  /** Releases connections; the harness calls it once at teardown. */
  close(): Promise<void>;
  /** A reset the binding performs once per test file (see DeviceLifecycle). */
  lifecycle?: DeviceLifecycle;
};

/** A device known to offer capabilities C. */
export type DeviceWith<C extends CapabilityName> = Device & Pick<Capabilities, C>;

/** Type guard: does the device offer every capability in `caps`? */
export function has<C extends CapabilityName>(device: Device, ...caps: C[]): device is DeviceWith<C> {
  return caps.every((c) => device[c] !== undefined);
}

/** The capabilities a device lacks, of those asked for. */
export function missingCapabilities(device: Device, caps: readonly CapabilityName[]): CapabilityName[] {
  return caps.filter((c) => device[c] === undefined);
}

/**
 * Base for partial drivers: every capability is present and every method throws
 * `NotImplementedError` until the driver overrides it, so adding a capability later breaks no
 * driver. A driver that wants a capability reported as missing (test blocked) sets it undefined.
 */
export abstract class AbstractDevice implements DeviceInfo {
  abstract readonly id: string;
  abstract readonly kind: string;
  abstract readonly driver: string;
  abstract readonly ports: readonly string[];

  protected unimplemented(capability: CapabilityName, method: string): never {
    throw new NotImplementedError(capability, this.id, method);
  }

  config: ConfigCapability | undefined = {
    get: async () => this.unimplemented('config', 'get'),
    edit: async () => this.unimplemented('config', 'edit'),
  };
  state: StateCapability | undefined = {
    get: async () => this.unimplemented('state', 'get'),
  };
  counters: CountersCapability | undefined = {
    port: async () => this.unimplemented('counters', 'port'),
    all: async () => this.unimplemented('counters', 'all'),
  };
  traffic: TrafficCapability | undefined = {
    setFlows: async () => this.unimplemented('traffic', 'setFlows'),
    start: async () => this.unimplemented('traffic', 'start'),
    stop: async () => this.unimplemented('traffic', 'stop'),
    metrics: async () => this.unimplemented('traffic', 'metrics'),
  };
  capture: CaptureCapability | undefined = {
    start: async () => this.unimplemented('capture', 'start'),
    stop: async () => this.unimplemented('capture', 'stop'),
  };
  faults: FaultsCapability | undefined = {
    inject: async () => this.unimplemented('faults', 'inject'),
    clear: async () => this.unimplemented('faults', 'clear'),
    clearAll: async () => this.unimplemented('faults', 'clearAll'),
  };
  cmis: CmisCapability | undefined = {
    read: async () => this.unimplemented('cmis', 'read'),
    write: async () => this.unimplemented('cmis', 'write'),
  };
  clock: ClockCapability | undefined = undefined;
  lifecycle: DeviceLifecycle | undefined = undefined;

  async close(): Promise<void> {}
}
