// PSN arithmetic: 32-bit packet sequence numbers compared with signed serial arithmetic (protocol-facts "PDC behaviour").
//
// a is before b when the signed 32-bit difference b - a is positive, so comparisons hold across
// the wrap as long as the two PSNs are less than 2^31 apart (RFC 1982 style; the PDC window, MPR x
// 128 PSNs, is far smaller).

/** Negative when a is before b, 0 when equal, positive when a is after b. */
export function uetPsnCompare(a: number, b: number): number {
  return Math.sign((a - b) | 0);
}

/** How far b is ahead of a: the signed 32-bit difference b - a (negative when b is behind). */
export function uetPsnDistance(a: number, b: number): number {
  return (b - a) | 0;
}

/** psn + n, wrapped to 32 bits (n may be negative). */
export function uetPsnAdd(psn: number, n: number): number {
  return (psn + n) >>> 0;
}

export function uetPsnLessThan(a: number, b: number): boolean {
  return uetPsnCompare(a, b) < 0;
}

/** True when psn lies in [start, start + size) on the 32-bit circle. */
export function uetPsnInWindow(psn: number, start: number, size: number): boolean {
  const d = uetPsnDistance(start, psn);
  return d >= 0 && d < size;
}

/** Start PSNs must be at least this far from the last one used on the PDC (protocol-facts). */
export const UET_START_PSN_MIN_DISTANCE = 1 << 16;

/** The MPR field counts units of 128 PSNs. */
export const UET_MPR_UNIT_PSNS = 128;
