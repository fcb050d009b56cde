// WAN physics: fibre delay per kilometre (WAN-1) and the PFC headroom a link of a given length needs (RTR-5).
//
// Standard single-mode fibre carries light at 5 us/km one way, hollow-core fibre (AR-HCF) at
// 3.3 us/km (seed facts WAN-1; the engine's pipes use the same figures). A PFC pause reaches the
// upstream sender one propagation delay after the receiver sent it, and what the sender put on the
// fibre meanwhile, plus what was already in flight, still arrives: the receiver must hold one
// round trip of line rate above its XOFF threshold, plus a maximum frame in service at each end
// and the time both ends take to react (IEEE 802.1Qbb headroom).

import { HOLLOW_CORE_PS_PER_KM, SMF_PS_PER_KM, propagationPs, type FibreKind } from '../sim/pipe.ts';

export { HOLLOW_CORE_PS_PER_KM, SMF_PS_PER_KM, propagationPs, type FibreKind };

/** One-way delay per km, microseconds. */
export const FIBRE_US_PER_KM: Readonly<Record<FibreKind, number>> = { smf: SMF_PS_PER_KM / 1e6, 'hollow-core': HOLLOW_CORE_PS_PER_KM / 1e6 };

/** Round-trip time of `lengthKm` of fibre, picoseconds. */
export function fibreRttPs(lengthKm: number, fibre: FibreKind = 'smf'): number {
  return 2 * propagationPs(lengthKm, fibre);
}

/** Largest frame a lossless class carries (jumbo), bytes. */
export const PFC_MAX_FRAME_BYTES = 9216;
/** Time both ends take to act on a PAUSE (detect, decide, stop the transmitter), picoseconds. */
export const PFC_RESPONSE_PS = 1_000_000;

/**
 * PFC headroom for a port: bytes that can still arrive after the port decides to pause its
 * upstream neighbour, over a cable with `oneWayDelayPs` of propagation at `rateBps`.
 */
export function pfcHeadroomBytes(rateBps: number, oneWayDelayPs: number, maxFrameBytes = PFC_MAX_FRAME_BYTES): number {
  const inFlightPs = 2 * oneWayDelayPs + PFC_RESPONSE_PS;
  return Math.ceil((rateBps / 8) * (inFlightPs / 1e12)) + 2 * maxFrameBytes;
}
