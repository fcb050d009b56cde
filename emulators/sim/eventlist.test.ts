// Checks the event list: (time, insertion) order, ties, time never going backwards, run bounds.
import { describe, expect, it } from 'vitest';
import { EventList, SimTimeError, serialisationPs, timeFromUs } from './eventlist.ts';
import { Rng } from './rng.ts';

class Recorder {
  simId?: number;
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly ev: EventList,
  ) {}
  onEvent(): void {
    this.log.push(`${this.name}@${this.ev.nowPs}`);
  }
}

describe('EventList', () => {
  it('dispatches in time order and keeps insertion order for ties', () => {
    const ev = new EventList(4);
    const log: string[] = [];
    const a = new Recorder('a', log, ev);
    const b = new Recorder('b', log, ev);
    const c = new Recorder('c', log, ev);
    ev.schedule(30, a);
    ev.schedule(10, b);
    ev.schedule(10, c);
    ev.schedule(10, a);
    ev.schedule(0, c);
    ev.runUntilIdle();
    expect(log).toEqual(['c@0', 'b@10', 'c@10', 'a@10', 'a@30']);
    expect(ev.eventsProcessed).toBe(5);
  });

  it('matches a stable sort on many random events (heap growth included)', () => {
    const ev = new EventList(2);
    const rng = new Rng(7);
    const order: number[] = [];
    const expected: { t: number; i: number }[] = [];
    const sources = Array.from({ length: 5000 }, (_, i) => ({
      onEvent: () => order.push(i),
    }));
    sources.forEach((s, i) => {
      const t = rng.int(100);
      expected.push({ t, i });
      ev.schedule(t, s);
    });
    ev.runUntilIdle();
    expected.sort((x, y) => x.t - y.t || x.i - y.i);
    expect(order).toEqual(expected.map((e) => e.i));
  });

  it('sets now before dispatch and lets sources schedule at the same time', () => {
    const ev = new EventList();
    const seen: number[] = [];
    let n = 0;
    const s = {
      onEvent() {
        seen.push(ev.nowPs);
        if (++n < 3) ev.scheduleIn(0, s);
      },
    };
    ev.schedule(5, s);
    ev.runUntilIdle();
    expect(seen).toEqual([5, 5, 5]);
  });

  it('refuses to schedule in the past or to run backwards', () => {
    const ev = new EventList();
    ev.runUntil(100);
    expect(ev.nowPs).toBe(100);
    expect(() => ev.schedule(99, { onEvent() {} })).toThrow(SimTimeError);
    expect(() => ev.runUntil(50)).toThrow(SimTimeError);
    expect(() => ev.scheduleIn(-1, { onEvent() {} })).toThrow(SimTimeError);
  });

  it('runUntil processes events up to and including the bound, then sets now to it', () => {
    const ev = new EventList();
    const log: string[] = [];
    const r = new Recorder('r', log, ev);
    ev.schedule(10, r);
    ev.schedule(20, r);
    ev.schedule(21, r);
    ev.runUntil(20);
    expect(log).toEqual(['r@10', 'r@20']);
    expect(ev.nowPs).toBe(20);
    expect(ev.pending).toBe(1);
    expect(ev.runUntilIdle(20)).toBe(false);
    expect(ev.runUntilIdle()).toBe(true);
    expect(ev.nowPs).toBe(21);
  });

  it('stop() ends the run after the current event', () => {
    const ev = new EventList();
    let count = 0;
    const s = {
      onEvent() {
        count++;
        if (count === 2) ev.stop();
        ev.scheduleIn(1, s);
      },
    };
    ev.schedule(0, s);
    ev.runUntilIdle();
    expect(count).toBe(2);
  });

  it('orders lane entries with heap events by (time, insertion sequence)', () => {
    const ev = new EventList();
    const log: string[] = [];
    const laneSrc = { onLaneEvent: () => log.push(`lane@${ev.nowPs}`) };
    const lane = ev.openLane(laneSrc);
    const r = new Recorder('heap', log, ev);
    ev.pushLane(lane, 10);
    ev.schedule(10, r);
    ev.schedule(5, r);
    ev.pushLane(lane, 10);
    ev.pushLane(lane, 20);
    ev.schedule(15, r);
    expect(ev.pending).toBe(6);
    expect(ev.peekTimePs()).toBe(5);
    ev.runUntilIdle();
    expect(log).toEqual(['heap@5', 'lane@10', 'heap@10', 'lane@10', 'heap@15', 'lane@20']);
    expect(() => ev.pushLane(lane, 19)).toThrow(SimTimeError); // a lane never goes back
  });

  it('keeps the order when sequence numbers are renumbered', () => {
    const ev = new EventList();
    const log: string[] = [];
    const a = new Recorder('a', log, ev);
    const b = new Recorder('b', log, ev);
    const lane = ev.openLane({ onLaneEvent: () => log.push(`l@${ev.nowPs}`) });
    ev.schedule(7, a);
    ev.pushLane(lane, 7);
    ev.setSequenceForTest(2 ** 32 - 2);
    ev.schedule(7, b);
    ev.schedule(3, b); // this one triggers the renumbering
    ev.schedule(7, a);
    ev.runUntilIdle();
    expect(log).toEqual(['b@3', 'a@7', 'l@7', 'b@7', 'a@7']);
  });

  it('scheduleIn: frequent delays ride lanes, in the same order as the heap would give', () => {
    // Random sources each rescheduling themselves after one of a few delays (plus rare ones),
    // dispatched once through scheduleIn and once through schedule: the same log.
    const trace = (after: boolean): string[] => {
      const ev = new EventList(8);
      const rng = new Rng(11);
      const log: string[] = [];
      const delays = [332_000, 5_120, 332_000, 160_800, 0];
      const sources = Array.from({ length: 40 }, (_, i) => ({
        simId: undefined as number | undefined,
        left: 200,
        onEvent(): void {
          log.push(`${i}@${ev.nowPs}`);
          if (--this.left === 0) return;
          const d = rng.next() < 0.02 ? rng.int(1000) : delays[rng.int(delays.length)];
          if (after) ev.scheduleIn(d, this);
          else ev.schedule(ev.nowPs + d, this);
        },
      }));
      sources.forEach((s, i) => ev.schedule(i % 7, s));
      ev.runUntilIdle();
      return log;
    };
    const viaLanes = trace(true);
    expect(viaLanes.length).toBe(40 * 200);
    expect(viaLanes).toEqual(trace(false));
  });

  it('keeps delay-lane sources when sequence numbers are renumbered', () => {
    const ev = new EventList();
    const log: string[] = [];
    const a = new Recorder('a', log, ev);
    const b = new Recorder('b', log, ev);
    for (let i = 0; i < 64; i++) ev.scheduleIn(5, i % 2 ? a : b); // the 64th use opens a lane
    ev.runUntilIdle();
    log.length = 0;
    ev.scheduleIn(5, a);
    ev.setSequenceForTest(2 ** 32 - 2);
    ev.scheduleIn(5, b);
    ev.schedule(ev.nowPs + 1, b); // triggers the renumbering
    ev.scheduleIn(5, a);
    ev.runUntilIdle();
    // the lane at now + 5 = 10 holds a, b, a; the heap b at 6
    expect(log).toEqual(['b@6', 'a@10', 'b@10', 'a@10']);
  });

  it('converts units exactly', () => {
    expect(timeFromUs(1)).toBe(1_000_000);
    expect(serialisationPs(4150, 100e9)).toBe(332_000);
    expect(serialisationPs(64, 100e9)).toBe(5_120);
    expect(serialisationPs(9216, 400e9)).toBe(184_320);
  });
});
