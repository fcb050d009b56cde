// The event list: one binary heap of (time, insertion sequence, source) on typed arrays.
//
// Guarantees (htsim `eventlist.h` shape): time is an integer count of picoseconds held in a JS
// number; events fire in (time, insertion sequence) order, so same-time events keep the order in
// which they were scheduled and runs are deterministic; `nowPs` is set before a source is called;
// time never goes backwards (scheduling in the past throws). The list is an instance handed to
// components, never a global. Components keep at most one pending event each, so the heap is as
// large as the number of busy components, not the number of packets in flight.

/** Anything the event list can wake up. */
export interface EventSource {
  onEvent(): void;
  /** Assigned by the event list on first use; components must not set it. */
  simId?: number;
}

export class SimTimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimTimeError';
  }
}

/** Sources are packed with the insertion sequence into one exact float: seq * 2^SRC_BITS + src. */
const SRC_BITS = 21;
const SRC_SPAN = 2 ** SRC_BITS;
const MAX_SOURCES = SRC_SPAN;
/** Sequences are renumbered before seq * 2^SRC_BITS would leave the exact range of a double. */
const SEQ_LIMIT = 2 ** (53 - SRC_BITS) - 1;

export class EventList {
  // A 4-ary min-heap of (time, seq * 2^21 + source) pairs, interleaved in one Float64Array:
  // children sit next to each other in memory and the tree is half as deep as a binary heap.
  private heap: Float64Array;
  private size = 0;
  private nextSeq = 0;
  private readonly sources: EventSource[] = [];
  private now = 0;
  private processed = 0;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.heap = new Float64Array(2 * cap);
  }

  /** Current virtual time, picoseconds. */
  get nowPs(): number {
    return this.now;
  }

  /** Events dispatched so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Events waiting in the heap. */
  get pending(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTimePs(): number {
    return this.size > 0 ? this.heap[0] : Infinity;
  }

  /** Registers a source (done lazily by `schedule`); returns its index. */
  register(source: EventSource): number {
    let id = source.simId;
    if (id === undefined || this.sources[id] !== source) {
      id = this.sources.length;
      if (id >= MAX_SOURCES) throw new RangeError(`too many event sources (at most ${MAX_SOURCES})`);
      this.sources.push(source);
      source.simId = id;
    }
    return id;
  }

  /** Wakes `source` at absolute time `atPs` (>= now). */
  schedule(atPs: number, source: EventSource): void {
    if (!(atPs >= this.now)) {
      throw new SimTimeError(`cannot schedule at ${atPs} ps: now is ${this.now} ps (time never goes backwards)`);
    }
    let id = source.simId;
    if (id === undefined || this.sources[id] !== source) id = this.register(source);
    if (this.size * 2 === this.heap.length) this.grow();
    if (this.nextSeq >= SEQ_LIMIT) this.renumber();
    const key = this.nextSeq++ * SRC_SPAN + id;
    const h = this.heap;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = h[2 * parent];
      if (pt < atPs || (pt === atPs && h[2 * parent + 1] < key)) break;
      h[2 * i] = pt;
      h[2 * i + 1] = h[2 * parent + 1];
      i = parent;
    }
    h[2 * i] = atPs;
    h[2 * i + 1] = key;
  }

  /** Wakes `source` after `deltaPs` (>= 0). */
  scheduleIn(deltaPs: number, source: EventSource): void {
    this.schedule(this.now + deltaPs, source);
  }

  /** Makes the current run loop return after the event being dispatched. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Processes every event with time <= timePs, then sets now to timePs. */
  runUntil(timePs: number): void {
    if (!(timePs >= this.now)) {
      throw new SimTimeError(`cannot run until ${timePs} ps: now is ${this.now} ps`);
    }
    this.stopRequested = false;
    while (this.size > 0 && this.heap[0] <= timePs) {
      this.dispatchOne();
      if (this.stopRequested) return;
    }
    this.now = timePs;
  }

  /**
   * Processes events until none is left (or the next one lies beyond `limitPs`, or `stop()` is
   * called). Time stays at the last event processed. Returns true when the list ran dry.
   */
  runUntilIdle(limitPs = Infinity): boolean {
    this.stopRequested = false;
    while (this.size > 0) {
      if (this.heap[0] > limitPs) return false;
      this.dispatchOne();
      if (this.stopRequested) return this.size === 0;
    }
    return true;
  }

  private dispatchOne(): void {
    const h = this.heap;
    const t = h[0];
    const key = h[1];
    const n = --this.size;
    if (n > 0) {
      // move the last element to the root and sift it down
      const lt = h[2 * n];
      const lk = h[2 * n + 1];
      let i = 0;
      for (;;) {
        const c0 = 4 * i + 1;
        if (c0 >= n) break;
        // smallest of up to four children
        let c = c0;
        let ct = h[2 * c0];
        let ck = h[2 * c0 + 1];
        const cEnd = c0 + 4 < n ? c0 + 4 : n;
        for (let j = c0 + 1; j < cEnd; j++) {
          const jt = h[2 * j];
          if (jt < ct || (jt === ct && h[2 * j + 1] < ck)) {
            c = j;
            ct = jt;
            ck = h[2 * j + 1];
          }
        }
        if (lt < ct || (lt === ct && lk < ck)) break;
        h[2 * i] = ct;
        h[2 * i + 1] = ck;
        i = c;
      }
      h[2 * i] = lt;
      h[2 * i + 1] = lk;
    }
    this.now = t;
    this.processed++;
    this.sources[key - Math.floor(key / SRC_SPAN) * SRC_SPAN].onEvent();
  }

  private grow(): void {
    const h = new Float64Array(this.heap.length * 2);
    h.set(this.heap);
    this.heap = h;
  }

  /** Renumbers pending events 0..n-1 in their order (keeps ties ordered after 2^32 events). */
  private renumber(): void {
    const n = this.size;
    const h = this.heap;
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => h[2 * a] - h[2 * b] || h[2 * a + 1] - h[2 * b + 1]);
    const sorted = new Float64Array(h.length);
    idx.forEach((from, to) => {
      sorted[2 * to] = h[2 * from];
      sorted[2 * to + 1] = to * SRC_SPAN + (h[2 * from + 1] % SRC_SPAN);
    });
    // a sorted array is a valid heap
    this.heap = sorted;
    this.nextSeq = n;
  }
}

// Unit helpers (htsim `config.h`): integer picoseconds.
export const PS_PER_NS = 1_000;
export const PS_PER_US = 1_000_000;
export const PS_PER_MS = 1_000_000_000;
export const PS_PER_S = 1_000_000_000_000;

export function timeFromNs(ns: number): number {
  return Math.round(ns * PS_PER_NS);
}
export function timeFromUs(us: number): number {
  return Math.round(us * PS_PER_US);
}
export function timeFromMs(ms: number): number {
  return Math.round(ms * PS_PER_MS);
}
export function timeFromSec(s: number): number {
  return Math.round(s * PS_PER_S);
}
export function timeAsUs(ps: number): number {
  return ps / PS_PER_US;
}
/** Serialisation time of `bytes` at `rateBps`, integer picoseconds (rounded up). */
export function serialisationPs(bytes: number, rateBps: number): number {
  // bytes x 8e12 overflows 2^53 for jumbo frames; the small epsilon keeps exact results exact.
  return Math.ceil(bytes * (8 * PS_PER_S / rateBps) - 1e-6);
}
