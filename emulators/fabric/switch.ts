// A switch forwards each packet to an egress queue chosen among the equal-cost ports of its route.
//
// Forwarding is pluggable through the selector: per-flow ECMP (hash of the flow id and the switch's
// seed-derived salt), entropy spraying (hash of flow id + the packet's entropy: one entropy per
// flow degenerates to per-flow ECMP, many entropies spread a flow's packets), or weighted UCMP
// (the same hash mapped onto port weights, by default the egress link rates). Zero switching
// latency (as the reference fabric). Optional PFC accounts bytes per ingress port and pauses the
// upstream sender above `xoffBytes`, resuming below `xonBytes`.

import { hash32 } from '../sim/rng.ts';
import type { Link } from '../sim/link.ts';
import type { Packet, PacketPool, PacketSink } from '../sim/packet.ts';
import type { IngressAccounting } from '../sim/queue.ts';
import type { PortStats } from '../sim/stats.ts';
import type { NodeRoutes } from './topology.ts';

export type SelectorKind = 'ecmp' | 'spray' | 'ucmp';
const SEL_ECMP = 0;
const SEL_SPRAY = 1;
const SEL_UCMP = 2;

export interface PfcConfig {
  /** Ingress bytes above which the upstream port is paused. */
  xoffBytes: number;
  /** Ingress bytes below which it is resumed. */
  xonBytes: number;
  /**
   * Buffer an ingress port may use above xoff while the pause takes effect (in-flight data); a
   * frame that would exceed xoff + headroom is dropped at ingress and counted as an in-discard.
   * Default: unlimited.
   */
  headroomBytes?: number;
}

export class Switch implements PacketSink, IngressAccounting {
  readonly egress: (Link | null)[];
  private setOf: Int32Array;
  private sets: Int32Array[];
  /** Flattened routes: address -> (offset into flatPorts) << 8 | port count; -1 = no route. */
  private route: Int32Array;
  private flatPorts: Int32Array;
  /** UCMP: cumulative weights per port set. */
  private cumWeights: Float64Array[] | null = null;
  private selector = SEL_SPRAY;
  salt: number;
  /** Packets dropped for want of a route. */
  noRoute = 0;
  /** Packets dropped because a PFC ingress port ran out of headroom. */
  headroomDrops = 0;

  // PFC
  private pfc: PfcConfig | null = null;
  private ingressBytes: Float64Array;
  private pausedUpstream: Uint8Array;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly stats: PortStats[],
    private readonly pool: PacketPool,
    routes: NodeRoutes,
    salt: number,
  ) {
    this.egress = stats.map(() => null);
    this.setOf = routes.setOf;
    this.sets = routes.sets;
    [this.route, this.flatPorts] = Switch.flatten(routes);
    this.salt = salt >>> 0;
    this.ingressBytes = new Float64Array(stats.length);
    this.pausedUpstream = new Uint8Array(stats.length);
  }

  get selectorKind(): SelectorKind {
    return this.selector === SEL_ECMP ? 'ecmp' : this.selector === SEL_UCMP ? 'ucmp' : 'spray';
  }

  /** Chooses the selector; UCMP weights default to the egress link rates. */
  setSelector(kind: SelectorKind, portWeights?: ArrayLike<number>): void {
    this.selector = kind === 'ecmp' ? SEL_ECMP : kind === 'ucmp' ? SEL_UCMP : SEL_SPRAY;
    if (kind !== 'ucmp') {
      this.cumWeights = null;
      return;
    }
    const w = (port: number): number => {
      if (portWeights !== undefined) return portWeights[port] ?? 0;
      const l = this.egress[port];
      return l === null ? 0 : l.rateBps;
    };
    this.cumWeights = this.sets.map((set) => {
      const c = new Float64Array(set.length);
      let acc = 0;
      for (let i = 0; i < set.length; i++) {
        acc += Math.max(0, w(set[i]));
        c[i] = acc;
      }
      return c;
    });
  }

  private static flatten(routes: NodeRoutes): [Int32Array, Int32Array] {
    const offsets: number[] = [];
    let total = 0;
    for (const set of routes.sets) {
      offsets.push(total);
      total += set.length;
    }
    const flat = new Int32Array(total);
    routes.sets.forEach((set, i) => flat.set(set, offsets[i]));
    const route = new Int32Array(routes.setOf.length);
    for (let a = 0; a < route.length; a++) {
      const s = routes.setOf[a];
      // sets of more than 255 ports take the slow path (count 0)
      route[a] = s < 0 ? -1 : (offsets[s] << 8) | (routes.sets[s].length > 255 ? 0 : routes.sets[s].length);
    }
    return [route, flat];
  }

  setRoutes(routes: NodeRoutes): void {
    this.setOf = routes.setOf;
    this.sets = routes.sets;
    [this.route, this.flatPorts] = Switch.flatten(routes);
    if (this.selector === SEL_UCMP) this.setSelector('ucmp');
  }

  enablePfc(config: PfcConfig | null): void {
    if (config !== null && !(config.xonBytes <= config.xoffBytes)) {
      throw new RangeError(`PFC xon (${config.xonBytes}) must not exceed xoff (${config.xoffBytes})`);
    }
    this.pfc = config;
    // Only queues of a PFC switch report departures (keeps the common path free of the check).
    for (const l of this.egress) if (l !== null) l.queue.ingress = config === null ? null : this;
  }

  get pfcEnabled(): boolean {
    return this.pfc !== null;
  }

  /** Egress port for a packet, or -1 without a route. */
  selectPort(p: Packet): number {
    const dst = p.dst;
    const r = dst < this.route.length ? this.route[dst] : -1;
    if (r < 0) return -1;
    const n = r & 0xff;
    if (n === 1) return this.flatPorts[r >> 8];
    if (n !== 0 && this.selector === SEL_SPRAY) return this.flatPorts[(r >> 8) + (hash32(p.flowId, p.entropy, this.salt) % n)];
    const s = this.setOf[dst];
    const set = this.sets[s];
    return this.selectSlow(p, s, set);
  }

  private selectSlow(p: Packet, s: number, set: Int32Array): number {
    const n = set.length;
    if (this.selector === SEL_SPRAY) return set[hash32(p.flowId, p.entropy, this.salt) % n];
    if (this.selector === SEL_ECMP) return set[hash32(p.flowId, this.salt, 0x5bd1e995) % n];
    const cum = (this.cumWeights as Float64Array[])[s];
    const total = cum[n - 1];
    if (!(total > 0)) return set[hash32(p.flowId, p.entropy, this.salt) % n];
    const x = (hash32(p.flowId, p.entropy, this.salt) / 4294967296) * total;
    let i = 0;
    while (i < n - 1 && cum[i] <= x) i++;
    return set[i];
  }

  receive(p: Packet, inPort: number): void {
    const port = this.selectPort(p);
    const link = port >= 0 ? this.egress[port] : null;
    if (link === null) {
      this.noRoute++;
      this.stats[inPort].inDiscards++;
      this.pool.drop(p);
      return;
    }
    if (this.pfc !== null && inPort >= 0) {
      if (this.ingressBytes[inPort] + p.size > this.pfc.xoffBytes + (this.pfc.headroomBytes ?? Infinity)) {
        this.headroomDrops++;
        this.stats[inPort].inDiscards++;
        this.pool.drop(p);
        return;
      }
      p.inPort = inPort;
      const b = (this.ingressBytes[inPort] += p.size);
      if (b > this.pfc.xoffBytes && this.pausedUpstream[inPort] === 0) {
        this.pausedUpstream[inPort] = 1;
        const back = this.egress[inPort];
        if (back !== null) back.sendPfc(true);
      }
    }
    link.send(p);
  }

  /** A packet that entered on a PFC port left an egress queue (sent or dropped). */
  onLeave(p: Packet): void {
    const inPort = p.inPort;
    p.inPort = -1;
    const b = (this.ingressBytes[inPort] -= p.size);
    if (this.pausedUpstream[inPort] === 1 && this.pfc !== null && b <= this.pfc.xonBytes) {
      this.pausedUpstream[inPort] = 0;
      const back = this.egress[inPort];
      if (back !== null) back.sendPfc(false);
    }
  }

  /** Bytes buffered per ingress port (PFC accounting). */
  ingressBacklog(port: number): number {
    return this.ingressBytes[port];
  }
}
