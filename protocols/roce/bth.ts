// InfiniBand Base Transport Header (12 B), the header RoCEv2 carries right after UDP port 4791.
//
// Layout (IBA vol. 1 §9.2, RoCEv2 annex A17), big-endian:
//   byte 0      opcode
//   byte 1      SE(1) M(1) pad count(2) transport header version(4)
//   bytes 2-3   partition key
//   byte 4      FECN(1) BECN(1) reserved(6)   (RoCEv2; "reserved 8" in older releases)
//   bytes 5-7   destination QP (24)
//   byte 8      A (ack request)(1) reserved(7)
//   bytes 9-11  PSN (24)
// Opcodes are kept raw (unknown ones round-trip); `roceOpcodeName` names the known ones.
import { WireView, checkLen, hex, type Field } from '../wire.ts';
import { ROCE, checkRoce } from './common.ts';

const F = {
  OPCODE: [0, 1],
  SE_M_PAD_TVER: [1, 2], // se(1) m(1) pad count(2) tver(4)
  PKEY: [2, 4],
  FECN_BECN: [4, 5], // fecn(1) becn(1) reserved(6)
  DEST_QP: [5, 8],
  ACK_REQ: [8, 9], // a(1) reserved(7)
  PSN: [9, 12],
} as const satisfies Record<string, Field>;

export const ROCE_BTH_LEN = F.PSN[1];
/** UDP destination port of RoCEv2 (IANA). */
export const ROCE_UDP_PORT = 4791;
/** The default partition key (full membership of the default partition). */
export const ROCE_PKEY_DEFAULT = 0xffff;

/** Opcodes of reliable connection (RC) traffic and the RoCEv2 CNP; other values pass through. */
export const ROCE_OPCODE = {
  RC_SEND_FIRST: 0x00,
  RC_SEND_MIDDLE: 0x01,
  RC_SEND_LAST: 0x02,
  RC_SEND_LAST_IMM: 0x03,
  RC_SEND_ONLY: 0x04,
  RC_SEND_ONLY_IMM: 0x05,
  RC_RDMA_WRITE_FIRST: 0x06,
  RC_RDMA_WRITE_MIDDLE: 0x07,
  RC_RDMA_WRITE_LAST: 0x08,
  RC_RDMA_WRITE_LAST_IMM: 0x09,
  RC_RDMA_WRITE_ONLY: 0x0a,
  RC_RDMA_WRITE_ONLY_IMM: 0x0b,
  RC_RDMA_READ_REQUEST: 0x0c,
  RC_RDMA_READ_RESPONSE_FIRST: 0x0d,
  RC_RDMA_READ_RESPONSE_MIDDLE: 0x0e,
  RC_RDMA_READ_RESPONSE_LAST: 0x0f,
  RC_RDMA_READ_RESPONSE_ONLY: 0x10,
  RC_ACKNOWLEDGE: 0x11,
  RC_ATOMIC_ACKNOWLEDGE: 0x12,
  RC_COMPARE_SWAP: 0x13,
  RC_FETCH_ADD: 0x14,
  /** RoCEv2 congestion notification packet. */
  CNP: 0x81,
} as const;

const OPCODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ROCE_OPCODE).map(([k, v]) => [v, k]));

export function roceOpcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? `opcode-${hex(op, 2)}`;
}

export class RoceBthView extends WireView {
  static unchecked(buf: Uint8Array): RoceBthView {
    return new RoceBthView(buf);
  }
  static checked(buf: Uint8Array): RoceBthView {
    const v = new RoceBthView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ROCE, 'bth', this.buffer.length, ROCE_BTH_LEN);
  }
  get opcode(): number {
    return this.u8(F.OPCODE);
  }
  get solicited(): boolean {
    return (this.u8(F.SE_M_PAD_TVER) & 0x80) !== 0;
  }
  get migReq(): boolean {
    return (this.u8(F.SE_M_PAD_TVER) & 0x40) !== 0;
  }
  get padCount(): number {
    return (this.u8(F.SE_M_PAD_TVER) >> 4) & 0x03;
  }
  get tver(): number {
    return this.u8(F.SE_M_PAD_TVER) & 0x0f;
  }
  get pkey(): number {
    return this.u16(F.PKEY);
  }
  get fecn(): boolean {
    return (this.u8(F.FECN_BECN) & 0x80) !== 0;
  }
  get becn(): boolean {
    return (this.u8(F.FECN_BECN) & 0x40) !== 0;
  }
  /** The six reserved bits of byte 4. */
  get reserved6(): number {
    return this.u8(F.FECN_BECN) & 0x3f;
  }
  get destQp(): number {
    return this.u32(F.FECN_BECN) & 0xffffff;
  }
  get ackRequest(): boolean {
    return (this.u8(F.ACK_REQ) & 0x80) !== 0;
  }
  /** The seven reserved bits of byte 8. */
  get reserved7(): number {
    return this.u8(F.ACK_REQ) & 0x7f;
  }
  get psn(): number {
    return this.u32(F.ACK_REQ) & 0xffffff;
  }
  /** What follows: extension headers, payload, pad and the ICRC, in place. */
  get payload(): Uint8Array {
    return this.buffer.subarray(ROCE_BTH_LEN);
  }
  setOpcode(v: number): void {
    this.setU8(F.OPCODE, v);
  }
  setSeMPadTver(solicited: boolean, migReq: boolean, padCount: number, tver: number): void {
    this.setU8(F.SE_M_PAD_TVER, (solicited ? 0x80 : 0) | (migReq ? 0x40 : 0) | ((padCount & 3) << 4) | (tver & 0x0f));
  }
  setPkey(v: number): void {
    this.setU16(F.PKEY, v);
  }
  /** Byte 4 and the destination QP (reserved bits written as zero). */
  setFecnBecnDestQp(fecn: boolean, becn: boolean, destQp: number): void {
    this.setU32(F.FECN_BECN, (((fecn ? 0x80 : 0) | (becn ? 0x40 : 0)) << 24) | (destQp & 0xffffff));
  }
  /** Byte 8 and the PSN (reserved bits written as zero). */
  setAckReqPsn(ackRequest: boolean, psn: number): void {
    this.setU32(F.ACK_REQ, ((ackRequest ? 0x80 : 0) << 24) | (psn & 0xffffff));
  }
  summary(): string {
    const flags = [
      this.solicited ? 'SE' : '',
      this.migReq ? 'M' : '',
      this.fecn ? 'FECN' : '',
      this.becn ? 'BECN' : '',
      this.ackRequest ? 'A' : '',
    ].filter((f) => f);
    return (
      `RoCE ${roceOpcodeName(this.opcode)} qp ${hex(this.destQp, 6)} psn ${this.psn} pkey ${hex(this.pkey)}` +
      (flags.length ? ` [${flags.join(' ')}]` : '')
    );
  }
}

export interface RoceBthInit {
  opcode: number;
  solicited?: boolean;
  migReq?: boolean;
  /** Bytes of pad before the ICRC, 0..3. */
  padCount?: number;
  /** Transport header version; 0 is the only one defined. */
  tver?: number;
  /** Default ROCE_PKEY_DEFAULT. */
  pkey?: number;
  fecn?: boolean;
  becn?: boolean;
  destQp: number;
  ackRequest?: boolean;
  psn: number;
}

export class RoceBthHeader {
  readonly opcode: number;
  readonly solicited: boolean;
  readonly migReq: boolean;
  readonly padCount: number;
  readonly tver: number;
  readonly pkey: number;
  readonly fecn: boolean;
  readonly becn: boolean;
  readonly destQp: number;
  readonly ackRequest: boolean;
  readonly psn: number;
  constructor(init: RoceBthInit) {
    this.opcode = init.opcode;
    this.solicited = init.solicited ?? false;
    this.migReq = init.migReq ?? false;
    this.padCount = init.padCount ?? 0;
    this.tver = init.tver ?? 0;
    this.pkey = init.pkey ?? ROCE_PKEY_DEFAULT;
    this.fecn = init.fecn ?? false;
    this.becn = init.becn ?? false;
    this.destQp = init.destQp;
    this.ackRequest = init.ackRequest ?? false;
    this.psn = init.psn;
  }
  /** `view` must be checked. Every opcode is kept; reserved bits are ignored on receipt. */
  static parse(view: RoceBthView): RoceBthHeader {
    return new RoceBthHeader({
      opcode: view.opcode,
      solicited: view.solicited,
      migReq: view.migReq,
      padCount: view.padCount,
      tver: view.tver,
      pkey: view.pkey,
      fecn: view.fecn,
      becn: view.becn,
      destQp: view.destQp,
      ackRequest: view.ackRequest,
      psn: view.psn,
    });
  }
  bufferLen(): number {
    return ROCE_BTH_LEN;
  }
  emit(view: RoceBthView): void {
    checkRoce('opcode', this.opcode, 8);
    checkRoce('padCount', this.padCount, 2);
    checkRoce('tver', this.tver, 4);
    checkRoce('pkey', this.pkey, 16);
    checkRoce('destQp', this.destQp, 24);
    checkRoce('psn', this.psn, 24);
    checkLen(ROCE, 'bth', view.buffer.length, ROCE_BTH_LEN);
    view.setOpcode(this.opcode);
    view.setSeMPadTver(this.solicited, this.migReq, this.padCount, this.tver);
    view.setPkey(this.pkey);
    view.setFecnBecnDestQp(this.fecn, this.becn, this.destQp);
    view.setAckReqPsn(this.ackRequest, this.psn);
  }
}
