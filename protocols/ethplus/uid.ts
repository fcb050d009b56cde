// ETH+ UID base header (a modelled 8-byte layout): destination and source UIDs, semantic, flags, payload length.
//
// ETHP-3: DMAC, SMAC and Type/Length are removed; a UID base header replaces them and link-layer
// devices forward on the UID. ETHP-1: a semantic adaptation layer maps load/store, RDMA
// read/write and send/receive onto unified base semantics. Layout (ETHPLUS_LAYOUT_ASSUMED):
//
//   byte   field          bits  meaning
//   0-1    destination    16    UID; 0xffff addresses the switch's collective engine
//   2-3    source         16    UID
//   4      semantic       8     0x01 SEND, 0x02 RDMA_WRITE, 0x03 RDMA_READ, 0x04 LOAD, 0x05 STORE,
//                               0x10 COLLECTIVE; others kept
//   5      flags          8     TC in bits 7-5; bits 4-0 kept raw
//   6-7    length         16    bytes after this header, FCS excluded
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  DST: [0, 2],
  SRC: [2, 4],
  SEMANTIC: [4, 5],
  FLAGS: [5, 6],
  LENGTH: [6, 8],
} as const satisfies Record<string, Field>;

const ETHPLUS = 'ethplus';

export const ETHPLUS_UID_HEADER_LEN = F.LENGTH[1];
export const ETHPLUS_UID_BITS = 16;
/** The UID of the switch's collective engine (not an endpoint UID). */
export const ETHPLUS_UID_SWITCH = 0xffff;
/** Highest endpoint UID. */
export const ETHPLUS_UID_MAX = ETHPLUS_UID_SWITCH - 1;
export const ETHPLUS_SEMANTIC = { SEND: 0x01, RDMA_WRITE: 0x02, RDMA_READ: 0x03, LOAD: 0x04, STORE: 0x05, COLLECTIVE: 0x10 } as const;

const NAMES: Record<number, string> = { 1: 'send', 2: 'rdma-write', 3: 'rdma-read', 4: 'load', 5: 'store', 0x10: 'collective' };
export function ethplusSemanticName(s: number): string {
  return NAMES[s] ?? `semantic-${hex(s, 2)}`;
}

export class EthplusUidView extends WireView {
  static unchecked(buf: Uint8Array): EthplusUidView {
    return new EthplusUidView(buf);
  }
  static checked(buf: Uint8Array): EthplusUidView {
    const v = new EthplusUidView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ETHPLUS, 'uid', this.buffer.length, ETHPLUS_UID_HEADER_LEN);
  }
  get dstUid(): number {
    return this.u16(F.DST);
  }
  get srcUid(): number {
    return this.u16(F.SRC);
  }
  get semantic(): number {
    return this.u8(F.SEMANTIC);
  }
  get flags(): number {
    return this.u8(F.FLAGS);
  }
  get tc(): number {
    return this.flags >> 5;
  }
  get length(): number {
    return this.u16(F.LENGTH);
  }
  setDstUid(v: number): void {
    this.setU16(F.DST, v);
  }
  setSrcUid(v: number): void {
    this.setU16(F.SRC, v);
  }
  setSemantic(v: number): void {
    this.setU8(F.SEMANTIC, v);
  }
  setFlags(v: number): void {
    this.setU8(F.FLAGS, v);
  }
  setLength(v: number): void {
    this.setU16(F.LENGTH, v);
  }
  summary(): string {
    return `UID ${this.srcUid} > ${this.dstUid} ${ethplusSemanticName(this.semantic)} tc ${this.tc} len ${this.length}`;
  }
}

export interface EthplusUidInit {
  dstUid: number;
  srcUid: number;
  semantic: number;
  flags?: number;
  length: number;
}

export class EthplusUidHeader {
  readonly dstUid: number;
  readonly srcUid: number;
  readonly semantic: number;
  readonly flags: number;
  readonly length: number;
  constructor(init: EthplusUidInit) {
    this.dstUid = init.dstUid;
    this.srcUid = init.srcUid;
    this.semantic = init.semantic;
    this.flags = init.flags ?? 0;
    this.length = init.length;
  }
  /** `view` must be checked. */
  static parse(view: EthplusUidView): EthplusUidHeader {
    if (view.srcUid === ETHPLUS_UID_SWITCH && view.semantic !== ETHPLUS_SEMANTIC.COLLECTIVE) {
      throw new WireError('malformed', ETHPLUS, 'srcUid', 'the collective engine UID sends collective frames only');
    }
    return new EthplusUidHeader({ dstUid: view.dstUid, srcUid: view.srcUid, semantic: view.semantic, flags: view.flags, length: view.length });
  }
  bufferLen(): number {
    return ETHPLUS_UID_HEADER_LEN;
  }
  emit(view: EthplusUidView): void {
    checkUint(ETHPLUS, 'dstUid', this.dstUid, 0xffff);
    checkUint(ETHPLUS, 'srcUid', this.srcUid, 0xffff);
    checkUint(ETHPLUS, 'semantic', this.semantic, 0xff);
    checkUint(ETHPLUS, 'flags', this.flags, 0xff);
    checkUint(ETHPLUS, 'length', this.length, 0xffff);
    checkLen(ETHPLUS, 'uid', view.buffer.length, ETHPLUS_UID_HEADER_LEN);
    view.setDstUid(this.dstUid);
    view.setSrcUid(this.srcUid);
    view.setSemantic(this.semantic);
    view.setFlags(this.flags);
    view.setLength(this.length);
  }
}
