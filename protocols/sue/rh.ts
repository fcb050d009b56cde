// SUE reliability header (8 bytes): version, opcode, XPU id, PSN, virtual channel, partition, acknowledged PSN.
//
// The layout is the one two independent public sources agree on (protocol-facts "Broadcom SUE"),
// MSB first:
//
//   byte  field                                   bits
//   0-1   version | opcode | reserved | XPU id    2 | 2 | 2 | 10
//   2-3   PSN                                     16
//   4-5   VC | reserved | partition               2 | 4 | 10
//   6-7   ack PSN (RPSN)                          16
//
// The sources disagree on opcode values, so they are a parameter (`SueRhOpcodes`, default
// SUE_RH_OPCODE_DEFAULT); unknown values are kept. The XPU id is the sending XPU's (the receiver
// keys its PSN space on (XPU id, VC)); ack PSN is the last PSN received in order on the reverse
// connection (cumulative). Checks: reserved bits zero.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  VER_OP_XPU: [0, 2], // version(2) opcode(2) reserved(2) xpu id(10)
  PSN: [2, 4],
  VC_PARTITION: [4, 6], // vc(2) reserved(4) partition(10)
  ACK_PSN: [6, 8],
} as const satisfies Record<string, Field>;

const SUE = 'sue';

export const SUE_RH_LEN = F.ACK_PSN[1];
export const SUE_XPU_ID_BITS = 10;
export const SUE_XPU_ID_MAX = (1 << SUE_XPU_ID_BITS) - 1;
export const SUE_VC_COUNT = 4;
export const SUE_PSN_MASK = 0xffff;

/** Opcode values: sources disagree, so a testbed may give its own table. */
export interface SueRhOpcodes {
  DATA: number;
  ACK: number;
  NACK: number;
  CONTROL: number;
}

export const SUE_RH_OPCODE_DEFAULT: SueRhOpcodes = { DATA: 0, ACK: 1, NACK: 2, CONTROL: 3 };

export function sueRhOpcodeName(op: number, table: SueRhOpcodes = SUE_RH_OPCODE_DEFAULT): string {
  for (const [name, v] of Object.entries(table)) if (v === op) return name.toLowerCase();
  return `opcode-${op}`;
}

/** PSN arithmetic modulo 2^16: is `a` before `b` (within half the space)? */
export function suePsnBefore(a: number, b: number): boolean {
  const d = (b - a) & SUE_PSN_MASK;
  return d !== 0 && d < 0x8000;
}

export class SueRhView extends WireView {
  static unchecked(buf: Uint8Array): SueRhView {
    return new SueRhView(buf);
  }
  static checked(buf: Uint8Array): SueRhView {
    const v = new SueRhView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(SUE, 'rh', this.buffer.length, SUE_RH_LEN);
  }
  get version(): number {
    return this.u16(F.VER_OP_XPU) >> 14;
  }
  get opcode(): number {
    return (this.u16(F.VER_OP_XPU) >> 12) & 3;
  }
  get reserved1(): number {
    return (this.u16(F.VER_OP_XPU) >> 10) & 3;
  }
  get xpuId(): number {
    return this.u16(F.VER_OP_XPU) & SUE_XPU_ID_MAX;
  }
  get psn(): number {
    return this.u16(F.PSN);
  }
  get vc(): number {
    return this.u16(F.VC_PARTITION) >> 14;
  }
  get reserved2(): number {
    return (this.u16(F.VC_PARTITION) >> 10) & 0x0f;
  }
  get partition(): number {
    return this.u16(F.VC_PARTITION) & 0x3ff;
  }
  get ackPsn(): number {
    return this.u16(F.ACK_PSN);
  }
  /** What follows the header, in place. */
  get payload(): Uint8Array {
    return this.buffer.subarray(SUE_RH_LEN);
  }
  setVersionOpcodeXpu(version: number, opcode: number, xpuId: number): void {
    this.setU16(F.VER_OP_XPU, ((version & 3) << 14) | ((opcode & 3) << 12) | (xpuId & SUE_XPU_ID_MAX));
  }
  setPsn(v: number): void {
    this.setU16(F.PSN, v & SUE_PSN_MASK);
  }
  setVcPartition(vc: number, partition: number): void {
    this.setU16(F.VC_PARTITION, ((vc & 3) << 14) | (partition & 0x3ff));
  }
  setAckPsn(v: number): void {
    this.setU16(F.ACK_PSN, v & SUE_PSN_MASK);
  }
  summary(opcodes: SueRhOpcodes = SUE_RH_OPCODE_DEFAULT): string {
    return `SUE RH v${this.version} ${sueRhOpcodeName(this.opcode, opcodes)} xpu ${this.xpuId} psn ${this.psn} vc ${this.vc} part ${this.partition} ack ${this.ackPsn}`;
  }
}

export interface SueRhInit {
  version?: number;
  opcode: number;
  xpuId: number;
  psn?: number;
  vc?: number;
  partition?: number;
  ackPsn?: number;
}

export class SueRhHeader {
  readonly version: number;
  readonly opcode: number;
  readonly xpuId: number;
  readonly psn: number;
  readonly vc: number;
  readonly partition: number;
  readonly ackPsn: number;
  constructor(init: SueRhInit) {
    this.version = init.version ?? 0;
    this.opcode = init.opcode;
    this.xpuId = init.xpuId;
    this.psn = init.psn ?? 0;
    this.vc = init.vc ?? 0;
    this.partition = init.partition ?? 0;
    this.ackPsn = init.ackPsn ?? 0;
  }
  /** `view` must be checked. */
  static parse(view: SueRhView): SueRhHeader {
    if (view.reserved1 !== 0 || view.reserved2 !== 0) {
      throw new WireError('malformed', SUE, 'rh.reserved', `reserved bits ${hex(view.reserved1, 1)}/${hex(view.reserved2, 1)} set`);
    }
    return new SueRhHeader({
      version: view.version,
      opcode: view.opcode,
      xpuId: view.xpuId,
      psn: view.psn,
      vc: view.vc,
      partition: view.partition,
      ackPsn: view.ackPsn,
    });
  }
  bufferLen(): number {
    return SUE_RH_LEN;
  }
  emit(view: SueRhView): void {
    checkUint(SUE, 'version', this.version, 3);
    checkUint(SUE, 'opcode', this.opcode, 3);
    checkUint(SUE, 'xpuId', this.xpuId, SUE_XPU_ID_MAX);
    checkUint(SUE, 'psn', this.psn, SUE_PSN_MASK);
    checkUint(SUE, 'vc', this.vc, SUE_VC_COUNT - 1);
    checkUint(SUE, 'partition', this.partition, 0x3ff);
    checkUint(SUE, 'ackPsn', this.ackPsn, SUE_PSN_MASK);
    checkLen(SUE, 'rh', view.buffer.length, SUE_RH_LEN);
    view.setVersionOpcodeXpu(this.version, this.opcode, this.xpuId);
    view.setPsn(this.psn);
    view.setVcPartition(this.vc, this.partition);
    view.setAckPsn(this.ackPsn);
  }
}
