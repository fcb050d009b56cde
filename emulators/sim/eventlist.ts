// The event list: one binary heap of (time, insertion sequence, source) on typed arrays.
//
// Guarantees (htsim `eventlist.h` shape): time is an integer count of picoseconds held in a JS
// number; events fire in (time, insertion sequence) order, so same-time events keep the order in
// which they were scheduled and runs are deterministic; `nowPs` is set before a source is called;
// time never goes backwards (scheduling in the past throws). The list is an instance handed to
// components, never a global. Components keep at most one pending event each, so the heap is as
// large as the number of busy components, not the number of packets in flight. Events scheduled a
// fixed delay ahead (`scheduleIn`: a queue's end of serialisation is now + size / rate, and a
// fabric has few packet sizes and rates) ride FIFO lanes, one per frequent delay, and cost no heap
// operation; the order is the same (time, insertion sequence) either way.

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
/** Lanes are scanned linearly at each dispatch, so there are few of them. */
export const MAX_LANES = 8;
/** A delay gets its own lane once `scheduleIn` has used it this many times (rare delays stay on the heap). */
const LANE_MIN_USES = 64;

/** The owner of a FIFO lane: called once per lane entry, in order. */
export interface LaneSource {
  onLaneEvent(): void;
}

/**
 * A FIFO lane: events whose times never decrease in push order (e.g. every packet entering any
 * pipe of one delay, or every end of service `delayPs` after its start). The lane's entries take
 * part in the (time, insertion sequence) order like heap events, but cost no heap operation: the
 * dispatcher compares the heap's top with each lane's head. An owned lane calls its owner once per
 * entry; a delay lane (no owner) calls the source packed in each entry's key, as the heap does.
 */
class Lane {
  times = new Float64Array(64);
  keys = new Float64Array(64);
  head = 0;
  count = 0;
  mask = 63;
  lastTime = 0;
  constructor(
    readonly source: LaneSource | null,
    readonly delayPs: number,
  ) {}

  grow(): void {
    const n = this.times.length;
    const times = new Float64Array(n * 2);
    const keys = new Float64Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const j = (this.head + k) & this.mask;
      times[k] = this.times[j];
      keys[k] = this.keys[j];
    }
    this.times = times;
    this.keys = keys;
    this.head = 0;
    this.mask = n * 2 - 1;
  }
}

export class EventList {
  // A 4-ary min-heap of (time, seq * 2^21 + source) pairs, interleaved in one Float64Array:
  // children sit next to each other in memory and the tree is half as deep as a binary heap.
  private heap: Float64Array;
  private size = 0;
  private nextSeq = 0;
  private readonly sources: EventSource[] = [];
  private readonly lanes: Lane[] = [];
  /** The lanes of `scheduleIn`, by delay (a subset of `lanes`). */
  private readonly delayLanes: Lane[] = [];
  /** Uses of each delay that has no lane yet, while lanes are left to give. */
  private readonly delayUses = new Map<number, number>();
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

  /** Events waiting (heap and lanes). */
  get pending(): number {
    let n = this.size;
    for (const l of this.lanes) n += l.count;
    return n;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTimePs(): number {
    let t = this.size > 0 ? this.heap[0] : Infinity;
    for (const l of this.lanes) if (l.count > 0 && l.times[l.head] < t) t = l.times[l.head];
    return t;
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

  /** Opens a FIFO lane for `source`, or returns -1 when there are MAX_LANES already. */
  openLane(source: LaneSource): number {
    if (this.lanes.length >= MAX_LANES) return -1;
    this.lanes.push(new Lane(source, -1));
    return this.lanes.length - 1;
  }

  /** Adds an entry to a lane; times pushed to one lane must not decrease. */
  pushLane(lane: number, atPs: number): void {
    const l = this.lanes[lane];
    if (!(atPs >= this.now) || atPs < l.lastTime) {
      throw new SimTimeError(`lane entry at ${atPs} ps: now is ${this.now} ps, lane tail at ${l.lastTime} ps`);
    }
    this.laneAppend(l, atPs, 0);
  }

  private laneAppend(l: Lane, atPs: number, id: number): void {
    if (l.count === l.times.length) l.grow();
    if (this.nextSeq >= SEQ_LIMIT) this.renumber();
    const i = (l.head + l.count) & l.mask;
    l.times[i] = atPs;
    l.keys[i] = this.nextSeq++ * SRC_SPAN + id;
    l.count++;
    l.lastTime = atPs;
  }

  /**
   * Wakes `source` after `deltaPs` (>= 0): the same as `schedule(now + deltaPs, source)`, but a
   * frequently used delay rides a FIFO lane instead of the heap (now never decreases, so the
   * times of one delay never do either).
   */
  scheduleIn(deltaPs: number, source: EventSource): void {
    const dl = this.delayLanes;
    for (let j = 0; j < dl.length; j++) {
      const l = dl[j];
      if (l.delayPs === deltaPs) {
        let id = source.simId;
        if (id === undefined || this.sources[id] !== source) id = this.register(source);
        this.laneAppend(l, this.now + deltaPs, id);
        return;
      }
    }
    if (this.lanes.length < MAX_LANES && deltaPs >= 0) {
      const uses = (this.delayUses.get(deltaPs) ?? 0) + 1;
      this.delayUses.set(deltaPs, uses);
      if (uses >= LANE_MIN_USES) {
        const l = new Lane(null, deltaPs);
        this.lanes.push(l);
        dl.push(l);
        if (this.lanes.length === MAX_LANES) this.delayUses.clear();
      }
    }
    this.schedule(this.now + deltaPs, source);
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
    while (this.dispatchNext(timePs)) {
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
    while (this.dispatchNext(limitPs)) {
      if (this.stopRequested) return this.pending === 0;
    }
    return this.pending === 0;
  }

  /** Dispatches the earliest event if its time is <= limitPs; false when there is none. */
  private dispatchNext(limitPs: number): boolean {
    const h = this.heap;
    let bt = this.size > 0 ? h[0] : Infinity;
    let bk = this.size > 0 ? h[1] : Infinity;
    let lane = -1;
    const lanes = this.lanes;
    for (let j = 0; j < lanes.length; j++) {
      const l = lanes[j];
      if (l.count === 0) continue;
      const t = l.times[l.head];
      if (t < bt || (t === bt && l.keys[l.head] < bk)) {
        bt = t;
        bk = l.keys[l.head];
        lane = j;
      }
    }
    if ((lane < 0 && this.size === 0) || bt > limitPs) return false;
    if (lane >= 0) {
      const l = lanes[lane];
      l.head = (l.head + 1) & l.mask;
      l.count--;
      this.now = bt;
      this.processed++;
      if (l.source !== null) l.source.onLaneEvent();
      else this.sources[bk - Math.floor(bk / SRC_SPAN) * SRC_SPAN].onEvent();
    } else {
      this.popHeap();
      this.now = bt;
      this.processed++;
      this.sources[bk - Math.floor(bk / SRC_SPAN) * SRC_SPAN].onEvent();
    }
    return true;
  }

  /** Removes the heap's top. */
  private popHeap(): void {
    const h = this.heap;
    const n = --this.size;
    if (n === 0) return;
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

  private grow(): void {
    const h = new Float64Array(this.heap.length * 2);
    h.set(this.heap);
    this.heap = h;
  }

  /**
   * Renumbers the sequences of pending events by rank (order kept, so the heap stays valid);
   * needed only after about 2^32 events.
   */
  private renumber(): void {
    const seqs: number[] = [];
    const h = this.heap;
    for (let i = 0; i < this.size; i++) seqs.push(Math.floor(h[2 * i + 1] / SRC_SPAN));
    for (const l of this.lanes) for (let k = 0; k < l.count; k++) seqs.push(Math.floor(l.keys[(l.head + k) & l.mask] / SRC_SPAN));
    seqs.sort((a, b) => a - b);
    const rank = new Map<number, number>();
    seqs.forEach((s, r) => rank.set(s, r));
    for (let i = 0; i < this.size; i++) {
      const key = h[2 * i + 1];
      const seq = Math.floor(key / SRC_SPAN);
      h[2 * i + 1] = (rank.get(seq) as number) * SRC_SPAN + (key - seq * SRC_SPAN);
    }
    for (const l of this.lanes) {
      for (let k = 0; k < l.count; k++) {
        const j = (l.head + k) & l.mask;
        const key = l.keys[j];
        const seq = Math.floor(key / SRC_SPAN);
        l.keys[j] = (rank.get(seq) as number) * SRC_SPAN + (key - seq * SRC_SPAN);
      }
    }
    this.nextSeq = seqs.length;
  }

  /** Test hook: jumps the sequence counter (to exercise renumbering). */
  setSequenceForTest(seq: number): void {
    this.nextSeq = seq;
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
