// A link is a queue then a pipe, one direction of a cable, with the cable's faults applied.
//
// Guarantees: a link that is down drops what is queued, what arrives and what was in flight, and
// counts each as a discard (queue) or a down-drop (in flight); random loss and bit errors are
// decided per frame on arrival (a bit error rate `ber` loses a frame of b bits with probability
// 1 - (1 - ber)^b, counted as a CRC error on the receiving port). PFC frames travel in the pipe
// and pause or resume the queue of the reverse direction when they arrive.

import type { EventList } from './eventlist.ts';
import { Pipe, type PipeDelivery } from './pipe.ts';
import { HEADER_BYTES, PacketFlag, PacketType, PRIO_HIGH, type FrameTap, type Packet, type PacketPool, type PacketSink } from './packet.ts';
import { Queue, type QueueConfig } from './queue.ts';
import type { Rng } from './rng.ts';
import { PortStats } from './stats.ts';

export interface LinkConfig extends QueueConfig {
  /** One-way propagation delay, ps. */
  delayPs: number;
}

export class Link implements PipeDelivery {
  readonly queue: Queue;
  readonly pipe: Pipe;
  /** The other direction of the same cable (set by whoever builds the pair). */
  reverse: Link | null = null;
  private up = true;
  lossRate = 0;
  ber = 0;
  /** Frames lost on the fibre (loss fault or down while in flight). */
  lost = 0;
  crcErrors = 0;
  /** Frames and bytes delivered (the receiving port's in counters). */
  rxPkts = 0;
  rxOctets = 0;
  /** Capture of frames received at the far end. */
  rxTap: FrameTap | null = null;

  constructor(
    events: EventList,
    private readonly pool: PacketPool,
    private readonly rng: Rng,
    config: LinkConfig,
    /** Counters of the transmitting and of the receiving port. */
    readonly txStats: PortStats,
    readonly rxStats: PortStats,
    /** The receiving device and its port number. */
    public sink: PacketSink,
    public sinkPort: number,
    /** Stream for the queue's ECN decisions (default: `rng`). */
    queueRng: Rng = rng,
  ) {
    this.queue = new Queue(events, pool, queueRng, config, txStats);
    this.pipe = new Pipe(events, config.delayPs);
    this.queue.next = this.pipe;
    this.pipe.out = this;
    rxStats.rx = this;
  }

  get rateBps(): number {
    return this.queue.rateBps;
  }
  get delayPs(): number {
    return this.pipe.delayPs;
  }
  get isUp(): boolean {
    return this.up;
  }

  /** Hands a packet to the link (its queue). */
  send(p: Packet): void {
    this.queue.receive(p);
  }

  setUp(up: boolean): void {
    this.up = up;
    this.queue.setUp(up);
    // A dead link cannot carry the XON that would release a paused peer: release it here.
    if (!up) this.queue.setPaused(false);
  }

  deliver(p: Packet): void {
    if (!this.up) {
      this.lost++;
      this.pool.drop(p);
      return;
    }
    const rx = this.rxStats;
    if (p.type === PacketType.Pfc) {
      if ((p.flags & PacketFlag.PfcResume) === 0) rx.pfcPauseRx++;
      if (this.rxTap !== null) this.rxTap.onFrame(p, 'rx');
      const rev = this.reverse;
      if (rev !== null) rev.queue.setPaused((p.flags & PacketFlag.PfcResume) === 0);
      this.pool.release(p);
      return;
    }
    if (this.lossRate > 0 && this.rng.next() < this.lossRate) {
      this.lost++;
      this.pool.drop(p);
      return;
    }
    if (this.ber > 0) {
      const pLoss = -Math.expm1(p.size * 8 * Math.log1p(-this.ber));
      if (this.rng.next() < pLoss) {
        this.crcErrors++;
        rx.inErrors++;
        this.pool.drop(p);
        return;
      }
    }
    this.rxPkts++;
    this.rxOctets += p.size;
    if (this.rxTap !== null) this.rxTap.onFrame(p, 'rx');
    this.sink.receive(p, this.sinkPort);
  }

  /**
   * Sends a PFC PAUSE (or resume) frame to the far end. MAC control frames go ahead of queued
   * data: the frame enters the pipe at once.
   */
  sendPfc(pause: boolean): void {
    if (!this.up) return;
    const p = this.pool.alloc();
    p.type = PacketType.Pfc;
    p.size = HEADER_BYTES;
    p.priority = PRIO_HIGH;
    p.flags = pause ? 0 : PacketFlag.PfcResume;
    if (pause) this.txStats.pfcPauseTx++;
    if (this.queue.tap !== null) this.queue.tap.onFrame(p, 'tx');
    this.pipe.receive(p);
  }
}

/** Builds both directions of a cable between (devA, portA) and (devB, portB). */
export function cable(
  events: EventList,
  pool: PacketPool,
  rng: Rng,
  config: LinkConfig,
  a: { sink: PacketSink; port: number; stats: PortStats },
  b: { sink: PacketSink; port: number; stats: PortStats },
  configBA: LinkConfig = config,
): [Link, Link] {
  const ab = new Link(events, pool, rng, config, a.stats, b.stats, b.sink, b.port);
  const ba = new Link(events, pool, rng, configBA, b.stats, a.stats, a.sink, a.port);
  ab.reverse = ba;
  ba.reverse = ab;
  return [ab, ba];
}

export { PortStats };
