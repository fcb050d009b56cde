// Ethernet II header (no FCS) with an optional single 802.1Q tag.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';
import { ETHERTYPE, ethertypeName } from './ethertype.ts';
import { ethernetFormatMac, ethernetParseMac } from './mac.ts';

const F = {
  DST: [0, 6],
  SRC: [6, 12],
  ETHERTYPE: [12, 14],
  // Present only when ETHERTYPE is 0x8100 (IEEE 802.1Q §9.6): TCI = PCP(3) DEI(1) VID(12).
  TCI: [14, 16],
  INNER_ETHERTYPE: [16, 18],
} as const satisfies Record<string, Field>;

export const ETHERNET_HEADER_LEN = F.ETHERTYPE[1];
export const ETHERNET_VLAN_TAG_LEN = F.INNER_ETHERTYPE[1] - F.ETHERTYPE[1];
/** Shortest frame on the wire without FCS (64 bytes with it). */
export const ETHERNET_MIN_FRAME_LEN = 60;

export interface EthernetVlanTag {
  /** VLAN id, 0..4095 (0 = priority tag only). */
  id: number;
  /** Priority code point, 0..7. */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
}

export class EthernetView extends WireView {
  static unchecked(buf: Uint8Array): EthernetView {
    return new EthernetView(buf);
  }
  static checked(buf: Uint8Array): EthernetView {
    const v = new EthernetView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen('ethernet', 'header', this.buffer.length, ETHERNET_HEADER_LEN);
    if (this.tagged) checkLen('ethernet', 'vlan', this.buffer.length, F.INNER_ETHERTYPE[1]);
  }
  get dst(): Uint8Array {
    return this.bytes(F.DST);
  }
  get src(): Uint8Array {
    return this.bytes(F.SRC);
  }
  /** True when an 802.1Q tag follows the source address. */
  get tagged(): boolean {
    return this.u16(F.ETHERTYPE) === ETHERTYPE.VLAN;
  }
  get vlan(): EthernetVlanTag | undefined {
    if (!this.tagged) return undefined;
    const tci = this.u16(F.TCI);
    return { id: tci & 0x0fff, pcp: tci >> 13, dei: (tci & 0x1000) !== 0 };
  }
  /** The type of the payload: after the tag when tagged. */
  get ethertype(): number {
    return this.u16(this.tagged ? F.INNER_ETHERTYPE : F.ETHERTYPE);
  }
  get headerLen(): number {
    return this.tagged ? F.INNER_ETHERTYPE[1] : ETHERNET_HEADER_LEN;
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }
  setDst(mac: Uint8Array): void {
    this.setBytes(F.DST, mac);
  }
  setSrc(mac: Uint8Array): void {
    this.setBytes(F.SRC, mac);
  }
  /** Writes the first type field: the payload type, or 0x8100 before a tag. */
  setOuterEthertype(v: number): void {
    this.setU16(F.ETHERTYPE, v);
  }
  /** Writes the TCI; the buffer must hold a tag. */
  setTci(tag: EthernetVlanTag): void {
    this.setU16(F.TCI, (tag.pcp << 13) | (tag.dei ? 0x1000 : 0) | tag.id);
  }
  /** Writes the payload type after the tag; the buffer must hold a tag. */
  setInnerEthertype(v: number): void {
    this.setU16(F.INNER_ETHERTYPE, v);
  }
  summary(): string {
    const tag = this.vlan;
    const vlan = tag ? ` vlan ${tag.id} pcp ${tag.pcp}${tag.dei ? ' dei' : ''}` : '';
    const t = this.ethertype;
    return (
      `Ethernet ${ethernetFormatMac(this.src)} > ${ethernetFormatMac(this.dst)}${vlan} ` +
      `type ${ethertypeName(t)}${t >= 0x0600 ? ` (${hex(t)})` : ''} len ${this.buffer.length}`
    );
  }
}

export interface EthernetInit {
  dst: string;
  src: string;
  ethertype: number;
  vlan?: EthernetVlanTag;
}

export class EthernetHeader {
  readonly dst: string;
  readonly src: string;
  readonly ethertype: number;
  readonly vlan?: EthernetVlanTag;
  constructor(init: EthernetInit) {
    this.dst = init.dst;
    this.src = init.src;
    this.ethertype = init.ethertype;
    if (init.vlan) this.vlan = { id: init.vlan.id, pcp: init.vlan.pcp, dei: init.vlan.dei };
  }
  /** `view` must be checked. */
  static parse(view: EthernetView): EthernetHeader {
    return new EthernetHeader({
      dst: ethernetFormatMac(view.dst),
      src: ethernetFormatMac(view.src),
      ethertype: view.ethertype,
      vlan: view.vlan,
    });
  }
  bufferLen(): number {
    return this.vlan ? ETHERNET_HEADER_LEN + ETHERNET_VLAN_TAG_LEN : ETHERNET_HEADER_LEN;
  }
  /** Writes the header at the start of the view; the payload follows at bufferLen(). */
  emit(view: EthernetView): void {
    const dst = ethernetParseMac(this.dst, 'dst');
    const src = ethernetParseMac(this.src, 'src');
    checkUint('ethernet', 'ethertype', this.ethertype, 0xffff);
    if (this.vlan) {
      checkUint('ethernet', 'vlan.id', this.vlan.id, 0xfff);
      checkUint('ethernet', 'vlan.pcp', this.vlan.pcp, 7);
    } else if (this.ethertype === ETHERTYPE.VLAN) {
      // Would read back as a tag: the payload's first bytes would become the TCI.
      throw new WireError('malformed', 'ethernet', 'ethertype', '0x8100 without a vlan tag');
    }
    checkLen('ethernet', 'header', view.buffer.length, this.bufferLen());
    view.setDst(dst);
    view.setSrc(src);
    if (this.vlan) {
      view.setOuterEthertype(ETHERTYPE.VLAN);
      view.setTci(this.vlan);
      view.setInnerEthertype(this.ethertype);
    } else {
      view.setOuterEthertype(this.ethertype);
    }
  }
}
