// The benchmark: runs a reference-simulator connection matrix on the reference fabric and reports
// speed (wall time, events, memory) and the scenario's own figures (FCTs, packets, retransmissions).
//
// Reference fabric (shared/spec/reference-scenarios.md): three-tier fat tree sized like the
// reference (smallest k with k^3/4 >= Nodes, so k = 16 for 1024 hosts, k = 4 for 16), 100 Gb/s,
// 1 us links, MTU 4150 B, switch queues 178,450 B with probabilistic ECN between 37,350 B and
// 145,250 B and trimming, UET with NSCC, spraying over 128 entropies. Trimmed headers and control
// packets have their own byte limit per port, HEADER_QUEUE_FACTOR x the data queue by default: a
// 1023 -> 1 incast whose senders each start with 50 packets trims ~25k packets within a few
// microseconds, and the receiver's last hop must hold their headers (~1.3 MB at peak) for the
// NACKs, not timeouts, to recover them (the reference shows no such losses). Only the wall-time fields
// (wallSeconds, cpuSeconds, eventsPerSecond, peakRssMB) differ between two runs with the same seed; this is
// the one file of emulators/ that reads the wall clock.

import { performance } from 'node:perf_hooks';
import { Network } from './fabric/network.ts';
import { fatTree, fatTreeKFor } from './fabric/topology.ts';
import { FlowManager, type SimFlow } from './traffic/flows.ts';
import { loadConnectionMatrix, type ConnectionMatrix } from './traffic/cm.ts';
import { Rng } from './sim/rng.ts';
import './uec/register.ts';

export interface BenchOptions {
  cmFile: string;
  /** Entropies per flow: 128 sprays (default), 1 is per-flow ECMP. */
  paths?: number;
  transport?: 'uet' | 'roce';
  seed?: number;
  /** Fat-tree k; default: sized from the matrix's Nodes like the reference. */
  k?: number;
  rateBps?: number;
  linkDelayPs?: number;
  mtuBytes?: number;
  queueBytes?: number;
  /** Byte limit of the high class (control packets, trimmed headers); default HEADER_QUEUE_FACTOR x queueBytes. */
  headerQueueBytes?: number;
  ecnMinBytes?: number;
  ecnMaxBytes?: number;
  trimming?: boolean;
  /** Initial (and maximum) window in MTU packets; default 1.5 x BDP of each flow's path. */
  cwndPackets?: number;
  /** Stop after this much simulated time even if flows are unfinished (default 1 s). */
  maxSimPs?: number;
  /** A parsed matrix instead of cmFile (tests). */
  matrix?: ConnectionMatrix;
}

export interface BenchResult {
  scenario: {
    cmFile: string;
    nodes: number;
    k: number;
    transport: 'uet' | 'roce';
    paths: number;
    seed: number;
    rateBps: number;
    linkDelayPs: number;
    mtuBytes: number;
    queueBytes: number;
    headerQueueBytes: number;
    ecnMinBytes: number;
    ecnMaxBytes: number;
    trimming: boolean;
  };
  wallSeconds: number;
  /** CPU time of the process during the run (user + system): steadier than wall time on a busy machine. */
  cpuSeconds: number;
  simulatedSeconds: number;
  events: number;
  eventsPerSecond: number;
  peakRssMB: number;
  flows: number;
  flowsCompleted: number;
  tailFctUs: number;
  medianFctUs: number;
  meanFctUs: number;
  makespanUs: number;
  dataPackets: number;
  retransmissions: number;
  acks: number;
  nacks: number;
  timeouts: number;
  trims: number;
  drops: number;
  ecnMarks: number;
}

export const BENCH_DEFAULTS = {
  paths: 128,
  transport: 'uet' as const,
  seed: 1,
  rateBps: 100e9,
  linkDelayPs: 1_000_000,
  mtuBytes: 4150,
  queueBytes: 178_450,
  ecnMinBytes: 37_350,
  ecnMaxBytes: 145_250,
  trimming: true,
  maxSimPs: 1e12,
};

/** Default byte limit of the high class, in data-queue sizes. */
export const HEADER_QUEUE_FACTOR = 8;

/** Fields that depend on the machine, not on the simulation. */
export const BENCH_WALL_FIELDS = ['wallSeconds', 'cpuSeconds', 'eventsPerSecond', 'peakRssMB'] as const;

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function runBench(opts: BenchOptions): BenchResult {
  const o = { ...BENCH_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<
    Omit<BenchOptions, 'k' | 'cwndPackets' | 'matrix' | 'headerQueueBytes'>
  > &
    Pick<BenchOptions, 'k' | 'cwndPackets' | 'matrix' | 'headerQueueBytes'>;
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const cm = o.matrix ?? loadConnectionMatrix(o.cmFile);
  const k = o.k ?? fatTreeKFor(cm.nodes);
  const spec = fatTree(k, { rateBps: o.rateBps, delayPs: o.linkDelayPs });
  if (spec.addresses.length < cm.nodes) {
    throw new RangeError(`a k=${k} fat tree has ${spec.addresses.length} hosts, the matrix needs ${cm.nodes}`);
  }
  const headerQueueBytes = o.headerQueueBytes ?? HEADER_QUEUE_FACTOR * o.queueBytes;
  const rng = new Rng(o.seed);
  const net = new Network(spec, {
    rng,
    selector: 'spray',
    switchQueue: {
      maxBytes: o.queueBytes,
      highMaxBytes: headerQueueBytes,
      ecnMinBytes: o.ecnMinBytes,
      ecnMaxBytes: o.ecnMaxBytes,
      trimming: o.trimming,
    },
  });
  const transportOptions: Record<string, unknown> = {
    mtuBytes: o.mtuBytes,
    paths: o.paths,
    targetQdelayFactor: o.trimming ? 0.75 : 1.0,
    // reference: 150 us + 6 queues' worth of drain time
    minRtoPs: 150_000_000 + Math.round((o.queueBytes * 6 * 8e12) / o.rateBps),
  };
  if (o.cwndPackets !== undefined) {
    transportOptions.initialCwndBytes = o.cwndPackets * o.mtuBytes;
    transportOptions.maxCwndBytes = o.cwndPackets * o.mtuBytes;
  }
  const manager = new FlowManager(net, transportOptions);
  const flows: SimFlow[] = cm.connections.map((c) =>
    manager.add({
      name: c.id !== undefined ? `flow${c.id}` : `${c.src}->${c.dst}@${c.line}`,
      src: c.src,
      dst: c.dst,
      bytes: c.sizeBytes,
      startPs: Math.round(c.startUs * 1e6),
      transport: o.transport,
      entropies: o.paths,
    }),
  );
  const events = net.events;
  manager.onAllDone = () => events.stop();
  for (const f of flows) manager.startFlow(f, 0);
  events.runUntilIdle(o.maxSimPs);
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);

  const fcts: number[] = [];
  let makespan = 0;
  let dataPackets = 0;
  let retransmissions = 0;
  let acks = 0;
  let nacks = 0;
  let timeouts = 0;
  for (const f of flows) {
    const m = f.metrics();
    dataPackets += m.dataPackets;
    retransmissions += m.retransmissions;
    acks += m.acks;
    nacks += m.nacks;
    timeouts += m.rtoFired;
    if (m.done && m.fctPs !== undefined) {
      fcts.push(m.fctPs);
      makespan = Math.max(makespan, m.finishPs ?? 0);
    }
  }
  fcts.sort((a, b) => a - b);
  let trims = 0;
  let ecnMarks = 0;
  for (let n = 0; n < spec.nodes.length; n++) {
    if (spec.nodes[n].role !== 'switch') continue;
    for (let p = 0; p < spec.nodes[n].ports.length; p++) {
      const s = net.stats(n, p);
      trims += s.trims;
      ecnMarks += s.ecnMarked;
    }
  }
  const median = fcts.length === 0 ? NaN : fcts.length % 2 === 1 ? fcts[(fcts.length - 1) / 2] : (fcts[fcts.length / 2 - 1] + fcts[fcts.length / 2]) / 2;
  const mean = fcts.length === 0 ? NaN : fcts.reduce((a, b) => a + b, 0) / fcts.length;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  return {
    scenario: {
      cmFile: o.cmFile,
      nodes: cm.nodes,
      k,
      transport: o.transport,
      paths: o.paths,
      seed: o.seed,
      rateBps: o.rateBps,
      linkDelayPs: o.linkDelayPs,
      mtuBytes: o.mtuBytes,
      queueBytes: o.queueBytes,
      headerQueueBytes,
      ecnMinBytes: o.ecnMinBytes,
      ecnMaxBytes: o.ecnMaxBytes,
      trimming: o.trimming,
    },
    wallSeconds: round(wall),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    simulatedSeconds: events.nowPs / 1e12,
    events: events.eventsProcessed,
    eventsPerSecond: Math.round(events.eventsProcessed / Math.max(wall, 1e-9)),
    peakRssMB: round(peakRssMB, 1),
    flows: flows.length,
    flowsCompleted: fcts.length,
    tailFctUs: fcts.length ? round(fcts[fcts.length - 1] / 1e6) : NaN,
    medianFctUs: round(median / 1e6),
    meanFctUs: round(mean / 1e6),
    makespanUs: round(makespan / 1e6),
    dataPackets,
    retransmissions,
    acks,
    nacks,
    timeouts,
    trims,
    drops: net.pool.dropped,
    ecnMarks,
  };
}
