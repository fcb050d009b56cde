// The RoCEv2 invariant CRC (4 B after the payload): CRC-32 over the IP packet with the fields routers rewrite masked.
//
// RoCEv2 (IBA annex A17; as the Linux soft-RoCE driver computes it): the ICRC covers 8 bytes of
// ones standing for the masked LRH, then the IP packet from its first byte to the end of the
// transport payload, with every variant field set to ones: IPv4 type of service (DSCP and ECN),
// TTL and header checksum; IPv6 traffic class, flow label and hop limit; the UDP checksum; and
// byte 4 of the BTH (FECN, BECN, reserved). The CRC is the Ethernet CRC-32 and goes on the wire
// least significant byte first, like the FCS (checked against a CNP captured on a ConnectX-4 Lx,
// see roce.test.ts).
import { crc32 } from 'node:zlib';
import { WireError, checkLen } from '../wire.ts';
import { ROCE } from './common.ts';
import { ROCE_BTH_LEN } from './bth.ts';

export const ROCE_ICRC_LEN = 4;

const IPV4_MIN_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;
const LRH_ONES = new Uint8Array(8).fill(0xff);

/**
 * The ICRC of `ip`: an IPv4 or IPv6 packet carrying UDP then a BTH, from the IP header to the end
 * of the payload (pad included, ICRC excluded). Returns the 32-bit value as the four trailer bytes
 * read big-endian (what `roceIcrcOf` reads back).
 */
export function roceIcrc(ip: Uint8Array): number {
  checkLen(ROCE, 'icrc.ip', ip.length, 1);
  const version = ip[0] >> 4;
  let ipLen: number;
  if (version === 4) ipLen = (ip[0] & 0x0f) * 4;
  else if (version === 6) ipLen = IPV6_HEADER;
  else throw new WireError('malformed', ROCE, 'icrc.ip', `IP version ${version}`);
  if (ipLen < IPV4_MIN_HEADER) throw new WireError('malformed', ROCE, 'icrc.ip', `IPv4 header length ${ipLen}`);
  const hdrLen = ipLen + UDP_HEADER + ROCE_BTH_LEN;
  checkLen(ROCE, 'icrc.headers', ip.length, hdrLen);
  const masked = ip.slice(0, hdrLen);
  if (version === 4) {
    masked[1] = 0xff; // type of service
    masked[8] = 0xff; // TTL
    masked[10] = masked[11] = 0xff; // header checksum
  } else {
    masked[0] |= 0x0f; // traffic class, high nibble
    masked[1] = masked[2] = masked[3] = 0xff; // traffic class low nibble, flow label
    masked[7] = 0xff; // hop limit
  }
  masked[ipLen + 6] = masked[ipLen + 7] = 0xff; // UDP checksum
  masked[ipLen + UDP_HEADER + 4] = 0xff; // BTH FECN, BECN, reserved
  const crc = crc32(ip.subarray(hdrLen), crc32(masked, crc32(LRH_ONES)));
  // Least significant byte first on the wire: byte-swap to read it as big-endian bytes.
  return (((crc & 0xff) << 24) | ((crc & 0xff00) << 8) | ((crc >>> 8) & 0xff00) | (crc >>> 24)) >>> 0;
}

/** The ICRC the last four bytes of `ip` carry (read big-endian, as `roceIcrc` returns). */
export function roceIcrcOf(ip: Uint8Array): number {
  checkLen(ROCE, 'icrc', ip.length, ROCE_ICRC_LEN);
  return new DataView(ip.buffer, ip.byteOffset + ip.length - ROCE_ICRC_LEN, ROCE_ICRC_LEN).getUint32(0);
}

/** Computes the ICRC of `ip` (ICRC included, last) and writes it into its last four bytes. */
export function roceIcrcFill(ip: Uint8Array): void {
  checkLen(ROCE, 'icrc', ip.length, ROCE_ICRC_LEN);
  const v = roceIcrc(ip.subarray(0, ip.length - ROCE_ICRC_LEN));
  new DataView(ip.buffer, ip.byteOffset + ip.length - ROCE_ICRC_LEN, ROCE_ICRC_LEN).setUint32(0, v);
}

/** True when the last four bytes of `ip` hold its ICRC. */
export function roceIcrcVerify(ip: Uint8Array): boolean {
  return roceIcrcOf(ip) === roceIcrc(ip.subarray(0, ip.length - ROCE_ICRC_LEN));
}
