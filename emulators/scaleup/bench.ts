// `fabric-hil bench scaleup`: big supernodes the suite does not run: all-reduce on up to 1024 ETH+ accelerators (in-switch and ring), or a permutation on any protocol and tier count.
//
// Workloads:
// - `all-reduce` (ETH+, one switch): every accelerator all-reduces `elements` float32 values, once
//   offloaded to the switch and once as a ring; reports both completion times and checks the sums;
// - `permutation` (any protocol, one or two tiers): every accelerator sends `bytesPerAccelerator`
//   in transfers of `transferBytes` to another (a derangement drawn from the seed); reports the
//   makespan, the mean and the tail flow completion time and the aggregate goodput.
// Only the wall-time fields (wallSeconds, cpuSeconds, eventsPerSecond, peakRssMB) differ between
// runs with the same options: besides emulators/bench.ts and gse/bench.ts, the one file of
// emulators/ that reads the wall clock.
import { performance } from 'node:perf_hooks';
import { buildTwin } from '../build.ts';
import { generateTopology } from '../generators.ts';
import { Rng } from '../sim/rng.ts';
import type { Twin, TwinFlowMetrics } from '../twin.ts';
import { isScaleupProtocol } from '../../protocols/scaleup/efficiency.ts';
import './register.ts';

export interface ScaleupBenchOptions {
  workload?: 'all-reduce' | 'permutation';
  protocol?: string;
  accelerators?: number;
  tiers?: 1 | 2;
  acceleratorsPerLeaf?: number;
  spines?: number;
  /** all-reduce: values per accelerator (default 65536 = 256 KiB). */
  elements?: number;
  /** permutation: bytes each accelerator sends (default 1 MiB) in transfers of `transferBytes` (default 4096). */
  bytesPerAccelerator?: number;
  transferBytes?: number;
  seed?: number;
  /** Simulated time limit, ps (default 1 s). */
  maxSimPs?: number;
}

export interface ScaleupBenchResult {
  workload: string;
  protocol: string;
  accelerators: number;
  tiers: number;
  wallSeconds: number;
  cpuSeconds: number;
  setupSeconds: number;
  simulatedSeconds: number;
  events: number;
  eventsPerSecond: number;
  peakRssMB: number;
  [figure: string]: number | string | boolean;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

function build(o: ScaleupBenchOptions, protocol: string, n: number, tiers: number): Twin {
  const g = generateTopology('scaleup-supernode', 'sn', {
    protocol,
    accelerators: n,
    tiers,
    ...(o.acceleratorsPerLeaf !== undefined ? { acceleratorsPerLeaf: o.acceleratorsPerLeaf } : {}),
    ...(o.spines !== undefined ? { spines: o.spines } : {}),
    acceleratorParams: { collectiveChunkElements: 1024 },
  });
  return buildTwin({ devices: g.devices.map((d) => ({ ...d, defects: [] })), links: g.links }, { seed: o.seed ?? 1 });
}

export function runScaleupBench(o: ScaleupBenchOptions = {}): ScaleupBenchResult {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const workload = o.workload ?? 'all-reduce';
  const protocol = o.protocol ?? (workload === 'all-reduce' ? 'ethplus' : 'ualink');
  if (!isScaleupProtocol(protocol)) throw new Error(`bench scaleup: unknown protocol '${protocol}'`);
  const n = o.accelerators ?? 128;
  const tiers = o.tiers ?? (workload === 'all-reduce' ? 1 : 2);
  if (workload === 'all-reduce' && (protocol !== 'ethplus' || tiers !== 1)) throw new Error('bench scaleup: all-reduce runs on ETH+ with one switch tier');
  const twin = build(o, protocol, n, tiers);
  const setupSeconds = (performance.now() - wall0) / 1000;
  const limit = o.maxSimPs ?? 1e12;
  const acc = (i: number) => twin.node(`sn-acc${i}`)!;
  const figures: Record<string, number | string | boolean> = {};
  const t0 = twin.nowPs();
  if (workload === 'all-reduce') {
    const L = o.elements ?? 65536;
    const ids = Array.from({ length: n }, (_, i) => acc(i).state!.get('/scaleup/id') as number);
    for (const [g, offload] of [[1, true], [2, false]] as const) {
      const start = twin.nowPs();
      for (let r = 0; r < n; r++) {
        acc(r).config!.edit(`/scaleup/collectives/collective[name=ar${g}]`, { op: 'all-reduce', group: g, members: ids, input: Array.from({ length: L }, (_, i) => (r + i) % 5), offload }, 'merge');
      }
      const state = (r: number) => acc(r).state!.get(`/scaleup/collectives/collective[name=ar${g}]`) as { done: boolean; output: number[]; completionPs?: number };
      while (twin.nowPs() - start < limit && !state(n - 1).done) twin.runFor(1e6);
      twin.runFor(1e6);
      let worst = 0;
      let exact = true;
      for (let r = 0; r < n; r++) {
        const s = state(r);
        worst = Math.max(worst, s.done ? (s.completionPs as number) : Infinity);
        if (r % Math.max(1, Math.floor(n / 8)) === 0) exact &&= s.output.every((v, i) => v === Array.from({ length: n }, (_, k) => (k + i) % 5).reduce((a, b) => a + b, 0));
      }
      figures[offload ? 'offloadUs' : 'ringUs'] = round(worst / 1e6);
      figures[offload ? 'offloadExact' : 'ringExact'] = exact;
    }
    figures.elements = L;
    figures.speedup = round((figures.ringUs as number) / (figures.offloadUs as number), 2);
  } else {
    const bytes = o.bytesPerAccelerator ?? 1 << 20;
    const transfer = o.transferBytes ?? 4096;
    const perm = new Rng(o.seed ?? 1).fork('scaleup-permutation').shuffle(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) if (perm[i] === i) [perm[i], perm[(i + 1) % n]] = [perm[(i + 1) % n], perm[i]];
    for (let i = 0; i < n; i++) acc(i).traffic!.setFlows([{ name: 'p', txPort: 'p0', rxPort: `sn-acc${perm[i]}:p0`, bytes, frameBytes: transfer }]);
    for (let i = 0; i < n; i++) acc(i).traffic!.start();
    const all = (): TwinFlowMetrics[] => Array.from({ length: n }, (_, i) => acc(i).traffic!.metrics()[0]);
    while (twin.nowPs() - t0 < limit && !all().every((m) => m.done)) twin.runFor(1e7);
    const ms = all();
    const fcts = ms.filter((m) => m.done).map((m) => m.fctPs as number).sort((a, b) => a - b);
    figures.flowsCompleted = fcts.length;
    figures.makespanUs = round((fcts[fcts.length - 1] ?? 0) / 1e6);
    figures.meanFctUs = round(fcts.reduce((a, b) => a + b, 0) / Math.max(1, fcts.length) / 1e6);
    figures.p99FctUs = round((fcts[Math.min(fcts.length - 1, Math.floor(0.99 * fcts.length))] ?? 0) / 1e6);
    figures.goodputGbps = round((n * bytes * 8) / ((fcts[fcts.length - 1] ?? Infinity) / 1e12) / 1e9, 1);
  }
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    workload,
    protocol,
    accelerators: n,
    tiers,
    wallSeconds: round(wall),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    setupSeconds: round(setupSeconds),
    simulatedSeconds: round((twin.nowPs() - t0) / 1e12, 9),
    events: twin.eventsProcessed(),
    eventsPerSecond: Math.round(twin.eventsProcessed() / wall),
    peakRssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    ...figures,
  };
}
