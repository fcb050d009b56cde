// ESUN frames: Ethernet | EH | SUE-T reliability header | PDU | R-CRC, built and parsed.
//
// ESUN covers the network and data-link layers (ESUN-1); its recommended transport is SUE-T
// (SUE-6), so an ESUN frame carries the SUE reliability header and packed PDU (protocols/sue)
// after the 4-byte EH header where an IP/UDP stack would be. The EtherType is not public here:
// ESUN_ETHERTYPE_DEFAULT is the second IEEE 802 local experimental EtherType (0x88b6), a parameter.
// Switches forward on the destination MAC (standard Ethernet); on the wire the frame also has the
// preamble and SFD (8 bytes), FCS (4) and inter-frame gap (12), none of them in a capture.
import { EthernetHeader, EthernetView } from '../ethernet/ethernet.ts';
import { WireError, checkLen } from '../wire.ts';
import { SUE_PDU_MAX_BYTES, SueTxn, suePackPdu, sueUnpackPdu } from '../sue/pdu.ts';
import { SUE_RH_LEN, SueRhHeader, SueRhView, type SueRhInit } from '../sue/rh.ts';
import { SUE_RCRC_LEN, sueRcrc } from '../sue/frame.ts';
import { ESUN_EH_LAYOUT_DEFAULT, ESUN_EH_LEN, ESUN_NEXT_HEADER, EsunEhHeader, EsunEhView, type EsunEhInit, type EsunEhLayout } from './eh.ts';

const ESUN = 'esun';

export const ESUN_ETHERTYPE_DEFAULT = 0x88b6;
export const ESUN_WIRE_OVERHEAD_BYTES = 8 + 4 + 12;

export interface EsunOptions {
  ethertype?: number;
  layout?: EsunEhLayout;
  maxPduBytes?: number;
}

export interface EsunFrameSpec {
  eth: { dst: string; src: string };
  eh: EsunEhInit;
  rh: SueRhInit;
  txns?: readonly SueTxn[];
}

export interface ParsedEsunFrame {
  eth: EthernetHeader;
  eh: EsunEhHeader;
  rh: SueRhHeader;
  txns: SueTxn[];
  pduBytes: number;
  rcrcOk: boolean;
}

/** MAC of an ESUN endpoint or switch port by its 10-bit XPU id: 02:e5:00:00:<id high>:<id low>. */
export function esunMacOf(xpuId: number): string {
  const h = (v: number) => v.toString(16).padStart(2, '0');
  return `02:e5:00:00:${h((xpuId >> 8) & 0xff)}:${h(xpuId & 0xff)}`;
}

/** The XPU id of a MAC made by esunMacOf (bytes or `aa:bb:...` text), or null. */
export function esunXpuOfMac(mac: Uint8Array | string): number | null {
  const b = typeof mac === 'string' ? mac.split(':').map((x) => parseInt(x, 16)) : mac;
  if (b.length !== 6 || b[0] !== 0x02 || b[1] !== 0xe5 || b[2] !== 0 || b[3] !== 0) return null;
  return (b[4] << 8) | b[5];
}

/** Offset of the EH header in a frame (after the Ethernet header). */
export const ESUN_EH_OFFSET = 14;

export function buildEsunFrame(spec: EsunFrameSpec, opts: EsunOptions = {}): Uint8Array {
  const eth = new EthernetHeader({ ...spec.eth, ethertype: opts.ethertype ?? ESUN_ETHERTYPE_DEFAULT });
  const eh = new EsunEhHeader({ nextHeader: ESUN_NEXT_HEADER.SUE_T, ...spec.eh });
  const rh = new SueRhHeader(spec.rh);
  const pdu = suePackPdu(spec.txns ?? [], opts.maxPduBytes ?? SUE_PDU_MAX_BYTES);
  const e = eth.bufferLen();
  const out = new Uint8Array(e + ESUN_EH_LEN + SUE_RH_LEN + pdu.length + SUE_RCRC_LEN);
  eth.emit(EthernetView.unchecked(out));
  eh.emit(EsunEhView.unchecked(out.subarray(e), opts.layout ?? ESUN_EH_LAYOUT_DEFAULT));
  const t = e + ESUN_EH_LEN;
  rh.emit(SueRhView.unchecked(out.subarray(t)));
  out.set(pdu, t + SUE_RH_LEN);
  const end = out.length - SUE_RCRC_LEN;
  new DataView(out.buffer, out.byteOffset).setUint32(end, sueRcrc(out.subarray(t, end)));
  return out;
}

export function parseEsunFrame(bytes: Uint8Array, opts: EsunOptions = {}): ParsedEsunFrame {
  const ev = EthernetView.checked(bytes);
  const eth = EthernetHeader.parse(ev);
  const want = opts.ethertype ?? ESUN_ETHERTYPE_DEFAULT;
  if (eth.ethertype !== want) throw new WireError('unsupported', ESUN, 'ethertype', `0x${eth.ethertype.toString(16)} is not ESUN (0x${want.toString(16)})`);
  const hv = EsunEhView.checked(ev.payload, opts.layout ?? ESUN_EH_LAYOUT_DEFAULT);
  const eh = EsunEhHeader.parse(hv);
  if (eh.nextHeader !== ESUN_NEXT_HEADER.SUE_T) throw new WireError('unsupported', ESUN, 'nextHeader', `${eh.nextHeader}: only SUE-T is modelled`);
  const rest = hv.payload;
  checkLen(ESUN, 'frame', rest.length, SUE_RH_LEN + SUE_RCRC_LEN);
  const rh = SueRhHeader.parse(SueRhView.checked(rest));
  const end = rest.length - SUE_RCRC_LEN;
  const pdu = rest.subarray(SUE_RH_LEN, end);
  const txns = sueUnpackPdu(pdu, opts.maxPduBytes ?? SUE_PDU_MAX_BYTES);
  const rcrc = new DataView(rest.buffer, rest.byteOffset).getUint32(end);
  return { eth, eh, rh, txns, pduBytes: pdu.length, rcrcOk: rcrc === sueRcrc(rest.subarray(0, end)) };
}
