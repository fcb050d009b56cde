// The UET delivery modes without a PDC: RUDI (reliable unordered, idempotent, no connection state) and UUD (unreliable).
//
// RUDI (UE 1.0 PDS): every request carries a 32-bit packet id; the target keeps no state, hands up
// every request it receives (a retransmitted request is handed up again: at-least-once, for
// idempotent operations) and answers each with a RUDI_RESP naming the id; a trimmed request is
// NACKed (NT flag, code TRIMMED) so the initiator resends it at once; the initiator resends a
// request whose answer has not come within the RUDI timeout (RETX set) and sends within a fixed
// window (1.5 x BDP). UUD: requests go out back to back, nothing is acknowledged or resent; what the
// fabric drops or trims is lost (counted in lostFrames). Both write their headers in captures
// (RUDI_REQ/RUDI_RESP 8 B, UUD_REQ 4 B, then an SES standard request header).

import type { EventSource } from '../sim/eventlist.ts';
import { PacketFlag, PacketType, PRIO_HIGH, PRIO_LOW, type Packet } from '../sim/packet.ts';
import { hash32 } from '../sim/rng.ts';
import type { NicClient } from '../fabric/host.ts';
import { emptyMetrics, type FlowContext, type FlowMetrics, type FlowSpec, type SimFlow } from '../traffic/flows.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { estimatePath, IntHeap, PsnTimeRing, unloadedRttPs } from './common.ts';
import { nackHeaders, rudiRequestHeaders, rudiResponseHeaders, uudHeaders, type SesFields } from './encode.ts';
import { nicPdsOf, type NicPds } from './pds.ts';

export interface ModeOptions {
  mtuBytes: number;
  headerBytes: number;
  ackBytes: number;
  /** Entropy values requests spray over. */
  paths: number;
  /** RUDI: bytes in flight at most (default 1.5 x BDP of the path). */
  windowBytes?: number;
  /** RUDI: a request unanswered this long is sent again (default max(4 x base RTT, 20 us)). */
  rudiTimeoutPs?: number;
}

export function modeOptionsFrom(raw: Record<string, unknown>): ModeOptions {
  const num = (k: string, d: number): number => (typeof raw[k] === 'number' ? (raw[k] as number) : d);
  const o: ModeOptions = {
    mtuBytes: num('mtuBytes', 4150),
    headerBytes: num('headerBytes', 64),
    ackBytes: num('ackBytes', 64),
    paths: num('paths', 128),
  };
  if (typeof raw.windowBytes === 'number') o.windowBytes = raw.windowBytes;
  if (typeof raw.rudiTimeoutPs === 'number') o.rudiTimeoutPs = raw.rudiTimeoutPs;
  return o;
}

const ST_UNSENT = 0;
const ST_INFLIGHT = 1;
const ST_ACKED = 2;
const ST_RTXQ = 3;

/** What both modes share: geometry, entropy, SES fields, completion. */
abstract class ModeFlow implements SimFlow, NicClient, EventSource {
  simId?: number;
  nicActive?: boolean;
  readonly id: number;
  readonly spec: Readonly<FlowSpec>;
  protected readonly m: FlowMetrics;
  protected readonly mss: number;
  protected readonly npkts: number;
  protected readonly lastSize: number;
  protected readonly paths: number;
  protected readonly entropyBase: number;
  protected readonly txPds: NicPds;
  protected started = false;
  protected stopped = false;
  protected finished = false;
  private sprayIndex = 0;

  constructor(
    spec: FlowSpec,
    protected readonly ctx: FlowContext,
    protected readonly o: ModeOptions,
  ) {
    this.id = ctx.id;
    this.spec = { ...spec };
    this.m = emptyMetrics(spec, ctx.id);
    this.mss = o.mtuBytes - o.headerBytes;
    if (!(this.mss > 0)) throw new RangeError(`UET mtu ${o.mtuBytes} must exceed the header ${o.headerBytes}`);
    this.npkts = Math.ceil(spec.bytes / this.mss);
    this.lastSize = spec.bytes - (this.npkts - 1) * this.mss + o.headerBytes;
    this.txPds = nicPdsOf(ctx.srcHost);
    this.paths = this.txPds.uec && this.txPds.defects.singleEntropy ? 1 : Math.max(1, Math.floor(spec.entropies ?? o.paths));
    this.entropyBase = hash32(ctx.id, spec.src, spec.dst ^ 0x7ad1) & 0xffff;
  }

  get done(): boolean {
    return this.finished;
  }

  protected sizeOf(seq: number): number {
    return seq === this.npkts - 1 ? this.lastSize : this.o.mtuBytes;
  }

  protected nextEntropy(): number {
    const i = this.sprayIndex++ % this.paths;
    return (this.entropyBase + i) & 0xffff;
  }

  protected ses(seq: number): SesFields {
    return {
      jobId: this.txPds.config.jobId,
      pidOnFep: this.txPds.config.pidOnFep,
      messageId: this.id,
      requestLength: this.spec.bytes,
      offset: seq * this.mss,
      som: seq === 0,
      eom: seq === this.npkts - 1,
    };
  }

  protected data(seq: number, flags: number): Packet {
    const net = this.ctx.network;
    const p = net.pool.alloc();
    const size = this.sizeOf(seq);
    p.type = PacketType.Data;
    p.size = size;
    p.payload = size - this.o.headerBytes;
    p.flowId = this.id;
    p.src = this.spec.src;
    p.dst = this.spec.dst;
    p.seq = seq;
    p.flags = flags;
    p.priority = PRIO_LOW;
    p.sentPs = net.events.nowPs;
    p.entropy = this.nextEntropy();
    const m = this.m;
    m.txFrames++;
    m.txBytes += size;
    m.dataPackets++;
    return p;
  }

  start(atPs: number): void {
    this.m.startPs = atPs;
    this.ctx.network.events.schedule(atPs, this);
  }

  stop(): void {
    this.stopped = true;
  }

  onEvent(): void {
    if (!this.started) {
      this.started = true;
      if (this.npkts === 0) {
        this.complete();
        return;
      }
      this.ctx.srcHost.activate(this, this.ctx.srcPort);
      return;
    }
    this.onTimer();
  }

  protected onTimer(): void {}

  protected complete(): void {
    if (this.finished) return;
    this.finished = true;
    const m = this.m;
    const now = this.ctx.network.events.nowPs;
    m.done = true;
    m.finishPs = now;
    m.fctPs = now - m.startPs;
    this.ctx.manager.flowDone(this);
  }

  metrics(): FlowMetrics {
    return { ...this.m };
  }

  abstract nicPull(): Packet | null;
  abstract onPacket(p: Packet, port: number): void;
  abstract onDrop(p: Packet): void;
  abstract uetHeaders(p: Packet): Uint8Array | null;
}

/** RUDI: reliable unordered delivery for idempotent operations, no PDC. */
export class RudiFlow extends ModeFlow {
  private readonly state: Uint8Array;
  private readonly sendTime: Float64Array;
  private readonly rtx = new IntHeap(64);
  private readonly order = new PsnTimeRing(64);
  private readonly idBase: number;
  private readonly windowBytes: number;
  private readonly timeoutPs: number;
  private readonly retransmits: boolean;
  private nextNew = 0;
  private acked = 0;
  private inflight = 0;
  private timerAt = Infinity;

  constructor(spec: FlowSpec, ctx: FlowContext, o: ModeOptions) {
    super(spec, ctx, o);
    this.state = new Uint8Array(this.npkts);
    this.sendTime = new Float64Array(this.npkts);
    this.idBase = hash32(ctx.id, spec.src, 0x5d1) >>> 0;
    const link = ctx.srcHost.egress[ctx.srcPort];
    const rate = link === null ? 100e9 : link.rateBps;
    const rtt = Math.max(1, unloadedRttPs(estimatePath(ctx.network, spec.src, spec.dst), o.mtuBytes, o.ackBytes));
    this.windowBytes = Math.max(o.mtuBytes, o.windowBytes ?? 1.5 * (rate / 8) * (rtt / 1e12));
    this.timeoutPs = o.rudiTimeoutPs ?? Math.max(4 * rtt, 20_000_000);
    this.retransmits = !(this.txPds.uec && this.txPds.defects.rudiNoRetransmit);
  }

  /** Packet id of request `seq`. */
  private idOf(seq: number): number {
    return (this.idBase + seq) >>> 0;
  }

  nicPull(): Packet | null {
    if (this.finished || this.stopped || !this.started) return null;
    while (this.rtx.size > 0) {
      const seq = this.rtx.peek();
      if (this.state[seq] !== ST_RTXQ) {
        this.rtx.pop();
        continue;
      }
      const size = this.sizeOf(seq);
      if (this.inflight > 0 && this.inflight + size > this.windowBytes) return null;
      this.rtx.pop();
      this.m.retransmissions++;
      return this.send(seq, PacketFlag.Retx);
    }
    const seq = this.nextNew;
    if (seq >= this.npkts) return null;
    const size = this.sizeOf(seq);
    if (this.inflight > 0 && this.inflight + size > this.windowBytes) return null;
    this.nextNew++;
    return this.send(seq, 0);
  }

  private send(seq: number, flags: number): Packet {
    const p = this.data(seq, flags);
    const now = this.ctx.network.events.nowPs;
    this.state[seq] = ST_INFLIGHT;
    this.sendTime[seq] = now;
    this.inflight += p.size;
    this.order.push(seq, now);
    if (this.retransmits) this.armAt(now + this.timeoutPs);
    return p;
  }

  private armAt(t: number): void {
    if (t >= this.timerAt) return;
    this.timerAt = t;
    this.ctx.network.events.schedule(t, this);
  }

  protected override onTimer(): void {
    const now = this.ctx.network.events.nowPs;
    if (now < this.timerAt) return;
    this.timerAt = Infinity;
    if (this.finished || this.stopped) return;
    let fired = false;
    while (this.order.length > 0) {
      const seq = this.order.headPsn();
      const t = this.order.headTime();
      if (this.state[seq] !== ST_INFLIGHT || this.sendTime[seq] !== t) {
        this.order.shift();
        continue;
      }
      if (t + this.timeoutPs > now) {
        this.armAt(t + this.timeoutPs);
        break;
      }
      this.order.shift();
      this.m.rtoFired++;
      this.requeue(seq);
      fired = true;
    }
    if (fired) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  private requeue(seq: number): void {
    this.state[seq] = ST_RTXQ;
    this.inflight -= this.sizeOf(seq);
    this.rtx.push(seq);
  }

  onPacket(p: Packet): void {
    const net = this.ctx.network;
    if (p.type === PacketType.Data) this.onRequest(p);
    else if (p.type === PacketType.Ack) this.onResponse(p);
    else if (p.type === PacketType.Nack) this.onNack(p);
    net.pool.release(p);
  }

  onDrop(p: Packet): void {
    if (p.type === PacketType.Data) this.m.lostFrames++;
  }

  private answer(p: Packet, type: number): Packet {
    const net = this.ctx.network;
    const a = net.pool.alloc();
    a.type = type;
    a.size = this.o.ackBytes;
    a.priority = PRIO_HIGH;
    a.flowId = this.id;
    a.src = this.spec.dst;
    a.dst = this.spec.src;
    a.entropy = p.entropy;
    a.seq = p.seq;
    a.flags = (p.flags & PacketFlag.Retx) | ((p.flags & PacketFlag.EcnCe) !== 0 ? PacketFlag.EcnEcho : 0);
    a.echoPs = p.sentPs;
    a.sentPs = net.events.nowPs;
    return a;
  }

  /** Target: no state; every request is handed up and answered. */
  private onRequest(p: Packet): void {
    if ((p.flags & PacketFlag.Trimmed) !== 0) {
      this.m.trimmedSeen++;
      const n = this.answer(p, PacketType.Nack);
      n.ackSeq = UET_NACK_CODE.TRIMMED;
      this.ctx.dstHost.sendNow(n, this.ctx.dstPort);
      return;
    }
    const m = this.m;
    m.rxFrames++;
    m.rxBytes += p.payload;
    this.ctx.dstHost.sendNow(this.answer(p, PacketType.Ack), this.ctx.dstPort);
  }

  private onResponse(p: Packet): void {
    this.m.acks++;
    const seq = p.seq;
    if (this.finished || seq >= this.npkts) return;
    const s = this.state[seq];
    if (s === ST_ACKED || s === ST_UNSENT) return;
    if (s === ST_INFLIGHT) this.inflight -= this.sizeOf(seq);
    this.state[seq] = ST_ACKED;
    if (++this.acked === this.npkts) {
      this.complete();
      return;
    }
    if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
  }

  private onNack(p: Packet): void {
    this.m.nacks++;
    if (this.finished || !this.retransmits) return;
    const seq = p.seq;
    if (seq < this.npkts && this.state[seq] === ST_INFLIGHT) {
      this.requeue(seq);
      if (!this.stopped) this.ctx.srcHost.activate(this, this.ctx.srcPort);
    }
  }

  uetHeaders(p: Packet): Uint8Array | null {
    if (!this.txPds.uec) return null;
    const retx = (p.flags & PacketFlag.Retx) !== 0;
    switch (p.type) {
      case PacketType.Data:
        return rudiRequestHeaders(this.idOf(p.seq), retx, this.ses(p.seq));
      case PacketType.Ack:
        return rudiResponseHeaders(this.idOf(p.seq), (p.flags & PacketFlag.EcnEcho) !== 0, retx, this.id, this.txPds.config.jobId);
      case PacketType.Nack:
        return nackHeaders({ code: p.ackSeq, psn: this.idOf(p.seq), spdcid: 0, dpdcid: 0, retx, rudi: true });
      default:
        return null;
    }
  }
}

/** UUD: unreliable unordered delivery, no acknowledgement, no retransmission. */
export class UudFlow extends ModeFlow {
  private nextSeq = 0;

  nicPull(): Packet | null {
    if (this.finished || this.stopped || !this.started || this.nextSeq >= this.npkts) return null;
    const p = this.data(this.nextSeq++, 0);
    if (this.nextSeq === this.npkts) this.checkDone();
    return p;
  }

  onPacket(p: Packet): void {
    const m = this.m;
    if (p.type === PacketType.Data) {
      if ((p.flags & PacketFlag.Trimmed) !== 0) {
        m.trimmedSeen++;
        m.lostFrames++;
      } else {
        m.rxFrames++;
        m.rxBytes += p.payload;
      }
    }
    this.ctx.network.pool.release(p);
    this.checkDone();
  }

  onDrop(p: Packet): void {
    if (p.type !== PacketType.Data) return;
    this.m.lostFrames++;
    this.checkDone();
  }

  private checkDone(): void {
    if (this.nextSeq < this.npkts) return;
    const m = this.m;
    if (m.rxFrames + m.lostFrames >= m.txFrames) this.complete();
  }

  uetHeaders(p: Packet): Uint8Array | null {
    if (!this.txPds.uec || p.type !== PacketType.Data) return null;
    return uudHeaders(this.ses(p.seq));
  }
}
