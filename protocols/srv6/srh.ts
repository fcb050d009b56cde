// SRv6 Segment Routing Header: IPv6 routing header type 4 (RFC 8754 §2), its TLVs, and the End segment step (§4.3.1.1).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   | Next Header   |  Hdr Ext Len  | Routing Type  | Segments Left |
//   |  Last Entry   |     Flags     |              Tag              |
//   |            Segment List[0] (128-bit IPv6 address)             |
//   |                              ...                              |
//   |            Segment List[n] (128-bit IPv6 address)             |
//   //         Optional Type Length Value objects (variable)         //
//
// The segment list is in REVERSE order of the path: Segment List[0] is the LAST segment (the
// final destination) and Segment List[Last Entry] the first. Segments Left indexes the active
// segment, so an endpoint decrements it and copies Segment List[Segments Left] into the IPv6
// destination. In the reduced encoding (§4.1.1) the first segment is left out: Segments Left =
// Last Entry + 1 and the active segment is only the IPv6 destination.
import { IP_PROTOCOL, ipProtocolName } from '../ip.ts';
import { IPV6_ADDR_LEN, ipv6FormatAddress, ipv6ParseAddress } from '../ipv6/address.ts';
import { IPV6_EXT_MIN_LEN, Ipv6ExtView } from '../ipv6/ext.ts';
import { WireError, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  NXT_HDR: [0, 1],
  HDR_EXT_LEN: [1, 2], // 8-octet units not counting the first 8
  ROUTING_TYPE: [2, 3],
  SEGMENTS_LEFT: [3, 4],
  LAST_ENTRY: [4, 5], // index of the last element of the segment list (zero-based)
  FLAGS: [5, 6], // no flags defined (RFC 8754 §2: unused, 0 on transmit, ignored on receipt)
  TAG: [6, 8],
  SEGMENT_LIST: [8, 24], // Segment List[0]; entry i at 8 + 16 i
} as const satisfies Record<string, Field>;

const SRV6 = 'srv6';
const rule = (field: string, detail: string) => new WireError('malformed', SRV6, field, detail);

export const SRV6_SRH_FIXED_LEN = F.SEGMENT_LIST[0];
/** The Routing Type value of the SRH (RFC 8754 §2). */
export const SRV6_SRH_ROUTING_TYPE = 4;
/** Hdr Ext Len is 8 bits: (255 + 1) * 8 bytes at most, hence at most 127 segments. */
export const SRV6_SRH_MAX_SEGMENTS = 127;

/** TLV types (RFC 8754 §2.1, §8.2); others are kept as raw TLVs. */
export const SRV6_SRH_TLV = { PAD1: 0, PADN: 4, HMAC: 5 } as const;

/** One TLV. Pad1 (type 0) is a single byte: its value is always empty. */
export interface Srv6SrhTlv {
  type: number;
  value: Uint8Array;
}

const tlvLen = (t: Srv6SrhTlv) => (t.type === SRV6_SRH_TLV.PAD1 ? 1 : 2 + t.value.length);

/** The HMAC TLV value (RFC 8754 §2.1.2): D bit, 15 reserved bits, key id, HMAC. */
export interface Srv6SrhHmac {
  /** D bit: destination address verification disabled. */
  dBit: boolean;
  keyId: number;
  hmac: Uint8Array;
}

const HMAC_HEAD = 6;

export function srv6ParseHmacTlv(t: Srv6SrhTlv): Srv6SrhHmac {
  if (t.type !== SRV6_SRH_TLV.HMAC) throw rule('tlv.hmac', `type ${t.type} is not HMAC (5)`);
  checkLen(SRV6, 'tlv.hmac', t.value.length, HMAC_HEAD);
  const dv = new DataView(t.value.buffer, t.value.byteOffset, t.value.byteLength);
  return { dBit: (t.value[0] & 0x80) !== 0, keyId: dv.getUint32(2), hmac: t.value.subarray(HMAC_HEAD) };
}

export function srv6HmacTlv(h: Srv6SrhHmac): Srv6SrhTlv {
  checkUint(SRV6, 'tlv.hmac.keyId', h.keyId, 0xffffffff);
  const value = new Uint8Array(HMAC_HEAD + h.hmac.length);
  value[0] = h.dBit ? 0x80 : 0;
  new DataView(value.buffer).setUint32(2, h.keyId);
  value.set(h.hmac, HMAC_HEAD);
  return { type: SRV6_SRH_TLV.HMAC, value };
}

/** An SRH in place; next header, header length and `data` come from the generic extension view. */
export class Srv6SrhView extends Ipv6ExtView {
  constructor(buf: Uint8Array) {
    super(buf, IP_PROTOCOL.IPV6_ROUTE);
  }
  static unchecked(buf: Uint8Array): Srv6SrhView {
    return new Srv6SrhView(buf);
  }
  static override checked(buf: Uint8Array): Srv6SrhView {
    const v = new Srv6SrhView(buf);
    v.checkLen();
    return v;
  }
  /** The fixed 8 bytes and Hdr Ext Len lie inside the buffer (trailing bytes are fine). */
  override checkLen(): void {
    checkLen(SRV6, 'header', this.buffer.length, SRV6_SRH_FIXED_LEN);
    checkLen(SRV6, 'hdrExtLen', this.buffer.length, this.headerLen);
  }
  get hdrExtLen(): number {
    return this.u8(F.HDR_EXT_LEN);
  }
  get routingType(): number {
    return this.u8(F.ROUTING_TYPE);
  }
  get segmentsLeft(): number {
    return this.u8(F.SEGMENTS_LEFT);
  }
  get lastEntry(): number {
    return this.u8(F.LAST_ENTRY);
  }
  get flags(): number {
    return this.u8(F.FLAGS);
  }
  get tag(): number {
    return this.u16(F.TAG);
  }
  /** Entries that fit in Hdr Ext Len: max_last_entry + 1 of §4.3.1.1. */
  get segmentCapacity(): number {
    return this.hdrExtLen >> 1;
  }
  /** Segment List[i] (reverse path order), in place; short or empty past the header. */
  segment(i: number): Uint8Array {
    const at = F.SEGMENT_LIST[0] + i * IPV6_ADDR_LEN;
    return this.buffer.subarray(at, Math.min(at + IPV6_ADDR_LEN, this.headerLen));
  }
  /** Bytes after Segment List[Last Entry] up to the header end, in place. */
  get tlvArea(): Uint8Array {
    const end = this.headerLen;
    return this.buffer.subarray(Math.min(F.SEGMENT_LIST[0] + (this.lastEntry + 1) * IPV6_ADDR_LEN, end), end);
  }
  setHdrExtLen(v: number): void {
    this.setU8(F.HDR_EXT_LEN, v);
  }
  setRoutingType(v: number): void {
    this.setU8(F.ROUTING_TYPE, v);
  }
  setSegmentsLeft(v: number): void {
    this.setU8(F.SEGMENTS_LEFT, v);
  }
  setLastEntry(v: number): void {
    this.setU8(F.LAST_ENTRY, v);
  }
  setFlags(v: number): void {
    this.setU8(F.FLAGS, v);
  }
  setTag(v: number): void {
    this.setU16(F.TAG, v);
  }
  setSegment(i: number, addr: Uint8Array): void {
    this.buffer.set(addr.subarray(0, IPV6_ADDR_LEN), F.SEGMENT_LIST[0] + i * IPV6_ADDR_LEN);
  }
  /** "SRH next UDP sl 1 le 2 flags 0x00 tag 0x0000 [2001:db8::3 2001:db8::2 2001:db8::1]" (list order). */
  override summary(): string {
    const n = Math.min(this.lastEntry + 1, this.segmentCapacity);
    const segs = Array.from({ length: n }, (_, i) => ipv6FormatAddress(this.segment(i)));
    const tlvs = this.tlvArea.length ? ` tlv ${this.tlvArea.length}B` : '';
    return (
      `SRH next ${ipProtocolName(this.nextHeader)} sl ${this.segmentsLeft} le ${this.lastEntry} ` +
      `flags ${hex(this.flags, 2)} tag ${hex(this.tag)} [${segs.join(' ')}]${tlvs}`
    );
  }
}

export interface Srv6SrhInit {
  nextHeader: number;
  segmentsLeft: number;
  /** Segment List[0..Last Entry]: reverse path order, [0] is the final segment. Last Entry follows. */
  segments: string[];
  flags?: number;
  tag?: number;
  /** Raw TLVs after the segment list; with them the header must end on 8 octets (pad with Pad1/PadN). */
  tlvs?: Srv6SrhTlv[];
}

export class Srv6SrhHeader {
  readonly nextHeader: number;
  readonly segmentsLeft: number;
  readonly segments: string[];
  readonly flags: number;
  readonly tag: number;
  readonly tlvs: Srv6SrhTlv[];
  constructor(init: Srv6SrhInit) {
    this.nextHeader = init.nextHeader;
    this.segmentsLeft = init.segmentsLeft;
    this.segments = init.segments;
    this.flags = init.flags ?? 0;
    this.tag = init.tag ?? 0;
    this.tlvs = init.tlvs ?? [];
  }

  /**
   * `view` must be checked. Checks RFC 8754: routing type 4 (else unsupported), and as
   * §4.3.1.1 S09-S11 Last Entry <= max_last_entry (Hdr Ext Len / 2 - 1) and Segments Left <=
   * Last Entry + 1, applied whatever Segments Left; then TLVs must tile the rest of the header
   * (§2.1). Segments come out in RFC 5952 text; TLV values are subarrays of the view.
   */
  static parse(view: Srv6SrhView): Srv6SrhHeader {
    if (view.routingType !== SRV6_SRH_ROUTING_TYPE) {
      throw new WireError('unsupported', SRV6, 'routingType', `routing type ${view.routingType} is not an SRH (4)`);
    }
    const le = view.lastEntry;
    const sl = view.segmentsLeft;
    const max = view.segmentCapacity - 1;
    if (le > max) throw rule('lastEntry', `RFC 8754 §4.3.1.1: Last Entry ${le} > max_last_entry ${max}`);
    if (sl > le + 1) throw rule('segmentsLeft', `RFC 8754 §4.3.1.1: Segments Left ${sl} > Last Entry + 1 (${le + 1})`);
    return new Srv6SrhHeader({
      nextHeader: view.nextHeader,
      segmentsLeft: sl,
      segments: Array.from({ length: le + 1 }, (_, i) => ipv6FormatAddress(view.segment(i))),
      flags: view.flags,
      tag: view.tag,
      tlvs: parseTlvs(view.tlvArea),
    });
  }

  get lastEntry(): number {
    return this.segments.length - 1;
  }

  bufferLen(): number {
    return SRV6_SRH_FIXED_LEN + this.segments.length * IPV6_ADDR_LEN + this.tlvs.reduce((n, t) => n + tlvLen(t), 0);
  }

  /**
   * Writes the header at the start of a buffer of at least bufferLen() bytes; Hdr Ext Len and
   * Last Entry follow from the segments and TLVs. Segments Left is only range-checked, so
   * headers that break §4.3.1.1 can be sent.
   */
  emit(view: Srv6SrhView): void {
    checkUint(SRV6, 'nextHeader', this.nextHeader, 0xff);
    checkUint(SRV6, 'segmentsLeft', this.segmentsLeft, 0xff);
    checkUint(SRV6, 'flags', this.flags, 0xff);
    checkUint(SRV6, 'tag', this.tag, 0xffff);
    if (this.segments.length < 1 || this.segments.length > SRV6_SRH_MAX_SEGMENTS) {
      throw rule('segments', `${this.segments.length} segments, not 1..${SRV6_SRH_MAX_SEGMENTS}`);
    }
    const addrs = this.segments.map((s, i) => ipv6ParseAddress(s, `segments[${i}]`));
    for (const [i, t] of this.tlvs.entries()) {
      checkUint(SRV6, `tlvs[${i}].type`, t.type, 0xff);
      if (t.type === SRV6_SRH_TLV.PAD1 ? t.value.length !== 0 : t.value.length > 0xff) {
        throw rule(`tlvs[${i}].value`, `${t.value.length} bytes for type ${t.type}`);
      }
    }
    const len = this.bufferLen();
    if (len % IPV6_EXT_MIN_LEN) throw rule('tlvs', `header of ${len} bytes is not a multiple of 8: pad with Pad1/PadN`);
    checkLen(SRV6, 'header', view.buffer.length, len);
    view.setNextHeader(this.nextHeader);
    view.setHdrExtLen(len / IPV6_EXT_MIN_LEN - 1);
    view.setRoutingType(SRV6_SRH_ROUTING_TYPE);
    view.setSegmentsLeft(this.segmentsLeft);
    view.setLastEntry(this.lastEntry);
    view.setFlags(this.flags);
    view.setTag(this.tag);
    addrs.forEach((a, i) => view.setSegment(i, a));
    let at = SRV6_SRH_FIXED_LEN + addrs.length * IPV6_ADDR_LEN;
    for (const t of this.tlvs) {
      view.buffer[at] = t.type;
      if (t.type !== SRV6_SRH_TLV.PAD1) {
        view.buffer[at + 1] = t.value.length;
        view.buffer.set(t.value, at + 2);
      }
      at += tlvLen(t);
    }
  }

  /** The header as an IPv6 extension header for buildFrame's `ipv6Ext` (which rewrites Next Header). */
  toExt(): { type: number; bytes: Uint8Array } {
    const bytes = new Uint8Array(this.bufferLen());
    this.emit(Srv6SrhView.unchecked(bytes));
    return { type: IP_PROTOCOL.IPV6_ROUTE, bytes };
  }
}

function parseTlvs(area: Uint8Array): Srv6SrhTlv[] {
  const out: Srv6SrhTlv[] = [];
  for (let at = 0; at < area.length; ) {
    const type = area[at];
    if (type === SRV6_SRH_TLV.PAD1) {
      out.push({ type, value: area.subarray(at + 1, at + 1) });
      at++;
      continue;
    }
    const end = at + 2 + (area[at + 1] ?? 0);
    if (at + 2 > area.length || end > area.length) {
      throw rule('tlv', `RFC 8754 §2.1: TLV type ${type} at offset ${at} runs past the header`);
    }
    out.push({ type, value: area.subarray(at + 2, end) });
    at = end;
  }
  return out;
}

/** Segment List[Segments Left], the active segment; undefined in the reduced encoding (it is only the IPv6 destination). */
export function srv6ActiveSegment(srh: Srv6SrhHeader): string | undefined {
  return srh.segments[srh.segmentsLeft];
}

/**
 * The End step of RFC 8754 §4.3.1.1 S15-S16: decrements Segments Left and returns the new header
 * and the new IPv6 destination, Segment List[Segments Left - 1]. With Segments Left 0 there is
 * nothing to advance to (S02: the next header is processed instead): a malformed WireError.
 */
export function srv6Advance(srh: Srv6SrhHeader): { srh: Srv6SrhHeader; dst: string } {
  const sl = srh.segmentsLeft - 1;
  if (sl < 0 || sl >= srh.segments.length) {
    throw rule('segmentsLeft', `cannot advance from Segments Left ${srh.segmentsLeft} with ${srh.segments.length} segments`);
  }
  return { srh: new Srv6SrhHeader({ ...srh, segmentsLeft: sl }), dst: srh.segments[sl] };
}
