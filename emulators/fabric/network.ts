// The runtime fabric: switches, hosts and links instantiated from a FabricSpec on one event list.
//
// Guarantees: every cable becomes two links (a -> b at index 2i, b -> a at 2i + 1); switch egress
// queues use the switch queue settings (node params may override them), endpoint egress queues are
// unbounded NIC queues without marking; routes are computed once at build time from the spec (a
// link that goes down later drops, it does not reroute: the reference fabric has no control plane);
// switch hash salts derive from the run's seed, so another seed gives other ECMP choices.

import { EventList } from '../sim/eventlist.ts';
import { Link, type LinkConfig } from '../sim/link.ts';
import { PacketPool } from '../sim/packet.ts';
import { Rng, hash32 } from '../sim/rng.ts';
import { PortStats, utilisationSeries, type TimeSeries } from '../sim/stats.ts';
import { Host } from './host.ts';
import { Switch, type PfcConfig, type SelectorKind } from './switch.ts';
import { adjacency, computeRoutes, type Adjacency, type FabricSpec, type NodeRoutes } from './topology.ts';

export interface QueueSettings {
  maxBytes: number;
  highMaxBytes?: number;
  ecnMinBytes?: number;
  ecnMaxBytes?: number;
  trimming?: boolean;
}

export interface NetworkOptions {
  seed?: number;
  rng?: Rng;
  events?: EventList;
  pool?: PacketPool;
  /** Switch egress queues (default: 1 MB, no ECN, no trimming). */
  switchQueue?: QueueSettings;
  /** Endpoint egress (NIC) queues (default: unbounded). */
  hostQueue?: QueueSettings;
  selector?: SelectorKind;
  pfc?: PfcConfig | null;
}

export type FabricNode = Switch | Host;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Queue settings of a node: its params (`queueBytes`, `headerQueueBytes`, `ecnMinBytes`,
 * `ecnMaxBytes`, `trimming`) over the defaults.
 */
export function queueSettingsFor(params: Record<string, unknown> | undefined, base: QueueSettings): QueueSettings {
  if (params === undefined) return base;
  const q: QueueSettings = { ...base };
  const maxBytes = num(params.queueBytes);
  if (maxBytes !== undefined) q.maxBytes = maxBytes;
  const highMaxBytes = num(params.headerQueueBytes);
  if (highMaxBytes !== undefined) q.highMaxBytes = highMaxBytes;
  const lo = num(params.ecnMinBytes);
  if (lo !== undefined) q.ecnMinBytes = lo;
  const hi = num(params.ecnMaxBytes);
  if (hi !== undefined) q.ecnMaxBytes = hi;
  if (typeof params.trimming === 'boolean') q.trimming = params.trimming;
  return q;
}

export class Network {
  readonly events: EventList;
  readonly pool: PacketPool;
  readonly rng: Rng;
  readonly adj: Adjacency;
  readonly routes: NodeRoutes[];
  readonly nodes: FabricNode[] = [];
  readonly switches: Switch[] = [];
  /** Endpoint nodes in node order. */
  readonly hosts: Host[] = [];
  /** Directed links: cable i is links[2i] (a -> b) and links[2i + 1] (b -> a). */
  readonly links: Link[] = [];
  private readonly portStats: PortStats[][];

  constructor(
    readonly spec: FabricSpec,
    options: NetworkOptions = {},
  ) {
    this.events = options.events ?? new EventList(4096);
    this.pool = options.pool ?? new PacketPool();
    this.rng = options.rng ?? new Rng(options.seed ?? 1);
    const queueRng = this.rng.fork('queues');
    const linkRng = this.rng.fork('links');
    const saltBase = this.rng.fork('ecmp-salt').nextU32();
    this.adj = adjacency(spec);
    this.routes = computeRoutes(spec, this.adj);
    const switchQueue: QueueSettings = options.switchQueue ?? { maxBytes: 1 << 20 };
    const hostQueue: QueueSettings = options.hostQueue ?? { maxBytes: Infinity };

    const addrOf = spec.nodes.map((n) => new Int32Array(n.ports.length).fill(-1));
    spec.addresses.forEach((a, i) => {
      addrOf[a.node][a.port] = i;
    });
    this.portStats = spec.nodes.map((n) => n.ports.map(() => new PortStats()));
    spec.nodes.forEach((n, i) => {
      if (n.role === 'switch') {
        const sw = new Switch(i, n.name, this.portStats[i], this.pool, this.routes[i], hash32(saltBase, i, 0x2545f491));
        if (options.selector !== undefined) sw.setSelector(options.selector);
        if (options.pfc) sw.enablePfc(options.pfc);
        this.nodes.push(sw);
        this.switches.push(sw);
      } else {
        const h = new Host(i, n.name, this.portStats[i], addrOf[i], this.pool, this.routes[i]);
        this.nodes.push(h);
        this.hosts.push(h);
      }
    });

    const cfgFor = (node: number, rateBps: number, delayPs: number): LinkConfig => {
      const n = spec.nodes[node];
      const q = n.role === 'switch' ? queueSettingsFor(n.params, switchQueue) : hostQueue;
      return { rateBps, delayPs, ...q };
    };
    spec.links.forEach((l) => {
      const a = this.nodes[l.a.node];
      const b = this.nodes[l.b.node];
      const ab = new Link(
        this.events, this.pool, linkRng,
        cfgFor(l.a.node, l.rateAbBps ?? l.rateBps, l.delayPs),
        this.portStats[l.a.node][l.a.port], this.portStats[l.b.node][l.b.port], b, l.b.port, queueRng,
      );
      const ba = new Link(
        this.events, this.pool, linkRng,
        cfgFor(l.b.node, l.rateBaBps ?? l.rateBps, l.delayPs),
        this.portStats[l.b.node][l.b.port], this.portStats[l.a.node][l.a.port], a, l.a.port, queueRng,
      );
      ab.reverse = ba;
      ba.reverse = ab;
      this.links.push(ab, ba);
      this.wire(a, l.a.port, ab);
      this.wire(b, l.b.port, ba);
    });
    if (options.selector === 'ucmp') for (const s of this.switches) s.setSelector('ucmp');
  }

  private wire(node: FabricNode, port: number, link: Link): void {
    link.queue.ownerPort = port;
    if (node instanceof Switch) {
      node.egress[port] = link;
      link.queue.ingress = node.pfcEnabled ? node : null;
    } else {
      node.attach(port, link);
    }
  }

  get addressCount(): number {
    return this.spec.addresses.length;
  }

  /** Port counters of (node, port). */
  stats(node: number, port: number): PortStats {
    return this.portStats[node][port];
  }

  /**
   * Utilisation of the link leaving (node, port) over time: a started sampler whose values are the
   * fraction of the line rate sent in each period.
   */
  utilisation(node: number, port: number, periodPs: number): TimeSeries {
    const l = this.egressLink(node, port);
    if (l === null) throw new RangeError(`${this.spec.nodes[node]?.name ?? node}:${port} is not cabled`);
    const q = l.queue;
    const ts = utilisationSeries(this.events, periodPs, l.rateBps, () => q.txOctets);
    ts.start();
    return ts;
  }

  /** The link leaving (node, port), or null if the port is not cabled. */
  egressLink(node: number, port: number): Link | null {
    const c = this.adj.linkOf[node][port];
    if (c < 0) return null;
    const l = this.spec.links[c];
    return l.a.node === node && l.a.port === port ? this.links[2 * c] : this.links[2 * c + 1];
  }

  /** The link arriving at (node, port), or null. */
  ingressLink(node: number, port: number): Link | null {
    const out = this.egressLink(node, port);
    return out === null ? null : out.reverse;
  }

  /** Host by address (endpoint port) and that port. */
  endpointOf(address: number): { host: Host; port: number } {
    const a = this.spec.addresses[address];
    if (a === undefined) throw new RangeError(`no address ${address}`);
    return { host: this.nodes[a.node] as Host, port: a.port };
  }

  nodeByName(name: string): FabricNode | undefined {
    const i = this.spec.nodes.findIndex((n) => n.name === name);
    return i < 0 ? undefined : this.nodes[i];
  }

  /** Brings a cable (both directions) up or down. */
  setCableUp(node: number, port: number, up: boolean): void {
    const l = this.egressLink(node, port);
    if (l === null) return;
    l.setUp(up);
    l.reverse?.setUp(up);
    if (up) {
      for (const end of [l, l.reverse]) {
        if (end === null) continue;
        const owner = end.reverse === null ? null : end.reverse.sink;
        if (owner instanceof Host) owner.pump(end.queue.ownerPort);
      }
    }
  }
}
