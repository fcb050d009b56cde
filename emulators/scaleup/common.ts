// What every scale-up switch and accelerator core shares: the forwarding table, lane state, forwarding latency, the receiving analyser, common state and config paths.
//
// State paths (below /scaleup; every device): /protocol, /id-bits, /id-max, /domain (the
// accelerators of the domain: device and id), /ports/port[name=P] (lanes, lane rate, rate, and the
// protocol's per-port counters). Accelerators add /id and /receive (what the analyser saw: units,
// bytes, units out of order per source). Switches add /forwarding (entry count),
// /forwarding/entry[id=N] (egress port names, or undefined) and /counters.
// Config: accelerators /id (an id of the protocol's space, free in the domain); switches
// /forwarding/entry[id=N] (merge/replace: a port name or a list of them; delete), /forwarding
// (merge: { entries: [[id, port], ...] }; delete: back to the computed table).
//
// Defects served here (switch): scaleup-id-truncated-8bit (the table is keyed on the low 8 bits
// of an id), scaleup-id-space-unchecked (ids beyond the space are taken modulo it instead of
// refused), scaleup-lane-fallback-ignored (a port facing a 100G-lane peer stays at 200G per lane:
// the link does not come up).
import { scaleupReadSignature } from '../../protocols/scaleup/signature.ts';
import type { TwinFlow, TwinFlowMetrics } from '../twin.ts';
import { DEFAULT_SWITCH_LATENCY_NS, SCALEUP_ID_SPACE, registerUncabledAccelerator, type DeviceCore, type ScaleupDevice, type ScaleupFabric, type ScaleupPort } from './fabric.ts';
import { FlowTable, type FlowProtocol } from './flows.ts';

/** The UALink lane rate (UAL-3); a lane may fall back to half of it. */
export const LANE_RATE_BPS = 200e9;

/** Thrown for a config edit the device refuses (the driver reports it as the device's answer). */
export class ScaleupConfigError extends Error {
  constructor(device: string, message: string) {
    super(`device '${device}': ${message}`);
    this.name = 'ScaleupConfigError';
  }
}

const ENTRY_PATH = /^\/forwarding\/entry\[id=(-?\d+)\]$/;
const PORT_PATH = /^\/ports\/port\[name=([^\]]+)\]$/;

/** id -> egress ports of a switch, as configured; applies the id defects. */
export class ForwardingTable {
  private entries = new Map<number, number[]>();
  readonly space: { bits: number; max: number };
  private readonly truncate: boolean;
  private readonly unchecked: boolean;

  constructor(
    private readonly fabric: ScaleupFabric,
    private readonly sw: ScaleupDevice,
  ) {
    this.space = SCALEUP_ID_SPACE[sw.protocol];
    this.truncate = sw.has('scaleup-id-truncated-8bit');
    this.unchecked = sw.has('scaleup-id-space-unchecked');
    this.reset();
  }

  private key(id: number): number {
    return this.truncate ? id & 0xff : id;
  }

  reset(): void {
    this.entries.clear();
    for (const [id, ports] of this.fabric.defaultTable(this.sw)) this.entries.set(this.key(id), ports);
  }

  lookup(id: number): number[] | undefined {
    return this.entries.get(this.key(id));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Refuses ids outside the space (unless the device has the unchecked defect, which wraps them). */
  checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0) throw new ScaleupConfigError(this.sw.name, `forwarding entry id ${id} is not an id`);
    if (id > this.space.max) {
      if (!this.unchecked) throw new ScaleupConfigError(this.sw.name, `id ${id} is beyond the ${this.sw.protocol} id space (${this.space.bits} bits, 0..${this.space.max})`);
      return id % (this.space.max + 1);
    }
    return id;
  }

  set(id: number, ports: number[]): void {
    this.entries.set(this.key(this.checkId(id)), ports);
  }

  delete(id: number): void {
    this.entries.delete(this.key(this.checkId(id)));
  }
}

/** Port names of a value: one name or a list; every one a scale-up port of the device. */
function portsOf(sw: ScaleupDevice, v: unknown): number[] {
  const names = Array.isArray(v) ? v : [v];
  if (names.length === 0) throw new ScaleupConfigError(sw.name, 'a forwarding entry needs at least one port');
  return names.map((n) => {
    const p = sw.ports.find((x) => x.name === n);
    if (p === undefined) throw new ScaleupConfigError(sw.name, `${JSON.stringify(n)} is not a scale-up port (ports: ${sw.ports.map((x) => x.name).join(', ')})`);
    return p.index;
  });
}

/** Lanes and rates of a port. */
export interface LaneState {
  lanes: number;
  laneRateBps: number;
  rateBps: number;
}

/** Shared by switch and accelerator cores. */
export abstract class CoreBase implements DeviceCore {
  /** Per-port lanes as the device reports them (a defect may misreport). */
  protected readonly laneState = new Map<number, LaneState>();

  constructor(
    readonly fabric: ScaleupFabric,
    readonly device: ScaleupDevice,
  ) {
    const lanes = device.num('lanes', 4);
    for (const p of device.ports) {
      const rate = p.link.rateBps;
      this.laneState.set(p.index, { lanes, laneRateBps: rate / lanes, rateBps: rate });
    }
  }

  abstract onFrame(port: ScaleupPort, bytes: Uint8Array): void;

  /** Protocol counters of a port (added to /ports/port[name=P]). */
  protected portCounters(_port: ScaleupPort): Record<string, number> {
    return {};
  }

  /** The port's speed as the device reports it (bits per second). */
  speedOf(portIndex: number): number | undefined {
    return this.laneState.get(portIndex)?.rateBps;
  }

  state(path: string): unknown {
    const space = SCALEUP_ID_SPACE[this.device.protocol];
    switch (path) {
      case '/protocol':
        return this.device.protocol;
      case '/id-bits':
        return space.bits;
      case '/id-max':
        return space.max;
      case '/domain':
        return this.device.domain.devices.filter((d) => d.role === 'accelerator').map((d) => ({ device: d.name, id: d.id }));
      case '/ports':
        return this.device.ports.map((p) => p.name);
    }
    const m = PORT_PATH.exec(path);
    if (m !== null) {
      const p = this.device.ports.find((x) => x.name === m[1]);
      if (p === undefined) return undefined;
      return { ...this.laneState.get(p.index), ...this.portCounters(p) };
    }
    return undefined;
  }

  config(_path: string, _value: unknown, _op: 'merge' | 'replace' | 'delete'): boolean {
    return false;
  }

  configGet(path: string): unknown {
    if (path === '/protocol') return this.device.protocol;
    return undefined;
  }
}

/** A switch core: forwarding table, latency, counters. */
export abstract class SwitchCoreBase extends CoreBase {
  readonly table: ForwardingTable;
  readonly latencyPs: number;
  readonly counters = { forwarded: 0, noRoute: 0, malformed: 0, ecnMarked: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device);
    this.table = new ForwardingTable(fabric, device);
    this.latencyPs = Math.round(device.num('latencyNs', DEFAULT_SWITCH_LATENCY_NS) * 1000);
    if (device.has('scaleup-lane-fallback-ignored')) this.ignoreFallback();
  }

  /** Ports facing a peer limited to 100G lanes train at 200G: no link. */
  private ignoreFallback(): void {
    for (const p of this.device.ports) {
      const peer = p.peerDevice;
      const own = this.device.num('laneRateBps', LANE_RATE_BPS);
      if (peer === undefined || peer.num('laneRateBps', LANE_RATE_BPS) >= own) continue;
      const st = this.laneState.get(p.index) as LaneState;
      this.laneState.set(p.index, { lanes: st.lanes, laneRateBps: own, rateBps: st.lanes * own });
      this.fabric.runtime.setPhysical(this.device.node, p.index, false, 0);
    }
  }

  /** Egress port for a frame to `dst` from `src`, or undefined (counted as no route). */
  route(ingress: ScaleupPort, src: number, dst: number): ScaleupPort | undefined {
    const ports = this.table.lookup(dst);
    if (ports === undefined || ports.length === 0) {
      this.counters.noRoute++;
      this.fabric.network.stats(this.device.node, ingress.index).inDiscards++;
      return undefined;
    }
    return this.device.portByIndex.get(this.fabric.pickPort(ports, src, dst));
  }

  /** Runs `fn` after the switch's forwarding latency. */
  afterLatency(fn: () => void): void {
    if (this.latencyPs <= 0) fn();
    else this.fabric.timers.in(this.latencyPs, fn);
  }

  override state(path: string): unknown {
    if (path === '/forwarding') return { entries: this.table.size };
    if (path === '/counters') return { ...this.counters, ...this.extraCounters() };
    const m = ENTRY_PATH.exec(path);
    if (m !== null) {
      const ports = this.table.lookup(Number(m[1]));
      return ports?.map((i) => this.device.portByIndex.get(i)?.name);
    }
    return super.state(path);
  }

  protected extraCounters(): Record<string, number> {
    return {};
  }

  override config(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean {
    if (path === '/forwarding') {
      if (op === 'delete') {
        this.table.reset();
        return true;
      }
      const entries = (value as { entries?: unknown } | null)?.entries;
      if (!Array.isArray(entries)) throw new ScaleupConfigError(this.device.name, '/scaleup/forwarding takes { entries: [[id, port], ...] }');
      const parsed = entries.map((e) => {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'number') throw new ScaleupConfigError(this.device.name, `forwarding entry ${JSON.stringify(e)} is not [id, port]`);
        return [this.table.checkId(e[0]), portsOf(this.device, e[1])] as const;
      });
      if (op === 'replace') {
        this.table.reset();
      }
      for (const [id, ports] of parsed) this.table.set(id, ports);
      return true;
    }
    const m = ENTRY_PATH.exec(path);
    if (m === null) return false;
    const id = Number(m[1]);
    if (op === 'delete') this.table.delete(id);
    else this.table.set(id, portsOf(this.device, value));
    return true;
  }
}

/** Per-source statistics of the receiving analyser. */
export interface ReceiveStats {
  units: number;
  bytes: number;
  /** Units with no (or a foreign) signature. */
  unsigned: number;
}

/** An accelerator core: flows, the receiving analyser, /id. */
export abstract class EndpointCoreBase extends CoreBase {
  readonly flows: FlowTable;
  readonly received: ReceiveStats = { units: 0, bytes: 0, unsigned: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice, proto: FlowProtocol) {
    super(fabric, device);
    this.flows = new FlowTable(fabric, device, proto);
  }

  get port(): ScaleupPort {
    return this.device.mainPort;
  }

  /**
   * The analyser saw a unit from accelerator `srcId` whose data is `data`: credits the sender's
   * flow named in the signature. Returns false when the data carries no signature.
   */
  credit(srcId: number, data: Uint8Array, bytes = data.length): boolean {
    this.received.units++;
    this.received.bytes += bytes;
    const sig = scaleupReadSignature(data);
    const src = this.device.domain.byId.get(srcId);
    const flow = sig === null || src === undefined ? undefined : (src.core as EndpointCoreBase).flows.flow(sig.flow);
    if (sig === null || flow === undefined || flow.dst !== this.device) {
      this.received.unsigned++;
      return false;
    }
    flow.onDelivered(sig.seq, bytes);
    return true;
  }

  setFlows(flows: TwinFlow[]): void {
    this.flows.set(flows);
  }

  metrics(): TwinFlowMetrics[] {
    return this.flows.metrics();
  }

  override state(path: string): unknown {
    if (path === '/id') return this.device.id;
    if (path === '/receive') return { ...this.received, ...this.receiveExtra() };
    return super.state(path);
  }

  protected receiveExtra(): Record<string, unknown> {
    return {};
  }

  override configGet(path: string): unknown {
    if (path === '/id') return this.device.id;
    return super.configGet(path);
  }

  override config(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean {
    if (path !== '/id') return false;
    if (op === 'delete') return true;
    const space = SCALEUP_ID_SPACE[this.device.protocol];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > space.max) {
      throw new ScaleupConfigError(this.device.name, `id ${JSON.stringify(value)} is beyond the ${this.device.protocol} id space (${space.bits} bits, 0..${space.max})`);
    }
    if (value === this.device.id) return true;
    const dom = this.device.domain;
    const other = dom.byId.get(value);
    if (other !== undefined) throw new ScaleupConfigError(this.device.name, `id ${value} is already '${other.name}''s`);
    dom.byId.delete(this.device.id);
    this.device.id = value;
    dom.byId.set(value, this.device);
    for (const d of dom.devices) if (d.role === 'switch') (d.core as SwitchCoreBase).table.reset();
    return true;
  }
}

/** An accelerator without a cabled scale-up port: state only; setFlows refuses every flow (no port to send from). */
class UncabledAccelerator extends EndpointCoreBase {
  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device, { unitsOf: (n) => [n], attributes: (a) => ({ ...a }), needsCompletion: () => false, onReleased: () => undefined });
  }
  onFrame(): void {}
}

registerUncabledAccelerator((f, d) => new UncabledAccelerator(f, d));
