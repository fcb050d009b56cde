// The GSE fabric of a twin: finds the GSE devices, wires their forwarding and control plane into the engine, serves their state.
//
// One GseFabric per twin runtime, built when the first GSE model is created (every device and
// link exists by then). It:
// - classifies devices (gse-gsp, gse-gsf, gse-border, gse-core) and their ports (server, fabric,
//   IP, unused) from what each port is cabled to, groups them into domains (connected GSE devices,
//   named by their common id prefix), gives each GSP its GSE id (param `gspId`, else by order) and
//   each BORDER the next free ones, and each device an AS number (param `asn`, else 4200000000 +
//   node index);
// - runs the control plane (control-plane.ts) from time 0 and builds forwarding tables (fib.ts)
//   from it;
// - puts the GSE forwarders (edge.ts, gsf.ts) in front of the engine's switches: in mode
//   `gse-n2n` (default) the links arriving at a GSP, GSF or BORDER deliver to its GSE forwarder;
//   in mode `ip-ecmp` (the RoCEv2 flow-hash ECMP baseline on the same cables, FAB-1) to the
//   engine's switch with per-flow ECMP on shortest-path routes and PFC on every port (thresholds
//   from the same params). A CORE is always the engine's IP switch (ECMP, PFC, ECN) on the routes
//   its control plane learns, behind a filter that drops GSE frames;
// - makes captures show the GSE header (a frame encoder on the runtime) and the NICs of the servers
//   discard GSE frames (a standard RoCEv2 NIC knows no GSE EtherType).

import type { TwinDeviceSpec } from '../twin.ts';
import { TwinBuildError } from '../twin.ts';
import type { EventList, EventSource } from '../sim/eventlist.ts';
import type { Link } from '../sim/link.ts';
import type { Queue } from '../sim/queue.ts';
import { PacketFlag, type Packet, type PacketPool } from '../sim/packet.ts';
import type { PortStats } from '../sim/stats.ts';
import { Host, type EndpointHandler } from '../fabric/host.ts';
import type { Network } from '../fabric/network.ts';
import { Switch } from '../fabric/switch.ts';
import type { NodeRoutes } from '../fabric/topology.ts';
import { encodePacket, ipv4Of, macOf, type EncodedFrame, type FrameEnds, type FrameTransport } from '../fabric/capture.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import { buildGseFrame, gseEncapsulate } from '../../protocols/gse/frame.ts';
import { BgpBus, BgpSpeaker, type Bundle, type Family, type RibEntry } from './control-plane.ts';
import {
  DPORT_IP,
  PORT_FABRIC,
  PORT_IP,
  PORT_NONE,
  PORT_ROLE_NAMES,
  PORT_SERVER,
  gseParams,
  roleOfKind,
  type ForwardingMode,
  type GseDevice,
  type GseRoleName,
} from './device.ts';
import { EdgeForwarder, type EdgeEnv } from './edge.ts';
import { ADDR_GSE, ADDR_IP, ADDR_LOCAL, Fib } from './fib.ts';
import { CoreIngress, GsfForwarder, type GsfEnv } from './gsf.ts';
import { GSE_HEADER_LEN, GSE_TYPE, GseTags } from './tags.ts';

const ASN_BASE = 4_200_000_000;

export interface GseDomain {
  readonly index: number;
  name: string;
  readonly devices: GseDevice[];
  maxGseId: number;
}

/** Re-originates a device's derived bundles once per batch of control-plane changes. */
class Originator implements EventSource {
  simId?: number;
  pending = false;
  constructor(private readonly run: () => void) {}
  onEvent(): void {
    this.pending = false;
    this.run();
  }
}

const fabrics = new WeakMap<TwinRuntime, GseFabric>();

export class GseFabric implements EdgeEnv, GsfEnv {
  readonly network: Network;
  readonly events: EventList;
  readonly pool: PacketPool;
  readonly tags = new GseTags();
  readonly devices: GseDevice[] = [];
  readonly byNode = new Map<number, GseDevice>();
  readonly byId = new Map<string, GseDevice>();
  readonly domains: GseDomain[] = [];
  readonly speakers = new Map<number, BgpSpeaker>();
  readonly bus: BgpBus;
  readonly edges = new Map<number, EdgeForwarder>();
  readonly gsfs = new Map<number, GsfForwarder>();
  readonly cores = new Map<number, CoreIngress>();
  /** Forwarding tables by node index. */
  private readonly fibs: Fib[] = [];
  /** address of (node, port), -1 when none. */
  private readonly addrOf: Int32Array[];
  private readonly originators = new Map<number, Originator>();
  private readonly versions = new Map<string, number>();
  private readonly wrappedHosts = new Set<number>();
  /** ECN thresholds of the GSE devices' queues as configured (the ip-ecmp mode restores them). */
  private readonly ecnOf = new Map<Queue, [number, number]>();
  /** A CORE's ports toward forwarders outside GSE (a DC's WAN edge), and the addresses beyond them. */
  private readonly external = new Map<number, { ports: number[]; addresses: number[] }>();

  /** The fabric of a runtime, built on first use. */
  static of(runtime: TwinRuntime): GseFabric {
    let f = fabrics.get(runtime);
    if (f === undefined) {
      f = new GseFabric(runtime);
      fabrics.set(runtime, f);
    }
    return f;
  }

  private constructor(readonly runtime: TwinRuntime) {
    const net = runtime.network;
    this.network = net;
    this.events = net.events;
    this.pool = net.pool;
    this.addrOf = net.spec.nodes.map((n) => new Int32Array(n.ports.length).fill(-1));
    net.spec.addresses.forEach((a, i) => {
      this.addrOf[a.node][a.port] = i;
    });
    const specs = runtime.devices;
    specs.forEach((spec, node) => {
      const role = roleOfKind(spec.kind);
      if (role !== null) this.addDevice(spec, node, role);
    });
    this.classifyPorts();
    for (const [node, ext] of this.external) ext.addresses = this.externalAddresses(this.byNode.get(node) as GseDevice, ext.ports);
    this.findDomains();
    this.assignIds();
    let delay = 0;
    for (const d of this.devices) delay = Math.max(delay, d.params.bgpDelayPs);
    this.bus = new BgpBus(this.events, delay);
    this.setUpControlPlane();
    for (const d of this.devices) this.setUpForwarding(d);
    this.wrapNics();
    runtime.frameEncoders.push(this.encoderRef);
    for (const d of this.devices) this.originate(d);
  }

  // --- discovery -------------------------------------------------------------------------------

  private addDevice(spec: TwinDeviceSpec, node: number, role: GseRoleName): void {
    const p = spec.params ?? {};
    const int = (name: string): number | null => {
      const v = p[name];
      if (v === undefined) return null;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TwinBuildError(`device '${spec.id}': param '${name}' must be a whole number >= 0, got ${JSON.stringify(v)}`);
      return v;
    };
    const tier = p.tier === 'T1' || p.tier === 'T2' ? p.tier : role === 'gsf' ? 'T2' : null;
    const asn = int('asn') ?? ASN_BASE + node;
    const params = gseParams(spec);
    const dev: GseDevice = {
      node,
      id: spec.id,
      kind: spec.kind,
      role,
      tier: role === 'gsf' ? tier : null,
      pod: int('pod'),
      plane: int('plane'),
      index: int('index'),
      gseId: role === 'gsp' ? (int('gspId') ?? -1) : -1,
      asn,
      domain: -1,
      defects: new Set(spec.defects ?? []),
      params,
      portRole: new Uint8Array(spec.ports.length),
      peer: new Int32Array(spec.ports.length).fill(-1),
      mode: params.forwardingMode,
    };
    this.devices.push(dev);
    this.byNode.set(node, dev);
    this.byId.set(dev.id, dev);
  }

  private classifyPorts(): void {
    const adj = this.network.adj;
    const specs = this.runtime.devices;
    for (const d of this.devices) {
      for (let p = 0; p < d.portRole.length; p++) {
        const peer = adj.peerNode[d.node][p];
        d.peer[p] = peer;
        if (peer < 0) continue;
        const peerRole = roleOfKind(specs[peer].kind);
        const peerIsEndpoint = this.network.spec.nodes[peer].role === 'endpoint';
        let r = PORT_NONE;
        if (d.role === 'core') {
          r = PORT_IP;
          if (peerRole === null && !peerIsEndpoint) this.externalPort(d, p);
        } else if (peerIsEndpoint) r = d.role === 'gsp' ? PORT_SERVER : PORT_NONE;
        else if (peerRole === 'core') r = d.role === 'gsf' ? PORT_NONE : PORT_IP;
        else if (peerRole !== null) r = PORT_FABRIC;
        d.portRole[p] = r;
      }
      if ((d.role === 'gsp' || d.role === 'gsf') && d.defects.has('gse-fabric-port-excluded')) {
        for (let p = d.portRole.length - 1; p >= 0; p--) {
          if (d.portRole[p] === PORT_FABRIC) {
            d.portRole[p] = PORT_NONE;
            break;
          }
        }
      }
    }
  }

  private externalPort(d: GseDevice, port: number): void {
    let ext = this.external.get(d.node);
    if (ext === undefined) this.external.set(d.node, (ext = { ports: [], addresses: [] }));
    ext.ports.push(port);
  }

  /**
   * The endpoint addresses a CORE reaches through its external ports without crossing a GSE
   * device: what the WAN edge would announce to it (the CORE originates them as IP routes, so the
   * BORDERs and GSPs learn the way out of the fabric).
   */
  private externalAddresses(d: GseDevice, ports: readonly number[]): number[] {
    const adj = this.network.adj;
    const seen = new Set<number>([d.node]);
    const stack = ports.map((p) => d.peer[p]).filter((n) => n >= 0);
    const out: number[] = [];
    while (stack.length > 0) {
      const n = stack.pop() as number;
      if (seen.has(n) || this.byNode.has(n)) continue;
      seen.add(n);
      for (const a of this.addrOf[n]) if (a >= 0) out.push(a);
      if (this.network.spec.nodes[n].role === 'endpoint') continue;
      for (const peer of adj.peerNode[n]) if (peer >= 0 && !seen.has(peer)) stack.push(peer);
    }
    return out.sort((a, b) => a - b);
  }

  private findDomains(): void {
    const adj = this.network.adj;
    for (const d of this.devices) {
      if (d.domain >= 0) continue;
      const domain: GseDomain = { index: this.domains.length, name: '', devices: [], maxGseId: -1 };
      this.domains.push(domain);
      const stack = [d];
      d.domain = domain.index;
      while (stack.length > 0) {
        const x = stack.pop() as GseDevice;
        domain.devices.push(x);
        for (const peer of adj.peerNode[x.node]) {
          const y = peer >= 0 ? this.byNode.get(peer) : undefined;
          if (y !== undefined && y.domain < 0) {
            y.domain = domain.index;
            stack.push(y);
          }
        }
      }
      domain.devices.sort((a, b) => a.node - b.node);
      domain.name = commonPrefix(domain.devices.map((x) => x.id));
    }
  }

  private assignIds(): void {
    for (const dom of this.domains) {
      const used = new Map<number, string>();
      for (const d of dom.devices) {
        if (d.role !== 'gsp' || d.gseId < 0) continue;
        if (d.gseId > 0x7fff) throw new TwinBuildError(`device '${d.id}': param 'gspId' must be at most ${0x7fff}, got ${d.gseId}`);
        const other = used.get(d.gseId);
        if (other !== undefined) throw new TwinBuildError(`device '${d.id}': gspId ${d.gseId} is already the id of '${other}'`);
        used.set(d.gseId, d.id);
      }
      let next = 0;
      const take = (): number => {
        while (used.has(next)) next++;
        used.set(next, '');
        return next;
      };
      for (const d of dom.devices) if (d.role === 'gsp' && d.gseId < 0) d.gseId = take();
      for (const d of dom.devices) if (d.role === 'border') d.gseId = take();
      dom.maxGseId = Math.max(-1, ...dom.devices.map((x) => x.gseId));
    }
  }

  maxGseId(dev: GseDevice): number {
    return Math.max(0, this.domains[dev.domain].maxGseId);
  }

  // --- control plane ---------------------------------------------------------------------------

  private setUpControlPlane(): void {
    for (const d of this.devices) {
      const neighbours = new Map<number, 'fabric' | 'ip'>();
      for (let p = 0; p < d.portRole.length; p++) {
        const peer = d.peer[p];
        const r = d.portRole[p];
        const y = this.byNode.get(peer);
        if (y === undefined) continue;
        if (r === PORT_FABRIC && y.role !== 'core') neighbours.set(peer, 'fabric');
        else if (r === PORT_IP) neighbours.set(peer, 'ip');
      }
      const transit = new Set<Family>(d.role === 'gsf' ? ['gse', 'dport'] : d.role === 'core' ? ['ip'] : []);
      const sp = new BgpSpeaker({ node: d.node, asn: d.asn, neighbours, transit, silent: d.defects.has('gse-bgp-no-distribute') }, this.bus);
      sp.onChange = (family) => this.onRibChange(d, family);
      this.speakers.set(d.node, sp);
      this.bus.speakers.set(d.node, sp);
      this.fibs[d.node] = new Fib(this.network.spec.addresses.length);
    }
    // A session exists where both ends see each other (an excluded uplink has none).
    for (const d of this.devices) {
      const sp = this.speakers.get(d.node) as BgpSpeaker;
      for (const n of [...sp.cfg.neighbours.keys()]) {
        const other = this.speakers.get(n) as BgpSpeaker;
        if (!other.cfg.neighbours.has(d.node)) sp.cfg.neighbours.delete(n);
        else sp.learnNeighbourAsn(n, other.asn);
      }
    }
  }

  private bundle(d: GseDevice, family: Family, addresses: number[], dports: number[], fromGsp: boolean): Bundle {
    const key = `${family}:${d.node}`;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    return { family, origin: d.node, version, gseId: d.gseId, addresses: Int32Array.from(addresses), dports: Int32Array.from(dports), fromGsp };
  }

  /** Own routes at time 0. */
  private originate(d: GseDevice): void {
    const sp = this.speakers.get(d.node) as BgpSpeaker;
    const ext = this.external.get(d.node);
    if (ext !== undefined && ext.addresses.length > 0 && !d.defects.has('gse-core-no-external-routes')) sp.originate(this.bundle(d, 'ip', ext.addresses, ext.addresses.map(() => 0), false));
    if (d.role === 'gsp' || d.role === 'border') sp.originate(this.bundle(d, 'gse', [], [], d.role === 'gsp'));
    if (d.role === 'gsp') {
      const addrs: number[] = [];
      const dports: number[] = [];
      for (let p = 0; p < d.portRole.length; p++) {
        const a = this.addrOf[d.peer[p]]?.[this.network.adj.peerPort[d.node][p]] ?? -1;
        if (d.portRole[p] === PORT_SERVER && a >= 0) {
          addrs.push(a);
          dports.push(p);
        }
      }
      sp.originate(this.bundle(d, 'dport', addrs, dports, true));
      if (d.portRole.includes(PORT_IP)) sp.originate(this.bundle(d, 'ip', addrs, addrs.map(() => 0), true));
    }
  }

  private onRibChange(d: GseDevice, family: Family): void {
    this.fibs[d.node].stale = true;
    const derived =
      (d.role === 'border' && (family === 'dport' || family === 'ip')) ||
      (d.role === 'gsp' && family === 'dport' && d.portRole.includes(PORT_IP)) ||
      (d.role === 'core' && family === 'ip');
    if (!derived) return;
    let o = this.originators.get(d.node);
    if (o === undefined) {
      o = new Originator(() => this.reoriginate(d));
      this.originators.set(d.node, o);
    }
    if (!o.pending) {
      o.pending = true;
      this.events.schedule(this.events.nowPs + Math.max(1, this.bus.hopDelayPs), o);
    }
  }

  /** Bundles derived from learned routes (a BORDER's or gsp-direct GSP's), and a CORE's routes. */
  private reoriginate(d: GseDevice): void {
    const sp = this.speakers.get(d.node) as BgpSpeaker;
    if (d.role === 'core') {
      this.installCoreRoutes(d);
      return;
    }
    // Addresses of the PoD's GSPs (learned DPORT routes of GSP origin, plus own servers).
    const podAddrs = new Set<number>();
    for (const e of sp.routes('dport')) if (e.bundle.fromGsp) for (const a of e.bundle.addresses) podAddrs.add(a);
    const ipBundleKey = `ip:${d.node}`;
    const curIp = sp.rib.get(ipBundleKey);
    const ipList = [...podAddrs].sort((a, b) => a - b);
    if (curIp === undefined || !sameList(curIp.bundle.addresses, ipList)) sp.originate(this.bundle(d, 'ip', ipList, ipList.map(() => 0), true));
    if (d.role === 'border') {
      const remote = new Set<number>();
      for (const e of sp.routes('ip')) if (e.bundle.origin !== d.node) for (const a of e.bundle.addresses) if (!podAddrs.has(a)) remote.add(a);
      const list = [...remote].sort((a, b) => a - b);
      const cur = sp.rib.get(`dport:${d.node}`);
      if ((cur === undefined && list.length > 0) || (cur !== undefined && !sameList(cur.bundle.addresses, list))) {
        sp.originate(this.bundle(d, 'dport', list, list.map(() => DPORT_IP), false));
      }
    }
  }

  private installCoreRoutes(d: GseDevice): void {
    const sw = this.network.nodes[d.node];
    if (!(sw instanceof Switch)) return;
    sw.setRoutes(this.ipRoutes(d));
  }

  /** A CORE's IP routes as the engine's switch takes them: learned ones, and its external ports for what lies beyond them. */
  private ipRoutes(d: GseDevice): NodeRoutes {
    const fib = this.fib(d);
    const setOf = new Int32Array(this.network.spec.addresses.length).fill(-1);
    for (let a = 0; a < setOf.length; a++) setOf[a] = fib.addrIp[a];
    const sets = [...fib.ipSets];
    const ext = this.external.get(d.node);
    if (ext !== undefined) {
      sets.push(Int32Array.from(ext.ports));
      for (const a of ext.addresses) setOf[a] = sets.length - 1;
    }
    return { setOf, sets };
  }

  /** The device's forwarding tables (rebuilt when its routes changed). */
  fib(d: GseDevice): Fib {
    const fib = this.fibs[d.node];
    if (fib.stale) this.rebuildFib(d, fib);
    return fib;
  }

  private rebuildFib(d: GseDevice, fib: Fib): void {
    fib.reset();
    fib.stale = false;
    const sp = this.speakers.get(d.node) as BgpSpeaker;
    const setIndex = new Map<string, Int32Array>();
    const portsToward = (nextHops: number[], role: number): Int32Array => {
      const ports: number[] = [];
      for (let p = 0; p < d.portRole.length; p++) if (d.portRole[p] === role && nextHops.includes(d.peer[p])) ports.push(p);
      const key = ports.join(',');
      let s = setIndex.get(key);
      if (s === undefined) setIndex.set(key, (s = Int32Array.from(ports)));
      return s;
    };
    const gseSets: (Int32Array | null)[] = new Array(this.maxGseId(d) + 1).fill(null);
    for (const e of sp.routes('gse')) {
      if (e.nextHops.length === 0) continue;
      gseSets[e.bundle.gseId] = portsToward(e.nextHops, PORT_FABRIC);
    }
    fib.gseSets = gseSets;
    // Own servers.
    for (let p = 0; p < d.portRole.length; p++) {
      if (d.portRole[p] !== PORT_SERVER) continue;
      const a = this.addrOf[d.peer[p]]?.[this.network.adj.peerPort[d.node][p]] ?? -1;
      if (a < 0) continue;
      fib.addrKind[a] = ADDR_LOCAL;
      fib.addrDport[a] = p;
      fib.addrGse[a] = d.gseId;
      fib.addrFromGsp[a] = 1;
    }
    if (d.role === 'gsp' || d.role === 'border') {
      const extra = new Map<number, number[]>();
      for (const e of sp.routes('dport')) {
        if (e.nextHops.length === 0) continue; // own
        const b = e.bundle;
        // A BORDER reaches remote prefixes over its own IP uplinks, never through another BORDER.
        if (d.role === 'border' && !b.fromGsp) continue;
        for (let k = 0; k < b.addresses.length; k++) {
          const a = b.addresses[k];
          const kind = fib.addrKind[a];
          if (kind === ADDR_LOCAL) continue;
          if (kind === ADDR_GSE) {
            let list = extra.get(a);
            if (list === undefined) extra.set(a, (list = [fib.addrGse[a], fib.addrDport[a]]));
            list.push(b.gseId, b.dports[k]);
            continue;
          }
          fib.addrKind[a] = ADDR_GSE;
          fib.addrGse[a] = b.gseId;
          fib.addrDport[a] = b.dports[k];
          fib.addrFromGsp[a] = b.fromGsp ? 1 : 0;
        }
      }
      for (const [a, list] of extra) fib.addrMulti.set(a, Int32Array.from(list));
    }
    const ipSets: Int32Array[] = [];
    const ipIndex = new Map<Int32Array, number>();
    for (const e of sp.routes('ip')) {
      if (e.nextHops.length === 0) continue;
      const set = portsToward(e.nextHops, PORT_IP);
      if (set.length === 0) continue;
      let si = ipIndex.get(set);
      if (si === undefined) {
        si = ipSets.length;
        ipSets.push(set);
        ipIndex.set(set, si);
      }
      for (const a of e.bundle.addresses) {
        fib.addrIp[a] = si;
        if (fib.addrKind[a] === ADDR_LOCAL || fib.addrKind[a] === ADDR_GSE) continue;
        fib.addrKind[a] = ADDR_IP;
      }
    }
    fib.ipSets = ipSets;
  }

  // --- forwarding ------------------------------------------------------------------------------

  egress(node: number, port: number): Link | null {
    return this.network.egressLink(node, port);
  }

  stats(node: number, port: number): PortStats {
    return this.network.stats(node, port);
  }

  private setUpForwarding(d: GseDevice): void {
    const sw = this.network.nodes[d.node];
    if (!(sw instanceof Switch)) throw new TwinBuildError(`device '${d.id}': a GSE device must be built as a switch`);
    if (d.role === 'core') {
      const ingress = new CoreIngress(d, sw, this.pool);
      this.cores.set(d.node, ingress);
      sw.setSelector('ecmp');
      sw.setRoutes(this.ipRoutes(d));
      // RoCE between PoDs is lossless (GSE-FWD-4): PFC on every port unless the testbed set it.
      if (!sw.pfcEnabled) sw.enablePfc({ xoffBytes: d.params.pfcXoffBytes, xonBytes: d.params.pfcXonBytes, headroomBytes: d.params.pfcHeadroomBytes });
      if (d.defects.has('gse-core-no-ecn')) {
        for (let p = 0; p < d.portRole.length; p++) {
          const l = this.egress(d.node, p);
          if (l !== null) l.queue.ecnMinBytes = l.queue.ecnMaxBytes = Infinity;
        }
      }
      this.setSinks(d, ingress);
      return;
    }
    if (d.role === 'gsf') this.gsfs.set(d.node, new GsfForwarder(d, this));
    else this.edges.set(d.node, new EdgeForwarder(d, this));
    this.setMode(d, d.mode);
  }

  private setSinks(d: GseDevice, sink: { receive(p: Packet, port: number): void }): void {
    for (let p = 0; p < d.portRole.length; p++) {
      const l = this.network.ingressLink(d.node, p);
      if (l !== null) l.sink = sink;
    }
  }

  /** Switches a GSP, GSF or BORDER between GSE N2N and the flow-hash ECMP baseline (do it while idle). */
  setMode(d: GseDevice, mode: ForwardingMode): void {
    if (d.role === 'core') {
      d.mode = mode;
      return;
    }
    const sw = this.network.nodes[d.node] as Switch;
    const prm = d.params;
    // ECN marking belongs to the RoCE segments (the baseline, and the IP links between PoDs,
    // GSE-FWD-4); inside the GSE domain the request/grant scheduling keeps queues short.
    for (let p = 0; p < d.portRole.length; p++) {
      const q = this.egress(d.node, p)?.queue;
      if (q === undefined) continue;
      let ecn = this.ecnOf.get(q);
      if (ecn === undefined) this.ecnOf.set(q, (ecn = [q.ecnMinBytes, q.ecnMaxBytes]));
      const off = mode === 'gse-n2n' && d.portRole[p] !== PORT_IP;
      q.ecnMinBytes = off ? Infinity : ecn[0];
      q.ecnMaxBytes = off ? Infinity : ecn[1];
    }
    if (mode === 'ip-ecmp') {
      sw.setRoutes(this.network.routes[d.node]);
      sw.setSelector('ecmp');
      sw.enablePfc({ xoffBytes: prm.pfcXoffBytes, xonBytes: prm.pfcXonBytes, headroomBytes: prm.pfcHeadroomBytes });
      this.setSinks(d, sw);
    } else {
      sw.enablePfc(null);
      const edge = this.edges.get(d.node);
      const fwd = edge ?? (this.gsfs.get(d.node) as GsfForwarder);
      for (let p = 0; p < d.portRole.length; p++) {
        const l = this.egress(d.node, p);
        if (l !== null) l.queue.ingress = edge ?? null;
      }
      this.setSinks(d, fwd);
    }
    d.mode = mode;
  }

  /** Standard NICs drop frames of an EtherType they do not know: a GSE frame reaching a server is lost there. */
  private wrapNics(): void {
    for (const d of this.devices) {
      if (d.role !== 'gsp') continue;
      for (let p = 0; p < d.portRole.length; p++) {
        if (d.portRole[p] !== PORT_SERVER) continue;
        const host = this.network.nodes[d.peer[p]];
        if (!(host instanceof Host) || this.wrappedHosts.has(host.index)) continue;
        this.wrappedHosts.add(host.index);
        const inner = host.handler;
        const pool = this.pool;
        const handler: EndpointHandler = {
          receive(pk: Packet, port: number): void {
            if ((pk.flags & PacketFlag.Encap) !== 0) {
              host.stats[port].inDiscards++;
              pool.drop(pk);
              return;
            }
            if (inner === null) pool.release(pk);
            else inner.receive(pk, port);
          },
        };
        host.handler = handler;
      }
    }
  }

  // --- captures --------------------------------------------------------------------------------

  /** A GSE-encapsulated packet as its frame: Ethernet / GSE [/ the original IP packet]. */
  private encode(p: Packet, ends: FrameEnds, transport: FrameTransport): EncodedFrame | null {
    if ((p.flags & PacketFlag.Encap) === 0) return null;
    const t = this.tags;
    const i = p.poolId;
    const type = t.type[i];
    const eth = { dst: macOf(ends.rxNode, ends.rxPort), src: macOf(ends.txNode, ends.txPort) };
    const cid = t.containerId[i];
    const gse = {
      type,
      flags: t.flags[i],
      containerId: cid === 0 ? 0 : cid % 4294967296 || 1,
      seq: t.seq[i],
      packetCount: t.count[i],
      srcGsp: t.src[i],
      dstGsp: t.dst[i],
      dport: t.dport[i],
      priority: 0,
      requestedBytes: type === GSE_TYPE.REQUEST ? Math.min(t.bytes[i], 0xffffffff) : 0,
      grantedBytes: type === GSE_TYPE.GRANT ? Math.min(t.bytes[i], 0xffffffff) : 0,
      grantId: t.grantId[i] % 4294967296,
    };
    if (type !== GSE_TYPE.DATA) return { bytes: buildGseFrame({ eth, gse }) };
    // The inner frame as it would be without the header (other families' encoders first).
    const flags = p.flags;
    p.flags = flags & ~PacketFlag.Encap;
    p.size -= GSE_HEADER_LEN;
    let inner: EncodedFrame | null = null;
    try {
      for (const e of this.runtime.frameEncoders) {
        if (e === this.encoderRef) continue;
        inner = e(p, ends, transport);
        if (inner !== null) break;
      }
      inner ??= encodePacket(p, ends, transport);
    } finally {
      p.flags = flags;
      p.size += GSE_HEADER_LEN;
    }
    return { bytes: gseEncapsulate(inner.bytes, eth, gse) };
  }
  private readonly encoderRef = (p: Packet, ends: FrameEnds, transport: FrameTransport): EncodedFrame | null => this.encode(p, ends, transport);

  // --- state -----------------------------------------------------------------------------------

  deviceName(node: number): string {
    return this.runtime.devices[node]?.id ?? `#${node}`;
  }

  portName(d: GseDevice, p: number): string {
    return this.runtime.devices[d.node].ports[p];
  }

  addressIp(a: number): string {
    return ipv4Of(a);
  }

  speaker(d: GseDevice): BgpSpeaker {
    return this.speakers.get(d.node) as BgpSpeaker;
  }

  /** Ports of `d` toward the next hops of a route. */
  routePorts(d: GseDevice, e: RibEntry, role: number): string[] {
    const out: string[] = [];
    for (let p = 0; p < d.portRole.length; p++) if (d.portRole[p] === role && e.nextHops.includes(d.peer[p])) out.push(this.portName(d, p));
    return out;
  }

  portRoleName(d: GseDevice, p: number): string {
    return PORT_ROLE_NAMES[d.portRole[p]];
  }

}

function commonPrefix(ids: string[]): string {
  if (ids.length === 0) return '';
  let pre = ids[0];
  for (const id of ids) {
    let k = 0;
    while (k < pre.length && k < id.length && pre[k] === id[k]) k++;
    pre = pre.slice(0, k);
  }
  const cut = pre.lastIndexOf('-');
  return cut > 0 ? pre.slice(0, cut) : pre || ids[0];
}

function sameList(a: Int32Array, b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
