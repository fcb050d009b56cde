// HP-WAN at the network edge: rate negotiation (three modes), quota reservation with admission, ingress shaping.
//
// HPW-2 (draft-xiong-hpwan-signaling-solution): a host asks for an optimal rate (or a range), a
// minimum rate (it will send at no less: the network reserves it) or a maximum rate (it will send
// at no more: the network caps it). HPW-3 (draft-xiong-teas-rsvp-resource-quota): a quota is the
// bandwidth the network may reserve over a period; a request that does not fit what is left is
// refused (admission control). HPW-4: at ingress the gateway classifies a task's traffic, shapes it
// to its cap (a paced queue; what overflows the shaper buffer is dropped) and gives its traffic up
// to the guaranteed rate priority over best effort (a token bucket marks conforming packets).
// Guarantees: negotiation is a pure function of the request and what is left of the quota; the
// enforcer keeps at most one pending event and releases packets in arrival order.

import type { EventList, EventSource } from '../sim/eventlist.ts';
import { PRIO_HIGH, type Packet, type PacketPool } from '../sim/packet.ts';

export type HpwanMode = 'optimal' | 'minimum' | 'maximum';
export const HPWAN_MODES: readonly HpwanMode[] = ['optimal', 'minimum', 'maximum'];

export interface HpwanRequest {
  mode: HpwanMode;
  /** Optimal mode: the rate asked for (a point), or with min/max a preferred value. */
  rateBps?: number;
  /** Minimum mode: the rate reserved; optimal mode: the low end of the range. */
  minRateBps?: number;
  /** Maximum mode: the cap; optimal mode: the high end of the range. */
  maxRateBps?: number;
}

export interface HpwanGrant {
  status: 'granted' | 'refused';
  /** Rate the network guarantees (reserved from the quota). */
  guaranteeBps: number;
  /** Rate the network lets through (Infinity: no cap). */
  capBps: number;
  /** The rate the host should send at (optimal mode), else the cap or the minimum. */
  negotiatedBps: number;
  reason?: string;
}

export class HpwanRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HpwanRequestError';
  }
}

/** Checks a request's fields for its mode. */
export function checkHpwanRequest(r: HpwanRequest): void {
  const pos = (n: string, v: number | undefined) => {
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new HpwanRequestError(`${n} must be a rate > 0 b/s, got ${v}`);
  };
  pos('rate-bps', r.rateBps);
  pos('min-rate-bps', r.minRateBps);
  pos('max-rate-bps', r.maxRateBps);
  if (!HPWAN_MODES.includes(r.mode)) throw new HpwanRequestError(`mode must be one of ${HPWAN_MODES.join(', ')}, got ${String(r.mode)}`);
  if (r.mode === 'minimum' && r.minRateBps === undefined) throw new HpwanRequestError('minimum mode needs min-rate-bps');
  if (r.mode === 'maximum' && r.maxRateBps === undefined) throw new HpwanRequestError('maximum mode needs max-rate-bps');
  if (r.mode === 'optimal' && r.rateBps === undefined && (r.minRateBps === undefined || r.maxRateBps === undefined)) {
    throw new HpwanRequestError('optimal mode needs rate-bps or a range (min-rate-bps and max-rate-bps)');
  }
  if (r.minRateBps !== undefined && r.maxRateBps !== undefined && r.minRateBps > r.maxRateBps) {
    throw new HpwanRequestError(`min-rate-bps ${r.minRateBps} exceeds max-rate-bps ${r.maxRateBps}`);
  }
}

/**
 * Negotiates one request against `availableBps` of quota left. `admitAll` (a defect) grants
 * whatever is asked.
 */
export function negotiate(r: HpwanRequest, availableBps: number, admitAll = false): HpwanGrant {
  const avail = admitAll ? Infinity : availableBps;
  switch (r.mode) {
    case 'minimum': {
      const need = r.minRateBps as number;
      if (need > avail) {
        return { status: 'refused', guaranteeBps: 0, capBps: 0, negotiatedBps: 0, reason: `minimum rate ${need} b/s exceeds the ${availableBps} b/s left of the quota` };
      }
      return { status: 'granted', guaranteeBps: need, capBps: Infinity, negotiatedBps: need };
    }
    case 'maximum': {
      const cap = r.maxRateBps as number;
      return { status: 'granted', guaranteeBps: 0, capBps: cap, negotiatedBps: cap };
    }
    case 'optimal': {
      const lo = r.minRateBps ?? (r.rateBps as number);
      const hi = r.maxRateBps ?? (r.rateBps as number);
      const want = Math.min(hi, Math.max(lo, r.rateBps ?? hi));
      const g = Math.min(want, avail);
      if (g < lo) {
        return { status: 'refused', guaranteeBps: 0, capBps: 0, negotiatedBps: 0, reason: `no rate in [${lo}, ${hi}] b/s fits the ${availableBps} b/s left of the quota` };
      }
      return { status: 'granted', guaranteeBps: g, capBps: g, negotiatedBps: g };
    }
  }
}

/** The quota of reservable bandwidth (HPW-3) and what tasks hold of it. */
export class QuotaBook {
  private readonly held = new Map<string, number>();
  constructor(public bandwidthBps: number) {}

  get reservedBps(): number {
    let s = 0;
    for (const v of this.held.values()) s += v;
    return s;
  }
  get availableBps(): number {
    return Math.max(0, this.bandwidthBps - this.reservedBps);
  }
  /** Negotiates and, when granted, reserves the guarantee under `name` (replacing its previous one). */
  request(name: string, r: HpwanRequest, admitAll = false): HpwanGrant {
    this.held.delete(name);
    const g = negotiate(r, this.availableBps, admitAll);
    if (g.status === 'granted' && g.guaranteeBps > 0) this.held.set(name, g.guaranteeBps);
    return g;
  }
  release(name: string): void {
    this.held.delete(name);
  }
}

export interface EnforcerHost {
  readonly events: EventList;
  readonly pool: PacketPool;
  /** Takes a packet the enforcer lets through (in arrival order). */
  release(p: Packet, inPort: number): void;
}

/** Bucket depth of the guarantee marker: enough for a burst of a few jumbo frames. */
const MARK_BURST_BYTES = 64 * 1024;
export const SHAPER_BUFFER_BYTES_DEFAULT = 8 * 1024 * 1024;

/**
 * Shapes a task's traffic to `capBps` and marks what conforms to `guaranteeBps` high priority.
 * `shape` / `mark` false switch the two behaviours off (defect profiles).
 */
export class RateEnforcer implements EventSource {
  simId?: number;
  private readonly q: { p: Packet; inPort: number }[] = [];
  private qHead = 0;
  private qBytes = 0;
  private nextFreePs = 0;
  private pending = false;
  private tokens = MARK_BURST_BYTES;
  private tokensAtPs = 0;
  shaperDrops = 0;
  marked = 0;
  passed = 0;

  constructor(
    private readonly host: EnforcerHost,
    public guaranteeBps: number,
    public capBps: number,
    public shape = true,
    public mark = true,
    public bufferBytes = SHAPER_BUFFER_BYTES_DEFAULT,
  ) {}

  offer(p: Packet, inPort: number): void {
    if (!this.shape || !Number.isFinite(this.capBps)) {
      this.out(p, inPort);
      return;
    }
    const now = this.host.events.nowPs;
    if (this.q.length - this.qHead === 0 && now >= this.nextFreePs) {
      this.nextFreePs = now + (p.size * 8e12) / this.capBps;
      this.out(p, inPort);
      return;
    }
    if (this.qBytes + p.size > this.bufferBytes) {
      this.shaperDrops++;
      this.host.pool.drop(p);
      return;
    }
    this.q.push({ p, inPort });
    this.qBytes += p.size;
    this.arm();
  }

  private arm(): void {
    if (this.pending) return;
    this.pending = true;
    this.host.events.schedule(Math.max(this.host.events.nowPs, Math.ceil(this.nextFreePs)), this);
  }

  onEvent(): void {
    this.pending = false;
    const now = this.host.events.nowPs;
    while (this.q.length - this.qHead > 0 && now >= this.nextFreePs - 1e-6) {
      const e = this.q[this.qHead++];
      this.qBytes -= e.p.size;
      this.nextFreePs = Math.max(this.nextFreePs, now) + (e.p.size * 8e12) / this.capBps;
      this.out(e.p, e.inPort);
    }
    if (this.qHead > 1024 && this.qHead * 2 > this.q.length) {
      this.q.splice(0, this.qHead);
      this.qHead = 0;
    }
    if (this.q.length - this.qHead > 0) this.arm();
  }

  private out(p: Packet, inPort: number): void {
    this.passed++;
    if (this.mark && this.guaranteeBps > 0) {
      const now = this.host.events.nowPs;
      this.tokens = Math.min(MARK_BURST_BYTES, this.tokens + ((now - this.tokensAtPs) * this.guaranteeBps) / 8e12);
      this.tokensAtPs = now;
      if (this.tokens >= p.size) {
        this.tokens -= p.size;
        p.priority = PRIO_HIGH;
        this.marked++;
      }
    }
    this.host.release(p, inPort);
  }

  /** Drops what the shaper holds (the task was removed). */
  flush(): void {
    for (let i = this.qHead; i < this.q.length; i++) this.host.pool.drop(this.q[i].p);
    this.q.length = 0;
    this.qHead = 0;
    this.qBytes = 0;
  }
}
