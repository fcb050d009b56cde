// The 800GE router's data plane: IP forwarding with ECMP/UCMP and backup paths, VRFs, SRv6, BFD, multicast, PFC, HP-WAN edge.
//
// The router takes over the packets arriving at its ports (it becomes the sink of its ingress
// links) and sends on its egress links; routes come from the WAN domain's SPF (domain.ts).
// Guarantees:
// - forwarding: the cheapest tier of next hops whose ports are usable (link up and, where BFD runs
//   and has been Up, the session Up); ECMP hashes the 5-tuple as it is on the wire (source and
//   destination address, UDP source port carrying the entropy) with a per-router salt, so a flow
//   keeps one path; UCMP maps the same hash onto the ports' weights (default: link rate);
// - VRFs: an access port belongs to one network instance; a packet is delivered only to an
//   endpoint of the same instance (else dropped and counted: vrf-drops); traffic of a non-default
//   instance to another router's endpoint is carried as L3VPN over SRv6 (RFC 8986 End.DT4/End.DT6
//   service SID of the remote instance, behind the segments of an SR policy when one is
//   configured for that endpoint: the SRH, RFC 8754, carries them); default-instance traffic is
//   routed natively unless a policy of the default instance names the endpoint;
// - SRv6: End decrements Segments Left and routes on the next segment; End.X does so and sends on
//   its adjacency; End.DT4/DT6 need Segments Left 0 (else drop, srh-errors), decapsulate and look
//   the inner destination up in their instance; a packet for a SID of another router is routed
//   toward that router; the outer hop limit is decremented per SRv6 node;
// - BFD (bfd.ts) per port toward another router, single hop (RFC 5881) on IPv6 link-local;
// - multicast: a packet of a group is copied to the router's joined ports and to the branches of
//   the group's shortest-path tree from the source's router (domain.ts), never back to its port;
// - PFC: per ingress port byte accounting of the lossless (low) class, PAUSE above XOFF, resume at
//   XON, drop beyond XOFF + headroom (counted as in-discards and headroom drops); headroom 'auto'
//   sizes each port for its cable's length and rate (wan/fibre.ts);
// - HP-WAN: per ingress-port tasks and per-instance slices are shaped to their cap and their
//   traffic up to the guaranteed rate travels at high priority to the domain's exit (restored to
//   low there); a router whose egress backlog exceeds the ECN threshold sends a proxy congestion
//   notification for a data packet whose source has a proxy gateway, which turns it into a CNP to
//   the sending host (both rate-limited per flow).
// Defect switches are fields of RouterDefects (register.ts names the profiles).

import { BFD_STATE, type BfdControlHeader, type BfdState } from '../../protocols/bfd/control.ts';
import { ipv6FormatAddress, ipv6ParseAddress } from '../../protocols/ipv6/address.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import type { EventSource } from '../sim/eventlist.ts';
import type { Link } from '../sim/link.ts';
import { HEADER_BYTES, PacketType, PRIO_HIGH, PRIO_LOW, type Packet, type PacketSink } from '../sim/packet.ts';
import type { IngressAccounting } from '../sim/queue.ts';
import { hash32 } from '../sim/rng.ts';
import { pfcHeadroomBytes } from '../wan/fibre.ts';
import { QuotaBook, RateEnforcer, type EnforcerHost, type HpwanGrant, type HpwanRequest } from '../wan/hpwan.ts';
import { BFD_CONFORMANT, BfdSession, type BfdDefects, type BfdTimers } from './bfd.ts';
import { DEFAULT_METRIC, WanDomain, type DomainRouter, type NextHopTier } from './domain.ts';
import type { Srv6State } from './tags.ts';

export interface RouterDefects {
  /** ECMP: every flow takes the first port of the set. */
  polarise: boolean;
  /** UCMP: weights ignored (equal split). */
  ucmpIgnoresWeights: boolean;
  /** ECMP per packet (the hash includes the sequence number). */
  perPacket: boolean;
  /** BFD Down does not withdraw the port from forwarding. */
  noSwitchover: boolean;
  /** End/End.X move to the next segment without decrementing Segments Left. */
  slNotDecremented: boolean;
  /** End.X routes on the next segment instead of using its adjacency. */
  endXIgnoresAdjacency: boolean;
  /** Lookups ignore the network instance. */
  vrfLeak: boolean;
  /** Each multicast copy is sent twice. */
  mcastDuplicates: boolean;
  /** Multicast copies go to every access port, members or not. */
  mcastFlood: boolean;
  /** PFC headroom 'auto' is sized for a 300 m cable whatever the length. */
  headroomFixed: boolean;
  /** HP-WAN guarantees are not given priority. */
  hpwanNoMinimum: boolean;
  /** HP-WAN caps and slice bandwidths are not enforced. */
  hpwanNoShaping: boolean;
  /** Admission control admits whatever is asked. */
  hpwanAdmitsAll: boolean;
  /** A slice keeps the bandwidth it was first provisioned with: later changes are not applied. */
  sliceResizeIgnored: boolean;
  /** Adaptive load balancing never identifies an elephant flow: every flow is hashed as in ECMP. */
  elephantsMissed: boolean;
  /** The proxy gateway does not turn notifications into CNPs. */
  noProxyNotification: boolean;
  bfd: BfdDefects;
}

export const ROUTER_CONFORMANT: RouterDefects = {
  polarise: false,
  ucmpIgnoresWeights: false,
  perPacket: false,
  noSwitchover: false,
  slNotDecremented: false,
  endXIgnoresAdjacency: false,
  vrfLeak: false,
  mcastDuplicates: false,
  mcastFlood: false,
  headroomFixed: false,
  hpwanNoMinimum: false,
  hpwanNoShaping: false,
  hpwanAdmitsAll: false,
  sliceResizeIgnored: false,
  elephantsMissed: false,
  noProxyNotification: false,
  bfd: BFD_CONFORMANT,
};

export type LoadBalancing = 'ecmp' | 'ucmp' | 'adaptive';

/** A flow is an elephant once it has lasted `minLifetimePs` and averaged `minRateBps` since its first packet. */
export interface ElephantPolicy {
  minRateBps: number;
  minLifetimePs: number;
}

export const DEFAULT_ELEPHANT_POLICY: ElephantPolicy = { minRateBps: 10e9, minLifetimePs: 100e6 };
/** A flow unseen this long is forgotten (its next packet starts a new one). */
const FLOW_IDLE_PS = 1e9;

interface FlowEntry {
  firstPs: number;
  lastPs: number;
  bytes: number;
  /** The member an elephant is pinned to, or -1 (a mouse: hashed). */
  port: number;
  rateBps: number;
}

export interface ElephantRecord {
  src: number;
  dst: number;
  entropy: number;
  port: number;
  rateBps: number;
  atPs: number;
}

export const DEFAULT_VRF = 'default';
/** IPv6 + SRH fixed part + one segment, bytes. */
const IPV6_LEN = 40;
const SRH_FIXED = 8;
const SID_LEN = 16;
/** Ethernet + IPv6 + UDP + BFD control packet, bytes on the wire (no FCS). */
export const BFD_FRAME_BYTES = 14 + 40 + 8 + 24;
/** Ethernet + IPv6 + UDP + the PCN message, bytes. */
export const PCN_FRAME_BYTES = 14 + 40 + 8 + 32;
/** Least time between two notifications for one flow, at a congested node and at the proxy. */
export const PCN_INTERVAL_PS = 50_000_000;
/** Cable length the 'headroom fixed' defect sizes for. */
const FIXED_HEADROOM_KM = 0.3;

export interface VrfConfig {
  name: string;
  af: 4 | 6;
  tableId: number;
  interfaces: Set<number>;
}

export interface SrPolicy {
  name: string;
  vrf: string;
  /** Endpoint router node. */
  endpointNode: number;
  endpoint: string;
  /** Segments in path order (first to visit first). */
  segmentList: string[];
  /** Ingress ports it applies to (empty: all of the instance). */
  ingress: Set<number>;
}

export interface PfcSettings {
  xoffBytes: number;
  xonBytes: number;
  /** 'auto' sizes per port from the cable. */
  headroom: 'auto' | number;
}

export interface HpwanTask {
  name: string;
  ingressPort: number;
  request: HpwanRequest;
  grant: HpwanGrant;
  enforcer: RateEnforcer | null;
  expiresAtPs: number;
}

export interface SliceConfig {
  name: string;
  vrf: string;
  bandwidthBps: number;
  enforcer: RateEnforcer;
}

export interface RouterCounters {
  forwarded: number;
  noRoute: number;
  vrfDrops: number;
  srhErrors: number;
  srv6Encapsulated: number;
  srv6Decapsulated: number;
  srv6EndProcessed: number;
  mcastCopies: number;
  headroomDrops: number;
  pcnSent: number;
  pcnReceived: number;
  proxyCnpSent: number;
  ttlExpired: number;
}

export interface RouterInit {
  locatorPrefix: Uint8Array;
  locatorBits: number;
  ordinal: number;
  salt: number;
  defects: RouterDefects;
}

export class Router implements PacketSink, IngressAccounting, DomainRouter, EnforcerHost {
  readonly egress: (Link | null)[];
  /** Peer router node per port (-1 when the peer is not a router). */
  readonly peerRouter: Int32Array;
  readonly domain: WanDomain;
  readonly defects: RouterDefects;
  readonly counters: RouterCounters = {
    forwarded: 0,
    noRoute: 0,
    vrfDrops: 0,
    srhErrors: 0,
    srv6Encapsulated: 0,
    srv6Decapsulated: 0,
    srv6EndProcessed: 0,
    mcastCopies: 0,
    headroomDrops: 0,
    pcnSent: 0,
    pcnReceived: 0,
    proxyCnpSent: 0,
    ttlExpired: 0,
  };
  // routing configuration
  loadBalancing: LoadBalancing = 'ecmp';
  /** Adaptive load balancing (RTR-7): what makes a flow an elephant. */
  elephantPolicy: ElephantPolicy = { ...DEFAULT_ELEPHANT_POLICY };
  private readonly flowTable = new Map<number, FlowEntry>();
  /** Per port: the rates of the elephants pinned to it (kept with the pins, for placing the next one). */
  private readonly elephantLoad: Float64Array;
  /** Elephants identified, in order (state: /routing/state elephant-flows). */
  readonly elephants: ElephantRecord[] = [];
  private readonly metric: Float64Array;
  private readonly weight: Float64Array;
  private readonly portVrf: string[];
  readonly vrfs = new Map<string, VrfConfig>();
  readonly policies = new Map<string, SrPolicy>();
  private nextTableId = 1;
  // SRv6
  readonly locator: string;
  readonly sourceAddress: string;
  readonly ipv4Loopback: string;
  private readonly locPrefix: Uint8Array;
  private readonly locBits: number;
  // BFD
  readonly bfd: (BfdSession | null)[];
  /** Every control packet sent, when recording (tests compare captures with it). */
  bfdLog: Array<{ port: number; timePs: number; header: BfdControlHeader }> | null = null;
  readonly bfdTimers: (BfdTimers | null)[];
  // multicast
  private readonly joins: Set<string>[];
  // PFC
  pfc: PfcSettings | null = null;
  private readonly ingressBytes: Float64Array;
  private readonly pausedUp: Uint8Array;
  readonly peakAboveXoff: Float64Array;
  readonly portHeadroomDrops: Float64Array;
  // HP-WAN
  readonly quota = new QuotaBook(0);
  readonly tasks = new Map<string, HpwanTask>();
  private readonly taskOfPort: (HpwanTask | null)[];
  readonly slices = new Map<string, SliceConfig>();
  proxyEnabled = false;
  private readonly proxySet = new Set<number>();
  private proxyList: number[] = [];
  pcnEnabled = true;
  private readonly lastPcn = new Map<number, number>();
  private readonly lastProxyCnp = new Map<number, number>();
  // caches
  private tierCache = new Map<number, NextHopTier[]>();
  private tierVersion = -1;
  private readonly scratch: Int32Array;
  private readonly salt: number;

  constructor(
    readonly rt: TwinRuntime,
    readonly node: number,
    readonly id: string,
    readonly ports: readonly string[],
    init: RouterInit,
  ) {
    const net = rt.network;
    this.domain = WanDomain.of(rt);
    this.defects = init.defects;
    this.salt = init.salt;
    const n = ports.length;
    this.egress = ports.map((_, p) => net.egressLink(node, p));
    this.peerRouter = new Int32Array(n).fill(-1);
    ports.forEach((_, p) => {
      const peer = net.adj.peerNode[node][p];
      if (peer >= 0 && rt.devices[peer].kind === 'router') this.peerRouter[p] = peer;
    });
    this.metric = new Float64Array(n).fill(DEFAULT_METRIC);
    this.weight = new Float64Array(n).fill(NaN);
    this.portVrf = ports.map(() => DEFAULT_VRF);
    this.vrfs.set(DEFAULT_VRF, { name: DEFAULT_VRF, af: 4, tableId: 0, interfaces: new Set() });
    this.bfd = ports.map(() => null);
    this.bfdTimers = ports.map(() => null);
    this.joins = ports.map(() => new Set<string>());
    this.ingressBytes = new Float64Array(n);
    this.pausedUp = new Uint8Array(n);
    this.peakAboveXoff = new Float64Array(n);
    this.elephantLoad = new Float64Array(n);
    this.portHeadroomDrops = new Float64Array(n);
    this.taskOfPort = ports.map(() => null);
    this.scratch = new Int32Array(Math.max(1, n));
    this.locPrefix = init.locatorPrefix;
    this.locBits = init.locatorBits;
    this.locator = `${ipv6FormatAddress(this.sidBytes(0))}/${init.locatorBits}`;
    this.sourceAddress = ipv6FormatAddress(this.sidBytes(0, 1));
    this.ipv4Loopback = `100.64.${(init.ordinal >> 8) & 0xff}.${init.ordinal & 0xff}`;
    // take over the ports: the router is the sink of its ingress links
    this.egress.forEach((out, p) => {
      if (out === null || out.reverse === null) return;
      out.reverse.sink = this;
      out.reverse.sinkPort = p;
    });
    this.domain.add(this);
    this.registerSids();
  }

  get events() {
    return this.rt.network.events;
  }
  get pool() {
    return this.rt.network.pool;
  }

  // --- addressing and SIDs -----------------------------------------------------------------------

  /** A SID of this router's locator: function in the 16 bits after the locator, optional last 16 bits. */
  private sidBytes(fn: number, tail = 0): Uint8Array {
    const b = new Uint8Array(16);
    b.set(this.locPrefix.subarray(0, this.locBits / 8));
    const at = this.locBits / 8;
    b[at] = (fn >> 8) & 0xff;
    b[at + 1] = fn & 0xff;
    b[14] = (tail >> 8) & 0xff;
    b[15] = tail & 0xff;
    return b;
  }

  sid(fn: number): string {
    return ipv6FormatAddress(this.sidBytes(fn));
  }

  get endSid(): string {
    return this.sid(0x0001);
  }
  endXSid(port: number): string {
    return this.sid(0x0100 + port);
  }
  dtSid(vrf: VrfConfig): string {
    return this.sid((vrf.af === 6 ? 0x2000 : 0x1000) + vrf.tableId);
  }

  private registerSids(): void {
    const sids = this.domain.sids;
    for (const [k, v] of [...sids]) if (v.node === this.node) sids.delete(k);
    sids.set(this.endSid, { node: this.node, behavior: 'End' });
    this.ports.forEach((_, p) => {
      if (this.peerRouter[p] >= 0) sids.set(this.endXSid(p), { node: this.node, behavior: 'End.X', port: p });
    });
    for (const v of this.vrfs.values()) {
      sids.set(this.dtSid(v), { node: this.node, behavior: v.af === 6 ? 'End.DT6' : 'End.DT4', vrf: v.name });
    }
  }

  /** This router's SIDs (state). */
  sidTable(): Array<{ sid: string; behavior: string; interface?: string; 'network-instance'?: string }> {
    const out: Array<{ sid: string; behavior: string; interface?: string; 'network-instance'?: string }> = [];
    for (const [sid, e] of this.domain.sids) {
      if (e.node !== this.node) continue;
      out.push({
        sid,
        behavior: e.behavior,
        ...(e.port !== undefined ? { interface: this.ports[e.port] } : {}),
        ...(e.vrf !== undefined ? { 'network-instance': e.vrf } : {}),
      });
    }
    return out.sort((a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
  }

  /** Resolves an address (a SID or a router's source address) to the router owning it. */
  static ownerOf(domain: WanDomain, address: string): number {
    let canon: string;
    try {
      canon = ipv6FormatAddress(ipv6ParseAddress(address));
    } catch {
      return -1;
    }
    const s = domain.sid(canon);
    if (s !== undefined) return s.node;
    for (const r of domain.routers.values()) if (r instanceof Router && r.sourceAddress === canon) return r.node;
    return -1;
  }

  // --- DomainRouter ------------------------------------------------------------------------------

  metricOf(port: number): number {
    return this.metric[port];
  }

  usable(port: number): boolean {
    const out = this.egress[port];
    if (out === null || !out.isUp) return false;
    const s = this.bfd[port];
    // A peer that went AdminDown signals no failure (RFC 5880 §6.8.16): forwarding keeps the port.
    if (s !== null && s.enabled && s.hasBeenUp && s.state !== BFD_STATE.UP && s.remoteState !== BFD_STATE.ADMIN_DOWN && !this.defects.noSwitchover) return false;
    return true;
  }

  vrfOfPort(port: number): string {
    return this.portVrf[port];
  }

  groupPorts(group: string): readonly number[] {
    const out: number[] = [];
    this.joins.forEach((g, p) => {
      if (g.has(group)) out.push(p);
    });
    return out;
  }

  proxyPorts(): readonly number[] {
    return this.proxyEnabled ? this.proxyList : [];
  }

  // --- configuration -----------------------------------------------------------------------------

  setMetric(port: number, metric: number): void {
    this.metric[port] = metric;
    this.domain.bumpConfig();
  }
  setWeight(port: number, weight: number): void {
    this.weight[port] = weight;
  }
  weightOf(port: number): number {
    const w = this.weight[port];
    if (!Number.isNaN(w)) return w;
    const out = this.egress[port];
    return out === null ? 0 : out.rateBps / 1e9;
  }

  setVrf(name: string, af: 4 | 6, interfaces: number[]): VrfConfig {
    if (name === DEFAULT_VRF) throw new Error(`the default network instance cannot be redefined`);
    let v = this.vrfs.get(name);
    if (v === undefined) {
      v = { name, af, tableId: this.nextTableId++, interfaces: new Set() };
      this.vrfs.set(name, v);
    }
    v.af = af;
    for (const p of v.interfaces) this.portVrf[p] = DEFAULT_VRF;
    v.interfaces = new Set(interfaces);
    for (const p of interfaces) {
      for (const other of this.vrfs.values()) if (other !== v) other.interfaces.delete(p);
      this.portVrf[p] = name;
    }
    this.registerSids();
    this.domain.bumpConfig();
    return v;
  }

  deleteVrf(name: string): void {
    const v = this.vrfs.get(name);
    if (v === undefined || name === DEFAULT_VRF) return;
    for (const p of v.interfaces) this.portVrf[p] = DEFAULT_VRF;
    this.vrfs.delete(name);
    for (const [k, pol] of [...this.policies]) if (pol.vrf === name) this.policies.delete(k);
    this.registerSids();
    this.domain.bumpConfig();
  }

  setPolicy(p: SrPolicy): void {
    this.policies.set(`${p.vrf}|${p.name}`, p);
  }
  deletePolicy(vrf: string, name: string): void {
    this.policies.delete(`${vrf}|${name}`);
  }

  setJoins(port: number, groups: string[]): void {
    this.joins[port] = new Set(groups);
    this.domain.bumpState();
  }

  setProxy(enabled: boolean, ports: number[]): void {
    this.proxyEnabled = enabled;
    this.proxySet.clear();
    for (const p of ports) this.proxySet.add(p);
    this.proxyList = [...this.proxySet].sort((a, b) => a - b);
    this.domain.bumpState();
  }

  /** Enables (timers) or disables (null) BFD on a port toward another router. */
  setBfd(port: number, timers: BfdTimers | null): void {
    if (this.peerRouter[port] < 0) throw new Error(`port ${this.ports[port]} does not face a router: no single-hop BFD peer`);
    this.bfdTimers[port] = timers === null ? null : { ...timers };
    let s = this.bfd[port];
    if (timers === null) {
      if (s !== null && s.enabled) s.stop();
      this.domain.bumpState();
      return;
    }
    if (s === null) {
      s = new BfdSession(
        this.events,
        this.rt.network.rng.fork(`bfd-${this.id}-${port}`),
        ((this.node + 1) << 8) | (port + 1),
        timers,
        {
          send: (h) => this.sendBfd(port, h),
          onStateChange: (from, to) => this.onBfdChange(port, from, to),
        },
        this.defects.bfd,
      );
      this.bfd[port] = s;
      s.start();
    } else if (!s.enabled) {
      s.configure(timers);
      s.start();
    } else {
      s.configure(timers);
    }
    this.domain.bumpState();
  }

  private onBfdChange(_port: number, _from: BfdState, _to: BfdState): void {
    this.domain.bumpState();
  }

  /** Link-local address of a port (BFD single hop, RFC 5881 over IPv6). */
  linkLocal(port: number): string {
    return `fe80::${(this.node + 1).toString(16)}:${(port + 1).toString(16)}`;
  }

  private sendBfd(port: number, h: BfdControlHeader): void {
    const out = this.egress[port];
    if (out === null) return;
    this.bfdLog?.push({ port, timePs: this.events.nowPs, header: h });
    const peer = this.peerRouter[port];
    const peerPort = this.rt.network.adj.peerPort[this.node][port];
    const p = this.pool.alloc();
    p.type = PacketType.Control;
    p.size = BFD_FRAME_BYTES;
    p.priority = PRIO_HIGH;
    p.flowId = -1;
    this.domain.tags.set(p, {
      kind: 'bfd',
      header: h,
      src: this.linkLocal(port),
      dst: peer >= 0 ? `fe80::${(peer + 1).toString(16)}:${(peerPort + 1).toString(16)}` : 'fe80::1',
      srcPort: 49152 + ((this.node * 31 + port) % 16384),
    });
    out.send(p);
  }

  setPfc(settings: PfcSettings | null): void {
    this.pfc = settings;
    this.ingressBytes.fill(0);
    this.pausedUp.fill(0);
    for (const out of this.egress) if (out !== null) out.queue.ingress = settings === null ? null : this;
  }

  /** Effective headroom of a port, bytes. */
  headroomOf(port: number): number {
    const pfc = this.pfc;
    if (pfc === null) return 0;
    if (pfc.headroom !== 'auto') return pfc.headroom;
    const out = this.egress[port];
    if (out === null) return 0;
    const delay = this.defects.headroomFixed ? FIXED_HEADROOM_KM * 5_000_000 : out.delayPs;
    return pfcHeadroomBytes(out.rateBps, delay);
  }

  resetPfcStats(): void {
    this.peakAboveXoff.fill(0);
    this.portHeadroomDrops.fill(0);
  }

  setEcn(minBytes: number, maxBytes: number): void {
    for (const out of this.egress) {
      if (out === null) continue;
      out.queue.ecnMinBytes = minBytes;
      out.queue.ecnMaxBytes = maxBytes;
    }
  }

  setQuota(bandwidthBps: number): void {
    this.quota.bandwidthBps = bandwidthBps;
  }

  /** Negotiates a task (HPW-2/3) and installs its enforcement (HPW-4). */
  setTask(name: string, ingressPort: number, request: HpwanRequest, durationMs?: number): HpwanTask {
    this.deleteTask(name);
    const grant = this.quota.request(name, request, this.defects.hpwanAdmitsAll);
    const enforcer =
      grant.status === 'granted'
        ? new RateEnforcer(this, grant.guaranteeBps, grant.capBps, !this.defects.hpwanNoShaping, !this.defects.hpwanNoMinimum)
        : null;
    const task: HpwanTask = {
      name,
      ingressPort,
      request,
      grant,
      enforcer,
      expiresAtPs: durationMs === undefined ? Infinity : this.events.nowPs + durationMs * 1e9,
    };
    this.tasks.set(name, task);
    if (enforcer !== null) this.taskOfPort[ingressPort] = task;
    if (Number.isFinite(task.expiresAtPs)) {
      const expiry: EventSource = {
        onEvent: () => {
          if (this.tasks.get(name) === task) this.deleteTask(name);
        },
      };
      this.events.schedule(task.expiresAtPs, expiry);
    }
    return task;
  }

  deleteTask(name: string): void {
    const t = this.tasks.get(name);
    if (t === undefined) return;
    this.tasks.delete(name);
    this.quota.release(name);
    if (this.taskOfPort[t.ingressPort] === t) this.taskOfPort[t.ingressPort] = null;
    t.enforcer?.flush();
  }

  setSlice(name: string, vrf: string, bandwidthBps: number): void {
    const cur = this.slices.get(name);
    if (cur !== undefined && cur.vrf === vrf && this.defects.sliceResizeIgnored) return;
    this.deleteSlice(name);
    this.slices.set(name, {
      name,
      vrf,
      bandwidthBps,
      enforcer: new RateEnforcer(this, bandwidthBps, bandwidthBps, !this.defects.hpwanNoShaping, !this.defects.hpwanNoMinimum),
    });
  }

  deleteSlice(name: string): void {
    const s = this.slices.get(name);
    if (s === undefined) return;
    this.slices.delete(name);
    s.enforcer.flush();
  }

  // --- the data plane ----------------------------------------------------------------------------

  receive(p: Packet, inPort: number): void {
    const st = this.domain.tags.get(p);
    if (st !== undefined) {
      switch (st.kind) {
        case 'bfd': {
          const s = this.bfd[inPort];
          if (s !== null) s.receive(st.header);
          this.pool.release(p);
          return;
        }
        case 'srv6':
          this.srv6(p, st, inPort);
          return;
        case 'pcn':
          if (st.toNode === this.node) this.onPcn(p, st.flowSrc, st.flowDst, st.flowId, st.flowEntropy);
          else this.toRouter(p, st.toNode, inPort);
          return;
        case 'mcast':
          this.multicast(p, inPort, st.group);
          return;
        case 'proxy-cnp':
          this.routeAddress(p, inPort);
          return;
      }
    }
    if (p.type === PacketType.Raw) {
      const group = this.rt.flows.get(p.flowId)?.spec.multicastGroup;
      if (group !== undefined) {
        this.multicast(p, inPort, group);
        return;
      }
    }
    if (inPort >= 0 && this.peerRouter[inPort] < 0) {
      // from an access port: the edge's classifiers first
      const task = this.taskOfPort[inPort];
      if (task !== null && task.enforcer !== null) {
        task.enforcer.offer(p, inPort);
        return;
      }
      const vrf = this.portVrf[inPort];
      if (vrf !== DEFAULT_VRF && this.slices.size > 0) {
        for (const s of this.slices.values()) {
          if (s.vrf === vrf) {
            s.enforcer.offer(p, inPort);
            return;
          }
        }
      }
    }
    this.routeAddress(p, inPort);
  }

  /** EnforcerHost: a shaped packet continues. */
  release(p: Packet, inPort: number): void {
    this.routeAddress(p, inPort);
  }

  /** Unicast by destination address, in the instance of the ingress port. */
  private routeAddress(p: Packet, inPort: number): void {
    const d = this.domain;
    const fromCore = inPort < 0 || this.peerRouter[inPort] >= 0;
    const vrf = fromCore ? DEFAULT_VRF : this.portVrf[inPort];
    const at = d.attachmentOf(p.dst);
    if (at !== null) {
      const dstRouter = d.routers.get(at.router) as Router;
      const dstVrf = dstRouter.vrfOfPort(at.port);
      if (dstVrf !== vrf && !this.defects.vrfLeak && !fromCore) {
        this.counters.vrfDrops++;
        this.discard(p, inPort);
        return;
      }
      if (at.router === this.node) {
        this.emit(p, inPort, at.port);
        return;
      }
      if (!fromCore) {
        const policy = this.policyFor(vrf, at.router, inPort);
        if (policy !== null || dstVrf !== DEFAULT_VRF) {
          const service = dstRouter.vrfs.get(dstVrf) as VrfConfig;
          this.encapsulate(p, inPort, policy, dstRouter.dtSid(service), service.af);
          return;
        }
      }
    } else if (vrf !== DEFAULT_VRF && !this.defects.vrfLeak && !fromCore) {
      this.counters.vrfDrops++;
      this.discard(p, inPort);
      return;
    }
    const port = this.select(p, p.dst);
    if (port < 0) {
      this.counters.noRoute++;
      this.discard(p, inPort);
      return;
    }
    this.emit(p, inPort, port);
  }

  private policyFor(vrf: string, endpointNode: number, inPort: number): SrPolicy | null {
    for (const pol of this.policies.values()) {
      if (pol.vrf !== vrf || pol.endpointNode !== endpointNode) continue;
      if (pol.ingress.size > 0 && !pol.ingress.has(inPort)) continue;
      return pol;
    }
    return null;
  }

  /** H.Encaps (RFC 8986 §5.1): outer IPv6 with an SRH of the policy's segments and the service SID. */
  private encapsulate(p: Packet, inPort: number, policy: SrPolicy | null, serviceSid: string, af: 4 | 6): void {
    const path = policy === null ? [serviceSid] : [...policy.segmentList, serviceSid];
    const srh = path.length > 1;
    const st: Srv6State = {
      kind: 'srv6',
      segments: [...path].reverse(),
      segmentsLeft: path.length - 1,
      da: path[0],
      src: this.sourceAddress,
      srh,
      innerSize: p.size,
      innerAf: af,
      hopLimit: 64,
    };
    p.size += IPV6_LEN + (srh ? SRH_FIXED + SID_LEN * path.length : 0);
    this.domain.tags.set(p, st);
    this.counters.srv6Encapsulated++;
    this.srv6(p, st, inPort, true);
  }

  /** SRv6 processing of a packet whose outer destination is `st.da`. */
  private srv6(p: Packet, st: Srv6State, inPort: number, local = false): void {
    if (!local) {
      if (st.hopLimit <= 1) {
        this.counters.ttlExpired++;
        this.discard(p, inPort);
        return;
      }
      st.hopLimit--;
    }
    for (let guard = 0; guard < 8; guard++) {
      const sid = this.domain.sid(st.da);
      if (sid === undefined) {
        this.counters.noRoute++;
        this.discard(p, inPort);
        return;
      }
      if (sid.node !== this.node) {
        this.toRouter(p, sid.node, inPort);
        return;
      }
      if (sid.behavior === 'End' || sid.behavior === 'End.X') {
        // RFC 8986 §4.1 / §4.2: S02-S04 nothing left to advance to: not a valid SID use
        if (!st.srh || st.segmentsLeft === 0) {
          this.counters.srhErrors++;
          this.discard(p, inPort);
          return;
        }
        const next = st.segmentsLeft - 1;
        if (!this.defects.slNotDecremented) st.segmentsLeft = next;
        st.da = st.segments[next];
        this.counters.srv6EndProcessed++;
        if (sid.behavior === 'End.X' && !this.defects.endXIgnoresAdjacency) {
          const port = sid.port as number;
          if (!this.usable(port)) {
            this.counters.noRoute++;
            this.discard(p, inPort);
            return;
          }
          this.emit(p, inPort, port);
          return;
        }
        continue;
      }
      // End.DT4 / End.DT6 (RFC 8986 §4.5, §4.6): the last segment, decapsulate into the instance
      if (st.srh && st.segmentsLeft !== 0) {
        this.counters.srhErrors++;
        this.discard(p, inPort);
        return;
      }
      p.size = st.innerSize;
      this.domain.tags.clear(p);
      this.counters.srv6Decapsulated++;
      const vrf = sid.vrf as string;
      const at = this.domain.attachmentOf(p.dst);
      if (at === null || at.router !== this.node) {
        this.counters.noRoute++;
        this.discard(p, inPort);
        return;
      }
      if (this.portVrf[at.port] !== vrf && !this.defects.vrfLeak) {
        this.counters.vrfDrops++;
        this.discard(p, inPort);
        return;
      }
      this.emit(p, inPort, at.port);
      return;
    }
    this.counters.srhErrors++;
    this.discard(p, inPort);
  }

  /** Routes a packet toward another router (an SRv6 segment, a notification). */
  private toRouter(p: Packet, node: number, inPort: number): void {
    const port = this.select(p, -(node + 1));
    if (port < 0) {
      this.counters.noRoute++;
      this.discard(p, inPort);
      return;
    }
    this.emit(p, inPort, port);
  }

  private tiersFor(key: number): NextHopTier[] {
    const d = this.domain;
    if (this.tierVersion !== d.configVersion) {
      this.tierCache.clear();
      this.tierVersion = d.configVersion;
    }
    let t = this.tierCache.get(key);
    if (t === undefined) this.tierCache.set(key, (t = d.tiers(this.node, key)));
    return t;
  }

  /** Egress port for a destination key (address >= 0, router -(node+1)), or -1. */
  select(p: Packet, key: number): number {
    const tiers = this.tiersFor(key);
    const s = this.scratch;
    for (const tier of tiers) {
      let n = 0;
      for (const port of tier.ports) if (this.usable(port)) s[n++] = port;
      if (n === 0) continue;
      if (n === 1 || this.defects.polarise) return s[0];
      if (this.loadBalancing === 'adaptive') {
        const pinned = this.adaptive(p, n);
        if (pinned >= 0) return pinned;
      }
      const h = this.defects.perPacket
        ? hash32(p.src ^ p.seq, p.dst * 16384 + (p.entropy & 0x3fff), this.salt)
        : hash32(p.src, p.dst * 16384 + (p.entropy & 0x3fff), this.salt);
      if (this.loadBalancing === 'ucmp' && !this.defects.ucmpIgnoresWeights) {
        let total = 0;
        for (let i = 0; i < n; i++) total += Math.max(0, this.weightOf(s[i]));
        if (total > 0) {
          let x = (h / 4294967296) * total;
          for (let i = 0; i < n; i++) {
            x -= Math.max(0, this.weightOf(s[i]));
            if (x < 0) return s[i];
          }
          return s[n - 1];
        }
      }
      return s[h % n];
    }
    return -1;
  }

  /**
   * Adaptive load balancing over the usable members in scratch[0..n): tracks the flow (source,
   * destination, entropy); once it qualifies as an elephant it is pinned to the member with the
   * least elephant bandwidth already placed on it (then the shortest queue, then port order) and
   * stays there while the member is usable. Returns the pinned member, or -1 to hash (a mouse).
   */
  private adaptive(p: Packet, n: number): number {
    const s = this.scratch;
    const now = this.events.nowPs;
    const key = p.src * 4294967296 + p.dst * 16384 + (p.entropy & 0x3fff);
    let f = this.flowTable.get(key);
    if (f === undefined || now - f.lastPs > FLOW_IDLE_PS) {
      if (f !== undefined) this.unpin(f);
      if (this.flowTable.size >= 65536) this.forgetIdleFlows(now);
      f = { firstPs: now, lastPs: now, bytes: 0, port: -1, rateBps: 0 };
      this.flowTable.set(key, f);
    }
    f.lastPs = now;
    f.bytes += p.size;
    if (f.port >= 0) {
      for (let i = 0; i < n; i++) if (s[i] === f.port) return f.port;
      this.unpin(f); // its member went away: hashed again, and placed again below if still an elephant
    }
    const lifetime = now - f.firstPs;
    if (this.defects.elephantsMissed || lifetime < this.elephantPolicy.minLifetimePs) return -1;
    const rate = (f.bytes * 8) / (lifetime / 1e12);
    if (rate < this.elephantPolicy.minRateBps) return -1;
    let best = s[0];
    let bestLoad = Infinity;
    let bestQueue = Infinity;
    for (let i = 0; i < n; i++) {
      const load = this.elephantLoad[s[i]];
      const queue = this.egress[s[i]]?.queue.lowBytes ?? 0;
      if (load < bestLoad || (load === bestLoad && queue < bestQueue)) [best, bestLoad, bestQueue] = [s[i], load, queue];
    }
    f.port = best;
    f.rateBps = rate;
    this.elephantLoad[best] += rate;
    this.elephants.push({ src: p.src, dst: p.dst, entropy: p.entropy & 0x3fff, port: best, rateBps: rate, atPs: now });
    return best;
  }

  private unpin(f: FlowEntry): void {
    if (f.port < 0) return;
    this.elephantLoad[f.port] -= f.rateBps;
    f.port = -1;
  }

  private forgetIdleFlows(now: number): void {
    for (const [k, e] of this.flowTable) {
      if (now - e.lastPs <= FLOW_IDLE_PS) continue;
      this.unpin(e);
      this.flowTable.delete(k);
    }
  }

  /** Forgets the flows and elephants adaptive load balancing learnt (on a change of mode). */
  resetFlows(): void {
    this.flowTable.clear();
    this.elephantLoad.fill(0);
    this.elephants.length = 0;
  }

  private discard(p: Packet, inPort: number): void {
    if (inPort >= 0) this.rt.network.stats(this.node, inPort).inDiscards++;
    this.pool.drop(p);
  }

  /** Sends on a port: PFC ingress accounting, leaving the domain, congestion notification. */
  private emit(p: Packet, inPort: number, port: number): void {
    const out = this.egress[port];
    if (out === null) {
      this.counters.noRoute++;
      this.discard(p, inPort);
      return;
    }
    if (this.peerRouter[port] < 0 && (p.type === PacketType.Data || p.type === PacketType.Raw)) p.priority = PRIO_LOW;
    const pfc = this.pfc;
    if (pfc !== null && inPort >= 0 && p.priority === PRIO_LOW) {
      const b = this.ingressBytes[inPort] + p.size;
      if (b > pfc.xoffBytes + this.headroomOf(inPort)) {
        this.counters.headroomDrops++;
        this.portHeadroomDrops[inPort]++;
        this.discard(p, inPort);
        return;
      }
      p.inPort = inPort;
      this.ingressBytes[inPort] = b;
      if (b - pfc.xoffBytes > this.peakAboveXoff[inPort]) this.peakAboveXoff[inPort] = b - pfc.xoffBytes;
      if (b > pfc.xoffBytes && this.pausedUp[inPort] === 0) {
        this.pausedUp[inPort] = 1;
        this.egress[inPort]?.sendPfc(true);
      }
    } else {
      p.inPort = -1;
    }
    this.counters.forwarded++;
    out.send(p);
    if (this.pcnEnabled && p.type === PacketType.Data) this.checkCongestion(out, p);
  }

  onLeave(p: Packet): void {
    const inPort = p.inPort;
    p.inPort = -1;
    if (inPort < 0 || this.pfc === null) return;
    const b = (this.ingressBytes[inPort] -= p.size);
    if (this.pausedUp[inPort] === 1 && b <= this.pfc.xonBytes) {
      this.pausedUp[inPort] = 0;
      this.egress[inPort]?.sendPfc(false);
    }
  }

  /** Bytes that entered by a port and have not left the router yet (PFC accounting). */
  ingressBacklog(port: number): number {
    return this.ingressBytes[port];
  }

  // --- HP-WAN proxy congestion notification (HPW-5) ---------------------------------------------

  private checkCongestion(out: Link, p: Packet): void {
    const q = out.queue;
    const threshold = Number.isFinite(q.ecnMinBytes) ? q.ecnMinBytes : q.maxBytes / 2;
    if (q.lowBytes <= threshold) return;
    const proxy = this.domain.proxyOf(p.src);
    if (proxy < 0) return;
    const now = this.events.nowPs;
    const last = this.lastPcn.get(p.flowId);
    if (last !== undefined && now - last < PCN_INTERVAL_PS) return;
    this.lastPcn.set(p.flowId, now);
    this.counters.pcnSent++;
    if (proxy === this.node) {
      this.onPcn(null, p.src, p.dst, p.flowId, p.entropy);
      return;
    }
    const n = this.pool.alloc();
    n.type = PacketType.Control;
    n.size = PCN_FRAME_BYTES;
    n.priority = PRIO_HIGH;
    n.flowId = -1;
    n.entropy = p.entropy;
    const to = this.domain.routers.get(proxy) as Router;
    this.domain.tags.set(n, {
      kind: 'pcn',
      toNode: proxy,
      fromNode: this.node,
      src: this.sourceAddress,
      dst: to.sourceAddress,
      flowSrc: p.src,
      flowDst: p.dst,
      flowEntropy: p.entropy,
      flowId: p.flowId,
      queueBytes: q.lowBytes,
    });
    this.toRouter(n, proxy, -1);
  }

  /** The proxy gateway: a notification for a flow it serves becomes a CNP to the sending host. */
  private onPcn(p: Packet | null, flowSrc: number, flowDst: number, flowId: number, entropy: number): void {
    if (p !== null) this.pool.release(p);
    this.counters.pcnReceived++;
    if (this.defects.noProxyNotification) return;
    const now = this.events.nowPs;
    const last = this.lastProxyCnp.get(flowId);
    if (last !== undefined && now - last < PCN_INTERVAL_PS) return;
    this.lastProxyCnp.set(flowId, now);
    const at = this.domain.attachmentOf(flowSrc);
    if (at === null || at.router !== this.node) return;
    const c = this.pool.alloc();
    c.type = PacketType.Cnp;
    c.size = HEADER_BYTES;
    c.priority = PRIO_HIGH;
    c.flowId = flowId;
    c.src = flowDst;
    c.dst = flowSrc;
    c.entropy = entropy;
    c.sentPs = now;
    this.domain.tags.set(c, { kind: 'proxy-cnp', src: this.ipv4Loopback });
    this.counters.proxyCnpSent++;
    this.emit(c, -1, at.port);
  }

  // --- multicast ---------------------------------------------------------------------------------

  private multicast(p: Packet, inPort: number, group: string): void {
    const src = this.domain.attachmentOf(p.src);
    const sourceRouter = src === null ? this.node : src.router;
    let ports = this.domain.groupOutPorts(this.node, sourceRouter, group).filter((x) => x !== inPort);
    if (this.defects.mcastFlood) {
      const all = new Set(ports);
      this.ports.forEach((_, x) => {
        if (this.peerRouter[x] < 0 && x !== inPort && this.egress[x] !== null) all.add(x);
      });
      ports = [...all].sort((a, b) => a - b);
    }
    const copies = this.defects.mcastDuplicates ? 2 : 1;
    const total = ports.length * copies;
    if (total === 0) {
      this.pool.release(p);
      return;
    }
    let sent = 0;
    for (const port of ports) {
      for (let c = 0; c < copies; c++) {
        const last = ++sent === total;
        const q = last ? p : this.clone(p);
        this.domain.tags.set(q, { kind: 'mcast', group });
        this.counters.mcastCopies++;
        this.emit(q, -1, port);
      }
    }
  }

  private clone(p: Packet): Packet {
    const q = this.pool.alloc();
    q.type = p.type;
    q.size = p.size;
    q.priority = p.priority;
    q.flags = p.flags;
    q.dst = p.dst;
    q.flowId = p.flowId;
    q.entropy = p.entropy;
    q.seq = p.seq;
    q.src = p.src;
    q.payload = p.payload;
    q.sentPs = p.sentPs;
    q.echoPs = p.echoPs;
    q.ackSeq = p.ackSeq;
    q.aux = p.aux;
    const st = this.domain.tags.get(p);
    if (st !== undefined) this.domain.tags.set(q, st.kind === 'srv6' ? { ...st } : st);
    return q;
  }
}

