// MAC addresses: bytes <-> "aa:bb:cc:dd:ee:ff" text.
import { WireError } from '../wire.ts';

export const ETHERNET_ADDR_LEN = 6;
export const ETHERNET_BROADCAST = 'ff:ff:ff:ff:ff:ff';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase, colon-separated. Reads the first 6 bytes. */
export function ethernetFormatMac(b: Uint8Array): string {
  return `${HEX[b[0]]}:${HEX[b[1]]}:${HEX[b[2]]}:${HEX[b[3]]}:${HEX[b[4]]}:${HEX[b[5]]}`;
}

const MAC_RE = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;

/** Accepts six hex pairs separated by ':' or '-' (one separator throughout). */
export function ethernetParseMac(text: string, field = 'address'): Uint8Array {
  const m = MAC_RE.exec(text);
  if (!m) throw new WireError('malformed', 'ethernet', field, `not a MAC address: ${JSON.stringify(text)}`);
  return Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]], (h) => parseInt(h, 16));
}

/** Multicast (group) bit of the first octet. */
export function ethernetIsMulticast(b: Uint8Array): boolean {
  return (b[0] & 1) === 1;
}
