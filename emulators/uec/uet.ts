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
// On a UEC NIC (its NicPds is enabled, pds.ts) the flow is also a PDC: the initiator opens it with a
// random start PSN (SYN state), the target allocates its own (PENDING until the first packet
// without SYN), both reach ESTABLISHED, and once every packet is acknowledged the initiator sends a
// CLEAR (when the target asked for it) and a CLOSE command (AR) that the target acknowledges, which
// frees both PDCs; more than `maxRtoRetries` timeout rounds without progress close it in error.
// `ordered` (ROD) sends on a single path and the target accepts only the next PSN, NACKing others
// with ROD_OOO so the sender goes back to it. The target accepts PSNs up to MPR x 128 past its
// cumulative PSN and NACKs farther ones with PSN_OOR_WINDOW; the sender stays inside that window.
// A RUD target that still misses a PSN two base RTTs after a later one arrived NACKs it
// (RCVR_INFER_LOSS), so losses near the end of a message do not wait for the timeout; once
// everything is sent, an initiator that hears nothing for two base RTTs sends an ACK request (CTRL
// ACK_REQ) and resends what the answer shows missing, so a lost last packet does not either. Other
// NACK codes: TRIMMED for a trimmed packet, INV_DPDCID for a packet of a PDC the target does not
// have (the initiator then sends with SYN again). The flow writes its own headers in captures
// (uetHeaders: PSNs from the start PSN, both PDC ids, SES standard header); without a UEC NIC it
// behaves and encodes as before.

import type { EventSource } from '../sim/eventlist.ts';
import { PacketFlag, PacketType, PRIO_HIGH, PRIO_LOW, type Packet } from '../sim/packet.ts';
import { hash32 } from '../sim/rng.ts';
import type { NicClient } from '../fabric/host.ts';
import { emptyMetrics, type FlowContext, type FlowMetrics, type FlowSpec, type SimFlow } from '../traffic/flows.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { UET_CTRL_TYPE } from '../../protocols/uet/prologue.ts';
import { estimatePath, IntHeap, PsnTimeRing, unloadedRttPs } from './common.ts';
import { ackHeaders, ctrlHeaders, nackHeaders, requestHeaders } from './encode.ts';
import { nicPdsOf, type NicPds, type NicPdsDefects, type PdcRecord } from './pds.ts';

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
  /** Reliable ordered delivery (ROD): one path, the target accepts only the next PSN. */
  ordered: boolean;
  /** UEC NIC: timeouts in a row without progress after which the PDC closes in error. */
  maxRtoRetries: number;
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
  ordered: false,
  maxRtoRetries: 16,
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
  private o: UetOptions;

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
  /** Receiver-inferred loss (UEC NIC, RUD): when each missing PSN was last NACKed, and the hole watch. */
  private readonly rxNackedPs: Float64Array;
  private highestRx = -1;
  private holeMark = -1;
  private holeDueAt = Infinity;
  private expected = 0;
  private ooo = 0;
  private accepted = 0;
  private receivedAny = false;
  private ackRequest = false;
  private gbnNacked = -1;
  private readonly ackDelayPs: number;
  private rodNacked = -1;
  /** Delayed ACK: when it is due and the packet it will answer. */
  private ackDueAt = Infinity;
  private pendSeq = 0;
  private pendEntropy = 0;
  private pendSentPs = 0;

  // PDS (UEC NIC)
  private readonly txPds: NicPds;
  private readonly rxPds: NicPds;
  /** The source NIC is a UEC NIC: PDC behaviour and UE encodings. */
  private readonly uec: boolean;
  private readonly txDef: NicPdsDefects;
  private readonly rxDef: NicPdsDefects;
  private ini: PdcRecord | null = null;
  private tgt: PdcRecord | null = null;
  private iniId = 0;
  private tgtId = 0;
  private startPsn = 0;
  /** PSNs the target accepts past its cumulative PSN (MPR x 128) and the sender's window. */
  private readonly rxWindow: number;
  private readonly txWindow: number;
  private readonly rxMpr: number;
  private closeSentPs = -1;
  private closeTries = 0;
  private closed = false;
  private clearRequested = false;
  private rtoStreak = 0;
  private lastRtoRoundPs = -Infinity;
  /** Tail probe (UEC NIC): when the next ACK request is due and when the last one went out. */
  private probeDueAt = Infinity;
  private probeSentPs = -1;

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
    this.rxNackedPs = new Float64Array(this.cap).fill(-Infinity);

    this.txPds = nicPdsOf(ctx.srcHost);
    this.rxPds = nicPdsOf(ctx.dstHost);
    this.uec = this.txPds.uec;
    this.txDef = this.txPds.defects;
    this.rxDef = this.rxPds.defects;
    if (this.uec && this.txDef.goBackN) this.o = options = { ...options, goBackN: true };
    this.rxMpr = this.rxPds.uec ? Math.max(1, Math.floor(this.rxPds.config.mpr)) : 0;
    this.rxWindow = this.rxPds.uec ? Math.min(this.cap, this.rxMpr * 128) : this.cap;
    this.txWindow = this.uec && this.txDef.ignoresMpr ? this.cap : this.rxWindow;
    const single = options.ordered || (this.uec && this.txDef.singleEntropy);
    const paths = single ? 1 : Math.max(1, Math.floor(spec.entropies ?? options.paths));
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
    // A flow taken away mid-way releases its PDCs (the host aborts the connection).
    const now = this.ctx.network.events.nowPs;
    if (this.ini !== null) this.txPds.free(this.ini, now, !this.closed && !this.finished);
    if (this.tgt !== null) this.rxPds.free(this.tgt, now, !this.closed && !this.finished);
    this.ini = null;
    this.tgt = null;
  }

  /** PSN on the wire of packet index `seq`. */
  private wire(seq: number): number {
    return (this.startPsn + seq) >>> 0;
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
    if (now >= this.holeDueAt) this.checkHoles(now);
    if (now >= this.probeDueAt) this.sendProbe(now);
    if (!this.finished) this.checkRto(now);
    else if (this.closeSentPs >= 0 && !this.closed) this.checkClose(now);
    if (this.ackDueAt < Infinity) this.arm(this.ackDueAt);
    if (this.holeDueAt < Infinity) this.arm(this.holeDueAt);
    if (this.probeDueAt < Infinity) this.arm(this.probeDueAt);
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
      // Timeout rounds in a row without progress (packets timing out within one RTO are one round).
      if (this.uec && now - this.lastRtoRoundPs >= this.rtoPs) {
        this.lastRtoRoundPs = now;
        if (++this.rtoStreak > this.o.maxRtoRetries) {
          this.failPdc(now);
          return;
        }
      }
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
      return this.emit(psn, size, this.retxFlag | PacketFlag.AckRequest);
    }
    const psn = this.nextNew;
    if (psn >= this.npkts || psn - this.cumAck >= this.txWindow) return null;
    const size = this.sizeOf(psn);
    if (this.inflight > 0 && this.inflight + size > this.cwnd) return null;
    this.nextNew++;
    let flags = 0;
    if (psn < this.highestSent) {
      this.m.retransmissions++;
      flags |= this.retxFlag;
    } else this.highestSent = psn + 1;
    if (psn === this.npkts - 1 || this.inflight + size + this.o.mtuBytes > this.cwnd) flags |= PacketFlag.AckRequest;
    const p = this.emit(psn, size, flags);
    if (this.nextNew >= this.npkts) this.armProbe(p.sentPs);
    return p;
  }

  /** The RETX flag retransmissions carry (none from a NIC with the defect). */
  private get retxFlag(): number {
    return this.uec && this.txDef.retxFlagMissing ? 0 : PacketFlag.Retx;
  }

  private emit(psn: number, size: number, flags: number): Packet {
    const net = this.ctx.network;
    const now = net.events.nowPs;
    if (this.uec && this.ini === null && !this.closed && this.iniId === 0) {
      this.ini = this.txPds.openInitiator(this.o.ordered ? 'rod' : 'rud', this.spec.dst, this.m.name, now);
      this.iniId = this.ini.id;
      this.startPsn = this.ini.startPsn;
    }
    if (this.ini !== null) this.txPds.usePsn(this.ini, this.wire(psn));
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
    // Data packets carry the cumulative PSN acknowledged so far (the clear PSN of the header).
    p.ackSeq = this.cumAck;
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
    else if (t === PacketType.Control) this.onControl(p);
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
    this.markEstablished();
    if ((p.flags & PacketFlag.Last) !== 0) this.clearRequested = true;
    if (this.finished) {
      if (this.closeSentPs >= 0 && p.ackSeq > this.npkts) this.onCloseAcked();
      return;
    }
    const now = this.ctx.network.events.nowPs;
    let newly = 0;
    const cum = Math.min(p.ackSeq, this.nextNew);
    for (let psn = this.cumAck; psn < cum; psn++) {
      newly += this.ackOne(psn);
      this.state[psn & this.mask] = ST_UNSENT;
    }
    if (cum > this.cumAck) {
      this.cumAck = cum;
      this.rtoStreak = 0;
    }
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
    const ecnSeen = (p.flags & PacketFlag.EcnEcho) !== 0;
    if (ecnSeen) this.penalise(p.aux, 1);
    if (this.cumAck >= this.npkts) {
      this.complete(now);
      if (this.uec && !this.txDef.pdcNeverCloses) this.sendClose(now, false);
      return;
    }
    // A NIC with the NSCC defect does not see congestion signals (ECN, queueing delay).
    const deaf = this.uec && this.txDef.nsccIgnoresEcn;
    const ecn = ecnSeen && !deaf;
    if (this.probeSentPs >= 0 && p.echoPs === this.probeSentPs) this.onProbeAnswer();
    if (!this.o.goBackN && newly > 0) this.inferLosses();
    if (newly > 0 && this.nextNew >= this.npkts) this.armProbe(now);
    if (this.o.congestionControl) {
      const raw = deaf ? this.baseRttPs : now - p.echoPs;
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
    const code = this.uec ? p.ackSeq : (p.flags & PacketFlag.Trimmed) !== 0 ? UET_NACK_CODE.TRIMMED : UET_NACK_CODE.ROD_OOO;
    if (this.uec) this.txPds.countNack('rx', code);
    // The target has no PDC for these packets: send with SYN again so that it opens one.
    if (this.uec && code === UET_NACK_CODE.INV_DPDCID && !this.finished && this.tgtId === 0) this.established = false;
    else this.markEstablished();
    if (this.finished) return;
    const psn = p.seq;
    if (psn < this.cumAck || psn >= this.nextNew) return;
    if (this.uec && (code === UET_NACK_CODE.INV_DPDCID || code === UET_NACK_CODE.CLOSING)) return;
    if (this.uec && code === UET_NACK_CODE.RCVR_INFER_LOSS) {
      // The target misses it: resend at once; a loss, not congestion (no quick adapt).
      const i = psn & this.mask;
      if (this.state[i] !== ST_INFLIGHT) return;
      const size = this.sizeOf(psn);
      this.state[i] = ST_RTXQ;
      this.inflight -= size;
      this.rtxHeap.push(psn);
      this.m.inferredLosses++;
      this.penalise(this.entropyOf[i], 4);
      if (this.o.congestionControl) this.cwnd = Math.max(this.o.mtuBytes, this.cwnd - size);
    } else if (this.uec && code === UET_NACK_CODE.PSN_OOR_WINDOW) {
      // Out of the target's window: send it again once the window has moved.
      const i = psn & this.mask;
      if (this.state[i] !== ST_INFLIGHT) return;
      this.state[i] = ST_RTXQ;
      this.inflight -= this.sizeOf(psn);
      this.rtxHeap.push(psn);
    } else if (this.o.goBackN || (this.o.ordered && code === UET_NACK_CODE.ROD_OOO)) {
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

  // --- PDC lifecycle (UEC NIC) --------------------------------------------------------------

  private markEstablished(): void {
    this.established = true;
    if (this.ini !== null && this.ini.state === 'SYN') this.txPds.transition(this.ini, 'ESTABLISHED', this.ctx.network.events.nowPs);
  }

  /** All data acknowledged: CLEAR (if the target asked) then the CLOSE command, which takes a PSN. */
  private sendClose(now: number, retx: boolean): void {
    const ini = this.ini;
    if (ini === null) return;
    if (!retx) {
      if (this.clearRequested) {
        this.txPds.counters.clearsTx++;
        this.ctx.srcHost.sendNow(this.control(UET_CTRL_TYPE.CLEAR, 0, 0), this.ctx.srcPort);
      }
      this.txPds.transition(ini, 'CLOSING', now);
      this.txPds.usePsn(ini, this.wire(this.npkts));
    }
    this.txPds.counters.closesTx++;
    this.closeSentPs = now;
    this.ctx.srcHost.sendNow(this.control(UET_CTRL_TYPE.CLOSE, this.npkts, retx ? this.retxFlag | PacketFlag.AckRequest : PacketFlag.AckRequest), this.ctx.srcPort);
    this.arm(now + this.rtoPs);
  }

  private checkClose(now: number): void {
    if (now < this.closeSentPs + this.rtoPs) {
      this.arm(this.closeSentPs + this.rtoPs);
      return;
    }
    if (++this.closeTries > this.o.maxRtoRetries) {
      this.failPdc(now);
      return;
    }
    this.sendClose(now, true);
  }

  private onCloseAcked(): void {
    if (this.closed) return;
    this.closed = true;
    const now = this.ctx.network.events.nowPs;
    if (this.ini !== null) this.txPds.free(this.ini, now);
    this.ini = null;
  }

  /** Too many timeouts without progress: both ends close the PDC in error and the flow stops. */
  private failPdc(now: number): void {
    this.stopped = true;
    this.closed = true;
    if (this.ini !== null) this.txPds.free(this.ini, now, true);
    if (this.tgt !== null) this.rxPds.free(this.tgt, now, true);
    this.ini = null;
    this.tgt = null;
  }

  /** A CTRL packet from the initiator: `seq` = packet index of its PSN, `ackSeq` = control type. */
  private control(ctrlType: number, seq: number, flags: number): Packet {
    const net = this.ctx.network;
    const c = net.pool.alloc();
    c.type = PacketType.Control;
    c.size = this.o.ackBytes;
    c.priority = PRIO_HIGH;
    c.flowId = this.id;
    c.src = this.spec.src;
    c.dst = this.spec.dst;
    c.entropy = this.entropyBase;
    c.seq = seq;
    c.ackSeq = ctrlType;
    c.flags = flags;
    c.sentPs = net.events.nowPs;
    return c;
  }

  /** All sent: an ACK request goes out if nothing is heard for two base RTTs (UEC NIC, RUD). */
  private armProbe(fromPs: number): void {
    // Not before the PDC is established: the target has nothing to answer from yet.
    if (!this.uec || this.o.ordered || this.o.goBackN || !this.established) return;
    this.probeDueAt = fromPs + 2 * this.baseRttPs + this.ackDelayPs;
    this.arm(this.probeDueAt);
  }

  private sendProbe(now: number): void {
    this.probeDueAt = Infinity;
    if (this.finished || this.stopped || this.inflight <= 0) return;
    const c = this.control(UET_CTRL_TYPE.ACK_REQ, this.highestSent - 1, PacketFlag.AckRequest);
    this.probeSentPs = c.sentPs;
    this.ctx.srcHost.sendNow(c, this.ctx.srcPort);
    this.armProbe(now);
  }

  /** The answer to an ACK request: whatever went out before the request and is still unacknowledged is lost. */
  private onProbeAnswer(): void {
    const before = this.probeSentPs;
    this.probeSentPs = -1;
    let lost = false;
    for (let q = this.cumAck; q < this.nextNew; q++) {
      const i = q & this.mask;
      if (this.state[i] !== ST_INFLIGHT || this.sendTime[i] >= before) continue;
      const size = this.sizeOf(q);
      this.state[i] = ST_RTXQ;
      this.inflight -= size;
      this.rtxHeap.push(q);
      this.m.inferredLosses++;
      lost = true;
    }
    if (lost && !this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  private onControl(p: Packet): void {
    if (p.ackSeq === UET_CTRL_TYPE.ACK_REQ) {
      // An ACK request: answer with the cumulative and selective state at once.
      this.sendAck(p, false);
      return;
    }
    if (p.ackSeq !== UET_CTRL_TYPE.CLOSE) return; // CLEAR: the target drops its per-PSN state
    const now = this.ctx.network.events.nowPs;
    const a = this.buildControl(p, PacketType.Ack);
    a.ackSeq = p.seq + 1;
    this.ctx.dstHost.sendNow(a, this.ctx.dstPort);
    if (this.tgt !== null) {
      this.rxPds.usePsn(this.tgt, this.wire(p.seq));
      this.rxPds.free(this.tgt, now);
      this.tgt = null;
    }
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

  /** Target side of the PDC: opened by a SYN, established by the first packet without one. */
  private targetPdc(p: Packet): boolean {
    if (this.tgt === null) {
      if (this.tgtId !== 0 || (p.flags & PacketFlag.Syn) === 0) {
        // The PDC was freed (closed or failed): the packet names a PDC the target no longer has.
        this.sendNack(p, UET_NACK_CODE.INV_DPDCID);
        return false;
      }
      const now = this.ctx.network.events.nowPs;
      this.tgt = this.rxPds.openTarget(this.o.ordered ? 'rod' : 'rud', this.spec.src, this.iniId, this.startPsn, this.m.name, now);
      this.tgtId = this.tgt.id;
    }
    if ((p.flags & PacketFlag.Syn) === 0 && this.tgt.state === 'PENDING') {
      this.rxPds.transition(this.tgt, 'ESTABLISHED', this.ctx.network.events.nowPs);
    }
    this.rxPds.usePsn(this.tgt, this.wire(p.seq));
    return true;
  }

  private onData(p: Packet): void {
    const psn = p.seq;
    const m = this.m;
    if (this.uec && !this.targetPdc(p)) return;
    if ((p.flags & PacketFlag.Trimmed) !== 0) {
      m.trimmedSeen++;
      if (this.have(psn)) this.sendAck(p, false);
      else if (!(this.uec && this.rxDef.noNack)) {
        this.rxNackedPs[psn & this.mask] = this.ctx.network.events.nowPs;
        this.sendNack(p, UET_NACK_CODE.TRIMMED);
      }
      return;
    }
    if (this.have(psn)) {
      if (this.uec && this.rxDef.rudDuplicates && !this.o.ordered) {
        // Defect: a duplicate is handed up again.
        m.rxFrames++;
        m.rxBytes += p.payload;
      }
      this.sendAck(p, false);
      return;
    }
    if (this.uec && psn - this.expected >= this.rxWindow) {
      this.sendNack(p, UET_NACK_CODE.PSN_OOR_WINDOW);
      return;
    }
    if (this.o.goBackN && psn !== this.expected) {
      // A go-back-N receiver drops what is out of order and asks once for the missing PSN.
      m.outOfOrder++;
      if (this.gbnNacked !== this.expected) {
        this.gbnNacked = this.expected;
        const nack = this.buildControl(p, PacketType.Nack);
        nack.seq = this.expected;
        nack.ackSeq = UET_NACK_CODE.ROD_OOO;
        this.ctx.dstHost.sendNow(nack, this.ctx.dstPort);
      }
      return;
    }
    if (this.o.ordered && psn !== this.expected && !(this.uec && this.rxDef.rodOutOfOrder)) {
      // ROD: only the next PSN is accepted; the sender is told once per gap where to go back to.
      if (this.rodNacked !== this.expected) {
        this.rodNacked = this.expected;
        const nack = this.buildControl(p, PacketType.Nack);
        nack.seq = this.expected;
        nack.ackSeq = UET_NACK_CODE.ROD_OOO;
        if (this.uec) this.rxPds.countNack('tx', UET_NACK_CODE.ROD_OOO);
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
      if (e - 1 > this.highestRx) this.highestRx = e - 1;
      if (this.ooo === 0 && this.ackRequest) {
        force = true;
        this.ackRequest = false;
      }
    } else {
      this.rxBits[psn & this.mask] = 1;
      this.ooo++;
      m.outOfOrder++;
      if (psn > this.highestRx) this.highestRx = psn;
      if (this.uec && !this.o.ordered && this.holeDueAt === Infinity) this.watchHoles();
    }
    this.rxNackedPs[psn & this.mask] = -Infinity;
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

  /** Starts watching the holes below the highest PSN received now. */
  private watchHoles(): void {
    this.holeMark = this.highestRx;
    this.holeDueAt = this.ctx.network.events.nowPs + 2 * this.baseRttPs;
    this.arm(this.holeDueAt);
  }

  /** NACKs (RCVR_INFER_LOSS) the PSNs still missing below the mark (at most 64 at a time). */
  private checkHoles(now: number): void {
    this.holeDueAt = Infinity;
    if (this.ooo === 0) return;
    const limit = Math.min(this.holeMark, this.expected + this.cap - 1);
    const renack = 4 * this.baseRttPs;
    let n = 0;
    for (let q = this.expected; q < limit && n < 64; q++) {
      const i = q & this.mask;
      if (this.rxBits[i] === 1 || now - this.rxNackedPs[i] < renack) continue;
      this.rxNackedPs[i] = now;
      const net = this.ctx.network;
      const t = net.pool.alloc();
      t.seq = q;
      t.entropy = this.pendEntropy;
      this.sendNack(t, UET_NACK_CODE.RCVR_INFER_LOSS);
      net.pool.release(t);
      n++;
    }
    this.watchHoles();
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
    // All data in: the target asks the initiator to clear (ACK flag REQ_CLEAR, `Last` here).
    if (this.uec && this.expected >= this.npkts) a.flags |= PacketFlag.Last;
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

  /**
   * A NACK of `p` with `code` (kept in `ackSeq`; a trimmed packet's NACK also carries the Trimmed
   * flag, which the default capture encoding reads).
   */
  private sendNack(p: Packet, code: number): void {
    const n = this.buildControl(p, PacketType.Nack);
    if (code === UET_NACK_CODE.TRIMMED) {
      n.flags |= PacketFlag.Trimmed;
      // Defect: the trimmed packet is NACKed with another code.
      if (this.uec && this.rxDef.nackWrongCode) code = UET_NACK_CODE.ROD_OOO;
    }
    n.ackSeq = code;
    if (this.uec) this.rxPds.countNack('tx', code);
    this.ctx.dstHost.sendNow(n, this.ctx.dstPort);
  }

  // --- captures ------------------------------------------------------------------------------

  /** The UET headers of one of this flow's packets as a UEC NIC writes them (null: default encoding). */
  uetHeaders(p: Packet): Uint8Array | null {
    if (!this.uec) return null;
    const ordered = this.o.ordered;
    const retx = (p.flags & PacketFlag.Retx) !== 0;
    switch (p.type) {
      case PacketType.Data: {
        const syn = (p.flags & PacketFlag.Syn) !== 0 && p.seq <= 0xfff;
        return requestHeaders({
          ordered,
          psn: this.wire(p.seq),
          spdcid: this.iniId,
          dpdcid: this.tgtId,
          ...(syn ? { synOffset: p.seq } : {}),
          retx,
          ackRequest: (p.flags & PacketFlag.AckRequest) !== 0,
          clearPsnOffset: p.ackSeq - 1 - p.seq,
          ses: {
            jobId: this.txPds.config.jobId,
            pidOnFep: this.txPds.config.pidOnFep,
            messageId: this.id,
            requestLength: this.spec.bytes,
            offset: p.seq * this.mss,
            som: p.seq === 0,
            eom: p.seq === this.npkts - 1,
          },
          wrongLayout: this.txDef.headerLayout,
        });
      }
      case PacketType.Ack: {
        const swap = this.rxDef.swappedPdcIds;
        const sack = (p.sackLo | p.sackHi) !== 0;
        return ackHeaders({
          cackPsn: this.wire(p.ackSeq - 1),
          ackPsn: this.wire(p.seq),
          spdcid: swap ? this.iniId : this.tgtId,
          dpdcid: swap ? this.tgtId : this.iniId,
          ecnMarked: (p.flags & PacketFlag.EcnEcho) !== 0,
          retx,
          requestClear: (p.flags & PacketFlag.Last) !== 0,
          mpr: this.rxMpr,
          ...(sack ? { sack: { basePsn: this.wire(p.sackBase), bitmap: (BigInt(p.sackHi >>> 0) << 32n) | BigInt(p.sackLo >>> 0) } } : {}),
        });
      }
      case PacketType.Nack:
        return nackHeaders({
          code: p.ackSeq,
          psn: this.wire(p.seq),
          spdcid: p.ackSeq === UET_NACK_CODE.INV_DPDCID ? 0 : this.tgtId,
          dpdcid: this.iniId,
          retx,
          ecnMarked: (p.flags & PacketFlag.EcnCe) !== 0,
        });
      case PacketType.Control: {
        const clear = p.ackSeq === UET_CTRL_TYPE.CLEAR;
        return ctrlHeaders({
          ctrlType: p.ackSeq,
          ordered,
          psn: clear ? 0 : this.wire(p.seq),
          spdcid: this.iniId,
          dpdcid: this.tgtId,
          retx,
          ackRequest: (p.flags & PacketFlag.AckRequest) !== 0,
          payload: clear ? this.wire(this.npkts - 1) : 0,
        });
      }
      default:
        return null;
    }
  }

  /** The flow's PDC ids and start PSN as the NICs assigned them (0 before the PDC opened). */
  get pdc(): { initiatorId: number; targetId: number; startPsn: number; closed: boolean } {
    return { initiatorId: this.iniId, targetId: this.tgtId, startPsn: this.startPsn, closed: this.closed };
  }

  metrics(): FlowMetrics {
    return { ...this.m };
  }

  /** Congestion state for tests and logs. */
  get window(): { cwnd: number; maxwnd: number; inflight: number; baseRttPs: number } {
    return { cwnd: this.cwnd, maxwnd: this.maxwnd, inflight: this.inflight, baseRttPs: this.baseRttPs };
  }
}
