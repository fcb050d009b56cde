// `fabric-hil bench gse-pod`: one full GSE PoD (64 GSP x 64 GSF-T2, 4096 GPUs at 400G), a permutation of 4 MiB per GPU.
//
// The PoD is the gse-three-tier generator's (one PoD, no GSF-T1): 512 servers of 8 NIC ports
// (zero-rail), one port per GPU, each an unmodified RoCEv2 endpoint (go-back-N, DCQCN); every GPU
// sends `bytesPerGpu` to another (a random derangement from the seed). Granularity `container`
// (default) simulates one record per container: the NICs send frames of the PKTC size, so a
// container is one record in the fabric (the scheduling, spraying, reordering and queueing are
// those of containers; per-packet headers inside a container are not simulated). Granularity
// `packet` sends MTU-sized frames, grouped into containers by the GSPs. Mode `ip-ecmp` runs the
// flow-hash ECMP baseline on the same cables. Utilisation is the mean over flows of the NIC
// bandwidth each got (bytes / FCT / line rate); job utilisation is the ideal completion time over
// the makespan. Only the wall-time fields (wallSeconds, cpuSeconds, eventsPerSecond, peakRssMB)
// differ between runs with the same options: besides emulators/bench.ts, the one file of
// emulators/ that reads the wall clock.

import { performance } from 'node:perf_hooks';
import { buildTwin } from '../build.ts';
import { generateTopology } from '../generators.ts';
import { Rng } from '../sim/rng.ts';
import { permutation } from '../traffic/generators.ts';
import type { SimFlow } from '../traffic/flows.ts';
import type { ForwardingMode } from './device.ts';
import { GseSwitchModel } from './models.ts';
import './register.ts';
import '../uec/register.ts';

export interface GsePodBenchOptions {
  /** GSPs of the PoD (default 64); also the GSF-T2 count unless `gsfs` is given. */
  gsps?: number;
  gsfs?: number;
  /** Servers per GSP (default 8) of `nicPorts` ports (default 8): 64 GPUs per GSP. */
  serversPerGsp?: number;
  nicPorts?: number;
  bytesPerGpu?: number;
  rateBps?: number;
  /** Fibre per link, km (default 0.1 = 0.5 us). */
  lengthKm?: number;
  /** PKTC size (default 65536 B at container granularity, 16384 B at packet granularity). */
  containerBytes?: number;
  /** Frame size at packet granularity (default 4096). */
  mtuBytes?: number;
  granularity?: 'container' | 'packet';
  mode?: ForwardingMode;
  /** Grant pacing as a fraction of the DPORT line rate (default 1). */
  grantRateFactor?: number;
  seed?: number;
  /** Stop after this much simulated time (default 20 ms). */
  maxSimPs?: number;
}

export interface GsePodBenchResult {
  scenario: {
    gpus: number;
    gsps: number;
    gsfs: number;
    servers: number;
    rateBps: number;
    bytesPerGpu: number;
    granularity: 'container' | 'packet';
    frameBytes: number;
    containerBytes: number;
    mode: ForwardingMode;
    seed: number;
    workload: 'permutation';
  };
  wallSeconds: number;
  cpuSeconds: number;
  /** Part of the wall time spent building the twin and converging the control plane. */
  setupSeconds: number;
  simulatedSeconds: number;
  events: number;
  eventsPerSecond: number;
  peakRssMB: number;
  flows: number;
  flowsCompleted: number;
  /** Mean over flows of bytes / FCT / line rate. */
  utilisation: number;
  /** Ideal completion time of one GPU's bytes at line rate over the makespan. */
  jobUtilisation: number;
  tailFctUs: number;
  p99FctUs: number;
  medianFctUs: number;
  makespanUs: number;
  /** Control plane: time the last update was delivered. */
  controlPlaneConvergedUs: number;
  dataFrames: number;
  containers: number;
  requests: number;
  grants: number;
  retransmissions: number;
  outOfOrderDeliveries: number;
  reorderedArrivals: number;
  drops: number;
  pfcPauses: number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function runGsePodBench(opts: GsePodBenchOptions = {}): GsePodBenchResult {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const gsps = opts.gsps ?? 64;
  const gsfs = opts.gsfs ?? gsps;
  const serversPerGsp = opts.serversPerGsp ?? 8;
  const nicPorts = opts.nicPorts ?? 8;
  const granularity = opts.granularity ?? 'container';
  const containerBytes = opts.containerBytes ?? (granularity === 'container' ? 65536 : 16384);
  const frameBytes = granularity === 'container' ? containerBytes : (opts.mtuBytes ?? 4096);
  const rateBps = opts.rateBps ?? 400e9;
  const bytesPerGpu = opts.bytesPerGpu ?? 4 * 1024 * 1024;
  const mode = opts.mode ?? 'gse-n2n';
  const seed = opts.seed ?? 1;
  const topo = generateTopology('gse-three-tier', 'pod', {
    pods: 1,
    gspsPerPod: gsps,
    gsfT2PerPod: gsfs,
    gsfT1PerPlane: 0,
    serversPerGsp,
    nicPorts,
    rateBps,
    lengthKm: opts.lengthKm ?? 0.1,
    radix: Math.max(128, serversPerGsp * nicPorts + gsfs, gsps),
    switchParams: {
      containerBytes,
      forwardingMode: mode,
      queueBytes: 8 * 1024 * 1024,
      ecnMinBytes: 200 * 1024,
      ecnMaxBytes: 800 * 1024,
      pfcXoffBytes: Math.max(512 * 1024, 16 * containerBytes),
      pfcHeadroomBytes: Math.max(256 * 1024, 4 * containerBytes),
      grantHoldBytes: Math.max(512 * 1024, 8 * containerBytes),
      ...(opts.grantRateFactor !== undefined ? { grantRateFactor: opts.grantRateFactor } : {}),
    },
  });
  const twin = buildTwin({ devices: topo.devices.map((d) => ({ ...d, defects: [] })), links: topo.links }, { seed });
  const model = twin.node('pod-gsp0-0');
  if (!(model instanceof GseSwitchModel)) throw new Error('bench gse-pod: the PoD has no GSE model at pod-gsp0-0');
  const gse = model.gse;
  const events = gse.events;
  const manager = gse.runtime.flows;
  // Let the control plane converge before traffic starts.
  events.runUntilIdle(1e9);
  const converged = gse.bus.lastDeliveryPs;
  const startPs = events.nowPs;
  const setupSeconds = (performance.now() - wall0) / 1000;
  const gpus = gse.network.spec.addresses.length;
  const wl = permutation(gpus, bytesPerGpu, new Rng(seed).fork('gse-pod-permutation'));
  const flows: SimFlow[] = wl.map((w) =>
    manager.add({ name: `gpu${w.src}->gpu${w.dst}`, src: w.src, dst: w.dst, bytes: w.bytes, transport: 'roce', transportOptions: { mtuBytes: frameBytes } }),
  );
  manager.onAllDone = () => events.stop();
  for (const f of flows) manager.startFlow(f, startPs);
  const eventsBefore = events.eventsProcessed;
  events.runUntilIdle(startPs + (opts.maxSimPs ?? 20e9));
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);

  const fcts: number[] = [];
  let makespan = 0;
  let util = 0;
  let dataFrames = 0;
  let retx = 0;
  let ooo = 0;
  for (const f of flows) {
    const m = f.metrics();
    dataFrames += m.dataPackets;
    retx += m.retransmissions;
    ooo += m.outOfOrder;
    if (m.done && m.fctPs !== undefined) {
      fcts.push(m.fctPs);
      makespan = Math.max(makespan, (m.finishPs ?? 0) - startPs);
      util += (m.bytes * 8e12) / m.fctPs / rateBps;
    }
  }
  fcts.sort((a, b) => a - b);
  const q = (p: number): number => (fcts.length ? fcts[Math.min(fcts.length - 1, Math.floor(p * (fcts.length - 1)))] : NaN);
  let containers = 0;
  let requests = 0;
  let grants = 0;
  let reordered = 0;
  for (const e of gse.edges.values()) {
    containers += e.containersSent;
    requests += e.requestsSent;
    grants += e.grantsSent;
    reordered += e.outOfOrderArrivals;
  }
  let pfc = 0;
  for (const d of topo.devices) {
    const node = twin.node(d.id);
    if (node?.counters === undefined) continue;
    for (const p of d.ports) pfc += node.counters.port(p).pfcPauseTx ?? 0;
  }
  const events2 = events.eventsProcessed;
  return {
    scenario: { gpus, gsps, gsfs, servers: gsps * serversPerGsp, rateBps, bytesPerGpu, granularity, frameBytes, containerBytes, mode, seed, workload: 'permutation' },
    wallSeconds: round(wall),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    setupSeconds: round(setupSeconds),
    simulatedSeconds: (events.nowPs - startPs) / 1e12,
    events: events2,
    eventsPerSecond: Math.round((events2 - eventsBefore) / Math.max(wall - setupSeconds, 1e-9)),
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
    flows: flows.length,
    flowsCompleted: fcts.length,
    utilisation: round(fcts.length ? util / flows.length : 0, 4),
    jobUtilisation: round(makespan > 0 ? (bytesPerGpu * 8e12) / rateBps / makespan : 0, 4),
    tailFctUs: round(fcts.length ? fcts[fcts.length - 1] / 1e6 : NaN),
    p99FctUs: round(q(0.99) / 1e6),
    medianFctUs: round(q(0.5) / 1e6),
    makespanUs: round(makespan / 1e6),
    controlPlaneConvergedUs: round(converged / 1e6),
    dataFrames,
    containers,
    requests,
    grants,
    retransmissions: retx,
    outOfOrderDeliveries: ooo,
    reorderedArrivals: reordered,
    drops: gse.pool.dropped,
    pfcPauses: pfc,
  };
}
