// A RoCEv2-style baseline transport: one path per flow, go-back-N recovery, DCQCN rate control.
//
// Receiver: accepts only the next expected PSN; an out-of-order arrival is dropped and answered
// once per gap with a NACK naming the expected PSN (a sequence-error NAK); duplicates get an ACK;
// cumulative ACKs every `ackEveryBytes`; an ECN-marked arrival triggers a CNP at most once per
// `cnpIntervalPs`. Sender: rewinds to the NACKed PSN and sends everything again from there; an
// RTO without progress rewinds to the first unacknowledged PSN; DCQCN cuts the rate on a CNP
// (rc := rc (1 - alpha / 2)), decays alpha and recovers the rate on a timer (fast recovery,
// additive increase, hyper increase). Trimmed packets are losses to this transport.

import type { EventSource } from '../sim/eventlist.ts';
import { PacketFlag, PacketType, PRIO_HIGH, PRIO_LOW, type Packet } from '../sim/packet.ts';
import { hash32 } from '../sim/rng.ts';
import type { NicClient } from '../fabric/host.ts';
import { emptyMetrics, type FlowContext, type FlowMetrics, type FlowSpec, type SimFlow } from '../traffic/flows.ts';
import { estimatePath, unloadedRttPs } from './common.ts';

export interface RoceOptions {
  mtuBytes: number;
  headerBytes: number;
  ackBytes: number;
  /** Most unacknowledged bytes in flight (Infinity = rate-limited only). */
  windowBytes: number;
  baseRttPs?: number;
  minRtoPs: number;
  ackEveryBytes: number;
  dcqcn: boolean;
  cnpIntervalPs: number;
  dcqcnG: number;
  dcqcnTimerPs: number;
  dcqcnFastRecoverySteps: number;
  /** Additive and hyper increase steps as fractions of line rate. */
  dcqcnAiFraction: number;
  dcqcnHaiFraction: number;
  dcqcnMinRateFraction: number;
}

export const ROCE_DEFAULTS: RoceOptions = {
  mtuBytes: 4150,
  headerBytes: 64,
  ackBytes: 64,
  windowBytes: Infinity,
  minRtoPs: 150_000_000,
  ackEveryBytes: 12_288,
  dcqcn: true,
  cnpIntervalPs: 50_000_000,
  dcqcnG: 1 / 256,
  dcqcnTimerPs: 55_000_000,
  dcqcnFastRecoverySteps: 5,
  dcqcnAiFraction: 0.005,
  dcqcnHaiFraction: 0.05,
  dcqcnMinRateFraction: 0.001,
};

export function roceOptionsFrom(raw: Record<string, unknown>): RoceOptions {
  const o: RoceOptions = { ...ROCE_DEFAULTS };
  for (const k of Object.keys(ROCE_DEFAULTS) as (keyof RoceOptions)[]) {
    const v = raw[k];
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (typeof raw.roceWindowBytes === 'number') o.windowBytes = raw.roceWindowBytes;
  if (typeof raw.baseRttPs === 'number') o.baseRttPs = raw.baseRttPs;
  return o;
}

export class RoceFlow implements SimFlow, NicClient, EventSource {
  simId?: number;
  nicActive?: boolean;
  readonly id: number;
  readonly spec: Readonly<FlowSpec>;
  private readonly m: FlowMetrics;
  private readonly o: RoceOptions;
  private readonly mss: number;
  private readonly npkts: number;
  private readonly lastSize: number;
  private readonly entropy: number;
  private readonly lineRate: number;
  private readonly rtoPs: number;

  private started = false;
  private stopped = false;
  private finished = false;
  private timerPending = false;
  private timerAt = Infinity;

  // sender
  private nextSeq = 0;
  private highestSent = 0;
  private cumAck = 0;
  private lastProgressPs = 0;
  private nextSendPs = 0;
  // DCQCN
  rateBps: number;
  private targetRate: number;
  private alpha = 1;
  private stage = 0;
  private cnpSinceTimer = false;
  private dcqcnTimerAt = Infinity;

  // receiver
  private expected = 0;
  private accepted = 0;
  private nackedFor = -1;
  private lastCnpPs = -Infinity;

  constructor(
    spec: FlowSpec,
    private readonly ctx: FlowContext,
    options: RoceOptions,
  ) {
    this.id = ctx.id;
    this.spec = { ...spec };
    this.o = options;
    this.m = emptyMetrics(spec, ctx.id);
    this.mss = options.mtuBytes - options.headerBytes;
    this.npkts = Math.ceil(spec.bytes / this.mss);
    this.lastSize = spec.bytes - (this.npkts - 1) * this.mss + options.headerBytes;
    this.entropy = hash32(ctx.id, spec.src, spec.dst) & 0xffff;
    const link = ctx.srcHost.egress[ctx.srcPort];
    this.lineRate = link === null ? 100e9 : link.rateBps;
    this.rateBps = this.lineRate;
    this.targetRate = this.lineRate;
    const base = options.baseRttPs ?? unloadedRttPs(estimatePath(ctx.network, spec.src, spec.dst), options.mtuBytes, options.ackBytes);
    this.rtoPs = Math.max(options.minRtoPs, 2 * base);
  }

  get done(): boolean {
    return this.finished;
  }

  private sizeOf(psn: number): number {
    return psn === this.npkts - 1 ? this.lastSize : this.o.mtuBytes;
  }

  start(atPs: number): void {
    this.m.startPs = atPs;
    this.arm(atPs);
  }

  stop(): void {
    this.stopped = true;
  }

  private arm(atPs: number): void {
    if (this.timerPending && this.timerAt <= atPs) return;
    this.timerPending = true;
    this.timerAt = atPs;
    this.ctx.network.events.schedule(atPs, this);
  }

  onEvent(): void {
    const now = this.ctx.network.events.nowPs;
    if (now < this.timerAt) return;
    this.timerPending = false;
    this.timerAt = Infinity;
    if (!this.started) {
      this.started = true;
      this.lastProgressPs = now;
      if (this.npkts === 0) {
        this.complete(now);
        return;
      }
      this.ctx.srcHost.activate(this, this.ctx.srcPort);
      this.rearm(now);
      return;
    }
    if (this.finished) return;
    if (now >= this.dcqcnTimerAt) this.dcqcnTick(now);
    if (this.nextSeq > this.cumAck || this.highestSent > this.cumAck) {
      if (now - this.lastProgressPs >= this.rtoPs) {
        this.m.rtoFired++;
        this.nextSeq = this.cumAck;
        this.lastProgressPs = now;
      }
    }
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
    this.rearm(now);
  }

  /** Next wake-up: RTO check, pacing, DCQCN timer. */
  private rearm(now: number): void {
    let t = this.dcqcnTimerAt;
    if (this.highestSent > this.cumAck) t = Math.min(t, this.lastProgressPs + this.rtoPs);
    if (this.nextSendPs > now && this.nextSeq < this.npkts) t = Math.min(t, this.nextSendPs);
    if (t < Infinity) this.arm(Math.max(t, now));
  }

  nicPull(): Packet | null {
    if (this.finished || this.stopped || !this.started) return null;
    const net = this.ctx.network;
    const now = net.events.nowPs;
    const psn = this.nextSeq;
    if (psn >= this.npkts) return null;
    if (now < this.nextSendPs) {
      this.arm(this.nextSendPs);
      return null;
    }
    if ((psn - this.cumAck) * this.o.mtuBytes >= this.o.windowBytes) return null;
    const size = this.sizeOf(psn);
    const p = net.pool.alloc();
    p.type = PacketType.Data;
    p.size = size;
    p.payload = size - this.o.headerBytes;
    p.flowId = this.id;
    p.src = this.spec.src;
    p.dst = this.spec.dst;
    p.seq = psn;
    p.entropy = this.entropy;
    p.priority = PRIO_LOW;
    p.sentPs = now;
    if (psn < this.highestSent) {
      p.flags |= PacketFlag.Retx;
      this.m.retransmissions++;
    } else this.highestSent = psn + 1;
    if (psn === this.npkts - 1) p.flags |= PacketFlag.AckRequest | PacketFlag.Last;
    this.nextSeq = psn + 1;
    if (this.rateBps < this.lineRate) this.nextSendPs = now + Math.round((size * 8e12) / this.rateBps);
    const m = this.m;
    m.txFrames++;
    m.txBytes += size;
    m.dataPackets++;
    if (!this.timerPending) this.arm(this.lastProgressPs + this.rtoPs > now ? this.lastProgressPs + this.rtoPs : now + this.rtoPs);
    return p;
  }

  onPacket(p: Packet): void {
    const t = p.type;
    if (t === PacketType.Data) this.onData(p);
    else if (t === PacketType.Ack) this.onAck(p.ackSeq);
    else if (t === PacketType.Nack) this.onNack(p.seq);
    else if (t === PacketType.Cnp) this.onCnp();
    this.ctx.network.pool.release(p);
  }

  onDrop(p: Packet): void {
    if (p.type === PacketType.Data) this.m.lostFrames++;
  }

  private progress(cum: number): void {
    if (cum <= this.cumAck) return;
    this.cumAck = cum;
    this.lastProgressPs = this.ctx.network.events.nowPs;
    if (this.nextSeq < cum) this.nextSeq = cum;
  }

  private onAck(cum: number): void {
    this.m.acks++;
    if (this.finished) return;
    this.progress(cum);
    if (this.cumAck >= this.npkts) {
      this.complete(this.ctx.network.events.nowPs);
      return;
    }
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  private onNack(expected: number): void {
    this.m.nacks++;
    if (this.finished) return;
    this.progress(expected);
    if (expected < this.nextSeq) this.nextSeq = expected; // go back N
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  private onCnp(): void {
    if (!this.o.dcqcn || this.finished) return;
    const now = this.ctx.network.events.nowPs;
    this.targetRate = this.rateBps;
    this.rateBps = Math.max(this.lineRate * this.o.dcqcnMinRateFraction, this.rateBps * (1 - this.alpha / 2));
    this.alpha = (1 - this.o.dcqcnG) * this.alpha + this.o.dcqcnG;
    this.stage = 0;
    this.cnpSinceTimer = true;
    if (this.dcqcnTimerAt === Infinity) {
      this.dcqcnTimerAt = now + this.o.dcqcnTimerPs;
      this.arm(this.dcqcnTimerAt);
    }
  }

  private dcqcnTick(now: number): void {
    const o = this.o;
    if (!this.cnpSinceTimer) this.alpha = (1 - o.dcqcnG) * this.alpha;
    this.cnpSinceTimer = false;
    this.stage++;
    if (this.stage > o.dcqcnFastRecoverySteps) {
      const step = this.stage > 2 * o.dcqcnFastRecoverySteps ? o.dcqcnHaiFraction : o.dcqcnAiFraction;
      this.targetRate = Math.min(this.lineRate, this.targetRate + step * this.lineRate);
    }
    this.rateBps = Math.min(this.lineRate, (this.rateBps + this.targetRate) / 2);
    if (this.rateBps >= this.lineRate * 0.999 && this.alpha < 1e-3) {
      this.rateBps = this.lineRate;
      this.dcqcnTimerAt = Infinity;
    } else {
      this.dcqcnTimerAt = now + o.dcqcnTimerPs;
    }
  }

  private complete(now: number): void {
    if (this.finished) return;
    this.finished = true;
    this.m.done = true;
    this.m.finishPs = now;
    this.m.fctPs = now - this.m.startPs;
    this.ctx.manager.flowDone(this);
  }

  // --- receiver ------------------------------------------------------------------------------

  private control(p: Packet, type: number): Packet {
    const a = this.ctx.network.pool.alloc();
    a.type = type;
    a.size = this.o.ackBytes;
    a.priority = PRIO_HIGH;
    a.flowId = this.id;
    a.src = this.spec.dst;
    a.dst = this.spec.src;
    a.entropy = p.entropy;
    a.echoPs = p.sentPs;
    a.sentPs = this.ctx.network.events.nowPs;
    return a;
  }

  private onData(p: Packet): void {
    const m = this.m;
    const now = this.ctx.network.events.nowPs;
    if ((p.flags & PacketFlag.EcnCe) !== 0 && this.o.dcqcn && now - this.lastCnpPs >= this.o.cnpIntervalPs) {
      this.lastCnpPs = now;
      this.ctx.dstHost.sendNow(this.control(p, PacketType.Cnp), this.ctx.dstPort);
    }
    if ((p.flags & PacketFlag.Trimmed) !== 0) {
      m.trimmedSeen++;
      return;
    }
    const psn = p.seq;
    if (psn === this.expected) {
      this.expected++;
      this.nackedFor = -1;
      m.rxFrames++;
      m.rxBytes += p.payload;
      this.accepted += p.size;
      if (this.accepted >= this.o.ackEveryBytes || (p.flags & PacketFlag.AckRequest) !== 0 || this.expected === this.npkts) {
        this.accepted = 0;
        const a = this.control(p, PacketType.Ack);
        a.ackSeq = this.expected;
        this.ctx.dstHost.sendNow(a, this.ctx.dstPort);
      }
      return;
    }
    if (psn > this.expected) {
      m.outOfOrder++;
      if (this.nackedFor !== this.expected) {
        this.nackedFor = this.expected;
        const n = this.control(p, PacketType.Nack);
        n.seq = this.expected;
        this.ctx.dstHost.sendNow(n, this.ctx.dstPort);
      }
      return;
    }
    // duplicate: tell the sender where we are
    const a = this.control(p, PacketType.Ack);
    a.ackSeq = this.expected;
    this.ctx.dstHost.sendNow(a, this.ctx.dstPort);
  }

  metrics(): FlowMetrics {
    return { ...this.m };
  }
}
