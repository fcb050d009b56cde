// Credit-based flow control (UE 1.0 §5.2) on one direction of a cable: the sender spends credits the receiver grants.
//
// Guarantees: a data (low-class, VC 0) frame starts serialisation only if consumed + its credits
// <= the limit the receiver granted (pkt_credits = ceil((size + overhead) / creditBytes), 128 B by
// default), so the receiver's buffer for this port never holds more than the grant; the counters
// credits-consumed (sender) and credits-freed (receiver) are 20-bit and cyclic, and the credits in
// use are their difference modulo 2^20. The receiver frees a frame's credits when the frame leaves
// its buffer (a switch: when it leaves the egress queue it went to, sent, trimmed or dropped; a NIC:
// on arrival) and returns the freed counter in a CF_Update control ordered set, one propagation
// delay later (lost while the reverse direction is down; the next one carries the newer cumulative
// value). Every `ccUpdateIntervalPs` the sender sends a CC_Update with its consumed counter; the
// receiver counts as freed the credits of frames that never arrived (lost on the fibre), so lost
// frames do not leak credits. With LLR on the same direction the link layer repairs losses and
// reconciliation is left to LLR's flush (its flushed frames' credits are given back). Control and
// trimmed-header traffic (the high class) is not credited. Defect `ignoresCredits`: the sender
// counts but never waits.

import type { EventList, EventSource } from '../sim/eventlist.ts';
import type { Link } from '../sim/link.ts';
import { PacketType, PRIO_HIGH, type Packet, type PacketSink } from '../sim/packet.ts';
import type { IngressAccounting } from '../sim/queue.ts';
import type { Switch } from '../fabric/switch.ts';

export interface CbfcConfig {
  creditBytes: number;
  /** Bytes added to a frame's size before it is turned into credits (preamble, IFG...). */
  overheadBytes: number;
  ccUpdateIntervalPs: number;
  counterBits: number;
}

/** OCP SAI CBFC design values: 128-byte credits, CC_Update every 256 us, 20-bit counters. */
export const CBFC_DEFAULTS: CbfcConfig = { creditBytes: 128, overheadBytes: 0, ccUpdateIntervalPs: 256_000_000, counterBits: 20 };

export interface CbfcTxCounters {
  framesAdmitted: number;
  timesBlocked: number;
  heldPs: number;
  cfUpdatesRx: number;
  ccUpdatesTx: number;
  creditsReturnedByFlush: number;
}

export interface CbfcRxCounters {
  framesRx: number;
  cfUpdatesTx: number;
  ccUpdatesRx: number;
  creditsReconciled: number;
  /** Most credits in use at once (frames buffered from this port). */
  peakCreditsInUse: number;
}

/** A FIFO of messages arriving after a fixed delay (one pending event). */
class Line implements EventSource {
  simId?: number;
  private readonly at: number[] = [];
  private readonly val: number[] = [];
  private head = 0;
  constructor(
    private readonly events: EventList,
    private readonly deliver: (v: number) => void,
  ) {}
  send(delayPs: number, v: number): void {
    if (this.head === this.at.length) {
      this.at.length = this.val.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at.splice(0, this.head);
      this.val.splice(0, this.head);
      this.head = 0;
    }
    const t = this.events.nowPs + delayPs;
    this.at.push(t);
    this.val.push(v);
    if (this.at.length - this.head === 1) this.events.schedule(t, this);
  }
  onEvent(): void {
    const v = this.val[this.head++];
    if (this.head < this.at.length) this.events.schedule(this.at[this.head], this);
    this.deliver(v);
  }
}

export class CbfcDirection implements EventSource {
  simId?: number;
  /** Credits the receiver grants (its buffer for this port); set by the receiving end. */
  limit: number;
  ignoresCredits = false;
  readonly tx: CbfcTxCounters = { framesAdmitted: 0, timesBlocked: 0, heldPs: 0, cfUpdatesRx: 0, ccUpdatesTx: 0, creditsReturnedByFlush: 0 };
  readonly rx: CbfcRxCounters = { framesRx: 0, cfUpdatesTx: 0, ccUpdatesRx: 0, creditsReconciled: 0, peakCreditsInUse: 0 };
  private readonly mask: number;
  // sender
  private consumed = 0;
  private freedSeen = 0;
  private blockedSincePs = -1;
  // receiver
  private received = 0;
  private freed = 0;
  private readonly credits = new Map<Packet, number>();
  private readonly cf: Line;
  private readonly cc: Line;
  private active = false;
  private ccTimerArmed = false;
  /** Set while LLR runs on this direction: losses are repaired there, not reconciled here. */
  llrActive = false;

  constructor(
    private readonly events: EventList,
    readonly link: Link,
    readonly config: CbfcConfig,
    limit: number,
  ) {
    this.mask = 2 ** config.counterBits - 1;
    this.limit = Math.max(0, Math.floor(limit));
    this.cf = new Line(events, (v) => this.onCfUpdate(v));
    this.cc = new Line(events, (v) => this.onCcUpdate(v));
  }

  get enabled(): boolean {
    return this.active;
  }

  /** Credits of a frame of `bytes`. */
  creditsOf(bytes: number): number {
    return Math.ceil((bytes + this.config.overheadBytes) / this.config.creditBytes);
  }

  /** Consumed and freed counters as the 20-bit fields carry them. */
  get consumedCounter(): number {
    return this.consumed;
  }
  get freedCounter(): number {
    return this.freed;
  }
  /** Credits in use as the sender sees them ((consumed - freed seen) mod 2^bits). */
  get inUse(): number {
    return (this.consumed - this.freedSeen) & this.mask;
  }
  get available(): number {
    return this.limit - this.inUse;
  }
  get blocked(): boolean {
    return this.blockedSincePs >= 0;
  }
  /** Credits held at the receiver (frames of this port in its buffer). */
  get rxInUse(): number {
    return (this.received - this.freed) & this.mask;
  }

  enable(): void {
    if (this.active) return;
    this.active = true;
    this.link.queue.lowGate = this;
    if (!this.ccTimerArmed) {
      this.ccTimerArmed = true;
      this.events.schedule(this.events.nowPs + this.config.ccUpdateIntervalPs, this);
    }
  }

  disable(): void {
    if (!this.active) return;
    this.active = false;
    if (this.link.queue.lowGate === this) this.link.queue.lowGate = null;
    this.unblock();
    this.link.queue.resume();
  }

  // --- sender -------------------------------------------------------------------------------

  /** The queue asks before a data frame starts serialisation. */
  admit(p: Packet): boolean {
    const need = this.creditsOf(p.size);
    if (!this.ignoresCredits && this.inUse + need > this.limit) {
      if (this.blockedSincePs < 0) {
        this.blockedSincePs = this.events.nowPs;
        this.tx.timesBlocked++;
      }
      return false;
    }
    this.unblock();
    this.consumed = (this.consumed + need) & this.mask;
    this.tx.framesAdmitted++;
    return true;
  }

  private unblock(): void {
    if (this.blockedSincePs < 0) return;
    this.tx.heldPs += this.events.nowPs - this.blockedSincePs;
    this.blockedSincePs = -1;
  }

  private onCfUpdate(freed: number): void {
    this.tx.cfUpdatesRx++;
    this.freedSeen = freed;
    if (this.active) this.link.queue.resume();
  }

  /** LLR flushed these frames: their credits were consumed but will never be freed. */
  returnCredits(frames: readonly Packet[]): void {
    let c = 0;
    for (const p of frames) if (p.priority !== PRIO_HIGH && p.type !== PacketType.Pfc) c += this.creditsOf(p.size);
    if (c === 0) return;
    this.tx.creditsReturnedByFlush += c;
    this.freed = (this.freed + c) & this.mask;
    this.received = (this.received + c) & this.mask;
    this.sendCf();
  }

  /** CC_Update timer. */
  onEvent(): void {
    if (!this.active) {
      this.ccTimerArmed = false;
      return;
    }
    this.tx.ccUpdatesTx++;
    // In band: it arrives after every frame admitted before it (one frame time of margin).
    const margin = Math.ceil(this.link.queue.psPerByte * 10_000);
    if (this.link.isUp) this.cc.send(this.link.delayPs + margin, this.consumed);
    this.events.schedule(this.events.nowPs + this.config.ccUpdateIntervalPs, this);
  }

  // --- receiver -----------------------------------------------------------------------------

  /** A frame arrived from the sender (before it enters the receiver's buffer). */
  arrive(p: Packet): number {
    if (!this.active || p.priority === PRIO_HIGH || p.type === PacketType.Pfc) return 0;
    const c = this.creditsOf(p.size);
    this.received = (this.received + c) & this.mask;
    this.rx.framesRx++;
    if (this.rxInUse > this.rx.peakCreditsInUse) this.rx.peakCreditsInUse = this.rxInUse;
    return c;
  }

  /** Frame `p` (holding `c` credits) left the receiver's buffer. */
  release(c: number): void {
    if (c === 0) return;
    this.freed = (this.freed + c) & this.mask;
    this.sendCf();
  }

  /** Remembers a buffered frame's credits until it leaves (switch receivers). */
  hold(p: Packet, c: number): void {
    if (c > 0) this.credits.set(p, c);
  }

  /** The frame left; returns whether it was one of this direction's. */
  leave(p: Packet): boolean {
    const c = this.credits.get(p);
    if (c === undefined) return false;
    this.credits.delete(p);
    this.release(c);
    return true;
  }

  private sendCf(): void {
    const back = this.link.reverse;
    this.rx.cfUpdatesTx++;
    if (back === null || back.isUp) this.cf.send(back?.delayPs ?? this.link.delayPs, this.freed);
  }

  private onCcUpdate(consumed: number): void {
    this.rx.ccUpdatesRx++;
    if (this.llrActive) return;
    const lost = (consumed - this.received) & this.mask;
    // A difference in the upper half is frames still in flight after a counter race: never negative.
    if (lost === 0 || lost > this.mask >>> 1) return;
    this.rx.creditsReconciled += lost;
    this.received = consumed;
    this.freed = (this.freed + lost) & this.mask;
    this.sendCf();
  }
}

/**
 * The receiving end of CBFC directions on one device: it stands in for the device as the link's
 * sink (counting what arrives) and, on a switch, as its queues' ingress accounting (freeing what
 * leaves); PFC accounting, if the switch has it, still runs.
 */
export class CreditIngress implements IngressAccounting {
  /** CBFC direction arriving at each port of the device (null: none). */
  readonly byPort: (CbfcDirection | null)[];

  constructor(
    private readonly device: PacketSink,
    ports: number,
    private readonly sw: Switch | null,
  ) {
    this.byPort = new Array<CbfcDirection | null>(ports).fill(null);
  }

  /** Makes `dir` (arriving at `port`) counted here. */
  attach(port: number, dir: CbfcDirection): void {
    this.byPort[port] = dir;
    const link = dir.link;
    const sink = this.sinkFor(port);
    link.sink = sink;
    if (this.sw !== null) for (const l of this.sw.egress) if (l !== null) l.queue.ingress = this;
  }

  private sinkFor(port: number): PacketSink {
    return {
      receive: (p: Packet, inPort: number): void => {
        const dir = this.byPort[port];
        const c = dir === null ? 0 : dir.arrive(p);
        if (c > 0) {
          if (this.sw === null) dir!.release(c);
          else {
            p.inPort = inPort;
            dir!.hold(p, c);
          }
        }
        this.device.receive(p, inPort);
      },
    };
  }

  onLeave(p: Packet): void {
    const port = p.inPort;
    const dir = port >= 0 && port < this.byPort.length ? this.byPort[port] : null;
    if (dir !== null) dir.leave(p);
    if (this.sw !== null && this.sw.pfcEnabled) this.sw.onLeave(p);
    else p.inPort = -1;
  }
}
