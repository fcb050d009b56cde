// UDP header (RFC 768) with the checksum over the IPv4 or IPv6 (RFC 8200 §8.1) pseudo-header.
import { IP_PROTOCOL } from '../ip.ts';
import {
  WireError,
  WireView,
  checkLen,
  checkUint,
  checksumAdd,
  checksumFold,
  checksumPseudoHeader,
  type Field,
} from '../wire.ts';

const F = {
  SRC_PORT: [0, 2],
  DST_PORT: [2, 4],
  LENGTH: [4, 6], // header + payload
  CHECKSUM: [6, 8],
} as const satisfies Record<string, Field>;

export const UDP_HEADER_LEN = F.CHECKSUM[1];

/** The IP addresses the checksum covers: 4 bytes each for IPv4, 16 for IPv6. */
export interface UdpPseudoHeader {
  src: Uint8Array;
  dst: Uint8Array;
}

export class UdpView extends WireView {
  static unchecked(buf: Uint8Array): UdpView {
    return new UdpView(buf);
  }
  static checked(buf: Uint8Array): UdpView {
    const v = new UdpView(buf);
    v.checkLen();
    return v;
  }
  /** The length field covers the header and lies inside the buffer. */
  checkLen(): void {
    checkLen('udp', 'header', this.buffer.length, UDP_HEADER_LEN);
    const len = this.length;
    if (len < UDP_HEADER_LEN) throw new WireError('malformed', 'udp', 'length', `${len} < ${UDP_HEADER_LEN}`);
    checkLen('udp', 'length', this.buffer.length, len);
  }
  get srcPort(): number {
    return this.u16(F.SRC_PORT);
  }
  get dstPort(): number {
    return this.u16(F.DST_PORT);
  }
  get length(): number {
    return this.u16(F.LENGTH);
  }
  get checksum(): number {
    return this.u16(F.CHECKSUM);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(UDP_HEADER_LEN, this.length);
  }
  /** One's-complement sum of pseudo-header and datagram, checksum field included, folded. */
  private sum(ph: UdpPseudoHeader): number {
    const len = this.length;
    return checksumFold(checksumAdd(checksumPseudoHeader(ph.src, ph.dst, IP_PROTOCOL.UDP, len), this.buffer.subarray(0, len)));
  }
  /** Zero means "no checksum", allowed over IPv4 only (RFC 8200 §8.1). */
  verifyChecksum(ph: UdpPseudoHeader): boolean {
    if (this.checksum === 0) return ph.src.length === 4;
    return this.sum(ph) === 0xffff;
  }
  /** Call once the payload is in place. A computed zero is sent as 0xffff (RFC 768). */
  fillChecksum(ph: UdpPseudoHeader): void {
    this.setU16(F.CHECKSUM, 0);
    this.setU16(F.CHECKSUM, ~this.sum(ph) & 0xffff || 0xffff);
  }
  setSrcPort(v: number): void {
    this.setU16(F.SRC_PORT, v);
  }
  setDstPort(v: number): void {
    this.setU16(F.DST_PORT, v);
  }
  setLength(v: number): void {
    this.setU16(F.LENGTH, v);
  }
  setChecksum(v: number): void {
    this.setU16(F.CHECKSUM, v);
  }
  summary(): string {
    return `UDP ${this.srcPort} > ${this.dstPort} len ${this.length}`;
  }
}

export interface UdpInit {
  srcPort: number;
  dstPort: number;
  payloadLen: number;
}

export class UdpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payloadLen: number;
  constructor(init: UdpInit) {
    this.srcPort = init.srcPort;
    this.dstPort = init.dstPort;
    this.payloadLen = init.payloadLen;
  }
  /** `view` must be checked. With `ph`, a checksum that does not verify is malformed. */
  static parse(view: UdpView, ph?: UdpPseudoHeader): UdpHeader {
    if (ph && !view.verifyChecksum(ph)) {
      throw new WireError('malformed', 'udp', 'checksum', `0x${view.checksum.toString(16)} does not verify`);
    }
    return new UdpHeader({ srcPort: view.srcPort, dstPort: view.dstPort, payloadLen: view.length - UDP_HEADER_LEN });
  }
  bufferLen(): number {
    return UDP_HEADER_LEN;
  }
  /**
   * Writes the header at the start of the view. With `ph`, fills the checksum over the payload
   * already in the buffer (so the buffer must hold bufferLen() + payloadLen bytes); without, writes
   * zero (valid over IPv4 only).
   */
  emit(view: UdpView, ph?: UdpPseudoHeader): void {
    checkUint('udp', 'srcPort', this.srcPort, 0xffff);
    checkUint('udp', 'dstPort', this.dstPort, 0xffff);
    checkUint('udp', 'payloadLen', this.payloadLen, 0xffff - UDP_HEADER_LEN);
    const len = UDP_HEADER_LEN + this.payloadLen;
    checkLen('udp', 'header', view.buffer.length, ph ? len : UDP_HEADER_LEN);
    view.setSrcPort(this.srcPort);
    view.setDstPort(this.dstPort);
    view.setLength(len);
    view.setChecksum(0);
    if (ph) view.fillChecksum(ph);
  }
}
