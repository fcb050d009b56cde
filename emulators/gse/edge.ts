// The edge of the GSE domain (GSP, and BORDER toward the IP side): ingress VOQs, request/grant, containers, spraying, reorder, PFC.
//
// Ingress (GSE-ROLE-1, GSE-CON-2, GSE-CON-3): a plain IP packet from a server (or, at a BORDER or a
// gsp-direct GSP, from a CORE) is classified by its destination address: a server of this device
// gets it as plain IP at once (GSE-FWD-1); an address behind another GSP or BORDER of the domain
// goes to the virtual output queue (VOQ) of that (GSE id, DPORT), which asks the egress for
// authorisation (a request for its unrequested bytes); each grant releases one container (PKTC:
// packets up to `containerBytes`), which gets the GSE header on every packet (container id per
// destination, sequence, count, grant id) and leaves on one fabric uplink, the next one of the VOQ's
// round robin over all uplinks toward the destination (containers, not packets, are sprayed);
// an address reached over IP leaves on an IP uplink (per-flow hash). Control packets of the NICs
// (ACK, NAK, CNP: the high class) are sent unscheduled in container 0, which is never reordered.
// Egress: each DPORT has a scheduler that grants requests round robin over the requesting sources,
// one container at a time, paced at the DPORT's line rate x grantRateFactor, and waits while the
// DPORT's queue holds more than grantHoldBytes; data containers are put back in order per source
// (container id, then sequence; a gap is skipped after reorderTimeoutPs), the header is removed
// and the original packet delivered to the DPORT (a server port, or a BORDER's IP uplinks).
// PFC (GSE-ROLE-3): bytes are counted per ingress port (one lossless priority, the data class)
// from arrival until they leave the device; above pfcXoffBytes the port's sender is paused, at or
// below pfcXonBytes resumed; beyond xoff + pfcHeadroomBytes frames are dropped.

import type { EventList, EventSource } from '../sim/eventlist.ts';
import type { Link } from '../sim/link.ts';
import { HEADER_BYTES, PacketFlag, PacketType, PRIO_HIGH, type Packet, type PacketPool, type PacketSink } from '../sim/packet.ts';
import type { IngressAccounting } from '../sim/queue.ts';
import { hash32 } from '../sim/rng.ts';
import type { PortStats } from '../sim/stats.ts';
import { DPORT_IP, PORT_FABRIC, PORT_IP, PORT_SERVER, type GseDevice } from './device.ts';
import { ADDR_GSE, ADDR_IP, ADDR_LOCAL, type Fib } from './fib.ts';
import { GSE_HEADER_LEN, GSE_TYPE, UNSCHEDULED_CONTAINER, type GseTags } from './tags.ts';

/** What an edge needs from the fabric around it. */
export interface EdgeEnv {
  readonly events: EventList;
  readonly pool: PacketPool;
  readonly tags: GseTags;
  /** The device's tables, rebuilt if stale. */
  fib(dev: GseDevice): Fib;
  egress(node: number, port: number): Link | null;
  stats(node: number, port: number): PortStats;
  /** Largest GSE id of the device's domain. */
  maxGseId(dev: GseDevice): number;
}

/** A virtual output queue: packets for one (GSE id, DPORT). */
class Voq {
  private pkts: Packet[] = [];
  private head = 0;
  bytes = 0;
  /** Asked for, not yet granted. */
  requested = 0;
  /** Granted, not yet used (may go below zero by part of a packet). */
  credit = 0;
  rr: number;
  grantId = 0;
  constructor(
    readonly target: number,
    readonly dport: number,
    rrStart: number,
  ) {
    this.rr = rrStart;
  }
  get count(): number {
    return this.pkts.length - this.head;
  }
  peek(): Packet {
    return this.pkts[this.head];
  }
  push(p: Packet): void {
    this.pkts.push(p);
    this.bytes += p.size;
  }
  shift(): Packet {
    const p = this.pkts[this.head++];
    this.bytes -= p.size;
    if (this.head === this.pkts.length) {
      this.pkts.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pkts.length) {
      this.pkts.splice(0, this.head);
      this.head = 0;
    }
    return p;
  }
}

/** The grant scheduler of one DPORT (GSE-CON-3: offered load never above what the egress takes). */
export class DportScheduler implements EventSource {
  simId?: number;
  readonly psPerByte: number;
  private demand: Float64Array;
  private ring: Int32Array;
  private ringHead = 0;
  private ringCount = 0;
  private inRing: Uint8Array;
  private nextGrantPs = 0;
  private pending = false;
  requestedBytes = 0;
  grantedBytes = 0;
  grants = 0;
  requests = 0;
  holds = 0;
  firstGrantPs = -1;
  lastGrantPs = -1;

  constructor(
    private readonly edge: EdgeForwarder,
    readonly dport: number,
    /** Egress links of the DPORT (one server port, or a BORDER's IP uplinks). */
    readonly links: Link[],
    readonly rateBps: number,
    sources: number,
  ) {
    this.psPerByte = 8e12 / (rateBps * edge.dev.params.grantRateFactor);
    this.demand = new Float64Array(sources);
    this.ring = new Int32Array(sources);
    this.inRing = new Uint8Array(sources);
  }

  /** Outstanding demand (requested, not granted), bytes. */
  get backlogBytes(): number {
    let s = 0;
    for (let i = 0; i < this.demand.length; i++) s += this.demand[i];
    return s;
  }

  onRequest(src: number, bytes: number): void {
    if (src >= this.demand.length) return;
    this.requests++;
    this.requestedBytes += bytes;
    this.demand[src] += bytes;
    if (this.inRing[src] === 0) {
      this.inRing[src] = 1;
      this.ring[(this.ringHead + this.ringCount++) % this.ring.length] = src;
    }
    this.kick();
  }

  private kick(): void {
    if (this.pending || this.ringCount === 0) return;
    this.pending = true;
    const ev = this.edge.env.events;
    ev.schedule(Math.max(ev.nowPs, this.nextGrantPs), this);
  }

  onEvent(): void {
    this.pending = false;
    if (this.ringCount === 0) return;
    const ev = this.edge.env.events;
    const now = ev.nowPs;
    const overcommit = this.edge.overcommit;
    if (!overcommit) {
      // Hold while the DPORT's own queue is backed up (e.g. paused by PFC from the CORE).
      let backlog = 0;
      for (const l of this.links) backlog += l.queue.lowBytes;
      const hold = this.edge.dev.params.grantHoldBytes;
      if (backlog > hold) {
        this.holds++;
        this.pending = true;
        ev.schedule(now + Math.max(1, Math.ceil((backlog - hold) * this.psPerByte)), this);
        return;
      }
    }
    const src = this.ring[this.ringHead];
    this.ringHead = (this.ringHead + 1) % this.ring.length;
    this.ringCount--;
    const want = this.demand[src];
    const g = overcommit ? want : Math.min(this.edge.dev.params.containerBytes, want);
    this.demand[src] = want - g;
    if (this.demand[src] > 0) this.ring[(this.ringHead + this.ringCount++) % this.ring.length] = src;
    else this.inRing[src] = 0;
    this.grants++;
    this.grantedBytes += g;
    if (this.firstGrantPs < 0) this.firstGrantPs = now;
    this.lastGrantPs = now;
    this.edge.sendGrant(src, this.dport, g);
    // Pacing: the next grant no earlier than this one's bytes take on the DPORT (defect: none).
    // A scheduler that fell behind (idle, held) may catch up by one container, no more.
    const floor = now - this.edge.dev.params.containerBytes * this.psPerByte;
    this.nextGrantPs = overcommit ? now : Math.max(floor, this.nextGrantPs) + g * this.psPerByte;
    this.kick();
  }
}

/** Reorder state of one source (GSE id) at an egress. */
class ReorderState {
  expC = 1;
  expS = 0;
  readonly buffered = new Map<number, Packet>();
  bytes = 0;
  lastProgressPs = 0;
}

const KEY_SPAN = 65536;
/** Byte counts are sums of packet sizes (not always whole numbers): compare with this slack. */
const EPSILON_BYTES = 1e-6;

export class EdgeForwarder implements PacketSink, IngressAccounting, EventSource {
  simId?: number;
  readonly node: number;
  readonly gseId: number;
  /** Egress link per port (null when not cabled). */
  readonly links: (Link | null)[];
  readonly serverPorts: number[] = [];
  readonly ipPorts: number[] = [];
  readonly fabricPorts: number[] = [];
  private readonly voqs = new Map<number, Voq>();
  private nextContainer: Float64Array;
  readonly schedulers = new Map<number, DportScheduler>();
  private readonly reorder: (ReorderState | undefined)[] = [];
  private reorderTimer = false;
  private nextGrantId = 1;
  private ctrlRr = 0;

  // PFC per ingress port
  readonly inBytes: Float64Array;
  readonly pausedPort: Uint8Array;
  readonly peakBytes: Float64Array;
  readonly pausesSent: Float64Array;
  readonly resumesSent: Float64Array;
  readonly bytesAtLastPause: Float64Array;
  headroomDrops = 0;

  // counters
  localPackets = 0;
  ipPacketsOut = 0;
  containersSent = 0;
  packetsEncapsulated = 0;
  unscheduledSent = 0;
  requestsSent = 0;
  requestedBytes = 0;
  grantsReceived = 0;
  grantedBytesReceived = 0;
  grantsSent = 0;
  dataReceived = 0;
  containersReceived = 0;
  packetsDecapsulated = 0;
  outOfOrderArrivals = 0;
  reorderPeakBytes = 0;
  reorderBytes = 0;
  reorderTimeouts = 0;
  lateArrivals = 0;
  noRoute = 0;
  nonGse = 0;
  misdelivered = 0;

  // defects
  readonly overcommit: boolean;
  private readonly noReorder: boolean;
  private readonly packetSpray: boolean;
  private readonly singlePath: boolean;
  private readonly headerOnLocal: boolean;
  private readonly headerNotRemoved: boolean;
  private readonly pfcNever: boolean;
  private readonly pfcEarly: boolean;
  private readonly pfcNoResume: boolean;
  private readonly noDecap: boolean;
  private readonly noReencap: boolean;
  private readonly xoff: number;

  constructor(
    readonly dev: GseDevice,
    readonly env: EdgeEnv,
  ) {
    this.node = dev.node;
    this.gseId = dev.gseId;
    const n = dev.portRole.length;
    this.links = Array.from({ length: n }, (_, p) => env.egress(dev.node, p));
    for (let p = 0; p < n; p++) {
      if (dev.portRole[p] === PORT_SERVER) this.serverPorts.push(p);
      else if (dev.portRole[p] === PORT_IP) this.ipPorts.push(p);
      else if (dev.portRole[p] === PORT_FABRIC) this.fabricPorts.push(p);
    }
    this.inBytes = new Float64Array(n);
    this.pausedPort = new Uint8Array(n);
    this.peakBytes = new Float64Array(n);
    this.pausesSent = new Float64Array(n);
    this.resumesSent = new Float64Array(n);
    this.bytesAtLastPause = new Float64Array(n).fill(-1);
    this.nextContainer = new Float64Array(env.maxGseId(dev) + 1);
    const d = dev.defects;
    this.overcommit = d.has('gse-grant-overcommit');
    this.noReorder = d.has('gse-no-reorder');
    this.packetSpray = d.has('gse-packet-spray');
    this.singlePath = d.has('gse-single-path');
    this.headerOnLocal = d.has('gse-header-on-local');
    this.headerNotRemoved = d.has('gse-header-not-removed');
    this.pfcNever = d.has('gse-pfc-never');
    this.pfcEarly = d.has('gse-pfc-early');
    this.pfcNoResume = d.has('gse-pfc-no-resume');
    this.noDecap = d.has('gse-border-no-decap');
    this.noReencap = d.has('gse-border-no-reencap');
    // The early-PFC defect pauses at a sixteenth of the threshold it reports.
    this.xoff = this.pfcEarly ? dev.params.pfcXoffBytes / 16 : dev.params.pfcXoffBytes;
    const sources = env.maxGseId(dev) + 1;
    if (dev.role === 'gsp') {
      for (const p of this.serverPorts) {
        const l = this.links[p];
        if (l !== null) this.schedulers.set(p, new DportScheduler(this, p, [l], l.rateBps, sources));
      }
    }
    if (dev.role === 'border') {
      const ls = this.ipPorts.map((p) => this.links[p]).filter((l): l is Link => l !== null);
      const rate = ls.reduce((s, l) => s + l.rateBps, 0);
      if (ls.length > 0) this.schedulers.set(DPORT_IP, new DportScheduler(this, DPORT_IP, ls, rate, sources));
    }
  }

  // --- ingress ---------------------------------------------------------------------------------

  receive(p: Packet, inPort: number): void {
    const role = this.dev.portRole[inPort];
    if (role === PORT_FABRIC) this.fromFabric(p, inPort);
    else if (role === PORT_SERVER || role === PORT_IP) this.fromEdge(p, inPort, role);
    else this.drop(p, inPort);
  }

  private drop(p: Packet, inPort: number): void {
    if (inPort >= 0) this.env.stats(this.node, inPort).inDiscards++;
    this.env.pool.drop(p);
  }

  private fromEdge(p: Packet, inPort: number, role: number): void {
    if ((p.flags & PacketFlag.Encap) !== 0) {
      // A GSE frame from a server or a CORE: not ours to carry.
      this.nonGse++;
      this.drop(p, inPort);
      return;
    }
    const fib = this.env.fib(this.dev);
    const a = p.dst;
    const kind = a >= 0 && a < fib.addrKind.length ? fib.addrKind[a] : 0;
    if (kind === ADDR_LOCAL) {
      const port = fib.addrDport[a];
      if (port === inPort) {
        this.drop(p, inPort);
        return;
      }
      if (!this.account(p, inPort)) return;
      this.localPackets++;
      if (this.headerOnLocal) this.env.tags.encapData(p, this.gseId, this.gseId, port, UNSCHEDULED_CONTAINER, 0, 1, 0);
      (this.links[port] as Link).send(p);
      return;
    }
    if (kind === ADDR_GSE) {
      if (role === PORT_IP && fib.addrFromGsp[a] === 0) {
        this.noRoute++;
        this.drop(p, inPort);
        return;
      }
      let target = fib.addrGse[a];
      let dport = fib.addrDport[a];
      const multi = fib.addrMulti.get(a);
      if (multi !== undefined) {
        const k = hash32(p.flowId, p.src, p.dst) % (multi.length / 2);
        target = multi[2 * k];
        dport = multi[2 * k + 1];
      }
      if (p.priority === PRIO_HIGH) {
        this.sendUnscheduled(p, target, dport, inPort);
        return;
      }
      if (!this.account(p, inPort)) return;
      if (this.noReencap && this.dev.role === 'border') {
        // Defect: the packet goes into the GSE domain as plain IP.
        this.sendOnUplink(p, target, hash32(p.flowId, a));
        return;
      }
      this.enqueue(p, target, dport);
      return;
    }
    if (kind === ADDR_IP && role === PORT_SERVER) {
      if (p.priority !== PRIO_HIGH && !this.account(p, inPort)) return;
      this.sendIp(p, a);
      return;
    }
    this.noRoute++;
    this.drop(p, inPort);
  }

  /** PFC accounting of a data packet entering on `inPort`; false when it was dropped (no headroom left). */
  private account(p: Packet, inPort: number): boolean {
    if (p.priority === PRIO_HIGH) return true;
    const prm = this.dev.params;
    const b0 = this.inBytes[inPort];
    if (b0 + p.size > prm.pfcXoffBytes + prm.pfcHeadroomBytes) {
      this.headroomDrops++;
      this.drop(p, inPort);
      return false;
    }
    p.inPort = inPort;
    const b = b0 + p.size;
    this.inBytes[inPort] = b;
    if (b > this.peakBytes[inPort]) this.peakBytes[inPort] = b;
    if (b > this.xoff && this.pausedPort[inPort] === 0 && !this.pfcNever) {
      this.pausedPort[inPort] = 1;
      this.pausesSent[inPort]++;
      this.bytesAtLastPause[inPort] = b;
      this.links[inPort]?.sendPfc(true);
    }
    return true;
  }

  /** A packet this device accounted left an egress queue (sent or dropped). */
  onLeave(p: Packet): void {
    const port = p.inPort;
    p.inPort = -1;
    const size = (p.flags & PacketFlag.Encap) !== 0 && this.env.tags.type[p.poolId] === GSE_TYPE.DATA ? p.size - GSE_HEADER_LEN : p.size;
    const b = (this.inBytes[port] -= size);
    if (this.pausedPort[port] === 1 && b <= this.dev.params.pfcXonBytes && !this.pfcNoResume) {
      this.pausedPort[port] = 0;
      this.resumesSent[port]++;
      this.links[port]?.sendPfc(false);
    }
  }

  private voqKey(target: number, dport: number): number {
    return target * KEY_SPAN + dport;
  }

  private enqueue(p: Packet, target: number, dport: number): void {
    const key = this.voqKey(target, dport);
    let v = this.voqs.get(key);
    if (v === undefined) {
      v = new Voq(target, dport, hash32(this.gseId, target, dport) % 4096);
      this.voqs.set(key, v);
    }
    v.push(p);
    if (v.credit > 0) this.sendContainers(v);
    this.maybeRequest(v);
  }

  private maybeRequest(v: Voq): void {
    const unrequested = v.bytes - Math.max(0, v.credit) - v.requested;
    if (unrequested <= EPSILON_BYTES) return;
    if (unrequested < this.dev.params.containerBytes && v.requested > 0) return;
    const bytes = Math.min(unrequested, 0xffffffff);
    v.requested += bytes;
    this.requestsSent++;
    this.requestedBytes += bytes;
    const r = this.controlPacket();
    this.env.tags.control(r, GSE_TYPE.REQUEST, this.gseId, v.target, v.dport, bytes, 0);
    this.sendControl(r, v.target);
  }

  private controlPacket(): Packet {
    const c = this.env.pool.alloc();
    c.type = PacketType.Control;
    c.size = HEADER_BYTES;
    c.priority = PRIO_HIGH;
    c.flowId = -1;
    c.sentPs = this.env.events.nowPs;
    return c;
  }

  private sendControl(c: Packet, target: number): void {
    const set = this.env.fib(this.dev).gseSets[target];
    if (set === undefined || set === null || set.length === 0) {
      this.noRoute++;
      this.env.pool.drop(c);
      return;
    }
    const port = set[this.ctrlRr++ % set.length];
    (this.links[port] as Link).send(c);
  }

  sendGrant(src: number, dport: number, bytes: number): void {
    this.grantsSent++;
    const g = this.controlPacket();
    this.env.tags.control(g, GSE_TYPE.GRANT, this.gseId, src, dport, bytes, this.nextGrantId++);
    if (this.nextGrantId > 0xffffffff) this.nextGrantId = 1;
    this.sendControl(g, src);
  }

  private onGrant(egress: number, dport: number, bytes: number, grantId: number): void {
    this.grantsReceived++;
    this.grantedBytesReceived += bytes;
    const v = this.voqs.get(this.voqKey(egress, dport));
    if (v === undefined) return;
    v.requested = Math.max(0, v.requested - bytes);
    // Credit beyond two containers is a grant for data that is no longer here (a drop, a mode change).
    v.credit = Math.min(v.credit + bytes, 2 * this.dev.params.containerBytes);
    v.grantId = grantId;
    this.sendContainers(v);
    this.maybeRequest(v);
  }

  /** Sends containers while the VOQ has credit and packets. */
  private sendContainers(v: Voq): void {
    const fib = this.env.fib(this.dev);
    const set = fib.gseSets[v.target];
    const cap = this.dev.params.containerBytes;
    const tags = this.env.tags;
    while (v.credit > EPSILON_BYTES && v.count > 0) {
      if (set === undefined || set === null || set.length === 0) {
        while (v.count > 0) {
          const p = v.shift();
          this.noRoute++;
          if (p.inPort >= 0) this.onLeave(p);
          this.env.pool.drop(p);
        }
        return;
      }
      // One container: packets up to the PKTC size, within the credit granted.
      const limit = Math.min(cap, v.credit) + EPSILON_BYTES;
      let n = 0;
      let total = 0;
      const batch = this.batch;
      while (v.count > 0) {
        const s = v.peek().size;
        if (total + s > limit) break;
        batch[n++] = v.shift();
        total += s;
      }
      if (n === 0) return; // the head packet waits for more credit
      v.credit -= total;
      const cid = ++this.nextContainer[v.target];
      let port = this.pickUplink(v, set);
      for (let k = 0; k < n; k++) {
        const p = batch[k];
        batch[k] = undefined as unknown as Packet;
        tags.encapData(p, this.gseId, v.target, v.dport, cid, k, n, v.grantId);
        if (this.packetSpray && k > 0) port = set[(v.rr++ & 0x7fffffff) % set.length];
        (this.links[port] as Link).send(p);
      }
      this.containersSent++;
      this.packetsEncapsulated += n;
    }
  }
  private batch: Packet[] = new Array(64);

  /**
   * The uplink of the next container: the VOQ's round robin over all uplinks toward the target,
   * skipping ahead to the least loaded one (fewest queued bytes; the first in round-robin order on
   * a tie), so that containers of every VOQ spread evenly over the paths.
   */
  private pickUplink(v: Voq, set: Int32Array): number {
    const n = set.length;
    if (n === 1) return set[0];
    if (this.singlePath) return set[hash32(this.gseId, v.target, v.dport) % n];
    const best = v.rr % n;
    v.rr = (best + 1) & 0x7fffffff;
    return set[best];
  }

  /** Control packets of the NICs: no request/grant, container 0 (never reordered). */
  private sendUnscheduled(p: Packet, target: number, dport: number, inPort: number): void {
    const set = this.env.fib(this.dev).gseSets[target];
    if (set === undefined || set === null || set.length === 0) {
      this.noRoute++;
      this.drop(p, inPort);
      return;
    }
    this.unscheduledSent++;
    this.env.tags.encapData(p, this.gseId, target, dport, UNSCHEDULED_CONTAINER, 0, 1, 0);
    (this.links[set[this.ctrlRr++ % set.length]] as Link).send(p);
  }

  /** Plain IP onto a fabric uplink (defect gse-border-no-reencap). */
  private sendOnUplink(p: Packet, target: number, h: number): void {
    const set = this.env.fib(this.dev).gseSets[target];
    if (set === undefined || set === null || set.length === 0) {
      if (p.inPort >= 0) this.onLeave(p);
      this.env.pool.drop(p);
      return;
    }
    (this.links[set[h % set.length]] as Link).send(p);
  }

  /** Plain IP onto an IP uplink toward the address (per-flow hash). */
  private sendIp(p: Packet, a: number): void {
    const fib = this.env.fib(this.dev);
    const si = a < fib.addrIp.length ? fib.addrIp[a] : -1;
    const set = si >= 0 ? fib.ipSets[si] : null;
    if (set === null || set.length === 0) {
      this.noRoute++;
      if (p.inPort >= 0) this.onLeave(p);
      this.env.pool.drop(p);
      return;
    }
    this.ipPacketsOut++;
    const port = set.length === 1 ? set[0] : set[hash32(p.flowId, p.src, this.node) % set.length];
    (this.links[port] as Link).send(p);
  }

  // --- from the fabric -------------------------------------------------------------------------

  private fromFabric(p: Packet, inPort: number): void {
    if ((p.flags & PacketFlag.Encap) === 0) {
      this.nonGse++;
      this.drop(p, inPort);
      return;
    }
    const tags = this.env.tags;
    const i = p.poolId;
    if (tags.dst[i] !== this.gseId) {
      this.misdelivered++;
      this.drop(p, inPort);
      return;
    }
    const type = tags.type[i];
    if (type === GSE_TYPE.DATA) {
      this.dataReceived++;
      this.egressData(p);
      return;
    }
    if (type === GSE_TYPE.REQUEST) {
      const s = this.schedulers.get(tags.dport[i]);
      if (s !== undefined) s.onRequest(tags.src[i], tags.bytes[i]);
    } else if (type === GSE_TYPE.GRANT) {
      this.onGrant(tags.src[i], tags.dport[i], tags.bytes[i], tags.grantId[i]);
    }
    this.env.pool.release(p);
  }

  private egressData(p: Packet): void {
    const tags = this.env.tags;
    const i = p.poolId;
    const c = tags.containerId[i];
    if (c === UNSCHEDULED_CONTAINER || this.noReorder) {
      if (tags.seq[i] === 0 && c !== UNSCHEDULED_CONTAINER) this.containersReceived++;
      this.deliver(p);
      return;
    }
    const src = tags.src[i];
    let st = this.reorder[src];
    if (st === undefined) st = this.reorder[src] = new ReorderState();
    const s = tags.seq[i];
    if (s === 0) this.containersReceived++;
    if (c === st.expC && s === st.expS) {
      this.advance(st, tags.count[i]);
      this.deliver(p);
      if (st.buffered.size > 0) this.flush(st);
      return;
    }
    if (c < st.expC || (c === st.expC && s < st.expS)) {
      // Behind a gap that timed out: deliver as it comes.
      this.lateArrivals++;
      this.deliver(p);
      return;
    }
    if (s === 0 || st.buffered.size === 0) this.outOfOrderArrivals++;
    st.buffered.set(c * KEY_SPAN + s, p);
    st.bytes += p.size;
    this.reorderBytes += p.size;
    if (this.reorderBytes > this.reorderPeakBytes) this.reorderPeakBytes = this.reorderBytes;
    if (st.buffered.size === 1) st.lastProgressPs = this.env.events.nowPs;
    if (!this.reorderTimer) {
      this.reorderTimer = true;
      this.env.events.schedule(this.env.events.nowPs + this.dev.params.reorderTimeoutPs, this);
    }
  }

  private advance(st: ReorderState, count: number): void {
    st.lastProgressPs = this.env.events.nowPs;
    if (++st.expS >= count) {
      st.expS = 0;
      st.expC++;
    }
  }

  private flush(st: ReorderState): void {
    const tags = this.env.tags;
    for (;;) {
      const key = st.expC * KEY_SPAN + st.expS;
      const q = st.buffered.get(key);
      if (q === undefined) return;
      st.buffered.delete(key);
      st.bytes -= q.size;
      this.reorderBytes -= q.size;
      this.advance(st, tags.count[q.poolId]);
      this.deliver(q);
    }
  }

  /** Reorder timeout: skip the gap of every source that made no progress for reorderTimeoutPs. */
  onEvent(): void {
    this.reorderTimer = false;
    const now = this.env.events.nowPs;
    const timeout = this.dev.params.reorderTimeoutPs;
    let next = Infinity;
    for (const st of this.reorder) {
      if (st === undefined || st.buffered.size === 0) continue;
      if (now - st.lastProgressPs >= timeout) {
        let min = Infinity;
        for (const k of st.buffered.keys()) if (k < min) min = k;
        this.reorderTimeouts++;
        st.expC = Math.floor(min / KEY_SPAN);
        st.expS = min - st.expC * KEY_SPAN;
        this.flush(st);
      }
      if (st.buffered.size > 0) next = Math.min(next, st.lastProgressPs + timeout);
    }
    if (next < Infinity) {
      this.reorderTimer = true;
      this.env.events.schedule(Math.max(now + 1, next), this);
    }
  }

  /** Removes the header and hands the original packet to its DPORT. */
  private deliver(p: Packet): void {
    const tags = this.env.tags;
    const dport = tags.dport[p.poolId];
    const remove = !(this.headerNotRemoved && this.dev.role === 'gsp') && !(this.noDecap && this.dev.role === 'border');
    if (remove) {
      tags.decap(p);
      this.packetsDecapsulated++;
    }
    if (dport === DPORT_IP) {
      this.sendIp(p, p.dst);
      return;
    }
    const link = dport < this.links.length && this.dev.portRole[dport] === PORT_SERVER ? this.links[dport] : null;
    if (link === null) {
      this.noRoute++;
      this.env.pool.drop(p);
      return;
    }
    link.send(p);
  }

  /** VOQ bytes waiting for grants. */
  voqBytes(): number {
    let s = 0;
    for (const v of this.voqs.values()) s += v.bytes;
    return s;
  }
}
