// Callback timers on the event list: a min-heap of deadlines behind one event source.
//
// Guarantees: callbacks run in (time, order of arming) order, at their time, never earlier; a
// cancelled timer never runs; the source keeps at most one pending event for its earliest
// deadline (plus stale ones that find nothing due when they fire).
import type { EventList, EventSource } from '../sim/eventlist.ts';

export interface Timer {
  readonly atPs: number;
  cancel(): void;
  readonly active: boolean;
}

class Entry implements Timer {
  cancelled = false;
  fired = false;
  constructor(
    readonly atPs: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
  cancel(): void {
    this.cancelled = true;
  }
  get active(): boolean {
    return !this.cancelled && !this.fired;
  }
}

export class Timers implements EventSource {
  simId?: number;
  private heap: Entry[] = [];
  private seq = 0;
  private scheduledAt = Infinity;

  constructor(private readonly events: EventList) {}

  get nowPs(): number {
    return this.events.nowPs;
  }

  /** Runs `fn` at `atPs` (>= now). */
  at(atPs: number, fn: () => void): Timer {
    const e = new Entry(Math.max(atPs, this.events.nowPs), this.seq++, fn);
    this.push(e);
    if (e.atPs < this.scheduledAt) {
      this.scheduledAt = e.atPs;
      this.events.schedule(e.atPs, this);
    }
    return e;
  }

  /** Runs `fn` after `delayPs`. */
  in(delayPs: number, fn: () => void): Timer {
    return this.at(this.events.nowPs + Math.max(0, Math.round(delayPs)), fn);
  }

  onEvent(): void {
    const now = this.events.nowPs;
    if (now >= this.scheduledAt) this.scheduledAt = Infinity;
    while (this.heap.length > 0 && this.heap[0].atPs <= now) {
      const e = this.pop();
      if (e.cancelled) continue;
      e.fired = true;
      e.fn();
    }
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    if (this.heap.length > 0 && this.heap[0].atPs < this.scheduledAt) {
      this.scheduledAt = this.heap[0].atPs;
      this.events.schedule(this.scheduledAt, this);
    }
  }

  private less(a: Entry, b: Entry): boolean {
    return a.atPs < b.atPs || (a.atPs === b.atPs && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
