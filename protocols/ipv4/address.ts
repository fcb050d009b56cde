// IPv4 addresses: bytes <-> dotted-quad text.
import { WireError } from '../wire.ts';

export const IPV4_ADDR_LEN = 4;

/** Reads the first 4 bytes. */
export function ipv4FormatAddress(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

const DOTTED_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Strict dotted quad: four decimal octets without leading zeros. */
export function ipv4ParseAddress(text: string, field = 'address'): Uint8Array {
  if (!DOTTED_RE.test(text)) {
    throw new WireError('malformed', 'ipv4', field, `not an IPv4 address: ${JSON.stringify(text)}`);
  }
  return Uint8Array.from(text.split('.'), Number);
}
