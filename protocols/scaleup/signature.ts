// Test-traffic signature: 8 bytes at the start of a transfer's data (magic, flow, sequence), as traffic generators embed one.
//
// The scale-up protocols carry no flow identity a test could rely on, so the test traffic marks
// its own data the way OTG-style traffic generators do: an analyser on the receiving side (or a
// suite reading a capture) tells flows apart and checks their order and loss from it.
//
//   byte   field      bits
//   0-1    magic      16    0x5ca1
//   2-3    flow       16    index of the flow in its sender's flow list
//   4-7    sequence   32    transfer number within the flow, from 0
import { WireError, checkLen, checkUint } from '../wire.ts';

export const SCALEUP_SIGNATURE_LEN = 8;
export const SCALEUP_SIGNATURE_MAGIC = 0x5ca1;

export interface ScaleupSignature {
  flow: number;
  seq: number;
}

/** Writes the signature at the start of `data` (at least 8 bytes). */
export function scaleupWriteSignature(data: Uint8Array, flow: number, seq: number): void {
  checkLen('scaleup', 'signature', data.length, SCALEUP_SIGNATURE_LEN);
  checkUint('scaleup', 'flow', flow, 0xffff);
  checkUint('scaleup', 'seq', seq, 0xffffffff);
  const dv = new DataView(data.buffer, data.byteOffset, SCALEUP_SIGNATURE_LEN);
  dv.setUint16(0, SCALEUP_SIGNATURE_MAGIC);
  dv.setUint16(2, flow);
  dv.setUint32(4, seq);
}

/** The signature at the start of `data`, or null when there is none (short data, other magic). */
export function scaleupReadSignature(data: Uint8Array): ScaleupSignature | null {
  if (data.length < SCALEUP_SIGNATURE_LEN) return null;
  const dv = new DataView(data.buffer, data.byteOffset, SCALEUP_SIGNATURE_LEN);
  if (dv.getUint16(0) !== SCALEUP_SIGNATURE_MAGIC) return null;
  return { flow: dv.getUint16(2), seq: dv.getUint32(4) };
}

/** As scaleupReadSignature, but a missing signature is a WireError. */
export function scaleupSignatureOf(data: Uint8Array): ScaleupSignature {
  const s = scaleupReadSignature(data);
  if (s === null) throw new WireError('malformed', 'scaleup', 'signature', 'no test signature at the start of the data');
  return s;
}
