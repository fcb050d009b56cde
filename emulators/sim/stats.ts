// Counters and time series: what the components count and what the twin reports.
//
// Port counters are plain numbers (exact to 2^53) updated in place by queues and pipes; reading
// them copies. A time series samples a value at a fixed virtual-time period via the event list.

import type { EventList, EventSource } from './eventlist.ts';

/** IF-MIB-like counters of one port, updated by the link components that touch the port. */
export class PortStats {
  /**
   * The per-frame counters live on the components that are already in cache when a frame passes
   * (the port's egress queue counts what it sends, the arriving link what it delivers); these
   * read them.
   */
  tx: { txPkts: number; txOctets: number } | null = null;
  rx: { rxPkts: number; rxOctets: number } | null = null;
  get inOctets(): number {
    return this.rx === null ? 0 : this.rx.rxOctets;
  }
  get outOctets(): number {
    return this.tx === null ? 0 : this.tx.txOctets;
  }
  get inPkts(): number {
    return this.rx === null ? 0 : this.rx.rxPkts;
  }
  get outPkts(): number {
    return this.tx === null ? 0 : this.tx.txPkts;
  }
  inDiscards = 0;
  outDiscards = 0;
  inErrors = 0;
  outErrors = 0;
  ecnMarked = 0;
  trims = 0;
  pfcPauseTx = 0;
  pfcPauseRx = 0;

  snapshot(): PortCountersSnapshot {
    return {
      inOctets: this.inOctets,
      outOctets: this.outOctets,
      inPkts: this.inPkts,
      outPkts: this.outPkts,
      inDiscards: this.inDiscards,
      outDiscards: this.outDiscards,
      inErrors: this.inErrors,
      outErrors: this.outErrors,
      ecnMarked: this.ecnMarked,
      trims: this.trims,
      pfcPauseTx: this.pfcPauseTx,
      pfcPauseRx: this.pfcPauseRx,
    };
  }
}

export interface PortCountersSnapshot {
  inOctets: number;
  outOctets: number;
  inPkts: number;
  outPkts: number;
  inDiscards: number;
  outDiscards: number;
  inErrors: number;
  outErrors: number;
  ecnMarked: number;
  trims: number;
  pfcPauseTx: number;
  pfcPauseRx: number;
}

/** Sorted-sample summary statistics. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0];
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  const s = Float64Array.from(values).sort();
  return percentile(s, 0.5);
}

/**
 * Samples `read()` every `periodPs` of virtual time into growable typed arrays. The sampler keeps
 * one pending event; `stop()` lets the next wake-up lapse.
 */
export class TimeSeries implements EventSource {
  simId?: number;
  private t = new Float64Array(64);
  private v = new Float64Array(64);
  private n = 0;
  private running = false;

  constructor(
    private readonly events: EventList,
    readonly periodPs: number,
    private readonly read: () => number,
  ) {
    if (!(periodPs > 0)) throw new RangeError(`sampling period must be > 0 ps, got ${periodPs}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.events.scheduleIn(0, this);
  }

  stop(): void {
    this.running = false;
  }

  onEvent(): void {
    if (!this.running) return;
    if (this.n === this.t.length) {
      const t = new Float64Array(this.n * 2);
      t.set(this.t);
      const v = new Float64Array(this.n * 2);
      v.set(this.v);
      this.t = t;
      this.v = v;
    }
    this.t[this.n] = this.events.nowPs;
    this.v[this.n] = this.read();
    this.n++;
    this.events.scheduleIn(this.periodPs, this);
  }

  get length(): number {
    return this.n;
  }

  samples(): { timePs: number[]; values: number[] } {
    return { timePs: Array.from(this.t.subarray(0, this.n)), values: Array.from(this.v.subarray(0, this.n)) };
  }
}

/**
 * Link utilisation over time from a cumulative byte counter: each sample is the fraction of
 * `rateBps` used since the previous sample.
 */
export function utilisationSeries(
  events: EventList,
  periodPs: number,
  rateBps: number,
  bytesSoFar: () => number,
): TimeSeries {
  let last = bytesSoFar();
  const bytesPerPeriod = (rateBps * periodPs) / 8e12;
  return new TimeSeries(events, periodPs, () => {
    const now = bytesSoFar();
    const u = (now - last) / bytesPerPeriod;
    last = now;
    return u;
  });
}
