// A queue serialises packets onto a link at its rate; it drops, marks and trims (htsim `queue.cpp`,
// `compositequeue.cpp`).
//
// Guarantees: two strict-priority classes (high for control packets and trimmed headers, low for
// data); the queue schedules itself only when it goes from idle to busy and keeps at most one
// pending event (the end of its head packet's serialisation). ECN is decided when a low-class
// packet starts service, from the low-class backlog ahead of it: never below `ecnMinBytes`, always
// above `ecnMaxBytes`, with a linearly rising probability between. A data packet that does not fit
// is trimmed to a header and moved to the high class when trimming is on, dropped otherwise. A
// PFC pause stops the low class after the packet in service; the high class keeps flowing.

import type { EventList, EventSource } from './eventlist.ts';
import { HEADER_BYTES, PacketFlag, PacketType, PRIO_HIGH, type FrameTap, type Packet, type PacketPool, type PacketSink } from './packet.ts';
import type { Rng } from './rng.ts';
import { PortStats } from './stats.ts';

export interface QueueConfig {
  rateBps: number;
  /** Low-class (data) buffer, bytes. Infinity for an unbounded host queue. */
  maxBytes: number;
  /** High-class buffer, bytes (default 2 x maxBytes, as the reference simulator). */
  highMaxBytes?: number;
  /** ECN marking thresholds on the low-class backlog; marking is off when absent. */
  ecnMinBytes?: number;
  ecnMaxBytes?: number;
  /** Trim data packets that do not fit to a HEADER_BYTES header instead of dropping them. */
  trimming?: boolean;
}

/** Told when a packet leaves a queue (or is dropped there) so that ingress buffers are released. */
export interface IngressAccounting {
  onLeave(p: Packet): void;
}

/** Told after each departure so that a sender can refill its NIC queue. */
export interface DrainListener {
  onQueueDrain(queue: Queue): void;
}

const SERVING_NONE = -1;

export class Queue implements EventSource {
  simId?: number;
  readonly rateBps: number;
  /** Serialisation time per byte, picoseconds (may be fractional). */
  readonly psPerByte: number;
  maxBytes: number;
  highMaxBytes: number;
  ecnMinBytes: number;
  ecnMaxBytes: number;
  trimming: boolean;

  // Two FIFO rings kept inline (no separate ring objects: one pointer hop less per packet).
  private hBuf: (Packet | undefined)[] = new Array(16);
  private hHead = 0;
  private hN = 0;
  private hMask = 15;
  private lBuf: (Packet | undefined)[] = new Array(16);
  private lHead = 0;
  private lN = 0;
  private lMask = 15;
  highBytes = 0;
  lowBytes = 0;
  private serving = SERVING_NONE;
  private pausedLow = false;
  private up = true;

  /** Where serialised packets go (the link's pipe) and with which port number. */
  next: PacketSink | null = null;
  nextPort = 0;
  /** Counters of the transmitting port, and that port's number on its device. */
  stats: PortStats;
  ownerPort = 0;
  ingress: IngressAccounting | null = null;
  drain: DrainListener | null = null;
  /** Capture of transmitted frames. */
  tap: FrameTap | null = null;
  /**
   * Optional admission of the low class (link-level credit flow control): asked when the head
   * low-class packet would start service; false holds the class until `resume()` is called.
   */
  lowGate: { admit(p: Packet): boolean } | null = null;

  /** Frames and bytes sent (the transmitting port's out counters). */
  txPkts = 0;
  txOctets = 0;
  // queue-level counters beyond the port counters
  drops = 0;
  highDrops = 0;
  pausedPs = 0;
  private pausedSincePs = 0;
  peakBytes = 0;

  constructor(
    private readonly events: EventList,
    private readonly pool: PacketPool,
    private readonly rng: Rng,
    config: QueueConfig,
    stats?: PortStats,
  ) {
    if (!(config.rateBps > 0)) throw new RangeError(`queue rate must be > 0 b/s, got ${config.rateBps}`);
    this.rateBps = config.rateBps;
    this.psPerByte = 8e12 / config.rateBps;
    this.maxBytes = config.maxBytes;
    this.highMaxBytes = config.highMaxBytes ?? 2 * config.maxBytes;
    this.ecnMinBytes = config.ecnMinBytes ?? Infinity;
    this.ecnMaxBytes = config.ecnMaxBytes ?? Infinity;
    this.trimming = config.trimming ?? false;
    this.stats = stats ?? new PortStats();
    this.stats.tx = this;
  }

  get bytes(): number {
    return this.highBytes + this.lowBytes;
  }
  get packets(): number {
    return this.hN + this.lN;
  }
  get busy(): boolean {
    return this.serving !== SERVING_NONE;
  }
  get paused(): boolean {
    return this.pausedLow;
  }
  get isUp(): boolean {
    return this.up;
  }

  /** Serialisation time of `bytes` on this queue's link, integer picoseconds. */
  drainTimePs(bytes: number): number {
    return Math.ceil(bytes * this.psPerByte - 1e-6);
  }

  private hPush(p: Packet): void {
    if (this.hN === this.hBuf.length) this.hGrow();
    this.hBuf[(this.hHead + this.hN) & this.hMask] = p;
    this.hN++;
  }
  private hShift(): Packet {
    // Slots are not cleared: packets are pooled, so a stale reference keeps nothing alive.
    const p = this.hBuf[this.hHead] as Packet;
    this.hHead = (this.hHead + 1) & this.hMask;
    this.hN--;
    return p;
  }
  private hUnshift(p: Packet): void {
    if (this.hN === this.hBuf.length) this.hGrow();
    this.hHead = (this.hHead - 1) & this.hMask;
    this.hBuf[this.hHead] = p;
    this.hN++;
  }
  private hGrow(): void {
    const n = this.hBuf.length;
    const buf: (Packet | undefined)[] = new Array(n * 2);
    for (let i = 0; i < this.hN; i++) buf[i] = this.hBuf[(this.hHead + i) & this.hMask];
    this.hBuf = buf;
    this.hHead = 0;
    this.hMask = n * 2 - 1;
  }
  private lPush(p: Packet): void {
    if (this.lN === this.lBuf.length) this.lGrow();
    this.lBuf[(this.lHead + this.lN) & this.lMask] = p;
    this.lN++;
  }
  private lShift(): Packet {
    const p = this.lBuf[this.lHead] as Packet;
    this.lHead = (this.lHead + 1) & this.lMask;
    this.lN--;
    return p;
  }
  private lUnshift(p: Packet): void {
    if (this.lN === this.lBuf.length) this.lGrow();
    this.lHead = (this.lHead - 1) & this.lMask;
    this.lBuf[this.lHead] = p;
    this.lN++;
  }
  private lGrow(): void {
    const n = this.lBuf.length;
    const buf: (Packet | undefined)[] = new Array(n * 2);
    for (let i = 0; i < this.lN; i++) buf[i] = this.lBuf[(this.lHead + i) & this.lMask];
    this.lBuf = buf;
    this.lHead = 0;
    this.lMask = n * 2 - 1;
  }

  receive(p: Packet): void {
    if (!this.up) {
      this.drop(p);
      return;
    }
    if (p.priority !== PRIO_HIGH) {
      if (this.lowBytes + p.size <= this.maxBytes) {
        this.lPush(p);
        this.lowBytes += p.size;
        if (this.lowBytes > this.peakBytes) this.peakBytes = this.lowBytes;
        if (this.serving === SERVING_NONE && !this.pausedLow) this.beginService();
        return;
      }
      if (!this.trimming || p.type !== PacketType.Data || (p.flags & PacketFlag.Trimmed) !== 0) {
        this.drop(p);
        return;
      }
      // Trim: the header travels on with priority so the receiver can NACK at once. The cut
      // payload leaves the ingress buffer here; the header is not held against PFC (its class is
      // never paused).
      if (this.ingress !== null && p.inPort >= 0) this.ingress.onLeave(p);
      p.size = HEADER_BYTES;
      p.flags |= PacketFlag.Trimmed;
      p.priority = PRIO_HIGH;
      this.stats.trims++;
    }
    if (this.highBytes + p.size > this.highMaxBytes) {
      this.highDrops++;
      this.drop(p);
      return;
    }
    this.hPush(p);
    this.highBytes += p.size;
    if (this.serving === SERVING_NONE) this.beginService();
  }

  private drop(p: Packet): void {
    this.drops++;
    this.stats.outDiscards++;
    if (this.ingress !== null && p.inPort >= 0) this.ingress.onLeave(p);
    this.pool.drop(p);
  }

  private beginService(): void {
    let p: Packet;
    if (this.hN > 0) {
      p = this.hBuf[this.hHead] as Packet;
      this.serving = PRIO_HIGH;
    } else if (this.lN > 0 && !this.pausedLow && (this.lowGate === null || this.lowGate.admit(this.lBuf[this.lHead] as Packet))) {
      p = this.lBuf[this.lHead] as Packet;
      this.serving = 1;
      // ECN on dequeue, from the low-class backlog behind this packet (reference: compositequeue).
      const backlog = this.lowBytes - p.size;
      if (backlog > this.ecnMinBytes) {
        if (backlog > this.ecnMaxBytes || this.rng.next() * (this.ecnMaxBytes - this.ecnMinBytes) < backlog - this.ecnMinBytes) {
          if ((p.flags & PacketFlag.EcnCe) === 0) {
            p.flags |= PacketFlag.EcnCe;
            this.stats.ecnMarked++;
          }
        }
      }
    } else {
      this.serving = SERVING_NONE;
      return;
    }
    this.events.scheduleIn(Math.ceil(p.size * this.psPerByte - 1e-6), this);
  }

  /** End of the head packet's serialisation. */
  onEvent(): void {
    let p: Packet;
    if (this.serving === PRIO_HIGH) {
      p = this.hShift();
      this.highBytes -= p.size;
    } else {
      p = this.lShift();
      this.lowBytes -= p.size;
    }
    this.serving = SERVING_NONE;
    this.txPkts++;
    this.txOctets += p.size;
    if (this.ingress !== null && p.inPort >= 0) this.ingress.onLeave(p);
    if (this.hN > 0 || (this.lN > 0 && !this.pausedLow)) this.beginService();
    if (this.tap !== null) this.tap.onFrame(p, 'tx');
    (this.next as PacketSink).receive(p, this.nextPort);
    if (this.drain !== null) this.drain.onQueueDrain(this);
  }

  /** Starts service again if the queue is idle (after its low-class gate opened). */
  resume(): void {
    if (this.serving === SERVING_NONE && this.up) this.beginService();
  }

  /** PFC: pause or resume the low class (the packet in service completes). */
  setPaused(paused: boolean): void {
    if (paused === this.pausedLow) return;
    this.pausedLow = paused;
    if (paused) {
      this.pausedSincePs = this.events.nowPs;
    } else {
      this.pausedPs += this.events.nowPs - this.pausedSincePs;
      if (this.serving === SERVING_NONE && this.up) this.beginService();
      if (this.drain !== null) this.drain.onQueueDrain(this);
    }
  }

  /** Link state: a down queue drops what it holds and everything that arrives. */
  setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (!up) {
      // The packet in service (if any) completes onto a dead fibre; the pipe drops it.
      const keep = this.serving;
      const keepHigh = keep === PRIO_HIGH ? this.hShift() : null;
      const keepLow = keep === 1 ? this.lShift() : null;
      while (this.hN > 0) {
        const p = this.hShift();
        this.highBytes -= p.size;
        this.drop(p);
      }
      while (this.lN > 0) {
        const p = this.lShift();
        this.lowBytes -= p.size;
        this.drop(p);
      }
      // the packet in service goes back to the head of its ring
      if (keepHigh !== null) this.hUnshift(keepHigh);
      if (keepLow !== null) this.lUnshift(keepLow);
    } else if (this.serving === SERVING_NONE) {
      this.beginService();
    }
  }
}
