// SUE frames: AFH Gen2 | reliability header | PDU | R-CRC, built and parsed; plus the SUE wire budget per frame.
//
// SUE-3 puts a CRC beside the reliability header: modelled as a 4-byte R-CRC (CRC-32, IEEE 802.3
// polynomial as zlib, big-endian) over the reliability header and the PDU, so that it survives
// the AFH rewrites switches may make (ECN). On the wire the frame also has Ethernet's preamble and
// SFD (8 bytes), FCS (4) and inter-frame gap (12), none of them in a capture.
import { crc32 } from 'node:zlib';
import { WireError, checkLen } from '../wire.ts';
import { SueAfhHeader, SueAfhView, SUE_AFH_NEXT_RH, type SueAfhInit } from './afh.ts';
import { SUE_PDU_MAX_BYTES, SueTxn, suePackPdu, sueUnpackPdu } from './pdu.ts';
import { SUE_RH_LEN, SueRhHeader, SueRhView, type SueRhInit } from './rh.ts';

const SUE = 'sue';

export const SUE_RCRC_LEN = 4;
/** Preamble + SFD, FCS and inter-frame gap of the Ethernet PHY the frame travels on. */
export const SUE_WIRE_OVERHEAD_BYTES = 8 + 4 + 12;

export interface SueFrameSpec {
  afh: SueAfhInit;
  rh: SueRhInit;
  /** Packed transactions (empty for an acknowledgement). */
  txns?: readonly SueTxn[];
  maxPduBytes?: number;
}

export interface ParsedSueFrame {
  afh: SueAfhHeader;
  rh: SueRhHeader;
  txns: SueTxn[];
  /** PDU bytes (transaction headers and data). */
  pduBytes: number;
  rcrcOk: boolean;
}

/** The R-CRC of reliability header + PDU. */
export function sueRcrc(rhAndPdu: Uint8Array): number {
  return crc32(rhAndPdu) >>> 0;
}

/** Encodes a frame (the R-CRC filled). */
export function buildSueFrame(spec: SueFrameSpec): Uint8Array {
  const afh = new SueAfhHeader(spec.afh);
  const rh = new SueRhHeader(spec.rh);
  const pdu = suePackPdu(spec.txns ?? [], spec.maxPduBytes ?? SUE_PDU_MAX_BYTES);
  const a = afh.bufferLen();
  const out = new Uint8Array(a + SUE_RH_LEN + pdu.length + SUE_RCRC_LEN);
  afh.emit(SueAfhView.unchecked(out));
  rh.emit(SueRhView.unchecked(out.subarray(a)));
  out.set(pdu, a + SUE_RH_LEN);
  const end = out.length - SUE_RCRC_LEN;
  new DataView(out.buffer, out.byteOffset).setUint32(end, sueRcrc(out.subarray(a, end)));
  return out;
}

/**
 * Decodes a frame. `maxPduBytes` bounds the PDU (default 4096; pass Infinity to measure a PDU that
 * breaks the bound); an R-CRC mismatch is reported in `rcrcOk`, not thrown.
 */
export function parseSueFrame(bytes: Uint8Array, opts: { maxPduBytes?: number } = {}): ParsedSueFrame {
  const av = SueAfhView.checked(bytes);
  const afh = SueAfhHeader.parse(av);
  if (afh.nextHeader !== SUE_AFH_NEXT_RH) throw new WireError('unsupported', SUE, 'afh.nextHeader', `${afh.nextHeader}: not the reliability header`);
  const rest = av.payload;
  checkLen(SUE, 'frame', rest.length, SUE_RH_LEN + SUE_RCRC_LEN);
  const rh = SueRhHeader.parse(SueRhView.checked(rest));
  const end = rest.length - SUE_RCRC_LEN;
  const pdu = rest.subarray(SUE_RH_LEN, end);
  const txns = sueUnpackPdu(pdu, opts.maxPduBytes ?? SUE_PDU_MAX_BYTES);
  const rcrc = new DataView(rest.buffer, rest.byteOffset).getUint32(end);
  return { afh, rh, txns, pduBytes: pdu.length, rcrcOk: rcrc === sueRcrc(rest.subarray(0, end)) };
}
