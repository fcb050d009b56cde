// Link Layer Retry (UE 1.0 §5.1) on one direction of a cable: per-frame sequence, cumulative ACK / NACK, replay, FLUSH.
//
// The transmitter sits between the link's queue and its pipe: every frame that finishes
// serialisation gets the next sequence number (it rides in the preamble) and a copy is kept until
// a cumulative ACK covers it. The receiver sits at the pipe's end: it decides the fibre's loss and
// bit errors per frame (as Link.deliver does), accepts only the next sequence number, and answers a
// corrupted or out-of-sequence frame with one NACK naming the frame it expects (state NACK_SENT
// until that frame arrives); frames after the gap are discarded (go-back-N on the link). ACKs
// (every `ackEveryFrames` accepted frames, or `ackDelayPs` after an unacknowledged one) and NACKs
// are control ordered sets inserted by the PCS: they cost no frame time and arrive one propagation
// delay later (lost while the reverse direction is down). On a NACK, or when the oldest frame has
// gone `replayTimerPs` without an ACK, the transmitter replays every unacknowledged frame from that
// point at the head of the queue (high class, before new data); more than `replayCountMax` replays
// without progress, frames older than `dataAgeTimeoutPs`, or the PCS down longer than
// `pcsLostTimeoutPs` FLUSH the buffer (those frames are dropped; end-to-end recovery takes over) and
// the link re-initialises (the next frame tells the receiver where the sequence resumes).
// TX states OFF, INIT, ADVANCE, REPLAY, FLUSH; RX states OFF, SEND_ACKS, NACK_SENT (SEND_NACK is
// transient here). Sequence numbers are kept whole; state readers get them modulo 2^seqBits (20
// bits, or 19 where a source wraps at 2^19 - 1: a parameter). PFC frames are not sequenced.
// Defects: `neverResends` (NACKs and timers are noted but nothing is replayed), `noFlush` (the
// replay limit and the timeouts never flush).

import type { EventList, EventSource } from '../sim/eventlist.ts';
import type { Link } from '../sim/link.ts';
import { PacketType, PRIO_HIGH, type Packet, type PacketPool, type PacketSink } from '../sim/packet.ts';
import type { PipeDelivery } from '../sim/pipe.ts';
import type { Rng } from '../sim/rng.ts';

export interface LlrConfig {
  replayTimerPs: number;
  replayCountMax: number;
  pcsLostTimeoutPs: number;
  dataAgeTimeoutPs: number;
  /** Width of the sequence number as state readers see it (20; some sources wrap at 2^19 - 1). */
  seqBits: number;
  ackEveryFrames: number;
  ackDelayPs: number;
}

/** protocol-facts sample values (200G at 5 m): replay timer 5 us, 3 replays, PCS lost 50 us, data age 20 us. */
export const LLR_DEFAULTS: LlrConfig = {
  replayTimerPs: 5_000_000,
  replayCountMax: 3,
  pcsLostTimeoutPs: 50_000_000,
  dataAgeTimeoutPs: 20_000_000,
  seqBits: 20,
  ackEveryFrames: 4,
  ackDelayPs: 500_000,
};

export type LlrTxState = 'OFF' | 'INIT' | 'ADVANCE' | 'REPLAY' | 'FLUSH';
export type LlrRxState = 'OFF' | 'SEND_ACKS' | 'SEND_NACK' | 'NACK_SENT';

export interface LlrDefects {
  neverResends: boolean;
  noFlush: boolean;
}

export interface LlrTxCounters {
  framesTx: number;
  replays: number;
  replayedFrames: number;
  acksRx: number;
  nacksRx: number;
  flushes: number;
  flushedFrames: number;
  flushesReplayCount: number;
  flushesDataAge: number;
  flushesPcsLost: number;
  maxOutstandingFrames: number;
}

export interface LlrRxCounters {
  framesRx: number;
  errorsRx: number;
  discardsRx: number;
  acksTx: number;
  nacksTx: number;
}

interface Held {
  seq: number;
  copy: Packet;
  priority: number;
  firstSentPs: number;
  lastSentPs: number;
}

interface PendingReplay {
  seq: number;
  priority: number;
}

/**
 * Marks a replay copy while it waits in the queue (a bit no packet flag uses; a pooled record's
 * flags are cleared on release, so a copy the queue dropped can never be mistaken for one later).
 */
const LLR_REPLAY_FLAG = 1 << 24;

const MSG_ACK = 0;
const MSG_NACK = 1;

/** Copies every field of a pooled packet record into a fresh one. */
export function clonePacket(pool: PacketPool, p: Packet): Packet {
  const c = pool.alloc();
  const src = p as unknown as Record<string, unknown>;
  const dst = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(src)) if (k !== 'nextFree' && k !== 'poolId') dst[k] = src[k];
  c.nextFree = null;
  return c;
}

/** A FIFO of ordered sets on their way back to the transmitter (one pending event). */
class ReturnPath implements EventSource {
  simId?: number;
  private readonly at: number[] = [];
  private readonly kind: number[] = [];
  private readonly seq: number[] = [];
  private head = 0;
  constructor(
    private readonly events: EventList,
    private readonly deliver: (kind: number, seq: number) => void,
  ) {}
  send(delayPs: number, kind: number, seq: number): void {
    const t = this.events.nowPs + delayPs;
    if (this.head === this.at.length) {
      this.at.length = this.kind.length = this.seq.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at.splice(0, this.head);
      this.kind.splice(0, this.head);
      this.seq.splice(0, this.head);
      this.head = 0;
    }
    this.at.push(t);
    this.kind.push(kind);
    this.seq.push(seq);
    if (this.at.length - this.head === 1) this.events.schedule(t, this);
  }
  onEvent(): void {
    const i = this.head++;
    const k = this.kind[i];
    const s = this.seq[i];
    if (this.head < this.at.length) this.events.schedule(this.at[this.head], this);
    this.deliver(k, s);
  }
}

/** A re-armable one-shot timer calling back at its due time. */
class Timer implements EventSource {
  simId?: number;
  private dueAt = Infinity;
  constructor(
    private readonly events: EventList,
    private readonly fire: () => void,
  ) {}
  arm(atPs: number): void {
    if (atPs >= this.dueAt) return;
    this.dueAt = atPs;
    this.events.schedule(Math.max(atPs, this.events.nowPs), this);
  }
  onEvent(): void {
    if (this.events.nowPs < this.dueAt) return;
    this.dueAt = Infinity;
    this.fire();
  }
}

/** LLR on one direction of a cable (the link from this end to the far one). */
export class LlrDirection implements PacketSink, PipeDelivery {
  txState: LlrTxState = 'OFF';
  rxState: LlrRxState = 'OFF';
  readonly tx: LlrTxCounters = {
    framesTx: 0,
    replays: 0,
    replayedFrames: 0,
    acksRx: 0,
    nacksRx: 0,
    flushes: 0,
    flushedFrames: 0,
    flushesReplayCount: 0,
    flushesDataAge: 0,
    flushesPcsLost: 0,
    maxOutstandingFrames: 0,
  };
  readonly rx: LlrRxCounters = { framesRx: 0, errorsRx: 0, discardsRx: 0, acksTx: 0, nacksTx: 0 };
  /** Told the frames a FLUSH gives up (before they are dropped), e.g. to return their credits. */
  onFlush: ((frames: readonly Packet[]) => void) | null = null;

  // transmitter
  private nextSeq = 0;
  private held: Held[] = [];
  private heldHead = 0;
  /** Replay copies in the queue (marked LLR_REPLAY_FLAG); a marked copy missing here was flushed. */
  private readonly replays = new Map<Packet, PendingReplay>();
  private replayCount = 0;
  /** A NACK that came while a replay was still going out: served once that replay is sent. */
  private deferredNack = -1;
  private initPending = false;
  /** The frame that tells the receiver where the sequence (re)starts, until an ACK shows it arrived. */
  private initSeq = -1;
  private downSincePs = -1;
  /** Sequence numbers of the frames in the pipe, in order (negative: -(seq + 1), the first after INIT). */
  private wireSeqs: number[] = [];
  private wireHead = 0;
  private readonly txTimer: Timer;
  private readonly back: ReturnPath;

  // receiver
  private expected = 0;
  private unacked = 0;
  private lastNackPs = -Infinity;
  private readonly ackTimer: Timer;

  constructor(
    private readonly events: EventList,
    private readonly pool: PacketPool,
    private readonly rng: Rng,
    readonly link: Link,
    readonly config: LlrConfig,
    readonly defects: LlrDefects,
  ) {
    this.txTimer = new Timer(events, () => this.onTxTimer());
    this.ackTimer = new Timer(events, () => this.sendAck());
    this.back = new ReturnPath(events, (kind, seq) => (kind === MSG_ACK ? this.onAck(seq) : this.onNack(seq)));
  }

  get enabled(): boolean {
    return this.txState !== 'OFF';
  }

  /** Frames held for replay (sent, not yet acknowledged). */
  get outstandingFrames(): number {
    return this.held.length - this.heldHead;
  }

  /** The next sequence number as the preamble carries it. */
  get txSeq(): number {
    return this.nextSeq % 2 ** this.config.seqBits;
  }

  get rxExpectedSeq(): number {
    return this.expected % 2 ** this.config.seqBits;
  }

  enable(): void {
    if (this.enabled) return;
    this.link.queue.next = this;
    this.link.pipe.out = this;
    this.txState = 'INIT';
    this.rxState = 'SEND_ACKS';
    this.initPending = true;
  }

  disable(): void {
    if (!this.enabled) return;
    this.link.queue.next = this.link.pipe;
    // Frames still in the pipe keep their sequence entries: the receiver drains them first.
    for (let i = this.heldHead; i < this.held.length; i++) this.pool.release(this.held[i].copy);
    this.held = [];
    this.heldHead = 0;
    this.replays.clear();
    this.txState = 'OFF';
  }

  // --- transmitter --------------------------------------------------------------------------

  /** A frame leaving the queue (end of serialisation): sequence it, keep a copy, send it. */
  receive(p: Packet, _port?: number): void {
    if (!this.enabled || p.type === PacketType.Pfc) {
      this.link.pipe.receive(p);
      return;
    }
    const now = this.events.nowPs;
    let seq: number;
    let drained = false;
    if ((p.flags & LLR_REPLAY_FLAG) !== 0) {
      p.flags &= ~LLR_REPLAY_FLAG;
      const r = this.replays.get(p);
      if (r === undefined) {
        // Its frame was flushed while it waited: it never reaches the wire.
        this.pool.release(p);
        return;
      }
      this.replays.delete(p);
      seq = r.seq;
      p.priority = r.priority;
      const h = this.find(seq);
      if (h !== null) h.lastSentPs = now;
      drained = this.replays.size === 0;
    } else {
      seq = this.nextSeq++;
      const copy = clonePacket(this.pool, p);
      this.held.push({ seq, copy, priority: p.priority, firstSentPs: now, lastSentPs: now });
      this.tx.framesTx++;
      if (this.outstandingFrames > this.tx.maxOutstandingFrames) this.tx.maxOutstandingFrames = this.outstandingFrames;
      // Sent ahead of a replay under way (it was already in service): the receiver discards it,
      // so it joins the end of the replay (go-back-N covers everything after the NACKed frame).
      if (this.replayUnderWay()) this.enqueueReplay(copy, seq, p.priority);
    }
    if (this.initPending) {
      this.initPending = false;
      this.initSeq = seq;
    }
    this.pushWire(this.txState === 'INIT' && seq === this.initSeq ? -(seq + 1) : seq);
    this.link.pipe.receive(p);
    if (drained && this.deferredNack >= 0) {
      const from = this.deferredNack;
      this.deferredNack = -1;
      if (this.find(from) !== null) this.replay(from);
    }
    this.armTx();
  }

  private pushWire(v: number): void {
    if (this.wireHead === this.wireSeqs.length) {
      this.wireSeqs = [];
      this.wireHead = 0;
    } else if (this.wireHead > 1024 && this.wireHead * 2 > this.wireSeqs.length) {
      this.wireSeqs = this.wireSeqs.slice(this.wireHead);
      this.wireHead = 0;
    }
    this.wireSeqs.push(v);
  }

  private find(seq: number): Held | null {
    const first = this.heldHead < this.held.length ? this.held[this.heldHead].seq : -1;
    if (first < 0 || seq < first) return null;
    const h = this.held[this.heldHead + (seq - first)];
    return h !== undefined && h.seq === seq ? h : null;
  }

  /** Drops the copies of every frame before `seq` (acknowledged). */
  private releaseBefore(seq: number): boolean {
    let progress = false;
    while (this.heldHead < this.held.length && this.held[this.heldHead].seq < seq) {
      this.pool.release(this.held[this.heldHead++].copy);
      progress = true;
    }
    if (this.heldHead > 1024 && this.heldHead * 2 > this.held.length) {
      this.held = this.held.slice(this.heldHead);
      this.heldHead = 0;
    }
    return progress;
  }

  private onAck(seq: number): void {
    if (!this.enabled) return;
    this.tx.acksRx++;
    if (this.releaseBefore(seq)) this.replayCount = 0;
    if (this.txState === 'INIT' || (this.txState === 'REPLAY' && !this.replayUnderWay())) this.txState = 'ADVANCE';
  }

  private onNack(seq: number): void {
    if (!this.enabled) return;
    this.tx.nacksRx++;
    if (this.releaseBefore(seq)) this.replayCount = 0;
    if (this.replayUnderWay()) this.deferredNack = seq;
    else this.replay(seq);
  }

  private replay(from: number): void {
    if (this.defects.neverResends) return;
    if (this.replayUnderWay()) return; // a replay is still on its way out
    if (!this.link.isUp) return;
    if (++this.replayCount > this.config.replayCountMax && !this.defects.noFlush) {
      this.flush('replay-count');
      return;
    }
    let n = 0;
    for (let i = this.heldHead; i < this.held.length; i++) {
      const h = this.held[i];
      if (h.seq < from) continue;
      if (!this.enqueueReplay(h.copy, h.seq, h.priority)) break;
      n++;
    }
    if (n > 0) {
      this.tx.replays++;
      this.tx.replayedFrames += n;
      this.txState = 'REPLAY';
    }
    this.armTx();
  }

  /** Queues a copy of a held frame at the head of the link (high class); false if the queue refused it. */
  private enqueueReplay(held: Packet, seq: number, priority: number): boolean {
    const q = this.link.queue;
    const copy = clonePacket(this.pool, held);
    copy.priority = PRIO_HIGH;
    copy.inPort = -1;
    copy.flags |= LLR_REPLAY_FLAG;
    this.replays.set(copy, { seq, priority });
    const drops = q.drops;
    q.receive(copy);
    if (q.drops !== drops) {
      this.replays.delete(copy); // down or full (the record is back in the pool)
      return false;
    }
    return true;
  }

  /** Replay copies still queued (those the queue dropped since, on a link down, are forgotten). */
  private replayUnderWay(): boolean {
    if (this.replays.size === 0) return false;
    for (const c of this.replays.keys()) if ((c.flags & LLR_REPLAY_FLAG) === 0) this.replays.delete(c);
    return this.replays.size > 0;
  }

  private flush(reason: 'replay-count' | 'data-age' | 'pcs-lost'): void {
    this.txState = 'FLUSH';
    const n = this.outstandingFrames;
    if (this.onFlush !== null) this.onFlush(this.held.slice(this.heldHead).map((h) => h.copy));
    for (let i = this.heldHead; i < this.held.length; i++) this.pool.drop(this.held[i].copy);
    this.held = [];
    this.heldHead = 0;
    // Replays still queued are part of the buffer given up: they never reach the wire.
    this.replays.clear();
    this.deferredNack = -1;
    this.replayCount = 0;
    this.tx.flushes++;
    this.tx.flushedFrames += n;
    if (reason === 'replay-count') this.tx.flushesReplayCount++;
    else if (reason === 'data-age') this.tx.flushesDataAge++;
    else this.tx.flushesPcsLost++;
    this.initPending = true;
    this.txState = 'INIT';
  }

  private armTx(): void {
    if (this.outstandingFrames === 0) return;
    const c = this.config;
    const oldest = this.held[this.heldHead];
    const now = this.events.nowPs;
    let t = oldest.lastSentPs + c.replayTimerPs;
    // A replay still queued (or refused) restarts the period instead of firing at once.
    if (t <= now) t = now + c.replayTimerPs;
    if (!this.defects.noFlush) {
      t = Math.min(t, oldest.firstSentPs + c.dataAgeTimeoutPs);
      if (this.downSincePs >= 0) t = Math.min(t, this.downSincePs + c.pcsLostTimeoutPs);
    }
    this.txTimer.arm(t);
  }

  private onTxTimer(): void {
    if (!this.enabled || this.outstandingFrames === 0) return;
    const now = this.events.nowPs;
    const c = this.config;
    if (!this.link.isUp) {
      if (this.downSincePs < 0) this.downSincePs = now;
      if (!this.defects.noFlush && now - this.downSincePs >= c.pcsLostTimeoutPs) {
        this.flush('pcs-lost');
        return;
      }
      this.txTimer.arm(this.defects.noFlush ? now + c.replayTimerPs : this.downSincePs + c.pcsLostTimeoutPs);
      return;
    }
    this.downSincePs = -1;
    const oldest = this.held[this.heldHead];
    if (!this.defects.noFlush && now - oldest.firstSentPs >= c.dataAgeTimeoutPs) {
      this.flush('data-age');
      return;
    }
    if (now - oldest.lastSentPs >= c.replayTimerPs) this.replay(oldest.seq);
    this.armTx();
  }

  // --- receiver -----------------------------------------------------------------------------

  /** A frame at the end of the fibre. */
  deliver(p: Packet): void {
    const link = this.link;
    if (p.type === PacketType.Pfc || this.wireHead >= this.wireSeqs.length) {
      link.deliver(p);
      return;
    }
    const tag = this.wireSeqs[this.wireHead++];
    const init = tag < 0;
    const seq = init ? -tag - 1 : tag;
    if (!link.isUp) {
      link.lost++;
      this.pool.release(p);
      return;
    }
    let bad = false;
    if (link.lossRate > 0 && this.rng.next() < link.lossRate) {
      link.lost++;
      bad = true;
    } else if (link.ber > 0) {
      const pLoss = -Math.expm1(p.size * 8 * Math.log1p(-link.ber));
      if (this.rng.next() < pLoss) {
        link.crcErrors++;
        link.rxStats.inErrors++;
        bad = true;
      }
    }
    if (init && !bad) {
      this.expected = seq;
      this.rxState = 'SEND_ACKS';
    }
    if (bad) {
      // The copy is held by the transmitter: this frame is not lost yet, only discarded here.
      this.rx.errorsRx++;
      this.pool.release(p);
      this.nack();
      return;
    }
    if (seq !== this.expected) {
      this.rx.discardsRx++;
      this.pool.release(p);
      if (seq > this.expected) this.nack();
      return;
    }
    this.expected++;
    if (this.rxState === 'NACK_SENT') this.rxState = 'SEND_ACKS';
    this.rx.framesRx++;
    link.rxPkts++;
    link.rxOctets += p.size;
    if (link.rxTap !== null) link.rxTap.onFrame(p, 'rx');
    if (++this.unacked >= this.config.ackEveryFrames) this.sendAck();
    else this.ackTimer.arm(this.events.nowPs + this.config.ackDelayPs);
    link.sink.receive(p, link.sinkPort);
  }

  private get backDelayPs(): number {
    return this.link.reverse?.delayPs ?? this.link.delayPs;
  }

  private backUp(): boolean {
    return this.link.reverse === null || this.link.reverse.isUp;
  }

  /**
   * NACKs the expected frame: from SEND_ACKS at once; from NACK_SENT again only once a round trip
   * has passed since the last NACK (the replay it asked for came and was bad too).
   */
  private nack(): void {
    const now = this.events.nowPs;
    if (this.rxState === 'NACK_SENT') {
      const rtt = this.link.delayPs + this.backDelayPs + this.link.queue.drainTimePs(10_000);
      if (now - this.lastNackPs < rtt) return;
    } else if (this.rxState !== 'SEND_ACKS') return;
    this.lastNackPs = now;
    this.rxState = 'SEND_NACK';
    this.rx.nacksTx++;
    if (this.backUp()) this.back.send(this.backDelayPs, MSG_NACK, this.expected);
    this.rxState = 'NACK_SENT';
  }

  private sendAck(): void {
    if (this.unacked === 0 || this.rxState === 'OFF') return;
    this.unacked = 0;
    this.rx.acksTx++;
    if (this.backUp()) this.back.send(this.backDelayPs, MSG_ACK, this.expected);
  }
}

/** LLR on both directions of a cable. */
export class LlrCable {
  readonly ab: LlrDirection;
  readonly ba: LlrDirection;
  constructor(events: EventList, pool: PacketPool, rng: Rng, ab: Link, ba: Link, config: LlrConfig, defectsA: LlrDefects, defectsB: LlrDefects) {
    this.ab = new LlrDirection(events, pool, rng.fork('ab'), ab, config, defectsA);
    this.ba = new LlrDirection(events, pool, rng.fork('ba'), ba, config, defectsB);
  }
  setEnabled(on: boolean): void {
    for (const d of [this.ab, this.ba]) {
      if (on) d.enable();
      else d.disable();
    }
  }
  get enabled(): boolean {
    return this.ab.enabled;
  }
}
