// Checks queues, pipes and links: serialisation, priorities, ECN marking statistics, trimming,
// drops, PFC pause, link down, loss and bit errors.
import { describe, expect, it } from 'vitest';
import { EventList } from './eventlist.ts';
import { Link, cable } from './link.ts';
import { HEADER_BYTES, PacketFlag, PacketPool, PacketType, PRIO_HIGH, type Packet } from './packet.ts';
import { Pipe, propagationPs } from './pipe.ts';
import { Queue } from './queue.ts';
import { Rng } from './rng.ts';
import { PortStats } from './stats.ts';

class Collector {
  readonly got: { t: number; seq: number; flags: number; size: number; type: number }[] = [];
  constructor(
    readonly ev: EventList,
    readonly pool: PacketPool,
  ) {}
  receive(p: Packet): void {
    this.got.push({ t: this.ev.nowPs, seq: p.seq, flags: p.flags, size: p.size, type: p.type });
    this.pool.release(p);
  }
}

function dataPacket(pool: PacketPool, seq: number, size = 1000): Packet {
  const p = pool.alloc();
  p.type = PacketType.Data;
  p.size = size;
  p.payload = size;
  p.seq = seq;
  return p;
}

function setup(config: ConstructorParameters<typeof Queue>[3], seed = 1) {
  const ev = new EventList();
  const pool = new PacketPool();
  const q = new Queue(ev, pool, new Rng(seed), config);
  const sink = new Collector(ev, pool);
  q.next = sink;
  return { ev, pool, q, sink };
}

describe('Queue', () => {
  it('serialises back to back at its rate and keeps FIFO order', () => {
    const { ev, pool, q, sink } = setup({ rateBps: 100e9, maxBytes: 1e6 });
    for (let i = 0; i < 3; i++) q.receive(dataPacket(pool, i, 4150));
    ev.runUntilIdle();
    expect(sink.got.map((g) => [g.seq, g.t])).toEqual([
      [0, 332_000],
      [1, 664_000],
      [2, 996_000],
    ]);
    expect(q.stats.outPkts).toBe(3);
    expect(q.stats.outOctets).toBe(3 * 4150);
    expect(pool.inUse).toBe(0);
  });

  it('serves the high class first (after the packet in service)', () => {
    const { ev, pool, q, sink } = setup({ rateBps: 10e9, maxBytes: 1e6 });
    q.receive(dataPacket(pool, 0));
    q.receive(dataPacket(pool, 1));
    const ack = pool.alloc();
    ack.type = PacketType.Ack;
    ack.size = 64;
    ack.seq = 99;
    ack.priority = PRIO_HIGH;
    q.receive(ack);
    ev.runUntilIdle();
    expect(sink.got.map((g) => g.seq)).toEqual([0, 99, 1]);
  });

  it('marks ECN with probability rising linearly between the thresholds', () => {
    // 40 packets of 1000 B arrive at once; packet 0 starts service alone, packet i > 0 with
    // (39 - i) kB behind it.
    const kmin = 10_000;
    const kmax = 30_000;
    let expected = 0;
    const backlogOf = (i: number) => (i === 0 ? 0 : (39 - i) * 1000);
    for (let i = 0; i < 40; i++) {
      const backlog = backlogOf(i);
      expected += backlog > kmax ? 1 : backlog > kmin ? (backlog - kmin) / (kmax - kmin) : 0;
    }
    let marked = 0;
    const trials = 300;
    for (let s = 0; s < trials; s++) {
      const { ev, pool, q, sink } = setup({ rateBps: 100e9, maxBytes: 1e6, ecnMinBytes: kmin, ecnMaxBytes: kmax }, s + 1);
      for (let i = 0; i < 40; i++) q.receive(dataPacket(pool, i));
      ev.runUntilIdle();
      marked += sink.got.filter((g) => g.flags & PacketFlag.EcnCe).length;
      // never below kmin, always above kmax
      for (const g of sink.got) {
        const backlog = backlogOf(g.seq);
        if (backlog <= kmin) expect(g.flags & PacketFlag.EcnCe).toBe(0);
        if (backlog > kmax) expect(g.flags & PacketFlag.EcnCe).toBe(PacketFlag.EcnCe);
      }
    }
    const mean = marked / trials;
    expect(mean).toBeGreaterThan(expected * 0.95);
    expect(mean).toBeLessThan(expected * 1.05);
  });

  it('trims data that does not fit to a priority header, drops it without trimming', () => {
    for (const trimming of [true, false]) {
      const { ev, pool, q, sink } = setup({ rateBps: 100e9, maxBytes: 3000, trimming });
      for (let i = 0; i < 5; i++) q.receive(dataPacket(pool, i));
      ev.runUntilIdle();
      if (trimming) {
        // 0 in service, 1-2 fit, 3-4 trimmed and served before 1-2 (high class)
        expect(sink.got.map((g) => g.seq)).toEqual([0, 3, 4, 1, 2]);
        const trimmed = sink.got.filter((g) => g.flags & PacketFlag.Trimmed);
        expect(trimmed.map((g) => g.size)).toEqual([HEADER_BYTES, HEADER_BYTES]);
        expect(q.stats.trims).toBe(2);
        expect(q.stats.outDiscards).toBe(0);
      } else {
        expect(sink.got.map((g) => g.seq)).toEqual([0, 1, 2]);
        expect(q.stats.outDiscards).toBe(2);
        expect(pool.dropped).toBe(2);
      }
      expect(pool.inUse).toBe(0);
    }
  });

  it('a trim releases the whole packet from PFC ingress accounting (no leak that would pause forever)', () => {
    const { ev, pool, q } = setup({ rateBps: 100e9, maxBytes: 3000, trimming: true });
    let held = 0;
    q.ingress = {
      onLeave(p) {
        held -= p.size;
        p.inPort = -1;
      },
    };
    for (let i = 0; i < 5; i++) {
      const p = dataPacket(pool, i);
      p.inPort = 1;
      held += p.size;
      q.receive(p);
    }
    ev.runUntilIdle();
    expect(q.stats.trims).toBe(2);
    expect(held).toBe(0);
  });

  it('a PFC pause holds the data class and a resume releases it', () => {
    const { ev, pool, q, sink } = setup({ rateBps: 100e9, maxBytes: 1e6 });
    q.receive(dataPacket(pool, 0));
    q.setPaused(true);
    q.receive(dataPacket(pool, 1));
    ev.runUntil(1_000_000);
    expect(sink.got.map((g) => g.seq)).toEqual([0]);
    q.setPaused(false);
    ev.runUntilIdle();
    expect(sink.got.map((g) => g.seq)).toEqual([0, 1]);
    expect(sink.got[1].t).toBe(1_000_000 + 80_000);
  });
});

describe('Pipe', () => {
  it('delays by the fibre length and keeps one pending event', () => {
    expect(propagationPs(1)).toBe(5_000_000);
    expect(propagationPs(1, 'hollow-core')).toBe(3_300_000);
    const ev = new EventList();
    const pool = new PacketPool();
    const pipe = new Pipe(ev, propagationPs(0.2));
    const sink = new Collector(ev, pool);
    pipe.out = { deliver: (p) => sink.receive(p) };
    for (let i = 0; i < 50; i++) pipe.receive(dataPacket(pool, i));
    expect(ev.pending).toBe(50); // all in the delay line's lane, none in the heap
    ev.runUntilIdle();
    expect(sink.got.length).toBe(50);
    expect(sink.got.every((g, i) => g.seq === i && g.t === 1_000_000)).toBe(true);
  });
});

describe('Link', () => {
  function pair(seed = 3, maxBytes = 1e6) {
    const ev = new EventList();
    const pool = new PacketPool();
    const a = new Collector(ev, pool);
    const b = new Collector(ev, pool);
    const sa = new PortStats();
    const sb = new PortStats();
    const [ab, ba] = cable(
      ev,
      pool,
      new Rng(seed),
      { rateBps: 100e9, maxBytes, delayPs: 1_000_000 },
      { sink: { receive: (p) => a.receive(p) }, port: 0, stats: sa },
      { sink: { receive: (p) => b.receive(p) }, port: 0, stats: sb },
    );
    return { ev, pool, a, b, sa, sb, ab, ba };
  }

  it('counts out at the sender and in at the receiver', () => {
    const { ev, pool, b, sa, sb, ab } = pair();
    for (let i = 0; i < 10; i++) ab.send(dataPacket(pool, i));
    ev.runUntilIdle();
    expect(b.got.length).toBe(10);
    expect(sa.outPkts).toBe(10);
    expect(sa.outOctets).toBe(10_000);
    expect(sb.inPkts).toBe(10);
    expect(sb.inOctets).toBe(10_000);
    expect(b.got[0].t).toBe(80_000 + 1_000_000);
  });

  it('down drops queued, arriving and in-flight frames', () => {
    const { ev, pool, b, sa, ab } = pair();
    for (let i = 0; i < 10; i++) ab.send(dataPacket(pool, i));
    ev.runUntil(500_000); // 6 serialised (in flight), 1 in service, 3 queued
    ab.setUp(false);
    ab.send(dataPacket(pool, 99));
    ev.runUntilIdle();
    expect(b.got.length).toBe(0);
    expect(sa.outDiscards).toBe(4);
    expect(ab.lost).toBe(7);
    expect(pool.inUse).toBe(0);
  });

  it('loses frames at the configured loss rate and turns bit errors into CRC errors', () => {
    const { ev, pool, b, sb, ab } = pair(11, Infinity);
    ab.lossRate = 0.1;
    const n = 20_000;
    for (let i = 0; i < n; i++) ab.send(dataPacket(pool, i));
    ev.runUntilIdle();
    expect(b.got.length / n).toBeGreaterThan(0.89);
    expect(b.got.length / n).toBeLessThan(0.91);
    const l2 = pair(12, Infinity);
    l2.ab.ber = 1e-5; // 8000 bits per frame: loss 1 - (1 - 1e-5)^8000 = 7.7%
    for (let i = 0; i < n; i++) l2.ab.send(dataPacket(l2.pool, i));
    l2.ev.runUntilIdle();
    const expected = 1 - Math.pow(1 - 1e-5, 8000);
    expect(l2.sb.inErrors / n).toBeGreaterThan(expected - 0.006);
    expect(l2.sb.inErrors / n).toBeLessThan(expected + 0.006);
    expect(l2.b.got.length + l2.sb.inErrors).toBe(n);
    expect(sb.inErrors).toBe(0);
  });

  it('PFC frames pause the reverse direction', () => {
    const { ev, pool, a, ab, ba, sb, sa } = pair();
    // b tells a to pause: a frame on ba pauses ab's queue when it arrives
    ba.sendPfc(true);
    ev.runUntil(1_000_000);
    expect(ab.queue.paused).toBe(true);
    expect(sb.pfcPauseTx).toBe(1);
    expect(sa.pfcPauseRx).toBe(1);
    ab.send(dataPacket(pool, 1));
    ev.runUntil(5_000_000);
    expect(ab.queue.stats.outPkts).toBe(0);
    ba.sendPfc(false);
    ev.runUntilIdle();
    expect(ab.queue.stats.outPkts).toBe(1);
    expect(a.got.length).toBe(0);
    expect(Link).toBeDefined();
  });
});
