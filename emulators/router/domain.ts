// The WAN domain of one twin: the routers' shared control plane (link-state SPF, L3VPN/SID and multicast state).
//
// What real routers learn from IS-IS/BGP the domain computes from the twin's topology and the
// routers' configuration: shortest paths by interface metric (non-router forwarders count 10 per
// hop, as their own hop-count routes), loop-free alternates for backup (RFC 5286 inequality), the
// provider-edge router and port of every endpoint, the SID table (RFC 8986), multicast trees built
// from receivers' joins (shortest-path trees from the source's router), and the proxy gateways
// that serve endpoints (HP-WAN proxy congestion notification). Guarantees: results are
// deterministic; distance tables are recomputed only after a metric change (`bumpConfig`); trees
// and usability-dependent answers after any change of port usability (`bumpState`).

import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import { wanFrameEncoder } from './frames.ts';
import { WanTags } from './tags.ts';

/** IGP metric of a hop through a forwarding node that is not a router. */
export const DEFAULT_METRIC = 10;

/** What the domain needs of a router. */
export interface DomainRouter {
  readonly node: number;
  readonly id: string;
  /** Metric of the port's egress (config, default DEFAULT_METRIC). */
  metricOf(port: number): number;
  /** The port can carry traffic now (link up, BFD not withdrawn). */
  usable(port: number): boolean;
  /** Name of the network instance a port is bound to. */
  vrfOfPort(port: number): string;
  /** Ports joined to a multicast group (IGMP static joins). */
  groupPorts(group: string): readonly number[];
  /** Ports whose hosts this router proxies congestion notifications for. */
  proxyPorts(): readonly number[];
}

/** A next-hop tier: ports of equal total cost. */
export interface NextHopTier {
  cost: number;
  ports: Int32Array;
}

export interface Attachment {
  router: number;
  port: number;
}

export interface SidEntry {
  node: number;
  behavior: 'End' | 'End.X' | 'End.DT4' | 'End.DT6';
  port?: number;
  vrf?: string;
}

const domains = new WeakMap<TwinRuntime, WanDomain>();

export class WanDomain {
  readonly routers = new Map<number, DomainRouter>();
  readonly tags = new WanTags();
  readonly sids = new Map<string, SidEntry>();
  /** Bumped on metric changes: distance tables are stale. */
  configVersion = 0;
  /** Bumped on usability or membership changes: trees are stale. */
  stateVersion = 0;
  private readonly dist = new Map<number, Float64Array>();
  private readonly attach = new Map<number, Attachment | null>();
  private readonly trees = new Map<string, Map<number, number[]>>();
  private treesVersion = -1;
  readonly nNodes: number;

  private constructor(readonly rt: TwinRuntime) {
    this.nNodes = rt.devices.length;
    rt.addFaultListener(() => this.bumpState());
    rt.frameEncoders.push(wanFrameEncoder(this.tags));
  }

  static of(rt: TwinRuntime): WanDomain {
    let d = domains.get(rt);
    if (d === undefined) domains.set(rt, (d = new WanDomain(rt)));
    return d;
  }

  add(r: DomainRouter): void {
    this.routers.set(r.node, r);
    this.bumpConfig();
  }

  isRouter(node: number): boolean {
    return this.routers.has(node);
  }

  bumpConfig(): void {
    this.configVersion++;
    this.dist.clear();
    this.bumpState();
  }

  bumpState(): void {
    this.stateVersion++;
  }

  private forwards(node: number): boolean {
    return this.routers.has(node) || this.rt.network.spec.nodes[node].role === 'switch';
  }

  private costOf(node: number, port: number): number {
    const r = this.routers.get(node);
    return r === undefined ? DEFAULT_METRIC : r.metricOf(port);
  }

  /**
   * Cost from every node to a destination: an endpoint address (key >= 0) or a router node
   * (key = -(node + 1)). Backward Dijkstra; only forwarding nodes relay.
   */
  distTo(key: number): Float64Array {
    let d = this.dist.get(key);
    if (d !== undefined) return d;
    const net = this.rt.network;
    const adj = net.adj;
    d = new Float64Array(this.nNodes).fill(Infinity);
    const done = new Uint8Array(this.nNodes);
    const heap = new MinHeap();
    const push = (n: number, c: number) => {
      if (c >= d![n]) return;
      d![n] = c;
      heap.push(c, n);
    };
    if (key >= 0) {
      const a = net.spec.addresses[key];
      if (a === undefined) return d;
      const m = adj.peerNode[a.node][a.port];
      if (m >= 0 && this.forwards(m)) push(m, this.costOf(m, adj.peerPort[a.node][a.port]));
    } else {
      push(-key - 1, 0);
    }
    while (heap.size > 0) {
      const v = heap.pop();
      if (done[v]) continue;
      done[v] = 1;
      const peers = adj.peerNode[v];
      for (let p = 0; p < peers.length; p++) {
        const u = peers[p];
        if (u < 0 || done[u] || !this.forwards(u)) continue;
        push(u, this.costOf(u, adj.peerPort[v][p]) + d[v]);
      }
    }
    this.dist.set(key, d);
    return d;
  }

  /**
   * Next-hop tiers of a router toward a destination key, cheapest first. The first tier holds the
   * shortest paths; later tiers are loop-free alternates (cost(N, D) < cost(N, S) + cost(S, D)).
   */
  tiers(router: number, key: number): NextHopTier[] {
    const net = this.rt.network;
    const adj = net.adj;
    const d = this.distTo(key);
    const toSelf = this.distTo(-(router + 1));
    const target = key >= 0 ? net.spec.addresses[key] : undefined;
    const cands: { cost: number; port: number }[] = [];
    const peers = adj.peerNode[router];
    for (let p = 0; p < peers.length; p++) {
      const m = peers[p];
      if (m < 0) continue;
      const c = this.costOf(router, p);
      if (target !== undefined && m === target.node) {
        if (adj.peerPort[router][p] === target.port) cands.push({ cost: c, port: p });
        continue;
      }
      if (key < 0 && m === -key - 1) {
        cands.push({ cost: c, port: p });
        continue;
      }
      if (!this.forwards(m) || !Number.isFinite(d[m])) continue;
      cands.push({ cost: c + d[m], port: p });
    }
    if (cands.length === 0) return [];
    const best = Math.min(...cands.map((x) => x.cost));
    const tiers = new Map<number, number[]>();
    for (const x of cands) {
      if (x.cost !== best) {
        const m = peers[x.port];
        // RFC 5286: the neighbour's own path must not come back through this router.
        const viaMe = toSelf[m] + d[router];
        if (!(d[m] < viaMe) && !(target !== undefined && m === target.node) && !(key < 0 && m === -key - 1)) continue;
      }
      let list = tiers.get(x.cost);
      if (list === undefined) tiers.set(x.cost, (list = []));
      list.push(x.port);
    }
    return [...tiers.entries()].sort((a, b) => a[0] - b[0]).map(([cost, ports]) => ({ cost, ports: Int32Array.from(ports.sort((a, b) => a - b)) }));
  }

  /** The provider-edge router and port an endpoint address hangs off (through non-router switches), or null. */
  attachmentOf(address: number): Attachment | null {
    const cached = this.attach.get(address);
    if (cached !== undefined) return cached;
    const net = this.rt.network;
    const adj = net.adj;
    const a = net.spec.addresses[address];
    let found: Attachment | null = null;
    if (a !== undefined) {
      const first = adj.peerNode[a.node][a.port];
      if (first >= 0 && this.routers.has(first)) found = { router: first, port: adj.peerPort[a.node][a.port] };
      else if (first >= 0 && this.forwards(first)) {
        const seen = new Set<number>([first]);
        let frontier = [first];
        while (found === null && frontier.length > 0) {
          const next: number[] = [];
          for (const v of frontier) {
            const peers = adj.peerNode[v];
            for (let p = 0; p < peers.length && found === null; p++) {
              const u = peers[p];
              if (u < 0 || seen.has(u)) continue;
              seen.add(u);
              if (this.routers.has(u)) found = { router: u, port: adj.peerPort[v][p] };
              else if (this.forwards(u)) next.push(u);
            }
          }
          frontier = next;
        }
      }
    }
    this.attach.set(address, found);
    return found;
  }

  /** The network instance an endpoint belongs to ('default' when no router serves it). */
  vrfOfAddress(address: number): string {
    const at = this.attachmentOf(address);
    if (at === null) return 'default';
    return (this.routers.get(at.router) as DomainRouter).vrfOfPort(at.port);
  }

  /** The router that proxies congestion notifications for an endpoint, or -1. */
  proxyOf(address: number): number {
    const at = this.attachmentOf(address);
    if (at === null) return -1;
    const r = this.routers.get(at.router) as DomainRouter;
    return r.proxyPorts().includes(at.port) ? at.router : -1;
  }

  /** The first usable port of the cheapest usable tier (deterministic; for trees and control traffic). */
  firstHop(router: number, key: number): number {
    const r = this.routers.get(router);
    for (const t of this.tiers(router, key)) {
      for (const p of t.ports) if (r === undefined || r.usable(p)) return p;
    }
    return -1;
  }

  /**
   * Ports a router copies a group's packets to, for traffic entering the domain at `sourceRouter`:
   * its own joined ports plus the branches of the shortest-path tree toward every router with
   * members.
   */
  groupOutPorts(router: number, sourceRouter: number, group: string): number[] {
    if (this.treesVersion !== this.stateVersion) {
      this.trees.clear();
      this.treesVersion = this.stateVersion;
    }
    const key = `${sourceRouter}|${group}`;
    let tree = this.trees.get(key);
    if (tree === undefined) {
      tree = new Map<number, number[]>();
      const add = (n: number, p: number) => {
        let l = tree!.get(n);
        if (l === undefined) tree!.set(n, (l = []));
        if (!l.includes(p)) l.push(p);
      };
      for (const r of this.routers.values()) {
        const joined = r.groupPorts(group);
        for (const p of joined) add(r.node, p);
        if (joined.length === 0 || r.node === sourceRouter) continue;
        // walk the source's shortest path to the member router
        let at = sourceRouter;
        const adj = this.rt.network.adj;
        for (let guard = 0; guard < 64 && at !== r.node; guard++) {
          const p = this.firstHop(at, -(r.node + 1));
          if (p < 0) break;
          add(at, p);
          at = adj.peerNode[at][p];
          if (!this.routers.has(at)) break;
        }
      }
      this.trees.set(key, tree);
    }
    return tree.get(router) ?? [];
  }

  /** The router owning a SID (by exact match), if any. */
  sid(address: string): SidEntry | undefined {
    return this.sids.get(address);
  }
}

/** A binary min-heap of (cost, node) pairs. */
class MinHeap {
  private cost: number[] = [];
  private node: number[] = [];
  get size(): number {
    return this.cost.length;
  }
  push(c: number, n: number): void {
    const cs = this.cost;
    const ns = this.node;
    let i = cs.length;
    cs.push(c);
    ns.push(n);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (cs[up] <= c) break;
      cs[i] = cs[up];
      ns[i] = ns[up];
      i = up;
    }
    cs[i] = c;
    ns[i] = n;
  }
  /** Removes and returns the node of least cost. */
  pop(): number {
    const cs = this.cost;
    const ns = this.node;
    const top = ns[0];
    const c = cs.pop() as number;
    const n = ns.pop() as number;
    const len = cs.length;
    if (len > 0) {
      let i = 0;
      for (;;) {
        let k = 2 * i + 1;
        if (k >= len) break;
        if (k + 1 < len && cs[k + 1] < cs[k]) k++;
        if (cs[k] >= c) break;
        cs[i] = cs[k];
        ns[i] = ns[k];
        i = k;
      }
      cs[i] = c;
      ns[i] = n;
    }
    return top;
  }
}
