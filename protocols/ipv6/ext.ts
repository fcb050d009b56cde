// IPv6 extension headers: the generic TLV shape (RFC 8200 §4, RFC 6564) and a walk of the next-header chain.
import { IP_PROTOCOL, ipProtocolName } from '../ip.ts';
import { WireView, checkLen, type Field } from '../wire.ts';

const F = {
  NXT_HDR: [0, 1],
  LENGTH: [1, 2], // in 8-octet units not counting the first 8 (AH: 4-octet units minus 2; Fragment: reserved)
} as const satisfies Record<string, Field>;

export const IPV6_EXT_MIN_LEN = 8;

/** Types that share the next-header/length shape and so can be stepped over (ESP cannot: it is encrypted). */
const EXT_TYPES = new Set<number>([
  IP_PROTOCOL.HOPOPT,
  IP_PROTOCOL.IPV6_ROUTE,
  IP_PROTOCOL.IPV6_FRAG,
  IP_PROTOCOL.AH,
  IP_PROTOCOL.IPV6_OPTS,
  135, // Mobility
  139, // HIP
  140, // Shim6
  253, // experimental (RFC 3692)
  254,
]);

export function ipv6IsExtensionHeader(type: number): boolean {
  return EXT_TYPES.has(type);
}

/** One extension header of type `type`, in place; the SRH and other codecs read `data`. */
export class Ipv6ExtView extends WireView {
  constructor(
    buf: Uint8Array,
    readonly type: number,
  ) {
    super(buf);
  }
  static checked(buf: Uint8Array, type: number): Ipv6ExtView {
    const v = new Ipv6ExtView(buf, type);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen('ipv6', 'ext', this.buffer.length, IPV6_EXT_MIN_LEN);
    checkLen('ipv6', 'ext.length', this.buffer.length, this.headerLen);
  }
  get nextHeader(): number {
    return this.u8(F.NXT_HDR);
  }
  /** Whole header length in bytes. */
  get headerLen(): number {
    if (this.type === IP_PROTOCOL.IPV6_FRAG) return IPV6_EXT_MIN_LEN;
    if (this.type === IP_PROTOCOL.AH) return (this.u8(F.LENGTH) + 2) * 4;
    return (this.u8(F.LENGTH) + 1) * 8;
  }
  /** The header's bytes after next-header and length. */
  get data(): Uint8Array {
    return this.buffer.subarray(F.LENGTH[1], this.headerLen);
  }
  setNextHeader(v: number): void {
    this.setU8(F.NXT_HDR, v);
  }
  summary(): string {
    return `IPv6-ext ${ipProtocolName(this.type)} next ${ipProtocolName(this.nextHeader)} len ${this.headerLen}`;
  }
}

export interface Ipv6ExtHeader {
  type: number;
  /** Offset from the start of the IPv6 payload. */
  offset: number;
  /** The whole extension header, in place. */
  bytes: Uint8Array;
}

export interface Ipv6HeaderChain {
  ext: Ipv6ExtHeader[];
  /** Upper-layer protocol (or 59 no-next-header, or 50 ESP). */
  protocol: number;
  /** Upper-layer bytes, in place. */
  upper: Uint8Array;
  /** True when a Fragment header is present: `upper` may then not start an upper-layer header. */
  fragmented: boolean;
}

/**
 * Steps over extension headers from the fixed header's next-header value through `payload`
 * (Ipv6View.payload). Throws a truncated WireError if one runs past the payload. Each step
 * consumes at least 8 bytes, so the walk ends.
 */
export function ipv6WalkHeaders(nextHeader: number, payload: Uint8Array): Ipv6HeaderChain {
  const ext: Ipv6ExtHeader[] = [];
  let type = nextHeader;
  let offset = 0;
  let fragmented = false;
  while (ipv6IsExtensionHeader(type)) {
    const v = Ipv6ExtView.checked(payload.subarray(offset), type);
    const len = v.headerLen;
    ext.push({ type, offset, bytes: payload.subarray(offset, offset + len) });
    if (type === IP_PROTOCOL.IPV6_FRAG) fragmented = true;
    type = v.nextHeader;
    offset += len;
  }
  return { ext, protocol: type, upper: payload.subarray(offset), fragmented };
}
