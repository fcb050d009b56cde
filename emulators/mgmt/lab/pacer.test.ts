// The pacer runs the twin to scale x elapsed wall time, one bounded step per tick, never backwards.
import { describe, expect, it } from 'vitest';
import type { Twin } from '../../twin.ts';
import { TwinPacer } from './pacer.ts';

function fakeTwin(): Twin & { runs: number[] } {
  let now = 0;
  const runs: number[] = [];
  return {
    seed: 1,
    runs,
    nowPs: () => now,
    runFor: (d: number) => {
      runs.push(d);
      now += d;
    },
    node: () => undefined,
    nodes: () => [],
    eventsProcessed: () => 0,
  };
}

describe('TwinPacer', () => {
  it('moves device time by timeScale x wall time', () => {
    const twin = fakeTwin();
    let wall = 1000;
    const pacer = new TwinPacer(twin, { timeScale: 0.01, wallNowMs: () => wall, maxStepWallMs: 1000 });
    pacer.start();
    pacer.stop();
    wall += 100; // 100 ms of wall time = 1 ms of device time
    pacer.step();
    expect(twin.nowPs()).toBe(1e9);
    pacer.step();
    expect(twin.runs).toEqual([1e9]);
    expect(pacer.lagPs).toBe(0);
  });

  it('runs at most maxStepWallMs of device time per step and does not race to catch up', () => {
    const twin = fakeTwin();
    let wall = 0;
    const pacer = new TwinPacer(twin, { timeScale: 1, wallNowMs: () => wall, maxStepWallMs: 10 });
    pacer.start();
    pacer.stop();
    wall = 100;
    pacer.step();
    expect(twin.nowPs()).toBe(10e9);
    expect(pacer.lagPs).toBe(90e9);
    wall = 101; // rebased at wall 100: one more ms
    pacer.step();
    expect(twin.nowPs()).toBe(11e9);
  });

  it('refuses a scale that is not a positive number', () => {
    expect(() => new TwinPacer(fakeTwin(), { timeScale: 0, wallNowMs: () => 0 })).toThrow(RangeError);
    expect(() => new TwinPacer(fakeTwin(), { timeScale: Infinity, wallNowMs: () => 0 })).toThrow(RangeError);
  });

  it('ticks on its own once started', async () => {
    const twin = fakeTwin();
    let wall = 0;
    const pacer = new TwinPacer(twin, { timeScale: 1, wallNowMs: () => wall, maxStepWallMs: 10 });
    pacer.start();
    wall = 5;
    for (let i = 0; i < 200 && twin.nowPs() < 5e9; i++) await new Promise((r) => setTimeout(r, 2));
    pacer.stop();
    expect(twin.nowPs()).toBe(5e9);
    expect(pacer.running).toBe(false);
  });
});
