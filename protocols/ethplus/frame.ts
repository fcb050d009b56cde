// ETH+ frames: 1-byte preamble | UID base header | payload | optional FCS; the ETH+ wire budget.
//
// ETHP-4: the FCS may be removed entirely. Whether a port sends and expects one is configuration
// (`fcs` below), so a receiver knows where a frame ends: with FCS the frame is 1 + 8 + length + 4
// bytes, without it 1 + 8 + length. The FCS is Ethernet's CRC-32 (IEEE 802.3 §3.2.9, zlib) over
// the UID base header and the payload, least significant byte first. A capture holds the whole
// frame, preamble and FCS included (both are ETH+ fields); only the inter-frame gap is outside it
// (12 bytes assumed, as 802.3's minimum: ETHPLUS_IFG_BYTES, a parameter of the budget).
import { crc32 } from 'node:zlib';
import { WireError, checkLen } from '../wire.ts';
import { ETHPLUS_PREAMBLE_LEN, ethplusFrameTypeOf, ethplusPreamble } from './preamble.ts';
import { ETHPLUS_UID_HEADER_LEN, EthplusUidHeader, EthplusUidView, type EthplusUidInit } from './uid.ts';

const ETHPLUS = 'ethplus';

export const ETHPLUS_FCS_LEN = 4;
export const ETHPLUS_IFG_BYTES = 12;

export interface EthplusFrameOptions {
  /** The port sends (and expects) an FCS; default true. */
  fcs?: boolean;
}

export interface EthplusFrameSpec {
  frameType: number;
  uid: Omit<EthplusUidInit, 'length'>;
  payload: Uint8Array;
}

export interface ParsedEthplusFrame {
  frameType: number;
  uid: EthplusUidHeader;
  payload: Uint8Array;
  /** null when the frame has no FCS. */
  fcsOk: boolean | null;
}

/** The FCS of UID header + payload as Ethernet sends it (LSB first), read as a big-endian number. */
export function ethplusFcs(headerAndPayload: Uint8Array): number {
  const c = crc32(headerAndPayload) >>> 0;
  return (((c & 0xff) << 24) | ((c & 0xff00) << 8) | ((c >>> 8) & 0xff00) | (c >>> 24)) >>> 0;
}

export function buildEthplusFrame(spec: EthplusFrameSpec, opts: EthplusFrameOptions = {}): Uint8Array {
  const fcs = opts.fcs ?? true;
  const uid = new EthplusUidHeader({ ...spec.uid, length: spec.payload.length });
  const out = new Uint8Array(ETHPLUS_PREAMBLE_LEN + ETHPLUS_UID_HEADER_LEN + spec.payload.length + (fcs ? ETHPLUS_FCS_LEN : 0));
  out[0] = ethplusPreamble(spec.frameType);
  uid.emit(EthplusUidView.unchecked(out.subarray(ETHPLUS_PREAMBLE_LEN)));
  out.set(spec.payload, ETHPLUS_PREAMBLE_LEN + ETHPLUS_UID_HEADER_LEN);
  if (fcs) {
    const end = out.length - ETHPLUS_FCS_LEN;
    new DataView(out.buffer, out.byteOffset).setUint32(end, ethplusFcs(out.subarray(ETHPLUS_PREAMBLE_LEN, end)));
  }
  return out;
}

/** Decodes a frame as a port configured with or without FCS would; a length that disagrees is malformed. */
export function parseEthplusFrame(bytes: Uint8Array, opts: EthplusFrameOptions = {}): ParsedEthplusFrame {
  const fcs = opts.fcs ?? true;
  checkLen(ETHPLUS, 'preamble', bytes.length, ETHPLUS_PREAMBLE_LEN);
  const frameType = ethplusFrameTypeOf(bytes[0]);
  const uv = EthplusUidView.checked(bytes.subarray(ETHPLUS_PREAMBLE_LEN));
  const uid = EthplusUidHeader.parse(uv);
  const at = ETHPLUS_PREAMBLE_LEN + ETHPLUS_UID_HEADER_LEN;
  const want = at + uid.length + (fcs ? ETHPLUS_FCS_LEN : 0);
  if (bytes.length !== want) {
    const d = bytes.length - want;
    const hint = !fcs && d === ETHPLUS_FCS_LEN ? ': an FCS on a port configured without one?' : fcs && d === -ETHPLUS_FCS_LEN ? ': no FCS on a port configured with one?' : '';
    throw new WireError(d < 0 ? 'truncated' : 'malformed', ETHPLUS, 'length', `frame of ${bytes.length} bytes, header says ${want}${hint}`);
  }
  const payload = bytes.subarray(at, at + uid.length);
  let fcsOk: boolean | null = null;
  if (fcs) {
    const got = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - ETHPLUS_FCS_LEN);
    fcsOk = got === ethplusFcs(bytes.subarray(ETHPLUS_PREAMBLE_LEN, bytes.length - ETHPLUS_FCS_LEN));
  }
  return { frameType, uid, payload, fcsOk };
}
