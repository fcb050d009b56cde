// EthLink OEFH (optimized EthLink forwarding header, a modelled 6-byte layout): semantic, traffic class, 10-bit destination and source ids, entropy.
//
// ETHL-3: a 6-byte OEFH carries addressing and forwarding; ETHL-1: single hop up to 1024 XPUs;
// ETHL-2: dual semantics, RDMA (TMA) and load/store (LSU). The bit layout is not public here;
// this one is fabric-hil's (ETHLINK_LAYOUT_ASSUMED). The OEFH replaces the Ethernet header:
//
//   byte   field                                    bits
//   0      version | semantic | TC | reserved       2 | 2 | 3 | 1   version 1; semantic 0 TMA, 1 LSU
//   1-3    destination id | source id | reserved    10 | 10 | 4     switches forward on the destination
//   4-5    entropy                                  16
//
// Checks: version 1 (else unsupported); reserved bits zero.
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';

const F = {
  FIRST: [0, 1], // version(2) semantic(2) tc(3) reserved(1)
  IDS: [1, 4], // dst(10) src(10) reserved(4)
  ENTROPY: [4, 6],
} as const satisfies Record<string, Field>;

const ETHLINK = 'ethlink';

export const ETHLINK_OEFH_LEN = F.ENTROPY[1];
export const ETHLINK_OEFH_VERSION = 1;
export const ETHLINK_ID_BITS = 10;
export const ETHLINK_ID_MAX = (1 << ETHLINK_ID_BITS) - 1;
export const ETHLINK_SEMANTIC = { TMA: 0, LSU: 1 } as const;

export function ethlinkSemanticName(s: number): string {
  return s === 0 ? 'TMA' : s === 1 ? 'LSU' : `semantic-${s}`;
}

export class EthlinkOefhView extends WireView {
  static unchecked(buf: Uint8Array): EthlinkOefhView {
    return new EthlinkOefhView(buf);
  }
  static checked(buf: Uint8Array): EthlinkOefhView {
    const v = new EthlinkOefhView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ETHLINK, 'oefh', this.buffer.length, ETHLINK_OEFH_LEN);
  }
  get version(): number {
    return this.u8(F.FIRST) >> 6;
  }
  get semantic(): number {
    return (this.u8(F.FIRST) >> 4) & 3;
  }
  get tc(): number {
    return (this.u8(F.FIRST) >> 1) & 7;
  }
  private get ids(): number {
    return (this.u8(1) << 16) | (this.u8(2) << 8) | this.u8(3);
  }
  get dstId(): number {
    return this.ids >> 14;
  }
  get srcId(): number {
    return (this.ids >> 4) & ETHLINK_ID_MAX;
  }
  get reserved(): number {
    return ((this.u8(F.FIRST) & 1) << 4) | (this.ids & 0x0f);
  }
  get entropy(): number {
    return this.u16(F.ENTROPY);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(ETHLINK_OEFH_LEN);
  }
  setFirst(version: number, semantic: number, tc: number): void {
    this.setU8(F.FIRST, ((version & 3) << 6) | ((semantic & 3) << 4) | ((tc & 7) << 1));
  }
  setSemantic(semantic: number): void {
    this.setU8(F.FIRST, (this.u8(F.FIRST) & 0xcf) | ((semantic & 3) << 4));
  }
  setIds(dst: number, src: number): void {
    const v = ((dst & ETHLINK_ID_MAX) << 14) | ((src & ETHLINK_ID_MAX) << 4);
    this.setU8(1, (v >> 16) & 0xff);
    this.setU8(2, (v >> 8) & 0xff);
    this.setU8(3, v & 0xff);
  }
  setEntropy(v: number): void {
    this.setU16(F.ENTROPY, v);
  }
  summary(): string {
    return `OEFH ${ethlinkSemanticName(this.semantic)} ${this.srcId} > ${this.dstId} tc ${this.tc} entropy ${this.entropy}`;
  }
}

export interface EthlinkOefhInit {
  semantic?: number;
  tc?: number;
  dstId: number;
  srcId: number;
  entropy?: number;
}

export class EthlinkOefhHeader {
  readonly semantic: number;
  readonly tc: number;
  readonly dstId: number;
  readonly srcId: number;
  readonly entropy: number;
  constructor(init: EthlinkOefhInit) {
    this.semantic = init.semantic ?? ETHLINK_SEMANTIC.TMA;
    this.tc = init.tc ?? 0;
    this.dstId = init.dstId;
    this.srcId = init.srcId;
    this.entropy = init.entropy ?? 0;
  }
  /** `view` must be checked. */
  static parse(view: EthlinkOefhView): EthlinkOefhHeader {
    if (view.version !== ETHLINK_OEFH_VERSION) throw new WireError('unsupported', ETHLINK, 'version', `${view.version}, expected ${ETHLINK_OEFH_VERSION}`);
    if (view.reserved !== 0) throw new WireError('malformed', ETHLINK, 'oefh.reserved', 'reserved bits set');
    return new EthlinkOefhHeader({ semantic: view.semantic, tc: view.tc, dstId: view.dstId, srcId: view.srcId, entropy: view.entropy });
  }
  bufferLen(): number {
    return ETHLINK_OEFH_LEN;
  }
  emit(view: EthlinkOefhView): void {
    checkUint(ETHLINK, 'semantic', this.semantic, 3);
    checkUint(ETHLINK, 'tc', this.tc, 7);
    checkUint(ETHLINK, 'dstId', this.dstId, ETHLINK_ID_MAX);
    checkUint(ETHLINK, 'srcId', this.srcId, ETHLINK_ID_MAX);
    checkUint(ETHLINK, 'entropy', this.entropy, 0xffff);
    checkLen(ETHLINK, 'oefh', view.buffer.length, ETHLINK_OEFH_LEN);
    view.setFirst(ETHLINK_OEFH_VERSION, this.semantic, this.tc);
    view.setIds(this.dstId, this.srcId);
    view.setEntropy(this.entropy);
  }
}
