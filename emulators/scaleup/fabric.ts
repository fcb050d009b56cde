// The scale-up fabric of a twin: finds scale-up switches and accelerators, gives them a protocol and ids, and carries their frames as bytes over the engine's links.
//
// One ScaleupFabric per twin runtime, built when the first scale-up model is created (every device
// and link exists by then). It:
// - collects the devices of kind `scaleup-switch` and `accelerator` and groups the cabled ones
//   into domains (connected scale-up devices); a domain speaks one protocol (param `protocol`,
//   default ualink; devices of two protocols cabled together are a TwinBuildError);
// - gives each accelerator its id (param `scaleupId`, else the lowest free one in device order),
//   checked against the protocol's id space and unique in the domain;
// - puts a protocol core (registered per protocol with `registerScaleupProtocol`) behind each
//   device: the links arriving at its scale-up ports deliver to the core, which reads the frame
//   bytes; what a core sends is a pooled packet of type ScaleUp whose size is the frame's bytes on
//   the wire (the capture's bytes plus what the protocol puts on the wire outside them:
//   SCALEUP_UNCAPTURED_BYTES) and whose bytes stay in this fabric's table by `poolId`;
// - makes captures show those bytes (a frame encoder on the runtime);
// - computes each switch's default forwarding table, id -> egress ports, from the engine's
//   shortest-path routes (so two switch tiers work as one), which a core may then edit.
//
// Guarantees: deterministic (the run's seed through `rng`, virtual time only); a frame's bytes are
// never changed after it is handed to a link (cores rewrite copies).
import { TwinBuildError, type TwinDeviceSpec } from '../twin.ts';
import type { EventList } from '../sim/eventlist.ts';
import type { Link } from '../sim/link.ts';
import { PacketType, PRIO_LOW, type Packet, type PacketPool, type PacketSink } from '../sim/packet.ts';
import type { DrainListener, Queue } from '../sim/queue.ts';
import { Rng, hash32 } from '../sim/rng.ts';
import { Host } from '../fabric/host.ts';
import type { Network } from '../fabric/network.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import { SCALEUP_UNCAPTURED_BYTES, isScaleupProtocol, type ScaleupProtocol } from '../../protocols/scaleup/efficiency.ts';
import { Timers } from './timers.ts';

export const SCALEUP_SWITCH_KIND = 'scaleup-switch';
export const ACCELERATOR_KIND = 'accelerator';

/** Endpoint id space per protocol: width and the highest endpoint id. */
export const SCALEUP_ID_SPACE: Record<ScaleupProtocol, { bits: number; max: number }> = {
  ualink: { bits: 10, max: 1023 },
  sue: { bits: 10, max: 1023 },
  esun: { bits: 10, max: 1023 },
  ethlink: { bits: 10, max: 1023 },
  // UID 0xffff is the switch's collective engine.
  ethplus: { bits: 16, max: 0xfffe },
  ethx: { bits: 16, max: 0xffff },
};

/** Default one-way forwarding latency of a scale-up switch (UALink 1.0 targets <= 150 ns at 25T). */
export const DEFAULT_SWITCH_LATENCY_NS = 100;

export interface DeviceCore {
  /** A frame arrived on a scale-up port of the device (the bytes are the device's to keep). */
  onFrame(port: ScaleupPort, bytes: Uint8Array): void;
  /** State below /scaleup (path without that prefix), or undefined when unknown. */
  state(path: string): unknown;
  /** Applies a config edit below /scaleup; returns false when the path is not the core's. */
  config(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean;
  /** Intended configuration below /scaleup, or undefined. */
  configGet(path: string): unknown;
}

export type CoreFactory = (fabric: ScaleupFabric, device: ScaleupDevice) => DeviceCore;

const factories = new Map<ScaleupProtocol, { switch: CoreFactory; accelerator: CoreFactory }>();

let uncabled: CoreFactory | null = null;

/** The core of an accelerator with no cabled scale-up port (it serves state; its flows are refused). */
export function registerUncabledAccelerator(f: CoreFactory): void {
  uncabled = f;
}

/** Registers the switch and accelerator cores of a protocol. */
export function registerScaleupProtocol(protocol: ScaleupProtocol, f: { switch: CoreFactory; accelerator: CoreFactory }): void {
  factories.set(protocol, f);
}

/** A cabled scale-up port: its egress link, and how frames leave it (pushed or pulled). */
export class ScaleupPort implements DrainListener {
  /** Called when the port can take a frame (its low class is idle); returns the next one or null. */
  source: (() => { bytes: Uint8Array; prio?: number } | null) | null = null;

  constructor(
    readonly fabric: ScaleupFabric,
    readonly device: ScaleupDevice,
    /** Port index on the device. */
    readonly index: number,
    readonly name: string,
    readonly link: Link,
    readonly peer: { node: number; port: number },
  ) {}

  get queue(): Queue {
    return this.link.queue;
  }

  /** The device at the far end, when it is a scale-up device. */
  get peerDevice(): ScaleupDevice | undefined {
    return this.fabric.byNode.get(this.peer.node);
  }

  /** Hands a frame to the link now (queued behind what is there). */
  send(bytes: Uint8Array, prio = PRIO_LOW): void {
    this.fabric.sendFrame(this, bytes, prio);
  }

  /** Pulls frames from `source` while the link's low class is idle. */
  kick(): void {
    const src = this.source;
    if (src === null) return;
    const q = this.link.queue;
    while (this.link.isUp && q.lowBytes === 0 && !q.paused) {
      const f = src();
      if (f === null) return;
      this.fabric.sendFrame(this, f.bytes, f.prio ?? PRIO_LOW);
    }
  }

  onQueueDrain(_q: Queue): void {
    this.kick();
  }
}

export class ScaleupDevice {
  readonly ports: ScaleupPort[] = [];
  readonly portByIndex = new Map<number, ScaleupPort>();
  /** The accelerator's id (-1 for switches). */
  id = -1;
  domain!: ScaleupDomain;
  core!: DeviceCore;
  readonly defects: ReadonlySet<string>;

  constructor(
    readonly spec: TwinDeviceSpec,
    readonly node: number,
    readonly role: 'switch' | 'accelerator',
    readonly protocol: ScaleupProtocol,
  ) {
    this.defects = new Set(spec.defects ?? []);
  }

  get name(): string {
    return this.spec.id;
  }

  has(defect: string): boolean {
    return this.defects.has(defect);
  }

  num(name: string, dflt: number): number {
    const v = this.spec.params?.[name];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TwinBuildError(`device '${this.name}': param '${name}' must be a number`);
    return v;
  }

  /** The accelerator's port (its first cabled scale-up port). */
  get mainPort(): ScaleupPort {
    const p = this.ports[0];
    if (p === undefined) throw new Error(`device '${this.name}' has no cabled scale-up port`);
    return p;
  }
}

export interface ScaleupDomain {
  readonly index: number;
  readonly protocol: ScaleupProtocol;
  readonly devices: ScaleupDevice[];
  readonly byId: Map<number, ScaleupDevice>;
}

const fabrics = new WeakMap<TwinRuntime, ScaleupFabric>();

export class ScaleupFabric {
  readonly network: Network;
  readonly events: EventList;
  readonly pool: PacketPool;
  readonly timers: Timers;
  readonly rng: Rng;
  readonly devices: ScaleupDevice[] = [];
  readonly byNode = new Map<number, ScaleupDevice>();
  readonly domains: ScaleupDomain[] = [];
  /** Frame bytes by packet poolId (stale entries of dropped packets are overwritten on reuse). */
  private readonly frames: (Uint8Array | undefined)[] = [];
  private readonly addrOf: Int32Array[];

  static of(runtime: TwinRuntime): ScaleupFabric {
    let f = fabrics.get(runtime);
    if (f === undefined) {
      f = new ScaleupFabric(runtime);
      fabrics.set(runtime, f);
      f.start();
    }
    return f;
  }

  private constructor(readonly runtime: TwinRuntime) {
    const net = runtime.network;
    this.network = net;
    this.events = net.events;
    this.pool = net.pool;
    this.timers = new Timers(net.events);
    this.rng = net.rng.fork('scaleup');
    this.addrOf = net.spec.nodes.map((n) => new Int32Array(n.ports.length).fill(-1));
    net.spec.addresses.forEach((a, i) => {
      this.addrOf[a.node][a.port] = i;
    });
    runtime.devices.forEach((spec, node) => {
      const role = spec.kind === SCALEUP_SWITCH_KIND ? 'switch' : spec.kind === ACCELERATOR_KIND ? 'accelerator' : null;
      if (role === null) return;
      const protocol = spec.params?.protocol ?? 'ualink';
      if (!isScaleupProtocol(protocol)) {
        throw new TwinBuildError(`device '${spec.id}': param 'protocol' must be one of ualink, sue, esun, ethlink, ethplus, ethx, got ${JSON.stringify(protocol)}`);
      }
      const d = new ScaleupDevice(spec, node, role, protocol);
      this.devices.push(d);
      this.byNode.set(node, d);
    });
    for (const d of this.devices) this.findPorts(d);
    this.findDomains();
    for (const dom of this.domains) this.assignIds(dom);
  }

  private start(): void {
    for (const d of this.devices) {
      const f = factories.get(d.protocol);
      if (f === undefined) throw new TwinBuildError(`device '${d.name}': no scale-up model for protocol '${d.protocol}'`);
      d.core = d.role === 'switch' ? f.switch(this, d) : d.ports.length === 0 && uncabled !== null ? uncabled(this, d) : f.accelerator(this, d);
      this.wire(d);
    }
    this.runtime.frameEncoders.push((p) => (p.type === PacketType.ScaleUp && this.frames[p.poolId] !== undefined ? { bytes: (this.frames[p.poolId] as Uint8Array).slice() } : null));
  }

  // --- discovery ---------------------------------------------------------------------------

  private findPorts(d: ScaleupDevice): void {
    const adj = this.network.adj;
    d.spec.ports.forEach((name, p) => {
      const peerNode = adj.peerNode[d.node][p];
      if (peerNode < 0 || !this.byNode.has(peerNode)) return;
      const link = this.network.egressLink(d.node, p);
      if (link === null) return;
      const port = new ScaleupPort(this, d, p, name, link, { node: peerNode, port: adj.peerPort[d.node][p] });
      d.ports.push(port);
      d.portByIndex.set(p, port);
    });
  }

  private findDomains(): void {
    const seen = new Set<ScaleupDevice>();
    for (const start of this.devices) {
      if (seen.has(start)) continue;
      const members: ScaleupDevice[] = [];
      const stack = [start];
      seen.add(start);
      while (stack.length > 0) {
        const d = stack.pop() as ScaleupDevice;
        members.push(d);
        for (const p of d.ports) {
          const peer = p.peerDevice as ScaleupDevice;
          if (peer.protocol !== d.protocol) {
            throw new TwinBuildError(`device '${d.name}' (${d.protocol}) is cabled to '${peer.name}' (${peer.protocol}): a scale-up domain speaks one protocol`);
          }
          if (!seen.has(peer)) {
            seen.add(peer);
            stack.push(peer);
          }
        }
      }
      members.sort((a, b) => a.node - b.node);
      const dom: ScaleupDomain = { index: this.domains.length, protocol: start.protocol, devices: members, byId: new Map() };
      for (const m of members) m.domain = dom;
      this.domains.push(dom);
    }
  }

  private assignIds(dom: ScaleupDomain): void {
    const space = SCALEUP_ID_SPACE[dom.protocol];
    const accs = dom.devices.filter((d) => d.role === 'accelerator');
    for (const a of accs) {
      const v = a.spec.params?.scaleupId;
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > space.max) {
        throw new TwinBuildError(`device '${a.name}': param 'scaleupId' must be an integer from 0 to ${space.max} (${dom.protocol}: ${space.bits}-bit ids), got ${JSON.stringify(v)}`);
      }
      const other = dom.byId.get(v);
      if (other !== undefined) throw new TwinBuildError(`device '${a.name}': scaleupId ${v} is already '${other.name}''s`);
      a.id = v;
      dom.byId.set(v, a);
    }
    let next = 0;
    for (const a of accs) {
      if (a.id >= 0) continue;
      while (dom.byId.has(next)) next++;
      if (next > space.max) throw new TwinBuildError(`device '${a.name}': no free ${dom.protocol} id left`);
      a.id = next;
      dom.byId.set(next, a);
    }
  }

  // --- wiring ------------------------------------------------------------------------------

  private wire(d: ScaleupDevice): void {
    const rx = (p: Packet, port: number): void => {
      const sp = d.portByIndex.get(port);
      if (p.type !== PacketType.ScaleUp || sp === undefined) {
        this.pool.release(p);
        return;
      }
      d.core.onFrame(sp, this.takeFrame(p));
    };
    const sink: PacketSink = { receive: rx };
    const node = this.network.nodes[d.node];
    if (node instanceof Host) node.handler = { receive: rx };
    for (const p of d.ports) {
      const ingress = p.link.reverse;
      if (ingress !== null && !(node instanceof Host)) ingress.sink = sink;
      p.link.queue.drain = p;
    }
  }

  // --- frames ------------------------------------------------------------------------------

  /** Sends `bytes` on the port's link as one packet sized for the wire. */
  sendFrame(port: ScaleupPort, bytes: Uint8Array, prio: number): void {
    const p = this.pool.alloc();
    p.type = PacketType.ScaleUp;
    p.size = bytes.length + SCALEUP_UNCAPTURED_BYTES[port.device.protocol];
    p.payload = bytes.length;
    p.priority = prio;
    p.flowId = -1;
    this.frames[p.poolId] = bytes;
    port.link.send(p);
  }

  /** The bytes of a received packet; the packet is released. */
  private takeFrame(p: Packet): Uint8Array {
    const b = this.frames[p.poolId] as Uint8Array;
    this.frames[p.poolId] = undefined;
    this.pool.release(p);
    return b;
  }

  // --- routing -----------------------------------------------------------------------------

  /** Engine address of an accelerator (its main port), or -1. */
  addressOf(acc: ScaleupDevice): number {
    const p = acc.ports[0];
    return p === undefined ? -1 : this.addrOf[acc.node][p.index];
  }

  /** The default forwarding table of a switch: every accelerator of its domain -> egress port indices. */
  defaultTable(sw: ScaleupDevice): Map<number, number[]> {
    const routes = this.network.routes[sw.node];
    const out = new Map<number, number[]>();
    for (const [id, acc] of sw.domain.byId) {
      const a = this.addressOf(acc);
      const s = a < 0 ? -1 : routes.setOf[a];
      if (s < 0) continue;
      out.set(id, [...routes.sets[s]].filter((p) => sw.portByIndex.has(p)));
    }
    return out;
  }

  /** One port of a set, the same for every frame of a (source, destination) pair (keeps their order). */
  pickPort(ports: readonly number[], src: number, dst: number): number {
    return ports.length === 1 ? ports[0] : ports[hash32(src, dst, 0x5ca1) % ports.length];
  }

  /** The accelerator of a domain with an id. */
  accelerator(domain: ScaleupDomain, id: number): ScaleupDevice | undefined {
    return domain.byId.get(id);
  }
}
