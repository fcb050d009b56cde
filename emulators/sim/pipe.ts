// A pipe only delays packets: a fixed propagation delay, FIFO (htsim `pipe.cpp`).
//
// Guarantees: packets leave in the order they entered, exactly `delayPs` later. All pipes of one
// event list with the same delay share one delay line: since every packet entering any of them
// at time t leaves at t + delay, one FIFO orders them all, so the line needs a single pending
// event for its head however many pipes and packets are in flight (the heap stays as large as
// the number of busy queues; while the event list has lanes free, the line costs no heap
// operation at all).

import type { EventList, EventSource, LaneSource } from './eventlist.ts';
import type { Packet, PacketSink } from './packet.ts';

/** One-way propagation delay of standard single-mode fibre, ps per km (5 us/km). */
export const SMF_PS_PER_KM = 5_000_000;
/** One-way propagation delay of hollow-core fibre, ps per km (3.3 us/km). */
export const HOLLOW_CORE_PS_PER_KM = 3_300_000;

export type FibreKind = 'smf' | 'hollow-core';

/** Propagation delay of `lengthKm` of fibre, integer picoseconds. */
export function propagationPs(lengthKm: number, fibre: FibreKind = 'smf'): number {
  return Math.round(lengthKm * (fibre === 'hollow-core' ? HOLLOW_CORE_PS_PER_KM : SMF_PS_PER_KM));
}

/** Called for each packet as it leaves the pipe; may consume it. */
export interface PipeDelivery {
  deliver(p: Packet): void;
}

/**
 * The shared FIFO of every pipe with one delay on one event list. It rides an event-list lane
 * (no heap operation per packet) while lanes are available, else keeps one heap event for its head.
 */
class DelayLine implements EventSource, LaneSource {
  simId?: number;
  private readonly lane: number;
  private times: Float64Array;
  private pkts: (Packet | undefined)[];
  private pipes: (Pipe | undefined)[];
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(
    private readonly events: EventList,
    readonly delayPs: number,
  ) {
    this.times = new Float64Array(256);
    this.pkts = new Array(256);
    this.pipes = new Array(256);
    this.mask = 255;
    this.lane = events.openLane(this);
  }

  push(p: Packet, pipe: Pipe): void {
    if (this.count === this.pkts.length) this.grow();
    const at = this.events.nowPs + this.delayPs;
    const i = (this.head + this.count) & this.mask;
    this.times[i] = at;
    this.pkts[i] = p;
    this.pipes[i] = pipe;
    if (this.lane >= 0) {
      this.count++;
      this.events.pushLane(this.lane, at);
    } else if (this.count++ === 0) this.events.schedule(at, this);
  }

  onLaneEvent(): void {
    const i = this.head;
    const p = this.pkts[i] as Packet;
    const pipe = this.pipes[i] as Pipe;
    this.head = (i + 1) & this.mask;
    this.count--;
    pipe.inFlight--;
    (pipe.out as PipeDelivery).deliver(p);
  }

  onEvent(): void {
    const i = this.head;
    const p = this.pkts[i] as Packet;
    const pipe = this.pipes[i] as Pipe;
    this.head = (i + 1) & this.mask;
    if (--this.count > 0) this.events.schedule(this.times[this.head], this);
    pipe.inFlight--;
    (pipe.out as PipeDelivery).deliver(p);
  }

  private grow(): void {
    const n = this.pkts.length;
    const times = new Float64Array(n * 2);
    const pkts: (Packet | undefined)[] = new Array(n * 2);
    const pipes: (Pipe | undefined)[] = new Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const j = (this.head + k) & this.mask;
      times[k] = this.times[j];
      pkts[k] = this.pkts[j];
      pipes[k] = this.pipes[j];
    }
    this.times = times;
    this.pkts = pkts;
    this.pipes = pipes;
    this.head = 0;
    this.mask = n * 2 - 1;
  }
}

const lines = new WeakMap<EventList, Map<number, DelayLine>>();

function delayLineFor(events: EventList, delayPs: number): DelayLine {
  let byDelay = lines.get(events);
  if (byDelay === undefined) lines.set(events, (byDelay = new Map()));
  let line = byDelay.get(delayPs);
  if (line === undefined) byDelay.set(delayPs, (line = new DelayLine(events, delayPs)));
  return line;
}

export class Pipe implements PacketSink {
  private readonly line: DelayLine;
  /** Packets in flight in this pipe. */
  inFlight = 0;
  /** Where packets go when they leave; the link sets itself here to apply faults on arrival. */
  out: PipeDelivery | null = null;

  constructor(
    events: EventList,
    readonly delayPs: number,
  ) {
    if (!(delayPs >= 0)) throw new RangeError(`pipe delay must be >= 0 ps, got ${delayPs}`);
    this.line = delayLineFor(events, delayPs);
  }

  receive(p: Packet, _port?: number): void {
    this.inFlight++;
    this.line.push(p, this);
  }
}
