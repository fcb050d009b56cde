// The emulator driver: exposes the twin's nodes as devices (async capabilities over virtual time).
//
// The twin (emulators/) is synchronous and knows nothing of the harness; this adapter turns its
// numbers into IF-MIB bigints, its nodes' optional capabilities into the device's, and gives every
// emulated device one shared virtual clock. A capability the node model lacks is left undefined,
// so the harness blocks a test that needs it.
import { buildTwin } from '../../emulators/build.ts';
import type { Twin, TwinNode, TwinPortCounters, TwinTopology } from '../../emulators/twin.ts';
import {
  AbstractDevice,
  DeviceError,
  type CaptureCapability,
  type ClockCapability,
  type CmisCapability,
  type ConfigCapability,
  type CountersCapability,
  type FaultsCapability,
  type PortCounters,
  type StateCapability,
  type TrafficCapability,
} from '../device.ts';

export const EMULATOR_DRIVER = 'emulator';

/**
 * Defect profile under which the device's management plane stops answering: its state, config
 * and counters requests never complete (the harness's call timeout makes the test broken).
 */
export const MGMT_UNRESPONSIVE = 'mgmt-unresponsive';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

function toPortCounters(c: TwinPortCounters): PortCounters {
  const out: PortCounters = {
    inOctets: BigInt(c.inOctets),
    outOctets: BigInt(c.outOctets),
    inPkts: BigInt(c.inPkts),
    outPkts: BigInt(c.outPkts),
    inDiscards: BigInt(c.inDiscards),
    outDiscards: BigInt(c.outDiscards),
    inErrors: BigInt(c.inErrors),
    outErrors: BigInt(c.outErrors),
  };
  if (c.ecnMarked !== undefined) out.ecnMarked = BigInt(c.ecnMarked);
  if (c.trims !== undefined) out.trims = BigInt(c.trims);
  if (c.pfcPauseTx !== undefined) out.pfcPauseTx = BigInt(c.pfcPauseTx);
  if (c.pfcPauseRx !== undefined) out.pfcPauseRx = BigInt(c.pfcPauseRx);
  return out;
}

/** One virtual clock for all devices of a twin: advancing it runs the whole fabric. */
class TwinClock implements ClockCapability {
  readonly kind = 'virtual' as const;
  constructor(private readonly twin: Twin) {}
  async nowPs(): Promise<number> {
    return this.twin.nowPs();
  }
  async advance(durationPs: number): Promise<void> {
    if (!(durationPs >= 0) || !Number.isFinite(durationPs)) {
      throw new RangeError(`clock.advance: durationPs must be a finite number >= 0, got ${durationPs}`);
    }
    this.twin.runFor(Math.round(durationPs));
  }
}

export class EmulatedDevice extends AbstractDevice {
  readonly driver = EMULATOR_DRIVER;
  readonly id: string;
  readonly kind: string;
  readonly ports: readonly string[];

  override config: ConfigCapability | undefined;
  override state: StateCapability | undefined;
  override counters: CountersCapability | undefined;
  override traffic: TrafficCapability | undefined;
  override capture: CaptureCapability | undefined;
  override faults: FaultsCapability | undefined;
  override cmis: CmisCapability | undefined;
  override clock: ClockCapability;

  constructor(node: TwinNode, clock: ClockCapability) {
    super();
    this.id = node.id;
    this.kind = node.kind;
    this.ports = node.ports;
    this.clock = clock;
    const checkPort = (port: string): void => {
      if (!node.ports.includes(port)) {
        throw new DeviceError(node.id, `no port "${port}" (ports: ${node.ports.join(', ')})`);
      }
    };
    const { counters, state, config, traffic, capture, faults, cmis } = node;
    const mgmt = node.defects.includes(MGMT_UNRESPONSIVE)
      ? never
      : <T>(answer: () => T): Promise<T> => Promise.resolve().then(answer);
    this.counters = counters && {
      port: (p) => mgmt(() => (checkPort(p), toPortCounters(counters.port(p)))),
      all: () => mgmt(() => Object.fromEntries(node.ports.map((p) => [p, toPortCounters(counters.port(p))]))),
    };
    this.state = state && { get: (p) => mgmt(() => state.get(p)) };
    this.config = config && {
      get: (p) => mgmt(() => config.get(p)),
      edit: (p, v, op = 'merge') => mgmt(() => config.edit(p, v, op)),
    };
    this.traffic = traffic && {
      setFlows: async (flows) => traffic.setFlows(flows.map((f) => ({ ...f }))),
      start: async () => traffic.start(),
      stop: async () => traffic.stop(),
      metrics: async () => traffic.metrics().map((m) => ({ ...m })),
    };
    this.capture = capture && {
      start: async (p) => (checkPort(p), capture.start(p)),
      stop: async (p) => (checkPort(p), capture.stop(p).map((f) => ({ ...f }))),
    };
    this.faults = faults && {
      inject: async (f) => (checkPort(f.port), faults.inject({ ...f })),
      clear: async (h) => faults.clear(h),
      clearAll: async () => faults.clearAll(),
    };
    this.cmis = cmis && {
      read: async (p, bank, page, offset, len) => (checkPort(p), cmis.read(p, bank, page, offset, len)),
      write: async (p, bank, page, offset, data) => (checkPort(p), cmis.write(p, bank, page, offset, data)),
    };
  }
}

/** A built twin and its devices. */
export interface EmulatorSession {
  readonly twin: Twin;
  readonly devices: ReadonlyMap<string, EmulatedDevice>;
}

/** Builds the twin for the emulator-bound part of a testbed. */
export function openEmulator(topology: TwinTopology, seed: number): EmulatorSession {
  const twin = buildTwin(topology, { seed });
  const clock = new TwinClock(twin);
  const devices = new Map<string, EmulatedDevice>();
  for (const spec of topology.devices) {
    const node = twin.node(spec.id);
    if (!node) throw new DeviceError(spec.id, 'the emulator built no node for this device');
    devices.set(spec.id, new EmulatedDevice(node, clock));
  }
  return { twin, devices };
}
