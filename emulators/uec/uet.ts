// UET reliable unordered delivery (RUD) with NSCC, shaped after the UEC reference simulator.
//
// Sender: sprays packets over `paths` entropy values (path-aware: an entropy that came back
// ECN-marked, NACKed or timed out is skipped for a while), keeps a send record per PSN, sends only
// while inflight + packet <= cwnd, retransmits selectively (lowest PSN first) what was NACKed or
// timed out, and uses the RTO only as a last resort. Receiver: accepts packets in any order, keeps
// a PSN bitmap, ACKs cumulatively with a 64-bit SACK bitmap every `ackEveryBytes` of data (16 KiB,
// the reference simulator's bytes-unacked threshold: every 4th full packet), at once for
// ECN-marked packets, for the first packet, on ACK request and on duplicates; answers a trimmed
// packet with a NACK at once. Packets sent before the first answer (ACK or NACK) arrives carry
// SYN (the PDC is not established yet); ACKs and NACKs say whether they answer a retransmission.
// NSCC (UE 1.0 sender-based congestion control): per ACK, the (ECN, queueing delay) quadrant picks
// proportional increase (no ECN, delay under target), fair increase (no ECN, delay over target),
// multiplicative decrease (ECN and delay over target) or no change (ECN, delay under target);
// increases accumulate and are applied once per base RTT or adjustment byte threshold; NACKs cut
// the window by the lost packet and trigger quick adapt (window := bytes achieved in the last
// base RTT + target delay). Target queueing delay 0.75 x base RTT with trimming (1.0 without);
// initial window = maximum window = 1.5 x BDP unless configured.
// Defect hook `goBackN`: the receiver discards out-of-order packets and the sender rewinds to the
// first unacknowledged PSN on a NACK (a UET endpoint that is not selective).

import type { EventSource } from '../sim/eventlist.ts';
import { PacketFlag, PacketType, PRIO_HIGH, PRIO_LOW, type Packet } from '../sim/packet.ts';
import { hash32 } from '../sim/rng.ts';
import type { NicClient } from '../fabric/host.ts';
import { emptyMetrics, type FlowContext, type FlowMetrics, type FlowSpec, type SimFlow } from '../traffic/flows.ts';
import { estimatePath, IntHeap, PsnTimeRing, unloadedRttPs } from './common.ts';

export interface UetOptions {
  /** Full packet on the wire, bytes (payload + header). */
  mtuBytes: number;
  /** Header bytes of a data packet (and size of a trimmed packet). */
  headerBytes: number;
  /** ACK / NACK size on the wire. */
  ackBytes: number;
  /** Entropy values a flow sprays over when the flow does not say (1 = per-flow ECMP). */
  paths: number;
  /** Base RTT; default: the unloaded RTT of the flow's path for a full packet. */
  baseRttPs?: number;
  /** Initial and maximum windows; default 1.5 x BDP of the flow's path. */
  initialCwndBytes?: number;
  maxCwndBytes?: number;
  /** Target queueing delay = factor x base RTT (0.75 with trimming, 1.0 without). */
  targetQdelayFactor: number;
  /** Minimum retransmission timeout. */
  minRtoPs: number;
  /** Receiver ACKs after this many data bytes (wire) at the latest (reference: 16,384). */
  ackEveryBytes: number;
  /** ... or this long after the first unacknowledged arrival (default: base RTT / 4). */
  ackDelayPs?: number;
  /** Path-aware spraying (penalise entropies that saw ECN / NACK / timeout). */
  pathAware: boolean;
  /** Defect: go-back-N instead of selective repeat. */
  goBackN: boolean;
  /**
   * Loss inference (RACK-like): an outstanding packet sent more than this before a packet that
   * has been acknowledged is declared lost. Default: 4 base RTTs (spraying reorders packets by up
   * to the queueing delay of the paths).
   */
  reorderWindowPs?: number;
  /** Congestion control on (NSCC) or a fixed window. */
  congestionControl: boolean;
}

export const UET_DEFAULTS: UetOptions = {
  mtuBytes: 4150,
  headerBytes: 64,
  ackBytes: 64,
  paths: 128,
  targetQdelayFactor: 0.75,
  minRtoPs: 150_000_000,
  ackEveryBytes: 16_384,
  pathAware: true,
  goBackN: false,
  congestionControl: true,
};

// Reference network of the NSCC scaling rules: 100 Gb/s, 12 us.
const REF_RATE_BPS = 100e9;
const REF_RTT_PS = 12_000_000;
const REF_BDP = (REF_RATE_BPS / 8) * (REF_RTT_PS / 1e12);

const ST_UNSENT = 0;
const ST_INFLIGHT = 1;
const ST_ACKED = 2;
const ST_RTXQ = 3;

const MAX_PENALTY = 15;

function nextPow2(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

export function uetOptionsFrom(raw: Record<string, unknown>): UetOptions {
  const o: UetOptions = { ...UET_DEFAULTS };
  for (const k of Object.keys(UET_DEFAULTS) as (keyof UetOptions)[]) {
    const v = raw[k];
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  for (const k of ['baseRttPs', 'initialCwndBytes', 'maxCwndBytes', 'reorderWindowPs', 'ackDelayPs'] as const) {
    const v = raw[k];
    if (typeof v === 'number') o[k] = v;
  }
  return o;
}

export class UetFlow implements SimFlow, NicClient, EventSource {
  simId?: number;
  nicActive?: boolean;
  readonly id: number;
  readonly spec: Readonly<FlowSpec>;
  private readonly m: FlowMetrics;
  private readonly o: UetOptions;

  // geometry
  private readonly mss: number;
  private readonly npkts: number;
  private readonly lastSize: number;
  private readonly cap: number;
  private readonly mask: number;

  // sender
  private readonly state: Uint8Array;
  private readonly sendTime: Float64Array;
  private readonly entropyOf: Uint16Array;
  private readonly rtxHeap = new IntHeap(64);
  private readonly sendOrder = new PsnTimeRing(64);
  private nextNew = 0;
  /** Highest PSN ever sent + 1 (go-back-N resends below it). */
  private highestSent = 0;
  private cumAck = 0;
  private inflight = 0;
  private started = false;
  private stopped = false;
  private finished = false;
  /** The receiver has answered (ACK or NACK): the PDC is established, packets stop carrying SYN. */
  private established = false;

  // spraying
  private readonly paths: number;
  private readonly entropyBase: number;
  private evIndex = 0;
  private evXor = 0;
  private readonly penalty: Uint8Array;

  // timer (start and RTO)
  private timerPending = false;
  private timerAt = Infinity;
  private readonly rtoPs: number;
  private readonly reorderPs: number;
  /** Latest send time among acknowledged packets (loss inference). */
  private ackedSendPs = -Infinity;

  // NSCC
  cwnd: number;
  maxwnd: number;
  readonly baseRttPs: number;
  private readonly bdp: number;
  private readonly targetQdelay: number;
  private readonly alpha: number;
  private readonly fi: number;
  private readonly eta: number;
  private readonly gamma = 0.8;
  private readonly fiScale: number;
  private readonly delayAlpha = 0.0125;
  private readonly adjustPeriod: number;
  private readonly adjustBytes: number;
  private readonly qaThreshold: number;
  private avgDelay = 0;
  private incBytes = 0;
  private receivedSinceAdjust = 0;
  private lastAdjustPs = 0;
  private lastEtaPs = 0;
  private lastDecPs = -Infinity;
  private fiCount = 0;
  private increasing = false;
  private achievedBytes = 0;
  private qaEndPs = 0;
  private triggerQa = false;
  private bytesToIgnore = 0;
  private bytesIgnored = 0;

  // receiver
  private readonly rxBits: Uint8Array;
  private expected = 0;
  private ooo = 0;
  private accepted = 0;
  private receivedAny = false;
  private ackRequest = false;
  private gbnNacked = -1;
  private readonly ackDelayPs: number;
  /** Delayed ACK: when it is due and the packet it will answer. */
  private ackDueAt = Infinity;
  private pendSeq = 0;
  private pendEntropy = 0;
  private pendSentPs = 0;

  constructor(
    spec: FlowSpec,
    private readonly ctx: FlowContext,
    options: UetOptions,
  ) {
    this.id = ctx.id;
    this.spec = { ...spec };
    this.o = options;
    this.m = emptyMetrics(spec, ctx.id);
    this.mss = options.mtuBytes - options.headerBytes;
    if (!(this.mss > 0)) throw new RangeError(`UET mtu ${options.mtuBytes} must exceed the header ${options.headerBytes}`);
    this.npkts = Math.ceil(spec.bytes / this.mss);
    const lastPayload = spec.bytes - (this.npkts - 1) * this.mss;
    this.lastSize = lastPayload + options.headerBytes;
    this.cap = Math.min(nextPow2(this.npkts), 16384);
    this.mask = this.cap - 1;
    this.state = new Uint8Array(this.cap);
    this.sendTime = new Float64Array(this.cap);
    this.entropyOf = new Uint16Array(this.cap);
    this.rxBits = new Uint8Array(this.cap);

    const paths = Math.max(1, Math.floor(spec.entropies ?? options.paths));
    this.paths = paths;
    this.penalty = new Uint8Array(paths);
    const h = hash32(ctx.id, spec.src, spec.dst ^ 0x55e7);
    this.entropyBase = h & 0xffff;
    this.evXor = paths & (paths - 1) ? (h >>> 16) % paths : (h >>> 16) & (paths - 1);

    const srcLink = ctx.srcHost.egress[ctx.srcPort];
    const rate = srcLink === null ? 100e9 : srcLink.rateBps;
    const path = estimatePath(ctx.network, spec.src, spec.dst);
    this.baseRttPs = options.baseRttPs ?? Math.max(1, unloadedRttPs(path, options.mtuBytes, options.ackBytes));
    this.bdp = (rate / 8) * (this.baseRttPs / 1e12);
    this.maxwnd = Math.max(options.mtuBytes, options.maxCwndBytes ?? 1.5 * this.bdp);
    this.cwnd = Math.min(this.maxwnd, Math.max(options.mtuBytes, options.initialCwndBytes ?? this.maxwnd));
    if (options.initialCwndBytes !== undefined && options.maxCwndBytes === undefined) this.maxwnd = Math.max(this.maxwnd, this.cwnd);
    this.targetQdelay = options.targetQdelayFactor * this.baseRttPs;
    const a = this.bdp / REF_BDP;
    const b = this.targetQdelay / REF_RTT_PS;
    this.alpha = (4.0 * a * b * this.mss) / this.targetQdelay;
    this.fi = 5 * a;
    this.eta = 0.15 * this.mss * a;
    this.fiScale = 0.25 * a;
    this.adjustPeriod = this.baseRttPs;
    this.adjustBytes = 16000 * b;
    this.qaThreshold = 4 * this.targetQdelay;
    this.rtoPs = Math.max(options.minRtoPs, 2 * this.baseRttPs);
    this.reorderPs = options.reorderWindowPs ?? 4 * this.baseRttPs;
    this.ackDelayPs = options.ackDelayPs ?? Math.max(1, Math.round(this.baseRttPs / 4));
  }

  get done(): boolean {
    return this.finished;
  }

  private sizeOf(psn: number): number {
    return psn === this.npkts - 1 ? this.lastSize : this.o.mtuBytes;
  }

  start(atPs: number): void {
    this.m.startPs = atPs;
    this.started = false;
    this.arm(atPs);
  }

  stop(): void {
    this.stopped = true;
  }

  // --- timer ---------------------------------------------------------------------------------

  private arm(atPs: number): void {
    if (this.timerPending && this.timerAt <= atPs) return;
    this.timerPending = true;
    this.timerAt = atPs;
    this.ctx.network.events.schedule(atPs, this);
  }

  onEvent(): void {
    const now = this.ctx.network.events.nowPs;
    if (now < this.timerAt) return; // superseded by an earlier wake-up that already ran
    this.timerPending = false;
    this.timerAt = Infinity;
    if (!this.started) {
      this.started = true;
      this.lastAdjustPs = now;
      this.lastEtaPs = now;
      if (this.npkts === 0) {
        this.complete(now);
        return;
      }
      this.ctx.srcHost.activate(this, this.ctx.srcPort);
      return;
    }
    if (now >= this.ackDueAt) this.sendDelayedAck();
    if (!this.finished) this.checkRto(now);
    if (this.ackDueAt < Infinity) this.arm(this.ackDueAt);
  }

  private checkRto(now: number): void {
    const order = this.sendOrder;
    let fired = false;
    while (order.length > 0) {
      const psn = order.headPsn();
      const t = order.headTime();
      const i = psn & this.mask;
      if (psn < this.cumAck || this.state[i] !== ST_INFLIGHT || this.sendTime[i] !== t) {
        order.shift();
        continue;
      }
      if (t + this.rtoPs > now) {
        this.arm(t + this.rtoPs);
        break;
      }
      order.shift();
      this.m.rtoFired++;
      if (this.o.goBackN) {
        this.rewindTo(this.cumAck);
        fired = true;
        break;
      }
      // Timeout: the last resort.
      const size = this.sizeOf(psn);
      this.state[i] = ST_RTXQ;
      this.inflight -= size;
      this.rtxHeap.push(psn);
      this.penalise(this.entropyOf[i], MAX_PENALTY);
      if (this.o.congestionControl) this.cwnd = Math.max(this.o.mtuBytes, this.cwnd - size);
      fired = true;
    }
    if (fired && !this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  // --- spraying ------------------------------------------------------------------------------

  private penalise(entropy: number, amount: number): void {
    if (!this.o.pathAware || this.paths <= 1) return;
    const idx = (entropy - this.entropyBase) & 0xffff;
    if (idx >= this.paths) return;
    const v = this.penalty[idx] + amount;
    this.penalty[idx] = v > MAX_PENALTY ? MAX_PENALTY : v;
  }

  private nextEntropy(): number {
    const n = this.paths;
    if (n === 1) return this.entropyBase;
    const pow2 = (n & (n - 1)) === 0;
    let idx = 0;
    for (let tries = 0; tries <= n; tries++) {
      idx = pow2 ? (this.evIndex ^ this.evXor) & (n - 1) : (this.evIndex + this.evXor) % n;
      this.evIndex++;
      if (this.evIndex === n) {
        this.evIndex = 0;
        this.evXor = hash32(this.evXor, this.id, this.nextNew) % n;
      }
      const pen = this.penalty[idx];
      if (pen === 0) break;
      this.penalty[idx] = pen - 1;
    }
    return (this.entropyBase + idx) & 0xffff;
  }

  // --- sending -------------------------------------------------------------------------------

  nicPull(): Packet | null {
    if (this.finished || this.stopped || !this.started) return null;
    const heap = this.rtxHeap;
    while (heap.size > 0) {
      const psn = heap.peek();
      if (psn < this.cumAck || this.state[psn & this.mask] !== ST_RTXQ) {
        heap.pop();
        continue;
      }
      const size = this.sizeOf(psn);
      if (this.inflight > 0 && this.inflight + size > this.cwnd) return null;
      heap.pop();
      this.m.retransmissions++;
      return this.emit(psn, size, PacketFlag.Retx | PacketFlag.AckRequest);
    }
    const psn = this.nextNew;
    if (psn >= this.npkts || psn - this.cumAck >= this.cap) return null;
    const size = this.sizeOf(psn);
    if (this.inflight > 0 && this.inflight + size > this.cwnd) return null;
    this.nextNew++;
    let flags = 0;
    if (psn < this.highestSent) {
      this.m.retransmissions++;
      flags |= PacketFlag.Retx;
    } else this.highestSent = psn + 1;
    if (psn === this.npkts - 1 || this.inflight + size + this.o.mtuBytes > this.cwnd) flags |= PacketFlag.AckRequest;
    return this.emit(psn, size, flags);
  }

  private emit(psn: number, size: number, flags: number): Packet {
    const net = this.ctx.network;
    const now = net.events.nowPs;
    const p = net.pool.alloc();
    p.type = PacketType.Data;
    p.size = size;
    p.payload = size - this.o.headerBytes;
    p.flowId = this.id;
    p.src = this.spec.src;
    p.dst = this.spec.dst;
    p.seq = psn;
    p.flags = this.established ? flags : flags | PacketFlag.Syn;
    p.priority = PRIO_LOW;
    p.sentPs = now;
    const e = this.nextEntropy();
    p.entropy = e;
    const i = psn & this.mask;
    this.state[i] = ST_INFLIGHT;
    this.sendTime[i] = now;
    this.entropyOf[i] = e;
    this.inflight += size;
    this.sendOrder.push(psn, now);
    if (!this.timerPending) this.arm(now + this.rtoPs);
    const m = this.m;
    m.txFrames++;
    m.txBytes += size;
    m.dataPackets++;
    return p;
  }

  // --- packets in ----------------------------------------------------------------------------

  onPacket(p: Packet): void {
    const t = p.type;
    if (t === PacketType.Data) this.onData(p);
    else if (t === PacketType.Ack) this.onAck(p);
    else if (t === PacketType.Nack) this.onNack(p);
    this.ctx.network.pool.release(p);
  }

  onDrop(p: Packet): void {
    if (p.type === PacketType.Data) this.m.lostFrames++;
  }

  /** Newly acknowledged bytes for `psn` (0 if it was not outstanding). */
  private ackOne(psn: number): number {
    const i = psn & this.mask;
    const s = this.state[i];
    if (s === ST_INFLIGHT) {
      if (this.sendTime[i] > this.ackedSendPs) this.ackedSendPs = this.sendTime[i];
      const size = this.sizeOf(psn);
      this.inflight -= size;
      this.state[i] = ST_ACKED;
      return size;
    }
    if (s === ST_RTXQ) {
      this.state[i] = ST_ACKED;
      return this.sizeOf(psn);
    }
    return 0;
  }

  private onAck(p: Packet): void {
    const m = this.m;
    m.acks++;
    this.established = true;
    if (this.finished) return;
    const now = this.ctx.network.events.nowPs;
    let newly = 0;
    const cum = Math.min(p.ackSeq, this.nextNew);
    for (let psn = this.cumAck; psn < cum; psn++) {
      newly += this.ackOne(psn);
      this.state[psn & this.mask] = ST_UNSENT;
    }
    if (cum > this.cumAck) this.cumAck = cum;
    if ((p.sackLo | p.sackHi) !== 0) {
      // visit the set bits only
      for (let half = 0; half < 2; half++) {
        let w = half === 0 ? p.sackLo : p.sackHi;
        const base = p.sackBase + 32 * half;
        while (w !== 0) {
          const k = 31 - Math.clz32(w & -w);
          w &= w - 1;
          const psn = base + k;
          if (psn >= this.cumAck && psn < this.nextNew) newly += this.ackOne(psn);
        }
      }
    }
    const ecn = (p.flags & PacketFlag.EcnEcho) !== 0;
    if (ecn) this.penalise(p.aux, 1);
    if (this.cumAck >= this.npkts) {
      this.complete(now);
      return;
    }
    if (!this.o.goBackN && newly > 0) this.inferLosses();
    if (this.o.congestionControl) {
      const raw = now - p.echoPs;
      let delay: number;
      if (raw >= this.baseRttPs) {
        delay = raw - this.baseRttPs;
        this.updateDelay(delay, ecn);
      } else {
        delay = this.avgDelay;
      }
      this.achievedBytes += newly;
      this.bytesIgnored += newly;
      this.receivedSinceAdjust += newly;
      this.nsccOnAck(now, ecn, delay, newly);
    }
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  /** Declares lost what was sent a reorder window before the latest acknowledged packet. */
  private inferLosses(): void {
    const threshold = this.ackedSendPs - this.reorderPs;
    const order = this.sendOrder;
    while (order.length > 0) {
      const psn = order.headPsn();
      const t = order.headTime();
      const i = psn & this.mask;
      if (psn < this.cumAck || this.state[i] !== ST_INFLIGHT || this.sendTime[i] !== t) {
        order.shift();
        continue;
      }
      if (t >= threshold) break;
      order.shift();
      const size = this.sizeOf(psn);
      this.state[i] = ST_RTXQ;
      this.inflight -= size;
      this.rtxHeap.push(psn);
      this.m.inferredLosses++;
      this.penalise(this.entropyOf[i], 4);
      if (this.o.congestionControl) this.cwnd = Math.max(this.o.mtuBytes, this.cwnd - size);
    }
  }

  private onNack(p: Packet): void {
    this.m.nacks++;
    this.established = true;
    if (this.finished) return;
    const psn = p.seq;
    if (psn < this.cumAck || psn >= this.nextNew) return;
    if (this.o.goBackN) {
      // The NACK names the receiver's next expected PSN: all below it arrived.
      for (let q = this.cumAck; q < psn; q++) {
        this.ackOne(q);
        this.state[q & this.mask] = ST_UNSENT;
      }
      this.cumAck = psn;
      this.rewindTo(psn);
    } else {
      const i = psn & this.mask;
      if (this.state[i] !== ST_INFLIGHT) return;
      const size = this.sizeOf(psn);
      this.state[i] = ST_RTXQ;
      this.inflight -= size;
      this.rtxHeap.push(psn);
      if (this.o.congestionControl) this.nsccOnNack(size);
    }
    this.penalise(p.aux, 4);
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  /** Go-back-N: everything from `psn` on is sent again. */
  private rewindTo(psn: number): void {
    for (let q = psn; q < this.nextNew; q++) {
      const i = q & this.mask;
      if (this.state[i] === ST_INFLIGHT) this.inflight -= this.sizeOf(q);
      if (this.state[i] !== ST_ACKED) this.state[i] = ST_UNSENT;
    }
    this.rtxHeap.clear();
    this.sendOrder.clear();
    this.nextNew = psn;
  }

  private complete(now: number): void {
    if (this.finished) return;
    this.finished = true;
    const m = this.m;
    m.done = true;
    m.finishPs = now;
    m.fctPs = now - m.startPs;
    this.ctx.manager.flowDone(this);
  }

  // --- NSCC ----------------------------------------------------------------------------------

  private updateDelay(delay: number, ecn: boolean): void {
    const da = this.delayAlpha;
    if (!ecn && delay > this.targetQdelay) {
      // A delay the network does not confirm with ECN is treated as a path artefact.
      this.avgDelay = da * this.baseRttPs * 0.25 + (1 - da) * this.avgDelay;
    } else {
      this.avgDelay = da * delay + (1 - da) * this.avgDelay;
    }
  }

  private quickAdapt(now: number, isLoss: boolean): boolean {
    if (now <= this.qaEndPs) return false;
    if (this.qaEndPs !== 0 && (this.triggerQa || isLoss || this.avgDelay > this.qaThreshold) && this.cwnd >= this.achievedBytes) {
      this.cwnd = Math.max(this.achievedBytes, this.o.mtuBytes);
      this.bytesToIgnore = this.inflight;
      this.bytesIgnored = 0;
      this.triggerQa = false;
      this.achievedBytes = 0;
      this.qaEndPs = now + this.baseRttPs + this.targetQdelay;
      return true;
    }
    this.achievedBytes = 0;
    this.qaEndPs = now + this.baseRttPs + this.targetQdelay;
    return false;
  }

  private nsccOnAck(now: number, ecn: boolean, delay: number, newly: number): void {
    if (ecn && this.bytesIgnored < this.bytesToIgnore) return;
    if (this.quickAdapt(now, false)) return;
    const target = this.targetQdelay;
    if (!ecn) {
      if (delay >= target) {
        this.incBytes += this.fi * this.o.mtuBytes * newly; // fair increase
      } else {
        // proportional increase, or a faster ramp when the path is empty
        if (delay < 1_000_000) {
          this.fiCount += newly;
          if (this.fiCount > this.cwnd || this.increasing) {
            this.cwnd = Math.min(this.maxwnd, this.cwnd + newly * this.fiScale);
            this.increasing = true;
          } else this.increasing = false;
        } else {
          this.fiCount = 0;
          this.increasing = false;
        }
        if (!this.increasing) {
          this.incBytes += Math.min(this.adjustBytes, Math.round(this.alpha * (target - delay) * newly));
          this.incBytes += this.fi * this.o.mtuBytes * newly;
        }
      }
    } else if (delay >= target) {
      // multiplicative decrease, at most once per base RTT
      this.increasing = false;
      this.fiCount = 0;
      const avg = this.avgDelay;
      if (avg > target && now - this.lastDecPs > this.baseRttPs) {
        this.cwnd *= Math.max(1 - (this.gamma * (avg - target)) / avg, 0.5);
        this.lastDecPs = now;
      }
    }
    // ECN with a short delay: no change (the entropy was penalised instead).
    if (this.receivedSinceAdjust > this.adjustBytes || now - this.lastAdjustPs > this.adjustPeriod) {
      this.cwnd += this.incBytes / this.cwnd;
      this.incBytes = 0;
      this.receivedSinceAdjust = 0;
      this.lastAdjustPs = now;
    }
    if (now - this.lastEtaPs > this.adjustPeriod) {
      this.cwnd += this.eta;
      this.lastEtaPs = now;
    }
    if (this.cwnd < this.o.mtuBytes) this.cwnd = this.o.mtuBytes;
    if (this.cwnd > this.maxwnd) this.cwnd = this.maxwnd;
  }

  private nsccOnNack(size: number): void {
    this.cwnd = Math.max(this.o.mtuBytes, this.cwnd - size);
    this.triggerQa = true;
    if (this.bytesIgnored >= this.bytesToIgnore) this.quickAdapt(this.ctx.network.events.nowPs, true);
  }

  // --- receiver ------------------------------------------------------------------------------

  private have(psn: number): boolean {
    return psn < this.expected || (psn - this.expected < this.cap && this.rxBits[psn & this.mask] === 1);
  }

  private onData(p: Packet): void {
    const psn = p.seq;
    const m = this.m;
    if ((p.flags & PacketFlag.Trimmed) !== 0) {
      m.trimmedSeen++;
      if (this.have(psn)) this.sendAck(p, false);
      else this.sendNack(p);
      return;
    }
    if (this.have(psn)) {
      this.sendAck(p, false);
      return;
    }
    if (this.o.goBackN && psn !== this.expected) {
      // A go-back-N receiver drops what is out of order and asks once for the missing PSN.
      m.outOfOrder++;
      if (this.gbnNacked !== this.expected) {
        this.gbnNacked = this.expected;
        const nack = this.buildControl(p, PacketType.Nack);
        nack.seq = this.expected;
        this.ctx.dstHost.sendNow(nack, this.ctx.dstPort);
      }
      return;
    }
    m.rxFrames++;
    m.rxBytes += p.payload;
    this.accepted += p.size;
    let force = !this.receivedAny;
    this.receivedAny = true;
    if ((p.flags & PacketFlag.AckRequest) !== 0) {
      force = true;
      this.ackRequest = true;
    }
    if (psn === this.expected) {
      let e = psn + 1;
      const bits = this.rxBits;
      const mask = this.mask;
      while (bits[e & mask] === 1 && e - psn < this.cap) {
        bits[e & mask] = 0;
        this.ooo--;
        e++;
      }
      this.expected = e;
      if (this.ooo === 0 && this.ackRequest) {
        force = true;
        this.ackRequest = false;
      }
    } else {
      this.rxBits[psn & this.mask] = 1;
      this.ooo++;
      m.outOfOrder++;
    }
    const ecn = (p.flags & PacketFlag.EcnCe) !== 0;
    if (ecn || force || this.accepted >= this.o.ackEveryBytes) {
      this.accepted = 0;
      this.sendAck(p, ecn);
    } else {
      // Coalesced: make sure an ACK follows even if nothing else arrives.
      this.pendSeq = psn;
      this.pendEntropy = p.entropy;
      this.pendSentPs = p.sentPs;
      if (this.ackDueAt === Infinity) {
        this.ackDueAt = this.ctx.network.events.nowPs + this.ackDelayPs;
        this.arm(this.ackDueAt);
      }
    }
  }

  private sendDelayedAck(): void {
    this.ackDueAt = Infinity;
    if (this.accepted === 0) return;
    this.accepted = 0;
    const net = this.ctx.network;
    const p = net.pool.alloc();
    p.seq = this.pendSeq;
    p.entropy = this.pendEntropy;
    p.sentPs = this.pendSentPs;
    this.sendAck(p, false);
    net.pool.release(p);
  }

  /** An ACK or NACK answering `p`; it says whether `p` was a retransmission (UET RETX flag). */
  private buildControl(p: Packet, type: number): Packet {
    const a = this.ctx.network.pool.alloc();
    a.type = type;
    a.flags = p.flags & PacketFlag.Retx;
    a.size = this.o.ackBytes;
    a.priority = PRIO_HIGH;
    a.flowId = this.id;
    a.src = this.spec.dst;
    a.dst = this.spec.src;
    a.entropy = p.entropy;
    a.aux = p.entropy;
    a.echoPs = p.sentPs;
    a.seq = p.seq;
    a.sentPs = this.ctx.network.events.nowPs;
    return a;
  }

  private sendAck(p: Packet, ecn: boolean): void {
    this.ackDueAt = Infinity;
    const a = this.buildControl(p, PacketType.Ack);
    a.ackSeq = this.expected;
    if (ecn) a.flags |= PacketFlag.EcnEcho;
    if (this.ooo > 0) {
      const base = Math.max(this.expected + 1, p.seq - 63);
      let lo = 0;
      let hi = 0;
      const bits = this.rxBits;
      const mask = this.mask;
      for (let k = 0; k < 64; k++) {
        const psn = base + k;
        if (psn - this.expected >= this.cap) break;
        if (bits[psn & mask] === 1) {
          if (k < 32) lo |= 1 << k;
          else hi |= 1 << (k - 32);
        }
      }
      a.sackBase = base;
      a.sackLo = lo >>> 0;
      a.sackHi = hi >>> 0;
    }
    this.ctx.dstHost.sendNow(a, this.ctx.dstPort);
  }

  /** NACK of a trimmed packet (the flag tells captures the NACK code: trimmed). */
  private sendNack(p: Packet): void {
    const n = this.buildControl(p, PacketType.Nack);
    n.flags |= PacketFlag.Trimmed;
    this.ctx.dstHost.sendNow(n, this.ctx.dstPort);
  }

  metrics(): FlowMetrics {
    return { ...this.m };
  }

  /** Congestion state for tests and logs. */
  get window(): { cwnd: number; maxwnd: number; inflight: number; baseRttPs: number } {
    return { cwnd: this.cwnd, maxwnd: this.maxwnd, inflight: this.inflight, baseRttPs: this.baseRttPs };
  }
}
