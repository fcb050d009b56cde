// Whole UET packets: [entropy header] PDS header [SES header] payload [CRC32C trailer], parsed and built in one call.
//
// parseUetPacket takes the bytes after UDP (or, with `entropyHeader`, after the IP header of
// protocol 253), picks the PDS header by the prologue's type and the SES header by its next
// header, and leaves the rest as payload (in place). It throws only WireError: truncated when a
// header runs past the bytes, malformed for a reserved PDS type or a value that contradicts
// another, unsupported for TSS (encrypted) packets and PDS types past ROD_CC_REQ. Unknown
// next-header values (7..15) are kept in the PDS header and their bytes left as payload.
// SES extension headers (atomic, compare-and-swap, rendezvous) are payload too.
import { WireError, checkLen } from '../wire.ts';
import { UetAckHeader, UetAckView } from './ack.ts';
import { UET, uetMalformed, type UetLayoutOptions } from './common.ts';
import { UET_CRC_LEN, UetCrcTrailerView } from './crc.ts';
import { UetCtrlHeader, UetCtrlView } from './ctrl.ts';
import { UET_ENTROPY_LEN, UetEntropyHeader, UetEntropyView } from './entropy.ts';
import { UetNackHeader, UetNackView } from './nack.ts';
import {
  UET_NEXT_HEADER,
  UET_PDS_TYPE,
  UetPdsPrologueHeader,
  UetPdsPrologueView,
  uetPdsTypeName,
} from './prologue.ts';
import { UetRequestHeader, UetRequestView } from './request.ts';
import { UetRudiHeader, UetRudiView } from './rudi.ts';
import { UetSesMediumHeader, UetSesMediumView } from './ses-medium.ts';
import { UetSesResponseDataSmallHeader, UetSesResponseDataSmallView } from './ses-response-data-small.ts';
import { UetSesResponseDataHeader, UetSesResponseDataView } from './ses-response-data.ts';
import { UetSesResponseHeader, UetSesResponseView } from './ses-response.ts';
import { UetSesSmallHeader, UetSesSmallView } from './ses-small.ts';
import { UetSesStandardHeader, UetSesStandardView } from './ses-standard.ts';
import { UetUudHeader, UetUudView } from './uud.ts';

export type UetPdsHeader =
  | UetRequestHeader
  | UetAckHeader
  | UetNackHeader
  | UetCtrlHeader
  | UetRudiHeader
  | UetUudHeader;

export type UetSesHeader =
  | UetSesStandardHeader
  | UetSesMediumHeader
  | UetSesSmallHeader
  | UetSesResponseHeader
  | UetSesResponseDataHeader
  | UetSesResponseDataSmallHeader;

/** PDS header bytes by type, prologue included (protocol-facts "Header sizes"); none for TSS, reserved, unknown. */
const PDS_HEADER_LEN: Readonly<Record<number, number>> = {
  [UET_PDS_TYPE.RUD_REQ]: 12,
  [UET_PDS_TYPE.ROD_REQ]: 12,
  [UET_PDS_TYPE.RUDI_REQ]: 8,
  [UET_PDS_TYPE.RUDI_RESP]: 8,
  [UET_PDS_TYPE.UUD_REQ]: 4,
  [UET_PDS_TYPE.ACK]: 12,
  [UET_PDS_TYPE.ACK_CC]: 32,
  [UET_PDS_TYPE.ACK_CCX]: 40,
  [UET_PDS_TYPE.NACK]: 16,
  [UET_PDS_TYPE.CTRL]: 16,
  [UET_PDS_TYPE.NACK_CCX]: 32,
  [UET_PDS_TYPE.RUD_CC_REQ]: 16,
  [UET_PDS_TYPE.ROD_CC_REQ]: 16,
};

/** The PDS header length of `type`; an ACK with the provider's EPSN payload has 4 more. */
export function uetPdsHeaderLen(type: number): number | undefined {
  return PDS_HEADER_LEN[type];
}

/** SES header bytes by next header (extension headers not included). */
export function uetSesHeaderLen(nextHeader: number, opts: UetLayoutOptions = {}): number | undefined {
  switch (nextHeader) {
    case UET_NEXT_HEADER.NONE:
      return 0;
    case UET_NEXT_HEADER.REQ_SMALL:
      return 20;
    case UET_NEXT_HEADER.REQ_MEDIUM:
      return 32;
    case UET_NEXT_HEADER.REQ_STD:
      return 44;
    case UET_NEXT_HEADER.RSP:
      return 12;
    case UET_NEXT_HEADER.RSP_DATA:
      return 20;
    case UET_NEXT_HEADER.RSP_DATA_SMALL:
      return opts.smallResponseWithData === 'provider' ? 12 : 4;
    default:
      return undefined;
  }
}

const SES_NEXT_HEADER: Record<UetSesHeader['kind'], number> = {
  small: UET_NEXT_HEADER.REQ_SMALL,
  medium: UET_NEXT_HEADER.REQ_MEDIUM,
  standard: UET_NEXT_HEADER.REQ_STD,
  response: UET_NEXT_HEADER.RSP,
  responseData: UET_NEXT_HEADER.RSP_DATA,
  responseDataSmall: UET_NEXT_HEADER.RSP_DATA_SMALL,
};

/** The next-header value that announces `ses`. */
export function uetSesNextHeader(ses: UetSesHeader): number {
  return SES_NEXT_HEADER[ses.kind];
}

export interface UetParseOptions extends UetLayoutOptions {
  /** The bytes start with the entropy header (UET directly over IP). Default false (after UDP). */
  entropyHeader?: boolean;
  /** The last 4 bytes are the CRC32C trailer. Default false. */
  crcTrailer?: boolean;
}

export interface UetPacket {
  entropy?: UetEntropyHeader;
  /** The first two PDS bytes as sent, reserved flag bits included (headers keep only named flags). */
  prologue: UetPdsPrologueHeader;
  pds: UetPdsHeader;
  ses?: UetSesHeader;
  /** After the headers, up to the trailer; in place. */
  payload: Uint8Array;
  /** The trailer's value (check it with uetCrcVerify on the IP packet). */
  crc?: number;
}

interface Summarized {
  summary(): string;
}

interface Decoded {
  packet: UetPacket;
  /** The views decoded, in order, for uetPacketSummary (summaries are built only when asked for). */
  views: Summarized[];
}

function decode(bytes: Uint8Array, opts: UetParseOptions): Decoded {
  const views: Summarized[] = [];
  let rest = bytes;
  let entropy: UetEntropyHeader | undefined;
  if (opts.entropyHeader) {
    const ev = UetEntropyView.checked(rest);
    entropy = UetEntropyHeader.parse(ev);
    views.push(ev);
    rest = ev.payload;
  }
  let crc: number | undefined;
  if (opts.crcTrailer) {
    checkLen(UET, 'crc', rest.length, UET_CRC_LEN);
    crc = UetCrcTrailerView.checked(rest.subarray(rest.length - UET_CRC_LEN)).crc;
    rest = rest.subarray(0, rest.length - UET_CRC_LEN);
  }
  const pv = UetPdsPrologueView.checked(rest);
  const prologue = UetPdsPrologueHeader.parse(pv);
  let pds: UetPdsHeader;
  let after: Uint8Array;
  let view: Summarized;
  switch (pv.type) {
    case UET_PDS_TYPE.RUD_REQ:
    case UET_PDS_TYPE.ROD_REQ:
    case UET_PDS_TYPE.RUD_CC_REQ:
    case UET_PDS_TYPE.ROD_CC_REQ: {
      const v = UetRequestView.checked(rest);
      [pds, after, view] = [UetRequestHeader.parse(v), v.payload, v];
      break;
    }
    case UET_PDS_TYPE.RUDI_REQ:
    case UET_PDS_TYPE.RUDI_RESP: {
      const v = UetRudiView.checked(rest);
      [pds, after, view] = [UetRudiHeader.parse(v), v.payload, v];
      break;
    }
    case UET_PDS_TYPE.UUD_REQ: {
      const v = UetUudView.checked(rest);
      [pds, after, view] = [UetUudHeader.parse(v), v.payload, v];
      break;
    }
    case UET_PDS_TYPE.ACK:
    case UET_PDS_TYPE.ACK_CC:
    case UET_PDS_TYPE.ACK_CCX: {
      const v = UetAckView.checked(rest, opts);
      [pds, after, view] = [UetAckHeader.parse(v), v.payload, v];
      break;
    }
    case UET_PDS_TYPE.NACK:
    case UET_PDS_TYPE.NACK_CCX: {
      const v = UetNackView.checked(rest);
      [pds, after, view] = [UetNackHeader.parse(v), v.payload, v];
      break;
    }
    case UET_PDS_TYPE.CTRL: {
      const v = UetCtrlView.checked(rest);
      [pds, after, view] = [UetCtrlHeader.parse(v), v.payload, v];
      break;
    }
    case UET_PDS_TYPE.RESERVED:
      throw uetMalformed('type', 'PDS type 0 is reserved');
    case UET_PDS_TYPE.TSS:
      throw new WireError('unsupported', UET, 'type', 'TSS (encrypted) packets are not decoded');
    default:
      throw new WireError('unsupported', UET, 'type', `unknown PDS type ${pv.type}`);
  }
  views.push(view);
  const ses = pds.kind === 'ctrl' ? undefined : decodeSes(pds.nextHeader, after, opts);
  if (ses) views.push(ses.view);
  const payload = ses ? ses.payload : after;
  const packet: UetPacket = {
    ...(entropy ? { entropy } : {}),
    prologue,
    pds,
    ...(ses ? { ses: ses.header } : {}),
    payload,
    ...(crc !== undefined ? { crc } : {}),
  };
  return { packet, views };
}

function decodeSes(
  nh: number,
  bytes: Uint8Array,
  opts: UetLayoutOptions,
): { header: UetSesHeader; payload: Uint8Array; view: Summarized } | undefined {
  switch (nh) {
    case UET_NEXT_HEADER.REQ_SMALL: {
      const v = UetSesSmallView.checked(bytes);
      return { header: UetSesSmallHeader.parse(v), payload: v.payload, view: v };
    }
    case UET_NEXT_HEADER.REQ_MEDIUM: {
      const v = UetSesMediumView.checked(bytes);
      return { header: UetSesMediumHeader.parse(v), payload: v.payload, view: v };
    }
    case UET_NEXT_HEADER.REQ_STD: {
      const v = UetSesStandardView.checked(bytes);
      return { header: UetSesStandardHeader.parse(v), payload: v.payload, view: v };
    }
    case UET_NEXT_HEADER.RSP: {
      const v = UetSesResponseView.checked(bytes);
      return { header: UetSesResponseHeader.parse(v), payload: v.payload, view: v };
    }
    case UET_NEXT_HEADER.RSP_DATA: {
      const v = UetSesResponseDataView.checked(bytes);
      return { header: UetSesResponseDataHeader.parse(v), payload: v.payload, view: v };
    }
    case UET_NEXT_HEADER.RSP_DATA_SMALL: {
      const v = UetSesResponseDataSmallView.checked(bytes, opts);
      return { header: UetSesResponseDataSmallHeader.parse(v), payload: v.payload, view: v };
    }
    default:
      return undefined;
  }
}

/** Decodes a UET packet; throws only WireError. */
export function parseUetPacket(bytes: Uint8Array, opts: UetParseOptions = {}): UetPacket {
  return decode(bytes, opts).packet;
}

/** One line per layer, tcpdump style, joined with ', '; throws WireError like parseUetPacket. */
export function uetPacketSummary(bytes: Uint8Array, opts: UetParseOptions = {}): string {
  const { packet, views } = decode(bytes, opts);
  const lines = views.map((v) => v.summary());
  if (packet.payload.length) lines.push(`payload ${packet.payload.length}`);
  if (packet.crc !== undefined) lines.push(`crc32c 0x${packet.crc.toString(16).padStart(8, '0')}`);
  return lines.join(', ');
}

export interface UetPacketSpec {
  /** Present: start with the entropy header (UET directly over IP). */
  entropy?: number;
  pds: UetPdsHeader;
  /** Must match pds.nextHeader (uetSesNextHeader). */
  ses?: UetSesHeader;
  payload?: Uint8Array;
  /** Present: end with this CRC32C trailer (compute it in place afterwards with uetCrcFill). */
  crc?: number;
}

/** Encodes a packet in one allocation; throws WireError on inconsistent or out-of-range values. */
export function buildUetPacket(spec: UetPacketSpec): Uint8Array {
  const { pds, ses } = spec;
  const payload = spec.payload ?? new Uint8Array(0);
  if (pds.kind === 'ctrl') {
    if (ses) throw uetMalformed('ses', 'a CTRL packet carries no SES header');
  } else if (ses) {
    const nh = uetSesNextHeader(ses);
    if (pds.nextHeader !== nh) {
      throw uetMalformed('nextHeader', `${ses.kind} SES header needs next header ${nh}, not ${pds.nextHeader}`);
    }
  } else if (pds.nextHeader !== UET_NEXT_HEADER.NONE && pds.nextHeader <= UET_NEXT_HEADER.RSP_DATA_SMALL) {
    throw uetMalformed('ses', `next header ${pds.nextHeader} announces an SES header; give ses`);
  }
  if (spec.crc !== undefined && (!Number.isInteger(spec.crc) || spec.crc < 0 || spec.crc > 0xffffffff)) {
    throw uetMalformed('crc', `${spec.crc} not a 32-bit value`);
  }
  const entropy = spec.entropy === undefined ? undefined : new UetEntropyHeader({ entropy: spec.entropy });
  const entropyLen = entropy ? UET_ENTROPY_LEN : 0;
  const pdsLen = pds.bufferLen();
  const sesLen = ses ? ses.bufferLen() : 0;
  const crcLen = spec.crc === undefined ? 0 : UET_CRC_LEN;
  const out = new Uint8Array(entropyLen + pdsLen + sesLen + payload.length + crcLen);
  let at = 0;
  const take = (len: number) => out.subarray(at, (at += len));
  if (entropy) entropy.emit(UetEntropyView.unchecked(take(entropyLen)));
  emitPds(pds, take(pdsLen));
  if (ses) emitSes(ses, take(sesLen));
  take(payload.length).set(payload);
  if (spec.crc !== undefined) UetCrcTrailerView.unchecked(take(crcLen)).setCrc(spec.crc);
  return out;
}

function emitPds(pds: UetPdsHeader, buf: Uint8Array): void {
  switch (pds.kind) {
    case 'request':
      return pds.emit(UetRequestView.unchecked(buf));
    case 'ack':
      return pds.emit(UetAckView.unchecked(buf));
    case 'nack':
      return pds.emit(UetNackView.unchecked(buf));
    case 'ctrl':
      return pds.emit(UetCtrlView.unchecked(buf));
    case 'rudi':
      return pds.emit(UetRudiView.unchecked(buf));
    case 'uud':
      return pds.emit(UetUudView.unchecked(buf));
  }
}

function emitSes(ses: UetSesHeader, buf: Uint8Array): void {
  switch (ses.kind) {
    case 'standard':
      return ses.emit(UetSesStandardView.unchecked(buf));
    case 'medium':
      return ses.emit(UetSesMediumView.unchecked(buf));
    case 'small':
      return ses.emit(UetSesSmallView.unchecked(buf));
    case 'response':
      return ses.emit(UetSesResponseView.unchecked(buf));
    case 'responseData':
      return ses.emit(UetSesResponseDataView.unchecked(buf));
    case 'responseDataSmall':
      return ses.emit(UetSesResponseDataSmallView.unchecked(buf));
  }
}
