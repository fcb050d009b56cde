// The optional 4-byte CRC32C trailer of a UET packet (used when TSS is not) and a table-driven CRC32C.
//
// protocol-facts "Encapsulation": the CRC covers the IP packet from the source address to the
// end (the trailer excluded), so it skips the fields routers rewrite (TTL / hop limit, DSCP/ECN,
// the IPv4 header checksum). Assumed, with no source to settle them:
// - the trailer is the last 4 bytes of the IP payload, most significant byte first;
// - under UDP the UDP checksum field counts as zero (the UDP checksum covers the trailer, so one
//   of the two has to leave the other out); `zeroUdpChecksum: false` covers it as sent.
import { IP_PROTOCOL } from '../ip.ts';
import { Ipv4View } from '../ipv4/ipv4.ts';
import { ipv6WalkHeaders } from '../ipv6/ext.ts';
import { IPV6_HEADER_LEN, Ipv6View } from '../ipv6/ipv6.ts';
import { WireError, WireView, checkLen, hex, type Field } from '../wire.ts';
import { UET, checkU } from './common.ts';

const F = {
  CRC: [0, 4],
} as const satisfies Record<string, Field>;

export const UET_CRC_LEN = F.CRC[1];

/** Reflected Castagnoli polynomial (0x1EDC6F41 bit-reversed), as in iSCSI and SCTP. */
const POLY = 0x82f63b78;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC32C of `data` (initial value and final XOR 0xffffffff). Chains: uetCrc32c(b, uetCrc32c(a))
 * equals the CRC of a followed by b.
 */
export function uetCrc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export class UetCrcTrailerView extends WireView {
  static unchecked(buf: Uint8Array): UetCrcTrailerView {
    return new UetCrcTrailerView(buf);
  }
  static checked(buf: Uint8Array): UetCrcTrailerView {
    const v = new UetCrcTrailerView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'crc', this.buffer.length, UET_CRC_LEN);
  }
  get crc(): number {
    return this.u32(F.CRC);
  }
  setCrc(v: number): void {
    this.setU32(F.CRC, v);
  }
  summary(): string {
    return `UET CRC32C ${hex(this.crc, 8)}`;
  }
}

export class UetCrcTrailerHeader {
  readonly crc: number;
  constructor(init: { crc: number }) {
    this.crc = init.crc;
  }
  /** `view` must be checked. Whether the value is right needs the IP packet: uetCrcVerify. */
  static parse(view: UetCrcTrailerView): UetCrcTrailerHeader {
    return new UetCrcTrailerHeader({ crc: view.crc });
  }
  bufferLen(): number {
    return UET_CRC_LEN;
  }
  emit(view: UetCrcTrailerView): void {
    checkU('crc', this.crc, 32);
    checkLen(UET, 'crc', view.buffer.length, UET_CRC_LEN);
    view.setCrc(this.crc);
  }
}

export interface UetCrcOptions {
  /** Count a UDP checksum as zero (assumed, see the file comment). Default true. */
  zeroUdpChecksum?: boolean;
}

interface Coverage {
  /** From the source address to the end of the IP packet, trailer included. */
  bytes: Uint8Array;
  /** Offset in `bytes` of the UDP checksum, when UDP carries the packet. */
  udpChecksumAt?: number;
}

function coverage(ipPacket: Uint8Array): Coverage {
  checkLen(UET, 'crc', ipPacket.length, 1);
  const version = ipPacket[0] >> 4;
  let srcAt: number;
  let end: number;
  let protocol: number;
  let upperAt: number;
  if (version === 4) {
    const v = Ipv4View.checked(ipPacket);
    srcAt = 12;
    end = v.totalLen;
    protocol = v.protocol;
    upperAt = v.headerLen;
  } else if (version === 6) {
    const v = Ipv6View.checked(ipPacket);
    const chain = ipv6WalkHeaders(v.nextHeader, v.payload);
    srcAt = 8;
    end = IPV6_HEADER_LEN + v.payloadLen;
    protocol = chain.protocol;
    upperAt = end - chain.upper.length;
  } else {
    throw new WireError('malformed', UET, 'crc', `IP version ${version}`);
  }
  checkLen(UET, 'crc', end - upperAt, UET_CRC_LEN);
  const udpChecksumAt = protocol === IP_PROTOCOL.UDP && end - upperAt >= 8 + UET_CRC_LEN ? upperAt + 6 - srcAt : undefined;
  return { bytes: ipPacket.subarray(srcAt, end), udpChecksumAt };
}

/** The CRC the trailer of `ipPacket` (a whole IPv4 or IPv6 packet ending in the trailer) should hold. */
export function uetCrcCompute(ipPacket: Uint8Array, opts: UetCrcOptions = {}): number {
  const { bytes, udpChecksumAt } = coverage(ipPacket);
  const body = bytes.subarray(0, bytes.length - UET_CRC_LEN);
  if (udpChecksumAt === undefined || opts.zeroUdpChecksum === false) return uetCrc32c(body);
  let crc = uetCrc32c(body.subarray(0, udpChecksumAt));
  crc = uetCrc32c(new Uint8Array(2), crc);
  return uetCrc32c(body.subarray(udpChecksumAt + 2), crc);
}

/**
 * Writes the trailer of `ipPacket`. Under UDP, fill the UDP checksum afterwards; with
 * zeroUdpChecksum false the two cover each other, which works only with no UDP checksum (IPv4).
 */
export function uetCrcFill(ipPacket: Uint8Array, opts: UetCrcOptions = {}): void {
  const crc = uetCrcCompute(ipPacket, opts);
  const { bytes } = coverage(ipPacket);
  UetCrcTrailerView.unchecked(bytes.subarray(bytes.length - UET_CRC_LEN)).setCrc(crc);
}

export function uetCrcVerify(ipPacket: Uint8Array, opts: UetCrcOptions = {}): boolean {
  const { bytes } = coverage(ipPacket);
  return UetCrcTrailerView.checked(bytes.subarray(bytes.length - UET_CRC_LEN)).crc === uetCrcCompute(ipPacket, opts);
}
