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
  const loss = fibreLossDb(lengthM);
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
