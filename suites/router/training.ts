// The cross-DC training model of seed facts WAN-3/WAN-4 (LLaMA2-70B), fed with figures measured on the device under test.
//
// WAN-3: T_batch = 6 psi b s / (p t P); T_DP = GBS / (b d) x T_batch; D_DP = 2 psi / (p t) x 2 bytes
// per GPU per DP step; the line side carries GBS / d GPUs' worth of it per step, over 16 x 800G
// (12.8 Tb/s). TE loss = exposed communication over the step (TGS = b s / (T_cal + T_com) / N):
// DP: the hierarchical all-reduce moves the line-side volume at the measured WAN efficiency and
// takes two round trips of the WAN (WAN-4: "within 2 x RTT"); a 3-DC ring halves the equivalent
// RTT. PP: 1F1B overlaps send/receive with compute, so only the pipeline's fill and drain cross
// each DC boundary exposed (activations b s h x 2 bytes per replica). The emulator's own
// version, from emulated runs over 100-1000 km, is emulators/wan/crossdc.ts (`fabric-hil model
// crossdc`); a suite may not import it, so the closed form lives here too.

export const WAN3 = {
  psi: 70e9,
  perGpuFlops: 122.96e12,
  microBatch: 32,
  seqLen: 4096,
  gpus: 1024,
  globalBatch: 2048,
  pp: 8,
  tp: 8,
  dp: 16,
  /** LLaMA2-70B hidden size (activations crossing a pipeline boundary). */
  hidden: 8192,
  /** Chosen line side: 16 x 800G coherent modules. */
  lineBps: 16 * 800e9,
} as const;

export function wan3Figures() {
  const m = WAN3;
  const tBatchS = (6 * m.psi * m.microBatch * m.seqLen) / (m.pp * m.tp * m.perGpuFlops);
  const tDpS = (m.globalBatch / (m.microBatch * m.dp)) * tBatchS;
  const dDpBytes = ((2 * m.psi) / (m.pp * m.tp)) * 2;
  const perGpuBps = (share: number) => dDpBytes / (share * tDpS);
  const lineSideBps = (share: number) => (m.globalBatch / m.dp) * perGpuBps(share) * 8;
  /** Bytes the line side carries per DP step. */
  const lineBytes = (m.globalBatch / m.dp) * dDpBytes;
  const microBatches = m.globalBatch / (m.microBatch * m.dp);
  const activationBytes = m.microBatch * m.seqLen * m.hidden * 2 * m.dp;
  return { tBatchS, tDpS, dDpBytes, perGpuBps, lineSideBps, lineBytes, microBatches, activationBytes };
}

export interface WanInputs {
  /** Round trip per km of fibre, seconds (measured). */
  rttPerKmS: number;
  /** Fixed round-trip overhead of the path (routers, access links), seconds (measured). */
  rttFixedS: number;
  /** Measured transfer efficiency of the lossless WAN (goodput over the bottleneck rate), 0..1. */
  efficiency: number;
}

/** TE loss (fraction) of DP traffic across `dcs` data centres at `distanceKm`. */
export function dpLoss(distanceKm: number, dcs: 2 | 3, w: WanInputs): number {
  const f = wan3Figures();
  const eqKm = dcs === 3 ? distanceKm / 2 : distanceKm;
  const rtt = w.rttFixedS + w.rttPerKmS * eqKm;
  const tCom = (f.lineBytes * 8) / (WAN3.lineBps * Math.max(1e-6, w.efficiency)) + 2 * rtt;
  return tCom / (f.tDpS + tCom);
}

/** TE loss (fraction) of PP traffic: only fill and drain of each DC boundary are exposed. */
export function ppLoss(distanceKm: number, dcs: 2 | 3, w: WanInputs): number {
  const f = wan3Figures();
  const boundaries = dcs - 1;
  const hopKm = distanceKm / (dcs - 1);
  const oneWay = (w.rttFixedS + w.rttPerKmS * hopKm) / 2;
  const exposed = 2 * boundaries * ((f.activationBytes * 8) / (WAN3.lineBps * Math.max(1e-6, w.efficiency)) + oneWay);
  return exposed / (f.tDpS + exposed);
}

/** Field figures of WAN-4 and WAN-5 (percent TE loss at km), for the report beside the model. */
export const FIELD = {
  'WAN-4 field: DP, 2 DCs (4.9 % at 600 km)': [[600, 4.9]] as Array<[number, number]>,
  'WAN-4 field: PP below 1 % (2 DCs 600 km, 3 DCs 400 km)': [
    [400, 1],
    [600, 1],
  ] as Array<[number, number]>,
  'WAN-5 field: 1024 GPUs, 300 km (2.8 %)': [[300, 2.8]] as Array<[number, number]>,
  'WAN-5 claim: 300 km (< 0.13 %)': [[300, 0.13]] as Array<[number, number]>,
};

export const DISTANCES_KM = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
