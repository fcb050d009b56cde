// UET headers as a UEC NIC writes them into captures: PDS request/ACK/NACK/CTRL/RUDI/UUD plus SES, with the layout defect.
//
// Each function returns the bytes after UDP up to the payload (capture.ts fills the rest of the
// frame). Values are the caller's (PSNs already on the wire, i.e. start PSN + packet index); these
// functions only lay them out with protocols/uet. `wrongLayout` reproduces a NIC that writes the
// 4 CC-state bytes of RUD_CC_REQ after a RUD_REQ/ROD_REQ prologue (16 bytes where 12 are due), so a
// decoder reads the SES header 4 bytes early.

import { UET_CC_TYPE, UetAckHeader } from '../../protocols/uet/ack.ts';
import { UetCtrlHeader } from '../../protocols/uet/ctrl.ts';
import { UET_NACK_CODE, UetNackHeader } from '../../protocols/uet/nack.ts';
import { buildUetPacket } from '../../protocols/uet/packet.ts';
import { UET_NEXT_HEADER, UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { UetRequestHeader } from '../../protocols/uet/request.ts';
import { UetRudiHeader } from '../../protocols/uet/rudi.ts';
import { UET_SES_OPCODE } from '../../protocols/uet/ses-request.ts';
import { UET_SES_RC, UET_SES_RSP_OPCODE, UetSesResponseHeader } from '../../protocols/uet/ses-response.ts';
import { UetSesStandardHeader } from '../../protocols/uet/ses-standard.ts';
import { UetUudHeader } from '../../protocols/uet/uud.ts';

/** A signed 16-bit offset, or 0 when the value does not fit (the field cannot carry it). */
export function int16OrZero(v: number): number {
  return v >= -0x8000 && v <= 0x7fff ? v : 0;
}

/** Clamped into the signed 16-bit range (a conservative clear PSN offset). */
export function int16Clamp(v: number): number {
  return v < -0x8000 ? -0x8000 : v > 0x7fff ? 0x7fff : v;
}

export interface SesFields {
  jobId: number;
  pidOnFep: number;
  messageId: number;
  /** Total bytes of the message. */
  requestLength: number;
  /** Byte offset of this packet's payload in the message. */
  offset: number;
  som: boolean;
  eom: boolean;
}

function sesStandard(s: SesFields): UetSesStandardHeader {
  return new UetSesStandardHeader({
    opcode: UET_SES_OPCODE.WRITE,
    startOfMessage: s.som,
    endOfMessage: s.eom,
    jobId: s.jobId & 0xffffff,
    pidOnFep: s.pidOnFep & 0xfff,
    resourceIndex: 0,
    messageId: s.messageId & 0xffff,
    bufferOffset: BigInt(Math.max(0, Math.floor(s.offset))),
    requestLength: Math.min(0xffffffff, Math.max(0, Math.floor(s.requestLength))),
  });
}

export interface RequestFields {
  ordered: boolean;
  psn: number;
  spdcid: number;
  /** Target PDC id (ignored with SYN). */
  dpdcid: number;
  /** Present: SYN set, the DPDCID slot carries the PSN offset from the start PSN. */
  synOffset?: number;
  retx: boolean;
  ackRequest: boolean;
  clearPsnOffset: number;
  ses: SesFields;
  wrongLayout?: boolean;
}

export function requestHeaders(f: RequestFields): Uint8Array {
  const type = f.ordered ? UET_PDS_TYPE.ROD_REQ : UET_PDS_TYPE.RUD_REQ;
  const common = {
    nextHeader: UET_NEXT_HEADER.REQ_STD,
    retx: f.retx,
    ackRequest: f.ackRequest,
    clearPsnOffset: int16Clamp(f.clearPsnOffset),
    psn: f.psn >>> 0,
    spdcid: f.spdcid & 0xffff,
    ...(f.synOffset !== undefined ? { syn: { pdcInfo: 0, psnOffset: f.synOffset & 0xfff } } : { dpdcid: f.dpdcid & 0xffff }),
  };
  const ses = sesStandard(f.ses);
  if (!f.wrongLayout) return buildUetPacket({ pds: new UetRequestHeader({ type, ...common }), ses });
  const ccType = f.ordered ? UET_PDS_TYPE.ROD_CC_REQ : UET_PDS_TYPE.RUD_CC_REQ;
  const bytes = buildUetPacket({ pds: new UetRequestHeader({ type: ccType, ...common, cc: { cccId: 0, creditTarget: 0 } }), ses });
  // The prologue names the 12-byte type although 16 bytes follow (type = top 5 bits of byte 0).
  bytes[0] = (bytes[0] & 0x07) | (type << 3);
  return bytes;
}

export interface AckFields {
  /** Cumulative ACK PSN (the last PSN received in order). */
  cackPsn: number;
  /** PSN of the packet this ACK answers. */
  ackPsn: number;
  spdcid: number;
  dpdcid: number;
  ecnMarked: boolean;
  retx: boolean;
  requestClear: boolean;
  /** MPR the target advertises, units of 128 PSNs (saturates at 255). */
  mpr: number;
  sack?: { basePsn: number; bitmap: bigint };
}

export function ackHeaders(f: AckFields): Uint8Array {
  const pds = new UetAckHeader({
    type: UET_PDS_TYPE.ACK_CC,
    ecnMarked: f.ecnMarked,
    retx: f.retx,
    requestClear: f.requestClear,
    ackPsnOffset: int16OrZero(((f.ackPsn - f.cackPsn) | 0)),
    cackPsn: f.cackPsn >>> 0,
    spdcid: f.spdcid & 0xffff,
    dpdcid: f.dpdcid & 0xffff,
    cc: {
      ccType: UET_CC_TYPE.NSCC,
      ccFlags: 0,
      mpr: Math.max(0, Math.min(255, Math.floor(f.mpr))),
      sackPsnOffset: f.sack ? int16OrZero((f.sack.basePsn - f.cackPsn) | 0) : 0,
      sackBitmap: f.sack ? f.sack.bitmap : 0n,
      ccState: 0n,
    },
  });
  return buildUetPacket({ pds });
}

export interface NackFields {
  code: number;
  psn: number;
  spdcid: number;
  dpdcid: number;
  retx: boolean;
  ecnMarked?: boolean;
  /** RUDI NACK (NT): `psn` is the packet id and the PDC ids are zero. */
  rudi?: boolean;
  payload?: number;
}

export function nackHeaders(f: NackFields): Uint8Array {
  const pds = new UetNackHeader({
    type: UET_PDS_TYPE.NACK,
    retx: f.retx,
    ecnMarked: f.ecnMarked ?? false,
    rudi: f.rudi ?? false,
    nackCode: f.code & 0xff,
    nackPsn: f.psn >>> 0,
    spdcid: f.rudi ? 0 : f.spdcid & 0xffff,
    dpdcid: f.rudi ? 0 : f.dpdcid & 0xffff,
    nackPayload: (f.payload ?? 0) >>> 0,
  });
  return buildUetPacket({ pds });
}

export interface CtrlFields {
  ctrlType: number;
  ordered: boolean;
  psn: number;
  spdcid: number;
  dpdcid: number;
  retx: boolean;
  ackRequest: boolean;
  payload: number;
}

export function ctrlHeaders(f: CtrlFields): Uint8Array {
  return buildUetPacket({
    pds: new UetCtrlHeader({
      ctrlType: f.ctrlType,
      isRod: f.ordered,
      retx: f.retx,
      ackRequest: f.ackRequest,
      psn: f.psn >>> 0,
      spdcid: f.spdcid & 0xffff,
      dpdcid: f.dpdcid & 0xffff,
      ctrlPayload: f.payload >>> 0,
    }),
  });
}

export function rudiRequestHeaders(packetId: number, retx: boolean, ses: SesFields): Uint8Array {
  return buildUetPacket({
    pds: new UetRudiHeader({ type: UET_PDS_TYPE.RUDI_REQ, nextHeader: UET_NEXT_HEADER.REQ_STD, retx, packetId: packetId >>> 0 }),
    ses: sesStandard(ses),
  });
}

export function rudiResponseHeaders(packetId: number, ecnMarked: boolean, retx: boolean, messageId: number, jobId: number): Uint8Array {
  return buildUetPacket({
    pds: new UetRudiHeader({ type: UET_PDS_TYPE.RUDI_RESP, nextHeader: UET_NEXT_HEADER.RSP, ecnMarked, retx, packetId: packetId >>> 0 }),
    ses: new UetSesResponseHeader({
      opcode: UET_SES_RSP_OPCODE.RESPONSE,
      returnCode: UET_SES_RC.OK,
      messageId: messageId & 0xffff,
      jobId: jobId & 0xffffff,
    }),
  });
}

export function uudHeaders(ses: SesFields): Uint8Array {
  return buildUetPacket({ pds: new UetUudHeader({ nextHeader: UET_NEXT_HEADER.REQ_STD }), ses: sesStandard(ses) });
}

export { UET_NACK_CODE };
