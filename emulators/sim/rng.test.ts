// Checks the seeded generator: reproducible, roughly uniform, independent forks.
import { describe, expect, it } from 'vitest';
import { hash32, Rng } from './rng.ts';

describe('Rng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 10 }, () => a.nextU32());
    expect(Array.from({ length: 10 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 10 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('is roughly uniform', () => {
    const r = new Rng(1);
    const bins = new Array(10).fill(0);
    const n = 100_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      else bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(600);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
  });

  it('forks streams that depend on the label but do not consume the parent', () => {
    const a = new Rng(5);
    const f1 = a.fork('x');
    const first = a.nextU32();
    const b = new Rng(5);
    expect(b.nextU32()).toBe(first);
    expect(new Rng(5).fork('x').nextU32()).toBe(f1.nextU32());
    expect(new Rng(5).fork('y').nextU32()).not.toBe(new Rng(5).fork('x').nextU32());
  });

  it('hash32 spreads consecutive inputs', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(hash32(i, 0, 0) % 64);
    expect(seen.size).toBe(64);
  });
});
