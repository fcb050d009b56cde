// Topology: a generic builder of nodes, ports and cables, shortest-path routes, and the standard
// fabrics built with it (k-ary fat tree, leaf-spine).
//
// A topology is plain data (no simulator objects): nodes with a role and named ports, links between
// (node, port) pairs with a rate and a delay. Addresses are endpoint ports: every connected port of
// an endpoint node is one routing destination, numbered in node order then port order, so host h of
// a fat tree has address h. `computeRoutes` finds, for every node and address, all the ports that
// lie on a shortest path (BFS hop count), forwarding only through switches. Later fabrics (GSE,
// scale-up, WAN) reuse the builder; nothing here is specific to one shape.

import { propagationPs, type FibreKind } from '../sim/pipe.ts';

export type NodeRole = 'switch' | 'endpoint';

export interface FabricNodeSpec {
  name: string;
  role: NodeRole;
  ports: string[];
  /** Free model parameters (queue sizes, tier...). */
  params?: Record<string, unknown>;
}

export interface FabricPortRef {
  node: number;
  port: number;
}

export interface FabricLinkSpec {
  a: FabricPortRef;
  b: FabricPortRef;
  rateBps: number;
  delayPs: number;
  lengthKm?: number;
  fibre?: FibreKind;
  /** Per-direction rate override (a -> b, b -> a); default rateBps both ways. */
  rateAbBps?: number;
  rateBaBps?: number;
}

export interface FabricSpec {
  nodes: FabricNodeSpec[];
  links: FabricLinkSpec[];
  /** Endpoint ports in address order. */
  addresses: FabricPortRef[];
}

export interface LinkOptions {
  rateBps: number;
  /** Either a delay or a fibre length (5 us/km smf, 3.3 us/km hollow-core). */
  delayPs?: number;
  lengthKm?: number;
  fibre?: FibreKind;
}

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

/** Builds a FabricSpec node by node and cable by cable. */
export class TopologyBuilder {
  private readonly nodes: FabricNodeSpec[] = [];
  private readonly byName = new Map<string, number>();
  private readonly links: FabricLinkSpec[] = [];
  /** node -> port -> link index (or -1). */
  private readonly portLink: number[][] = [];

  addNode(name: string, role: NodeRole, ports: string[] | number = [], params?: Record<string, unknown>): number {
    if (this.byName.has(name)) throw new TopologyError(`node '${name}' is defined twice`);
    const portNames = typeof ports === 'number' ? Array.from({ length: ports }, (_, i) => `p${i}`) : [...ports];
    const seen = new Set<string>();
    for (const p of portNames) {
      if (seen.has(p)) throw new TopologyError(`node '${name}' lists port '${p}' twice`);
      seen.add(p);
    }
    const index = this.nodes.length;
    this.nodes.push({ name, role, ports: portNames, ...(params ? { params } : {}) });
    this.byName.set(name, index);
    this.portLink.push(portNames.map(() => -1));
    return index;
  }

  /** Adds a port to a node (named `p<n>` by default); returns its index. */
  addPort(node: number | string, port?: string): number {
    const n = this.nodeIndex(node);
    const spec = this.nodes[n];
    const name = port ?? `p${spec.ports.length}`;
    if (spec.ports.includes(name)) throw new TopologyError(`node '${spec.name}' already has port '${name}'`);
    spec.ports.push(name);
    this.portLink[n].push(-1);
    return spec.ports.length - 1;
  }

  nodeIndex(node: number | string): number {
    if (typeof node === 'number') {
      if (node < 0 || node >= this.nodes.length) throw new TopologyError(`no node #${node}`);
      return node;
    }
    const i = this.byName.get(node);
    if (i === undefined) throw new TopologyError(`no node named '${node}'`);
    return i;
  }

  portIndex(node: number | string, port: string | number): number {
    const n = this.nodeIndex(node);
    if (typeof port === 'number') {
      if (port < 0 || port >= this.nodes[n].ports.length) throw new TopologyError(`node '${this.nodes[n].name}' has no port #${port}`);
      return port;
    }
    const i = this.nodes[n].ports.indexOf(port);
    if (i < 0) throw new TopologyError(`node '${this.nodes[n].name}' has no port '${port}'`);
    return i;
  }

  /** Cables two named ports. */
  addLink(
    a: { node: number | string; port: string | number },
    b: { node: number | string; port: string | number },
    options: LinkOptions,
  ): number {
    const an = this.nodeIndex(a.node);
    const bn = this.nodeIndex(b.node);
    const ap = this.portIndex(an, a.port);
    const bp = this.portIndex(bn, b.port);
    if (an === bn && ap === bp) throw new TopologyError(`link from '${this.nodes[an].name}:${this.nodes[an].ports[ap]}' to itself`);
    for (const [n, p] of [
      [an, ap],
      [bn, bp],
    ]) {
      if (this.portLink[n][p] >= 0) {
        throw new TopologyError(`port '${this.nodes[n].name}:${this.nodes[n].ports[p]}' is cabled twice`);
      }
    }
    if (!(options.rateBps > 0)) throw new TopologyError(`link rate must be > 0 b/s, got ${options.rateBps}`);
    let delayPs = options.delayPs;
    if (delayPs === undefined) delayPs = propagationPs(options.lengthKm ?? 0, options.fibre ?? 'smf');
    if (!(delayPs >= 0)) throw new TopologyError(`link delay must be >= 0 ps, got ${delayPs}`);
    const index = this.links.length;
    this.links.push({
      a: { node: an, port: ap },
      b: { node: bn, port: bp },
      rateBps: options.rateBps,
      delayPs: Math.round(delayPs),
      ...(options.lengthKm !== undefined ? { lengthKm: options.lengthKm } : {}),
      ...(options.fibre !== undefined ? { fibre: options.fibre } : {}),
    });
    this.portLink[an][ap] = index;
    this.portLink[bn][bp] = index;
    return index;
  }

  /** Cables the next free (or a new) port of each node. */
  connect(a: number | string, b: number | string, options: LinkOptions): number {
    return this.addLink({ node: a, port: this.freePort(a) }, { node: b, port: this.freePort(b) }, options);
  }

  private freePort(node: number | string): number {
    const n = this.nodeIndex(node);
    const i = this.portLink[n].indexOf(-1);
    return i >= 0 ? i : this.addPort(n);
  }

  build(): FabricSpec {
    const addresses: FabricPortRef[] = [];
    this.nodes.forEach((n, i) => {
      if (n.role !== 'endpoint') return;
      n.ports.forEach((_, p) => {
        if (this.portLink[i][p] >= 0) addresses.push({ node: i, port: p });
      });
    });
    return {
      nodes: this.nodes.map((n) => ({ ...n, ports: [...n.ports] })),
      links: this.links.map((l) => ({ ...l, a: { ...l.a }, b: { ...l.b } })),
      addresses,
    };
  }
}

/** Per-node forwarding tables: for each address, a set of equal-cost egress ports. */
export interface NodeRoutes {
  /** address -> index into `sets`, -1 when unreachable. */
  setOf: Int32Array;
  /** Distinct port sets (each sorted by port index). */
  sets: Int32Array[];
}

/** The far end of every (node, port): node and port, or -1. */
export interface Adjacency {
  peerNode: Int32Array[];
  peerPort: Int32Array[];
  linkOf: Int32Array[];
}

export function adjacency(spec: FabricSpec): Adjacency {
  const peerNode = spec.nodes.map((n) => new Int32Array(n.ports.length).fill(-1));
  const peerPort = spec.nodes.map((n) => new Int32Array(n.ports.length).fill(-1));
  const linkOf = spec.nodes.map((n) => new Int32Array(n.ports.length).fill(-1));
  spec.links.forEach((l, i) => {
    peerNode[l.a.node][l.a.port] = l.b.node;
    peerPort[l.a.node][l.a.port] = l.b.port;
    linkOf[l.a.node][l.a.port] = i;
    peerNode[l.b.node][l.b.port] = l.a.node;
    peerPort[l.b.node][l.b.port] = l.a.port;
    linkOf[l.b.node][l.b.port] = i;
  });
  return { peerNode, peerPort, linkOf };
}

/**
 * Shortest-path routes (hop count) from every node to every address, keeping all equal-cost next
 * hops. Only switches forward: a path never passes through an endpoint.
 */
export function computeRoutes(spec: FabricSpec, adj: Adjacency = adjacency(spec)): NodeRoutes[] {
  const nNodes = spec.nodes.length;
  const nAddr = spec.addresses.length;
  const isSwitch = spec.nodes.map((n) => n.role === 'switch');
  const tables: { setOf: Int32Array; sets: Int32Array[]; keys: Map<string, number> }[] = spec.nodes.map(() => ({
    setOf: new Int32Array(nAddr).fill(-1),
    sets: [],
    keys: new Map(),
  }));
  const dist = new Int32Array(nNodes);
  const queue = new Int32Array(nNodes);
  const scratch: number[] = [];

  const setFor = (node: number, ports: number[]): number => {
    const t = tables[node];
    const key = ports.join(',');
    let s = t.keys.get(key);
    if (s === undefined) {
      s = t.sets.length;
      t.sets.push(Int32Array.from(ports));
      t.keys.set(key, s);
    }
    return s;
  };

  for (let a = 0; a < nAddr; a++) {
    const { node: target, port: targetPort } = spec.addresses[a];
    dist.fill(-1);
    // The target endpoint is at distance 0; its cable's far end at 1.
    dist[target] = 0;
    let qh = 0;
    let qt = 0;
    const first = adj.peerNode[target][targetPort];
    if (first < 0) continue;
    const firstPort = adj.peerPort[target][targetPort];
    if (first !== target) {
      dist[first] = 1;
      tables[first].setOf[a] = setFor(first, [firstPort]);
      if (isSwitch[first]) queue[qt++] = first;
    }
    while (qh < qt) {
      const s = queue[qh++];
      const peers = adj.peerNode[s];
      for (let p = 0; p < peers.length; p++) {
        const m = peers[p];
        if (m < 0 || dist[m] >= 0) continue;
        dist[m] = dist[s] + 1;
        if (isSwitch[m]) queue[qt++] = m;
      }
    }
    // Next hops: ports toward a forwarding neighbour one hop closer (or the target port itself).
    for (let n = 0; n < nNodes; n++) {
      if (n === first || dist[n] <= 0) continue;
      scratch.length = 0;
      const peers = adj.peerNode[n];
      const d = dist[n];
      for (let p = 0; p < peers.length; p++) {
        const m = peers[p];
        if (m < 0 || dist[m] !== d - 1) continue;
        if (m === target) {
          if (adj.peerPort[n][p] === targetPort) scratch.push(p);
        } else if (isSwitch[m]) scratch.push(p);
      }
      if (scratch.length > 0) tables[n].setOf[a] = setFor(n, scratch);
    }
  }
  return tables.map((t) => ({ setOf: t.setOf, sets: t.sets }));
}

export interface FabricLinkDefaults {
  rateBps?: number;
  /** Per-link one-way delay; default 1 us (the reference fabric). */
  delayPs?: number;
}

/**
 * Three-tier k-ary fat tree: k pods, each with k/2 ToRs and k/2 aggregation switches, (k/2)^2
 * cores, k^3/4 hosts. Host h sits under ToR floor(h / (k/2)) of pod floor(h / (k^2/4)); ToR ports
 * 0..k/2-1 face hosts, k/2..k-1 the pod's aggregation switches; aggregation switch j of a pod
 * reaches cores j*k/2 .. j*k/2 + k/2 - 1. Nodes: hosts `h<i>`, `tor<i>`, `agg<i>`, `core<i>`.
 */
export function fatTree(k: number, options: FabricLinkDefaults & { hosts?: number } = {}): FabricSpec {
  if (!Number.isInteger(k) || k < 2 || k % 2 !== 0) throw new TopologyError(`fat tree k must be an even integer >= 2, got ${k}`);
  const half = k / 2;
  const nHosts = options.hosts ?? (k * k * k) / 4;
  if (nHosts > (k * k * k) / 4) throw new TopologyError(`a k=${k} fat tree holds at most ${(k * k * k) / 4} hosts, asked for ${nHosts}`);
  const link: LinkOptions = { rateBps: options.rateBps ?? 100e9, delayPs: options.delayPs ?? 1_000_000 };
  const b = new TopologyBuilder();
  for (let h = 0; h < nHosts; h++) b.addNode(`h${h}`, 'endpoint', 1, { tier: 0 });
  const nTor = k * half;
  const tor0 = nHosts;
  for (let t = 0; t < nTor; t++) b.addNode(`tor${t}`, 'switch', k, { tier: 1, pod: Math.floor(t / half) });
  const agg0 = tor0 + nTor;
  for (let a = 0; a < nTor; a++) b.addNode(`agg${a}`, 'switch', k, { tier: 2, pod: Math.floor(a / half) });
  const core0 = agg0 + nTor;
  for (let c = 0; c < half * half; c++) b.addNode(`core${c}`, 'switch', k, { tier: 3 });
  for (let h = 0; h < nHosts; h++) b.addLink({ node: h, port: 0 }, { node: tor0 + Math.floor(h / half), port: h % half }, link);
  for (let pod = 0; pod < k; pod++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < half; j++) {
        b.addLink({ node: tor0 + pod * half + i, port: half + j }, { node: agg0 + pod * half + j, port: i }, link);
      }
    }
    for (let j = 0; j < half; j++) {
      for (let c = 0; c < half; c++) {
        b.addLink({ node: agg0 + pod * half + j, port: half + c }, { node: core0 + j * half + c, port: pod }, link);
      }
    }
  }
  return b.build();
}

/** Smallest even k whose three-tier fat tree holds `hosts` hosts (the reference's sizing rule). */
export function fatTreeKFor(hosts: number): number {
  let k = 2;
  while ((k * k * k) / 4 < hosts) k += 2;
  return k;
}

/**
 * Two-tier leaf-spine: every leaf has `hostsPerLeaf` hosts and one uplink to every spine. The
 * uplink rate is set so that the leaf's downlink capacity over its uplink capacity equals
 * `oversubscription` (1 = non-blocking). Nodes: `h<i>` (host i under leaf floor(i/hostsPerLeaf)),
 * `leaf<i>`, `spine<i>`.
 */
export function leafSpine(
  leaves: number,
  spines: number,
  hostsPerLeaf: number,
  oversubscription = 1,
  options: FabricLinkDefaults & { uplinkRateBps?: number } = {},
): FabricSpec {
  for (const [name, v] of [
    ['leaves', leaves],
    ['spines', spines],
    ['hostsPerLeaf', hostsPerLeaf],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new TopologyError(`leafSpine ${name} must be an integer >= 1, got ${v}`);
  }
  if (!(oversubscription > 0)) throw new TopologyError(`oversubscription must be > 0, got ${oversubscription}`);
  const rateBps = options.rateBps ?? 100e9;
  const delayPs = options.delayPs ?? 1_000_000;
  const uplinkRateBps = options.uplinkRateBps ?? (hostsPerLeaf * rateBps) / (oversubscription * spines);
  const b = new TopologyBuilder();
  const nHosts = leaves * hostsPerLeaf;
  for (let h = 0; h < nHosts; h++) b.addNode(`h${h}`, 'endpoint', 1, { tier: 0 });
  for (let l = 0; l < leaves; l++) b.addNode(`leaf${l}`, 'switch', hostsPerLeaf + spines, { tier: 1 });
  for (let s = 0; s < spines; s++) b.addNode(`spine${s}`, 'switch', leaves, { tier: 2 });
  for (let h = 0; h < nHosts; h++) {
    b.addLink({ node: h, port: 0 }, { node: nHosts + Math.floor(h / hostsPerLeaf), port: h % hostsPerLeaf }, { rateBps, delayPs });
  }
  for (let l = 0; l < leaves; l++) {
    for (let s = 0; s < spines; s++) {
      b.addLink({ node: nHosts + l, port: hostsPerLeaf + s }, { node: nHosts + leaves + s, port: l }, { rateBps: uplinkRateBps, delayPs });
    }
  }
  return b.build();
}
