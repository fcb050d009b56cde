// The UEC-8 loss sweep as a benchmark: goodput of one flow versus random loss for UET (RUD, sprayed) and RoCEv2 (go-back-N), as JSON.
//
// Runs on a uec-leaf-spine twin (two leaves, two spines joined by two links each, 100 Gb/s links of
// 200 m, queues of one BDP): one flow crosses the spines while random loss is set on the sender's
// link (both directions). Deterministic for a seed; wall time is the caller's to measure.

import { buildTwin } from '../build.ts';
import { generateTopology } from '../generators.ts';
import './family.ts';

export interface LossSweepOptions {
  seed?: number;
  /** Bytes per flow (default 16 MB). */
  bytes?: number;
  /** Loss rates as fractions (default 0 to 2%). */
  lossRates?: number[];
  transports?: Array<'uet' | 'roce'>;
  frameBytes?: number;
  rateBps?: number;
}

export interface LossSweepPoint {
  transport: 'uet' | 'roce';
  lossRate: number;
  goodputBps: number;
  fctPs: number;
  retransmissions: number;
  lostFrames: number;
}

export interface LossSweepResult {
  scenario: 'uec-loss-sweep';
  seed: number;
  bytes: number;
  rateBps: number;
  points: LossSweepPoint[];
  /** Goodput at each loss rate over the loss-free goodput, per transport. */
  relative: Record<string, Array<[number, number]>>;
  events: number;
  simulatedSeconds: number;
}

export const LOSS_SWEEP_DEFAULT_RATES = [0, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02];

export function runLossSweep(opts: LossSweepOptions = {}): LossSweepResult {
  const seed = opts.seed ?? 1;
  const bytes = opts.bytes ?? 16_000_000;
  const rates = opts.lossRates ?? LOSS_SWEEP_DEFAULT_RATES;
  const transports = opts.transports ?? ['uet', 'roce'];
  const rateBps = opts.rateBps ?? 100e9;
  const points: LossSweepPoint[] = [];
  let events = 0;
  let simPs = 0;
  for (const transport of transports) {
    for (const p of rates) {
      const g = generateTopology('uec-leaf-spine', 'b', { parallel: 2, rateBps, switchParams: { queueBytes: 120000, ecnMinBytes: 24000, ecnMaxBytes: 96000, trimming: true } });
      const twin = buildTwin({ devices: g.devices, links: g.links }, { seed });
      const src = twin.node('b-nic0')!;
      if (p > 0) src.faults!.inject({ kind: 'loss', port: 'p0', rate: p });
      src.traffic!.setFlows([
        { name: 'f', txPort: 'p0', rxPort: 'b-nic4:p0', bytes, frameBytes: opts.frameBytes ?? 4150, transport, ...(transport === 'uet' ? { entropies: 64 } : {}) },
      ]);
      src.traffic!.start();
      const step = 100e6;
      let m = src.traffic!.metrics()[0];
      for (let t = 0; !m.done && t < 1e12; t += step) {
        twin.runFor(step);
        m = src.traffic!.metrics()[0];
      }
      if (!m.done) throw new Error(`loss sweep: the ${transport} flow at ${p * 100}% loss did not complete`);
      events += twin.eventsProcessed();
      simPs += twin.nowPs();
      points.push({
        transport,
        lossRate: p,
        goodputBps: (m.rxBytes * 8) / (m.fctPs! / 1e12),
        fctPs: m.fctPs!,
        retransmissions: m.retransmissions,
        lostFrames: m.lostFrames,
      });
    }
  }
  const relative: Record<string, Array<[number, number]>> = {};
  for (const t of transports) {
    const pts = points.filter((x) => x.transport === t);
    const base = pts.find((x) => x.lossRate === 0)?.goodputBps ?? pts[0].goodputBps;
    relative[t] = pts.map((x) => [x.lossRate, x.goodputBps / base]);
  }
  return { scenario: 'uec-loss-sweep', seed, bytes, rateBps, points, relative, events, simulatedSeconds: simPs / 1e12 };
}
