// The gse-pod benchmark on a small PoD: the JSON it reports, completion, determinism apart from wall-time fields.
import { describe, expect, it } from 'vitest';
import { runGsePodBench, type GsePodBenchResult } from './bench.ts';

const WALL = ['wallSeconds', 'cpuSeconds', 'setupSeconds', 'eventsPerSecond', 'peakRssMB'] as const;
const strip = (r: GsePodBenchResult) => Object.fromEntries(Object.entries(r).filter(([k]) => !(WALL as readonly string[]).includes(k)));

describe('bench gse-pod', () => {
  const small = { gsps: 4, serversPerGsp: 1, nicPorts: 4, bytesPerGpu: 512 * 1024 };

  it('runs a permutation on a small PoD at container granularity: every flow completes, nothing lost or reordered', () => {
    const r = runGsePodBench(small);
    expect(r.scenario).toMatchObject({ gpus: 16, gsps: 4, gsfs: 4, servers: 4, granularity: 'container', frameBytes: 65536, mode: 'gse-n2n', workload: 'permutation' });
    expect(r.flowsCompleted).toBe(16);
    expect(r).toMatchObject({ retransmissions: 0, outOfOrderDeliveries: 0, drops: 0 });
    expect(r.utilisation).toBeGreaterThan(0.3);
    expect(r.utilisation).toBeLessThanOrEqual(1);
    expect(r.tailFctUs).toBeGreaterThanOrEqual(r.p99FctUs);
    expect(r.containers).toBe(r.grants);
    expect(r.controlPlaneConvergedUs).toBeGreaterThan(0);
    for (const k of WALL) expect(r[k], k).toBeGreaterThanOrEqual(0);
  });

  it('packet granularity groups MTU frames into containers; the same options give the same figures', () => {
    const a = runGsePodBench({ ...small, granularity: 'packet', bytesPerGpu: 128 * 1024 });
    expect(a.scenario).toMatchObject({ frameBytes: 4096, containerBytes: 16384 });
    expect(a.dataFrames).toBeGreaterThan(a.containers);
    expect(a.flowsCompleted).toBe(16);
    expect(strip(runGsePodBench({ ...small, granularity: 'packet', bytesPerGpu: 128 * 1024 }))).toEqual(strip(a));
  });

  it('runs the ip-ecmp baseline on the same PoD', () => {
    const r = runGsePodBench({ ...small, mode: 'ip-ecmp' });
    expect(r.scenario.mode).toBe('ip-ecmp');
    expect(r.flowsCompleted).toBe(16);
    expect(r.containers).toBe(0);
  });
});
