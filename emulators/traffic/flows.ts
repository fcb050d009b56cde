// Flows on a network: the flow table every endpoint hands its packets to, and the raw
// (unreliable, rate-paced) flow of the traffic generator. Reliable transports plug in through
// `registerTransport`.
//
// Guarantees: flow ids are dense and never reused within a manager, so a late packet of a removed
// flow is recognised and released; every packet that reaches an endpoint is given to its flow,
// which owns it from then on; losses inside the fabric are reported to the flow (unreliable flows
// count them); a flow reports completion once, and `onAllDone` fires when every started flow has
// completed.

import type { EventSource } from '../sim/eventlist.ts';
import { PacketType, PRIO_LOW, type DropListener, type Packet } from '../sim/packet.ts';
import { hash32 } from '../sim/rng.ts';
import type { EndpointHandler, Host, NicClient } from '../fabric/host.ts';
import type { Network } from '../fabric/network.ts';

export type TransportKind = 'raw' | 'uet' | 'roce';

export interface FlowSpec {
  name?: string;
  /** Source and destination endpoint addresses. */
  src: number;
  dst: number;
  /** Bytes to move: payload bytes for reliable transports, frame bytes on the wire for raw. */
  bytes: number;
  /** Start time, ps (relative to `FlowManager.start`'s time). */
  startPs?: number;
  transport?: TransportKind;
  /** Entropy values the flow sprays over (1 = a single path). */
  entropies?: number;
  /** Raw: frame size on the wire (default 1500). */
  frameBytes?: number;
  /** Raw: offered rate (default: line rate of the source port). */
  rateBps?: number;
  /** Raw: IPv4 multicast group the flow is sent to (routers replicate it; `dst` is one receiver). */
  multicastGroup?: string;
  /** Transport options for this flow, over the manager's (e.g. a defect profile's). */
  transportOptions?: Record<string, unknown>;
}

export interface FlowMetrics {
  name: string;
  src: number;
  dst: number;
  bytes: number;
  startPs: number;
  /** Completion time (absolute), when done. */
  finishPs?: number;
  fctPs?: number;
  done: boolean;
  txFrames: number;
  rxFrames: number;
  txBytes: number;
  rxBytes: number;
  retransmissions: number;
  outOfOrder: number;
  lostFrames: number;
  dataPackets: number;
  acks: number;
  nacks: number;
  trimmedSeen: number;
  rtoFired: number;
  /** Losses the sender inferred from later packets being acknowledged. */
  inferredLosses: number;
}

/** One flow, both of its ends: data arrives at the receiver end, ACKs at the sender end. */
export interface SimFlow {
  readonly id: number;
  readonly spec: Readonly<FlowSpec>;
  readonly done: boolean;
  /** Schedules the first packet at absolute time `atPs`. */
  start(atPs: number): void;
  stop(): void;
  onPacket(p: Packet, port: number): void;
  onDrop(p: Packet): void;
  metrics(): FlowMetrics;
}

export interface FlowContext {
  readonly network: Network;
  readonly manager: FlowManager;
  readonly id: number;
  readonly srcHost: Host;
  readonly srcPort: number;
  readonly dstHost: Host;
  readonly dstPort: number;
}

export type TransportFactory = (spec: FlowSpec, ctx: FlowContext, options: Record<string, unknown>) => SimFlow;

const transports = new Map<string, TransportFactory>();

/** Adds a transport kind (uet, roce...) that flows can name. */
export function registerTransport(kind: string, factory: TransportFactory): void {
  transports.set(kind, factory);
}

export function transportKinds(): string[] {
  return [...transports.keys()].sort();
}

/** Placeholder in the flow table for a removed flow: late packets are released. */
const RETIRED = Symbol('retired');

export class FlowManager implements EndpointHandler, DropListener {
  private readonly flows: (SimFlow | typeof RETIRED)[] = [];
  private running = 0;
  completed = 0;
  /** Called each time a flow completes, then when all started flows are done. */
  onFlowDone: ((f: SimFlow) => void) | null = null;
  onAllDone: (() => void) | null = null;
  /** Options handed to transport factories (mtu, cc parameters...). */
  transportOptions: Record<string, unknown>;

  constructor(
    readonly network: Network,
    transportOptions: Record<string, unknown> = {},
  ) {
    this.transportOptions = transportOptions;
    for (const h of network.hosts) h.handler = this;
    network.pool.dropListener = this;
  }

  add(spec: FlowSpec): SimFlow {
    const n = this.network;
    if (!(spec.bytes >= 0)) throw new RangeError(`flow ${spec.name ?? ''}: bytes must be >= 0, got ${spec.bytes}`);
    const src = n.endpointOf(spec.src);
    const dst = n.endpointOf(spec.dst);
    const id = this.flows.length;
    const ctx: FlowContext = { network: n, manager: this, id, srcHost: src.host, srcPort: src.port, dstHost: dst.host, dstPort: dst.port };
    const kind = spec.transport ?? 'raw';
    let flow: SimFlow;
    if (kind === 'raw') flow = new RawFlow(spec, ctx);
    else {
      const f = transports.get(kind);
      if (f === undefined) throw new Error(`flow ${spec.name ?? id}: no transport '${kind}' (known: raw, ${transportKinds().join(', ')})`);
      flow = f(spec, ctx, spec.transportOptions ? { ...this.transportOptions, ...spec.transportOptions } : this.transportOptions);
    }
    this.flows.push(flow);
    return flow;
  }

  get(id: number): SimFlow | undefined {
    const f = this.flows[id];
    return f === RETIRED ? undefined : f;
  }

  /** All live flows in id order. */
  all(): SimFlow[] {
    return this.flows.filter((f): f is SimFlow => f !== RETIRED);
  }

  /** Starts a flow at now + its startPs. */
  startFlow(f: SimFlow, basePs = this.network.events.nowPs): void {
    this.running++;
    f.start(basePs + (f.spec.startPs ?? 0));
  }

  /** Stops and forgets a flow; its late packets are released. */
  remove(f: SimFlow): void {
    f.stop();
    if (this.flows[f.id] === f) this.flows[f.id] = RETIRED;
  }

  /** Starts `f` (at completion time + its startPs) once every flow of `deps` has completed. */
  startAfter(f: SimFlow, deps: SimFlow[]): void {
    const pending = deps.filter((d) => !d.done);
    if (pending.length === 0) {
      this.startFlow(f);
      return;
    }
    this.running++; // counts as started: onAllDone waits for it
    this.waiting.set(f, pending.length);
    for (const d of pending) {
      let list = this.dependents.get(d);
      if (list === undefined) this.dependents.set(d, (list = []));
      list.push(f);
    }
  }
  private readonly waiting = new Map<SimFlow, number>();
  private readonly dependents = new Map<SimFlow, SimFlow[]>();

  /** Flows call this once when they complete. */
  flowDone(f: SimFlow): void {
    this.completed++;
    if (this.onFlowDone !== null) this.onFlowDone(f);
    const deps = this.dependents.get(f);
    if (deps !== undefined) {
      this.dependents.delete(f);
      for (const d of deps) {
        const left = (this.waiting.get(d) ?? 1) - 1;
        if (left > 0) this.waiting.set(d, left);
        else {
          this.waiting.delete(d);
          this.running--;
          this.startFlow(d);
        }
      }
    }
    if (this.completed >= this.running && this.waiting.size === 0 && this.onAllDone !== null) this.onAllDone();
  }

  receive(p: Packet, port: number): void {
    const f = this.flows[p.flowId];
    if (f === undefined || f === RETIRED) {
      this.network.pool.release(p);
      return;
    }
    f.onPacket(p, port);
  }

  onDrop(p: Packet): void {
    const f = this.flows[p.flowId];
    if (f !== undefined && f !== RETIRED && p.type !== PacketType.Pfc) f.onDrop(p);
  }
}

export function emptyMetrics(spec: FlowSpec, id: number): FlowMetrics {
  return {
    name: spec.name ?? `flow${id}`,
    src: spec.src,
    dst: spec.dst,
    bytes: spec.bytes,
    startPs: 0,
    done: false,
    txFrames: 0,
    rxFrames: 0,
    txBytes: 0,
    rxBytes: 0,
    retransmissions: 0,
    outOfOrder: 0,
    lostFrames: 0,
    dataPackets: 0,
    acks: 0,
    nacks: 0,
    trimmedSeen: 0,
    rtoFired: 0,
    inferredLosses: 0,
  };
}

/**
 * Raw flow: frames of `frameBytes` paced at `rateBps`, no reliability. Done when every frame sent
 * has been received or lost; lost frames are those the fabric dropped.
 */
export class RawFlow implements SimFlow, NicClient, EventSource {
  simId?: number;
  nicActive?: boolean;
  readonly id: number;
  readonly spec: Readonly<FlowSpec>;
  private readonly m: FlowMetrics;
  private readonly frameBytes: number;
  private readonly gapPs: number;
  private readonly entropies: number;
  private readonly baseEntropy: number;
  private nextSendPs = 0;
  private seq = 0;
  private maxSeqSeen = -1;
  private sentBytes = 0;
  private stopped = true;
  private started = false;
  private waking = false;
  private finished = false;

  constructor(
    spec: FlowSpec,
    private readonly ctx: FlowContext,
  ) {
    this.id = ctx.id;
    this.spec = { ...spec };
    this.m = emptyMetrics(spec, ctx.id);
    this.frameBytes = Math.max(64, Math.round(spec.frameBytes ?? 1500));
    const link = ctx.srcHost.egress[ctx.srcPort];
    const lineRate = link === null ? 100e9 : link.rateBps;
    const rate = Math.min(spec.rateBps ?? lineRate, lineRate);
    this.gapPs = rate >= lineRate ? 0 : Math.round((this.frameBytes * 8e12) / rate);
    this.entropies = Math.max(1, Math.floor(spec.entropies ?? 1));
    this.baseEntropy = hash32(ctx.id, 0x7261) & 0xffff;
  }

  get done(): boolean {
    return this.finished;
  }

  start(atPs: number): void {
    this.m.startPs = atPs;
    this.nextSendPs = atPs;
    this.stopped = false;
    this.started = true;
    if (this.spec.bytes <= 0) {
      this.complete(atPs);
      return;
    }
    this.wakeAt(atPs);
  }

  stop(): void {
    this.stopped = true;
    this.checkDone();
  }

  private wakeAt(t: number): void {
    if (this.waking) return;
    this.waking = true;
    this.ctx.network.events.schedule(t, this);
  }

  onEvent(): void {
    this.waking = false;
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  nicPull(): Packet | null {
    if (this.stopped || this.sentBytes >= this.spec.bytes) return null;
    const events = this.ctx.network.events;
    const now = events.nowPs;
    if (now < this.nextSendPs) {
      this.wakeAt(this.nextSendPs);
      return null;
    }
    const size = Math.max(64, Math.min(this.frameBytes, this.spec.bytes - this.sentBytes));
    const p = this.ctx.network.pool.alloc();
    p.type = PacketType.Raw;
    p.size = size;
    p.payload = size;
    p.flowId = this.id;
    p.src = this.spec.src;
    p.dst = this.spec.dst;
    p.entropy = (this.baseEntropy + (this.seq % this.entropies)) & 0xffff;
    p.seq = this.seq++;
    p.priority = PRIO_LOW;
    p.sentPs = now;
    this.sentBytes += size;
    this.m.txFrames++;
    this.m.txBytes += size;
    this.m.dataPackets++;
    this.nextSendPs = Math.max(now, this.nextSendPs) + this.gapPs;
    if (this.sentBytes >= this.spec.bytes) this.stopped = true;
    return p;
  }

  onPacket(p: Packet): void {
    const m = this.m;
    m.rxFrames++;
    m.rxBytes += p.size;
    if (p.seq < this.maxSeqSeen) m.outOfOrder++;
    else this.maxSeqSeen = p.seq;
    const now = this.ctx.network.events.nowPs;
    this.ctx.network.pool.release(p);
    this.checkDone(now);
  }

  onDrop(p: Packet): void {
    if (p.type !== PacketType.Raw) return;
    this.m.lostFrames++;
    this.checkDone();
  }

  private checkDone(now = this.ctx.network.events.nowPs): void {
    if (this.finished || !this.stopped || !this.started) return;
    if (this.m.rxFrames + this.m.lostFrames >= this.m.txFrames) this.complete(now);
  }

  private complete(now: number): void {
    this.finished = true;
    this.m.done = true;
    this.m.finishPs = now;
    this.m.fctPs = now - this.m.startPs;
    this.ctx.manager.flowDone(this);
  }

  metrics(): FlowMetrics {
    return { ...this.m };
  }
}
