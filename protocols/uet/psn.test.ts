// PSN serial arithmetic: order and distance across the 32-bit wrap.
import { describe, expect, test } from 'vitest';
import { prng } from '../testing.ts';
import { uetPsnAdd, uetPsnCompare, uetPsnDistance, uetPsnInWindow, uetPsnLessThan } from './psn.ts';

describe('PSN arithmetic', () => {
  test('compare: before, equal, after, across the wrap', () => {
    expect([uetPsnCompare(1, 2), uetPsnCompare(2, 2), uetPsnCompare(3, 2)]).toEqual([-1, 0, 1]);
    expect(uetPsnCompare(0xffffffff, 0)).toBe(-1);
    expect(uetPsnCompare(0, 0xffffffff)).toBe(1);
    expect(uetPsnCompare(0xfffffff0, 0x10)).toBe(-1);
    expect(uetPsnCompare(0x10, 0x7fffffff)).toBe(-1);
    expect(uetPsnCompare(0x10, 0x80000011)).toBe(1);
    expect(uetPsnLessThan(0xffffff00, 5)).toBe(true);
  });

  test('distance is the signed 32-bit difference', () => {
    expect(uetPsnDistance(0xfffffffe, 1)).toBe(3);
    expect(uetPsnDistance(1, 0xfffffffe)).toBe(-3);
    expect(uetPsnDistance(5, 5)).toBe(0);
    expect(uetPsnDistance(0, 0x7fffffff)).toBe(0x7fffffff);
    expect(uetPsnDistance(0, 0x80000000)).toBe(-0x80000000);
  });

  test('add wraps; windows wrap', () => {
    expect([uetPsnAdd(0xffffffff, 1), uetPsnAdd(0, -1), uetPsnAdd(10, 5)]).toEqual([0, 0xffffffff, 15]);
    expect(uetPsnInWindow(2, 0xfffffff0, 32)).toBe(true);
    expect(uetPsnInWindow(0xffffffef, 0xfffffff0, 32)).toBe(false);
    expect(uetPsnInWindow(0x10, 0xfffffff0, 32)).toBe(false);
  });

  test('random pairs: compare agrees with distance, and a + distance(a, b) = b', () => {
    const rnd = prng(32);
    for (let i = 0; i < 10_000; i++) {
      const a = rnd();
      const b = rnd();
      const d = uetPsnDistance(a, b);
      expect(uetPsnAdd(a, d)).toBe(b);
      if (d !== -0x80000000) expect(uetPsnCompare(a, b)).toBe(-Math.sign(d));
    }
  });
});
