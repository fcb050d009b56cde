// The cross-DC training model of seed facts WAN-3/WAN-4 as code: worked numbers and TE loss vs distance from emulated WAN runs.
//
// WAN-3 (LLaMA2-70B, psi = 70e9, P = 122.96 TFLOPS, b = 32, s = 4096, N = 1024, GBS = 2048,
// p = t = 8, d = 16): T_batch = 6 psi b s / (p t P); T_DP,cal = GBS / (b d) T_batch; D_DP =
// 2 psi / (p t) x 2 bytes per GPU per DP step; with communication 1-5 % of the step the per-GPU
// bandwidth is D_DP / (share T_DP,cal) and the line side GBS / d of those, x 8 bits; the chosen
// line side is 16 x 800G coherent modules (12.8 Tb/s, 1:8 of 128 x 800G NICs).
// TE loss: the share of the step lost to exposed communication, T_com / (T_cal + T_com), with
// TGS = b s / (T_cal + T_com) / N. DP: the cross-DC phase of a hierarchical all-reduce is two
// synchronised exchanges in which every pair of neighbouring DCs sends each other half of the
// line-side volume (WAN-4: "within 2 x RTT"); 3 DCs form a chain whose middle DC halves the
// hop (WAN-4: "a 3-DC ring halves the equivalent RTT"). PP: with interleaved 1F1B, send/receive
// overlaps compute; only the pipeline's fill and drain cross each DC boundary exposed (per
// boundary one activation transfer, b s h x 2 bytes per DP replica, each way).
// The emulated runs: a twin of the DC gateways (router model) joined by WAN links of the given
// length and fibre; every exchange is a set of RoCE flows (the phase ends when the last flow's
// data is acknowledged), every PP transfer a raw flow (ends on delivery). Bandwidth and volume
// are scaled down by the same factor, so every time is the real one (serialisation of the full
// volume at line rate, plus propagation and per-packet store and forward) while the twin moves
// a few thousand packets per run. Guarantees: deterministic for a seed; no wall clock.

import { buildTwin } from '../build.ts';
import type { TwinTopology } from '../twin.ts';
import { fibreRttPs, type FibreKind } from './fibre.ts';
import '../router/register.ts';

export const CROSSDC_DEFAULTS = {
  psi: 70e9,
  perGpuFlops: 122.96e12,
  microBatch: 32,
  seqLen: 4096,
  gpus: 1024,
  globalBatch: 2048,
  pp: 8,
  tp: 8,
  dp: 16,
  hidden: 8192,
  bytesPerParam: 2,
  lineModules: 16,
  moduleRateBps: 800e9,
  commShares: [0.05, 0.01] as readonly number[],
} as const;

export type CrossDcParams = { -readonly [K in keyof typeof CROSSDC_DEFAULTS]: (typeof CROSSDC_DEFAULTS)[K] extends readonly number[] ? readonly number[] : number };

export interface CrossDcOptions {
  params?: Partial<CrossDcParams>;
  distancesKm?: number[];
  fibres?: FibreKind[];
  dcs?: Array<2 | 3>;
  /** Rate the emulated WAN runs at; volumes scale with it (default 0.5 Gb/s). */
  emulatedRateBps?: number;
  frameBytes?: number;
  seed?: number;
  /** Skip the emulated runs (closed form only). */
  formulaOnly?: boolean;
}

export interface CrossDcWorked {
  tBatchS: number;
  tDpCalS: number;
  dDpBytes: number;
  /** Per comm share (5 %, 1 %): per-GPU bandwidth, bytes/s, and line side, b/s. */
  perGpuBytesPerS: Array<{ share: number; value: number }>;
  lineSideBps: Array<{ share: number; value: number }>;
  chosen: { modules: number; moduleRateBps: number; lineBps: number; oversubscription: string; modulation: string };
  /** Bytes the line side carries per DP step, and per-boundary PP activation bytes per micro-batch. */
  lineBytesPerStep: number;
  activationBytes: number;
}

export interface CrossDcPoint {
  distanceKm: number;
  /** Exposed communication per DP step, seconds: emulated (NaN when formulaOnly) and closed form. */
  tComS: number;
  tComFormulaS: number;
  teLossPct: number;
  teLossFormulaPct: number;
}

export interface CrossDcCurve {
  traffic: 'DP' | 'PP';
  dcs: 2 | 3;
  fibre: FibreKind;
  label: string;
  points: CrossDcPoint[];
}

export interface CrossDcResult {
  params: CrossDcParams;
  worked: CrossDcWorked;
  curves: CrossDcCurve[];
  /** Field figures (WAN-4, WAN-5), percent TE loss at a distance. */
  field: Array<{ source: string; label: string; distanceKm: number; teLossPct: number; bound?: 'upper' }>;
  emulation: { rateBps: number; frameBytes: number; scale: number; runs: number; events: number; seed: number };
}

export function crossDcWorked(p: CrossDcParams): CrossDcWorked {
  const tBatchS = (6 * p.psi * p.microBatch * p.seqLen) / (p.pp * p.tp * p.perGpuFlops);
  const tDpCalS = (p.globalBatch / (p.microBatch * p.dp)) * tBatchS;
  const dDpBytes = ((2 * p.psi) / (p.pp * p.tp)) * p.bytesPerParam;
  const perGpu = (share: number) => dDpBytes / (share * tDpCalS);
  const lineBps = p.lineModules * p.moduleRateBps;
  const nics = p.globalBatch / p.dp;
  return {
    tBatchS,
    tDpCalS,
    dDpBytes,
    perGpuBytesPerS: p.commShares.map((share) => ({ share, value: perGpu(share) })),
    lineSideBps: p.commShares.map((share) => ({ share, value: (p.globalBatch / p.dp) * perGpu(share) * 8 })),
    chosen: {
      modules: p.lineModules,
      moduleRateBps: p.moduleRateBps,
      lineBps,
      oversubscription: `1:${Math.round((nics * p.moduleRateBps) / lineBps)}`,
      modulation: '135 GBd PCS-16QAM',
    },
    lineBytesPerStep: (p.globalBatch / p.dp) * dDpBytes,
    activationBytes: p.microBatch * p.seqLen * p.hidden * 2 * p.dp,
  };
}

/** The worked figures as the source document prints them (WAN-3), for comparison. */
export const WAN3_PAPER = { tBatchS: 6.99, tDpCalS: 27.98, dDpGB: 4.37, perGpuGBps: [3.12, 15.64], lineSideTbps: [3.2, 16], chosenTbps: 12.8 } as const;

export const FIELD_FIGURES: CrossDcResult['field'] = [
  { source: 'WAN-4', label: 'DP, 2 DCs (512 + 512 GPUs)', distanceKm: 600, teLossPct: 4.9 },
  { source: 'WAN-4', label: 'PP, 2 DCs, below 1 %', distanceKm: 600, teLossPct: 1, bound: 'upper' },
  { source: 'WAN-4', label: 'PP, 3 DCs, below 1 %', distanceKm: 400, teLossPct: 1, bound: 'upper' },
  { source: 'WAN-5', label: '1024 GPUs, 70B, Jiangsu Telecom', distanceKm: 300, teLossPct: 2.8 },
  { source: 'WAN-5', label: '1024 GPUs, ZTE Scale-Across claim, below 0.13 %', distanceKm: 300, teLossPct: 0.13, bound: 'upper' },
];

/** A chain of `dcs` gateways (routers) with one host each; neighbouring gateways `hopKm` apart. */
function chainTopology(dcs: number, hopKm: number, fibre: FibreKind, rateBps: number): TwinTopology {
  const devices: TwinTopology['devices'] = [];
  const links: TwinTopology['links'] = [];
  for (let i = 0; i < dcs; i++) {
    devices.push({ id: `dc${i}-host`, kind: 'host', ports: ['west', 'east'] });
    devices.push({ id: `dc${i}-gw`, kind: 'router', ports: ['h-west', 'h-east', 'w-west', 'w-east'], params: { queueBytes: 1 << 30 } });
    for (const side of ['west', 'east']) {
      links.push({ a: { device: `dc${i}-host`, port: side }, b: { device: `dc${i}-gw`, port: `h-${side}` }, rateBps, lengthKm: 0.001 });
    }
    if (i > 0) links.push({ a: { device: `dc${i - 1}-gw`, port: 'w-east' }, b: { device: `dc${i}-gw`, port: 'w-west' }, rateBps, lengthKm: hopKm, fibre });
  }
  return { devices, links };
}

interface Emu {
  runs: number;
  events: number;
}

/** Runs flows on a fresh chain twin to completion; returns the time the last one finished, seconds. */
function emulate(
  dcs: number,
  hopKm: number,
  fibre: FibreKind,
  rateBps: number,
  seed: number,
  emu: Emu,
  flows: (host: (i: number) => string) => Array<{ host: number; name: string; txPort: string; rxPort: string; bytes: number; frameBytes: number; transport: 'raw' | 'roce' }>,
): number {
  const twin = buildTwin(chainTopology(dcs, hopKm, fibre, rateBps), { seed });
  const list = flows((i) => `dc${i}-host`);
  const byHost = new Map<number, typeof list>();
  for (const f of list) byHost.set(f.host, [...(byHost.get(f.host) ?? []), f]);
  for (const [h, fs] of byHost) {
    const node = twin.node(`dc${h}-host`)!;
    node.traffic!.setFlows(fs.map(({ host: _h, ...f }) => f));
    node.traffic!.start();
  }
  const stepPs = Math.max(1e9, 2 * fibreRttPs(hopKm, fibre));
  let end = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    twin.runFor(stepPs);
    const metrics = [...byHost.keys()].flatMap((h) => twin.node(`dc${h}-host`)!.traffic!.metrics());
    if (metrics.every((m) => m.done)) {
      end = Math.max(...metrics.map((m) => m.fctPs ?? 0));
      break;
    }
  }
  emu.runs++;
  emu.events += twin.eventsProcessed();
  return end / 1e12;
}

/**
 * The worked numbers and the TE-loss curves (DP and PP, 2 and 3 DCs, each fibre) over the
 * distances, from emulated runs and from the closed form.
 */
export function crossDcModel(opts: CrossDcOptions = {}): CrossDcResult {
  const p: CrossDcParams = { ...CROSSDC_DEFAULTS, ...opts.params };
  const w = crossDcWorked(p);
  const distances = opts.distancesKm ?? [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
  const fibres = opts.fibres ?? ['smf', 'hollow-core'];
  const dcsList = opts.dcs ?? [2, 3];
  const rateBps = opts.emulatedRateBps ?? 0.5e9;
  const frameBytes = opts.frameBytes ?? 9000;
  const seed = opts.seed ?? 1;
  const lineBps = w.chosen.lineBps;
  const scale = rateBps / lineBps;
  const emu: Emu = { runs: 0, events: 0 };
  const loss = (tCom: number) => (100 * tCom) / (w.tDpCalS + tCom);
  const curves: CrossDcCurve[] = [];
  for (const traffic of ['DP', 'PP'] as const) {
    for (const dcs of dcsList) {
      for (const fibre of fibres) {
        const points: CrossDcPoint[] = distances.map((km) => {
          const hopKm = km / (dcs - 1);
          const rtt = fibreRttPs(hopKm, fibre) / 1e12;
          let tComS = NaN;
          let tComFormulaS: number;
          if (traffic === 'DP') {
            // two exchanges; in each, neighbours send each other half the line-side volume
            const half = w.lineBytesPerStep / 2;
            tComFormulaS = 2 * ((half * 8) / lineBps + rtt);
            if (!opts.formulaOnly) {
              const bytes = Math.max(frameBytes, Math.round(half * scale));
              const phase = () =>
                emulate(dcs, hopKm, fibre, rateBps, seed, emu, () => {
                  const out = [];
                  for (let i = 0; i + 1 < dcs; i++) {
                    out.push({ host: i, name: `x${i}e`, txPort: 'east', rxPort: `dc${i + 1}-host:west`, bytes, frameBytes, transport: 'roce' as const });
                    out.push({ host: i + 1, name: `x${i}w`, txPort: 'west', rxPort: `dc${i}-host:east`, bytes, frameBytes, transport: 'roce' as const });
                  }
                  return out;
                });
              tComS = phase() + phase();
            }
          } else {
            // fill and drain: one activation transfer each way per boundary, exposed
            const boundaries = dcs - 1;
            tComFormulaS = 2 * boundaries * ((w.activationBytes * 8) / lineBps + rtt / 2);
            if (!opts.formulaOnly) {
              const bytes = Math.max(frameBytes, Math.round(w.activationBytes * scale));
              const one = emulate(dcs, hopKm, fibre, rateBps, seed, emu, () => [
                { host: 0, name: 'act', txPort: 'east', rxPort: 'dc1-host:west', bytes, frameBytes, transport: 'raw' as const },
              ]);
              tComS = 2 * boundaries * one;
            }
          }
          return {
            distanceKm: km,
            tComS,
            tComFormulaS,
            teLossPct: loss(tComS),
            teLossFormulaPct: loss(tComFormulaS),
          };
        });
        curves.push({ traffic, dcs, fibre, label: `${traffic}, ${dcs} DCs, ${fibre === 'smf' ? 'standard fibre' : 'hollow-core fibre'}`, points });
      }
    }
  }
  return { params: p, worked: w, curves, field: FIELD_FIGURES, emulation: { rateBps, frameBytes, scale, runs: emu.runs, events: emu.events, seed } };
}

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');

/** The result as text: worked numbers, then one table per traffic kind (TE loss %, emulated / formula). */
export function formatCrossDc(r: CrossDcResult): string {
  const w = r.worked;
  const lines: string[] = [];
  lines.push('Cross-DC training model (seed facts WAN-3/WAN-4), LLaMA2-70B');
  const paper = WAN3_PAPER;
  lines.push(`  T_batch            ${fmt(w.tBatchS, 3)} s            (paper: ${paper.tBatchS} s)`);
  lines.push(`  T_DP,cal           ${fmt(w.tDpCalS, 3)} s           (paper: ${paper.tDpCalS} s)`);
  lines.push(`  D_DP               ${fmt(w.dDpBytes / 1e9, 3)} GB per GPU per DP step (paper: ${paper.dDpGB} GB)`);
  lines.push(
    `  BW per GPU         ${w.perGpuBytesPerS.map((x) => `${fmt(x.value / 1e9, 3)} GB/s at ${x.share * 100} %`).join(', ')} of the step in communication (paper: ${paper.perGpuGBps.join(' to ')} GB/s)`,
  );
  lines.push(`  line side BW_DP    ${w.lineSideBps.map((x) => `${fmt(x.value / 1e12, 2)} Tb/s at ${x.share * 100} %`).join(', ')} (paper: ${paper.lineSideTbps.join(' to ')} Tb/s)`);
  lines.push(
    `  chosen             ${w.chosen.modules} x ${w.chosen.moduleRateBps / 1e9}G = ${fmt(w.chosen.lineBps / 1e12, 1)} Tb/s (${w.chosen.oversubscription} oversubscription), ${w.chosen.modulation}`,
  );
  lines.push('');
  const distances = r.curves[0]?.points.map((p) => p.distanceKm) ?? [];
  lines.push(`TE loss (%) vs distance: emulated / closed form (emulation at ${r.emulation.rateBps / 1e9} Gb/s, scale ${r.emulation.scale.toExponential(2)}, ${r.emulation.runs} runs, ${r.emulation.events} events)`);
  const head = ['km', ...r.curves.map((c) => c.label)];
  lines.push(head.join(' | '));
  distances.forEach((km, i) => {
    lines.push([String(km), ...r.curves.map((c) => `${fmt(c.points[i]!.teLossPct, 3)} / ${fmt(c.points[i]!.teLossFormulaPct, 3)}`)].join(' | '));
  });
  lines.push('');
  lines.push('Field figures:');
  for (const f of r.field) lines.push(`  ${f.source} ${f.label}: ${f.bound === 'upper' ? '< ' : ''}${f.teLossPct} % at ${f.distanceKm} km`);
  return `${lines.join('\n')}\n`;
}
