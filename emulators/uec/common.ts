// Shared pieces of the reliable transports: fabric path estimates, an integer min-heap and a
// growable ring of (PSN, time) records.

import type { Network } from '../fabric/network.ts';
import { Switch } from '../fabric/switch.ts';

/** An integer min-heap (retransmission queues: lowest PSN first). */
export class IntHeap {
  private a: Int32Array;
  size = 0;
  constructor(capacity = 16) {
    this.a = new Int32Array(Math.max(4, capacity));
  }
  push(v: number): void {
    if (this.size === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const a = this.a;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  peek(): number {
    return this.a[0];
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const n = --this.size;
    if (n > 0) {
      const v = a[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && a[c + 1] < a[c]) c++;
        if (a[c] >= v) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = v;
    }
    return top;
  }
  clear(): void {
    this.size = 0;
  }
}

/** A FIFO of (psn, time) pairs in growable typed arrays. */
export class PsnTimeRing {
  private psn: Int32Array;
  private time: Float64Array;
  private head = 0;
  private count = 0;
  private mask: number;
  constructor(capacity = 64) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.psn = new Int32Array(cap);
    this.time = new Float64Array(cap);
    this.mask = cap - 1;
  }
  get length(): number {
    return this.count;
  }
  push(psn: number, time: number): void {
    if (this.count === this.psn.length) this.grow();
    const i = (this.head + this.count) & this.mask;
    this.psn[i] = psn;
    this.time[i] = time;
    this.count++;
  }
  headPsn(): number {
    return this.psn[this.head];
  }
  headTime(): number {
    return this.time[this.head];
  }
  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.count--;
  }
  clear(): void {
    this.count = 0;
    this.head = 0;
  }
  private grow(): void {
    const n = this.psn.length;
    const psn = new Int32Array(n * 2);
    const time = new Float64Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const j = (this.head + k) & this.mask;
      psn[k] = this.psn[j];
      time[k] = this.time[j];
    }
    this.psn = psn;
    this.time = time;
    this.head = 0;
    this.mask = n * 2 - 1;
  }
}

export interface PathEstimate {
  hops: number;
  /** One-way propagation, ps. */
  delayPs: number;
  /** Slowest link rate on the path, b/s. */
  bottleneckBps: number;
  /** Sum over hops of 1 / rate (ps per byte), for store-and-forward serialisation. */
  psPerByteSum: number;
}

/**
 * Follows the first equal-cost next hop from an endpoint address to another: hop count, delay and
 * serialisation per byte (fabrics built by the topology builder are symmetric, so any equal-cost
 * path gives the same figures).
 */
export function estimatePath(net: Network, src: number, dst: number): PathEstimate {
  const s = net.spec.addresses[src];
  let node = s.node;
  let port = s.port;
  let hops = 0;
  let delayPs = 0;
  let psPerByteSum = 0;
  let bottleneckBps = Infinity;
  for (let guard = 0; guard < 64; guard++) {
    const link = net.egressLink(node, port);
    if (link === null) break;
    hops++;
    delayPs += link.delayPs;
    psPerByteSum += link.queue.psPerByte;
    bottleneckBps = Math.min(bottleneckBps, link.rateBps);
    const next = net.adj.peerNode[node][port];
    const nextPort = net.adj.peerPort[node][port];
    const d = net.spec.addresses[dst];
    if (next === d.node && nextPort === d.port) break;
    const sw = net.nodes[next];
    if (!(sw instanceof Switch)) break;
    const r = net.routes[next];
    const set = r.setOf[dst];
    if (set < 0) break;
    node = next;
    port = r.sets[set][0];
  }
  return { hops, delayPs, bottleneckBps: Number.isFinite(bottleneckBps) ? bottleneckBps : 100e9, psPerByteSum };
}

/** Unloaded round trip: a `dataBytes` packet out, an `ackBytes` packet back, store and forward. */
export function unloadedRttPs(path: PathEstimate, dataBytes: number, ackBytes: number): number {
  return Math.round(2 * path.delayPs + (dataBytes + ackBytes) * path.psPerByteSum);
}
