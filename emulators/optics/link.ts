// Optical link budget: fibre and connection loss, and the quality (up, BER, Rx power) of a link between two modules.
//
// Assumed (not in the seed facts): 0.5 dB/km O-band fibre attenuation and 1 dB for the two
// connections, the cabling model of IEEE 802.3 short-reach PMDs; the pre-FEC BER limit 2.4e-4 of
// RS(544,514) FEC. Within reach the BER grows tenfold from zero length to full reach; beyond reach
// the link fails (OPT-3/OPT-4: LPO and LRO below 500 m; OPT-5/OPT-8: NPO and CPO below 2 km).
import { CMIS_DBM_FLOOR } from '../../protocols/cmis/index.ts';
import type { OpticsProfile } from './profiles.ts';

export const FIBRE_LOSS_DB_PER_KM = 0.5;
export const CONNECTION_LOSS_DB = 1;
export const FEC_BER_LIMIT = 2.4e-4;

/** Loss of `lengthM` of single-mode fibre with a connection at each end, dB. */
export function fibreLossDb(lengthM: number): number {
  if (!(lengthM >= 0)) throw new RangeError(`fibre length ${lengthM} m is not a length`);
  return CONNECTION_LOSS_DB + (FIBRE_LOSS_DB_PER_KM * lengthM) / 1000;
}

/**
 * Loss between two modules: an unamplified cable's (fibreLossDb), or, when both ends are coherent
 * optics on an amplified line, the connections and at most one span of line fibre.
 */
export function lineLossDb(lengthM: number, a: OpticsProfile, b: OpticsProfile): number {
  const line = a.line && b.line ? a.line : undefined;
  if (!line) return fibreLossDb(lengthM);
  if (!(lengthM >= 0)) throw new RangeError(`fibre length ${lengthM} m is not a length`);
  return CONNECTION_LOSS_DB + line.lossDbPerKm * Math.min(lengthM / 1000, line.ampSpanKm);
}

/** A running module: its profile and what it launches now (the floor when dark). */
export interface OpticalEnd {
  readonly profile: OpticsProfile;
  launchPowerDbm(): number;
}

export interface LinkQuality {
  up: boolean;
  /** Pre-FEC bit error ratio; 0.5 without a signal. */
  ber: number;
  /** Rx power of the worse direction, dBm. */
  rxPowerDbm: number;
  /** Why the link is down. */
  reason?: string;
}

function end(x: OpticsProfile | OpticalEnd): [OpticsProfile, number] {
  return 'launchPowerDbm' in x ? [x.profile, x.launchPowerDbm()] : [x, x.txPowerDbm];
}

/** Quality of a link of `lengthM` between two profiles (nominal launch) or two running modules. */
export function linkQuality(a: OpticsProfile | OpticalEnd, b: OpticsProfile | OpticalEnd, lengthM: number): LinkQuality {
  const [pa, launchA] = end(a);
  const [pb, launchB] = end(b);
  const loss = lineLossDb(lengthM, pa, pb);
  const rxPowerDbm = Math.max(CMIS_DBM_FLOOR, Math.min(launchA, launchB) - loss);
  if (pa.rateGbps !== pb.rateGbps || pa.mediaLanes !== pb.mediaLanes) {
    return { up: false, ber: 0.5, rxPowerDbm, reason: `no common media interface: ${pa.id} and ${pb.id}` };
  }
  if (rxPowerDbm < Math.max(pa.rxLosDbm, pb.rxLosDbm)) return { up: false, ber: 0.5, rxPowerDbm, reason: 'loss of signal' };
  const reach = Math.min(pa.reachM, pb.reachM);
  let ber = Math.max(pa.preFecBer, pb.preFecBer) * 10 ** (lengthM / reach);
  if (lengthM > reach) {
    ber = Math.min(0.5, Math.max(10 * FEC_BER_LIMIT, ber * 10 ** (8 * (lengthM / reach - 1))));
    return { up: false, ber, rxPowerDbm, reason: `beyond reach: ${lengthM} m > ${reach} m` };
  }
  if (rxPowerDbm < Math.max(pa.rxSensitivityDbm, pb.rxSensitivityDbm)) {
    return { up: false, ber: Math.max(ber, 10 * FEC_BER_LIMIT), rxPowerDbm, reason: 'Rx power below sensitivity' };
  }
  return ber <= FEC_BER_LIMIT ? { up: true, ber, rxPowerDbm } : { up: false, ber, rxPowerDbm, reason: 'pre-FEC BER above the FEC limit' };
}

/** RS(544,514) "KP4" FEC: 10-bit symbols, 544 per codeword, 514 of them data, up to 15 corrected. */
export const RS_FEC = { symbolBits: 10, codewordSymbols: 544, dataSymbols: 514, correctable: 15 } as const;
/**
 * Pre-FEC BER at or above which the PCS cannot keep block and alignment-marker lock, so the link
 * does not come up at all (assumed: about one bit in a hundred, where almost every codeword fails).
 */
export const PCS_LOCK_BER_LIMIT = 1e-2;
/** Residual bit error rates below this are taken as zero (no frame of a run would ever be hit). */
export const NEGLIGIBLE_BER = 1e-15;

/** Share of RS(544,514) codewords that hold more than 15 symbol errors at a pre-FEC BER (independent bit errors). */
export function rsFecUncorrectableRatio(preFecBer: number): number {
  if (!(preFecBer >= 0 && preFecBer <= 1)) throw new RangeError(`pre-FEC BER ${preFecBer} is not in [0, 1]`);
  const n = RS_FEC.codewordSymbols;
  const ps = -Math.expm1(RS_FEC.symbolBits * Math.log1p(-Math.min(preFecBer, 0.5)));
  if (ps === 0) return 0;
  // Binomial tail P(X > t) summed upward from t + 1, the pmf stepped in logs (no underflow).
  const logQ = Math.log1p(-ps);
  const logRatio = Math.log(ps) - logQ;
  let logPmf = n * logQ;
  let tail = 0;
  for (let k = 0; k < n; k++) {
    logPmf += Math.log((n - k) / (k + 1)) + logRatio;
    if (k + 1 > RS_FEC.correctable) tail += Math.exp(logPmf);
  }
  return Math.min(1, tail);
}

/**
 * The bit error rate after FEC as the engine's links apply it: a frame of b bits is lost with
 * probability 1 - (1 - ber)^b, which this makes equal to losing each of the b / 5140 data bits'
 * codewords independently.
 */
export function postFecBer(preFecBer: number): number {
  const cw = rsFecUncorrectableRatio(preFecBer);
  if (cw >= 1) return 1;
  const ber = -Math.expm1(Math.log1p(-cw) / (RS_FEC.dataSymbols * RS_FEC.symbolBits));
  return ber < NEGLIGIBLE_BER ? 0 : ber;
}

/** What a cable carries given the optics at its ends: lock (up) and the residual bit errors of frames. */
export interface CablePhysics {
  up: boolean;
  /** Post-FEC bit error rate (0 when negligible). */
  ber: number;
  quality: LinkQuality;
}

/**
 * The cable between two running ends: down without a signal, without a common interface or when
 * the PCS cannot lock (pre-FEC BER >= PCS_LOCK_BER_LIMIT); otherwise up, with the FEC's residual
 * errors (so a link a little beyond reach comes up with a high error rate, one far beyond does not
 * come up at all).
 */
export function cablePhysics(a: OpticalEnd, b: OpticalEnd, lengthM: number): CablePhysics {
  const quality = linkQuality(a, b, lengthM);
  if (quality.up) return { up: true, ber: postFecBer(quality.ber), quality };
  const noSignal = quality.reason === 'loss of signal' || quality.reason?.startsWith('no common media interface') === true;
  if (noSignal || quality.ber >= PCS_LOCK_BER_LIMIT) return { up: false, ber: 0, quality };
  return { up: true, ber: postFecBer(quality.ber), quality };
}
