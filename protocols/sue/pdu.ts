// SUE protocol data unit (a modelled layout): transactions to one (destination, VC) packed back to back, at most 4096 bytes.
//
// SUE-2: the mapping/packing layer packs transactions to the same (destination, VC) into one PDU
// of at most 4096 bytes. The transaction header below is fabric-hil's (SUE_LAYOUT_ASSUMED):
//
//   byte   field       bits  meaning
//   0      opcode      8     0x01 WRITE, 0x02 READ, 0x03 READ_RESPONSE; others kept
//   1      flags       8     0x80 DATA (length bytes of data follow), 0x40 LAST (last piece of a
//                            transaction split across PDUs); others kept raw
//   2-3    length      16    with DATA: data bytes that follow; without: bytes requested
//   4-5    tag         16    transaction tag (every piece of a split transaction carries it)
//   6-7    reserved    16    zero
//   8-15   address     64    target address of this piece
//
// The 4096-byte bound covers the PDU: transaction headers and data (SUE_PDU_MAX_BYTES, a parameter
// of parse). Checks: reserved zero; data within the PDU; the PDU within the bound.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  OPCODE: [0, 1],
  FLAGS: [1, 2],
  LENGTH: [2, 4],
  TAG: [4, 6],
  RESERVED: [6, 8],
  ADDRESS_HI: [8, 12],
  ADDRESS_LO: [12, 16],
} as const satisfies Record<string, Field>;

const SUE = 'sue';

export const SUE_TXN_HEADER_LEN = F.ADDRESS_LO[1];
export const SUE_PDU_MAX_BYTES = 4096;
export const SUE_TXN_OPCODE = { WRITE: 0x01, READ: 0x02, READ_RESPONSE: 0x03 } as const;
export const SUE_TXN_FLAG = { DATA: 0x80, LAST: 0x40 } as const;

const NAMES: Record<number, string> = { 1: 'write', 2: 'read', 3: 'read-response' };
export function sueTxnOpcodeName(op: number): string {
  return NAMES[op] ?? `opcode-${hex(op, 2)}`;
}

export class SueTxnView extends WireView {
  static unchecked(buf: Uint8Array): SueTxnView {
    return new SueTxnView(buf);
  }
  static checked(buf: Uint8Array): SueTxnView {
    const v = new SueTxnView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(SUE, 'txn', this.buffer.length, SUE_TXN_HEADER_LEN);
    if (this.hasData) checkLen(SUE, 'txn.data', this.buffer.length, SUE_TXN_HEADER_LEN + this.length);
  }
  get opcode(): number {
    return this.u8(F.OPCODE);
  }
  get flags(): number {
    return this.u8(F.FLAGS);
  }
  get hasData(): boolean {
    return (this.flags & SUE_TXN_FLAG.DATA) !== 0;
  }
  get last(): boolean {
    return (this.flags & SUE_TXN_FLAG.LAST) !== 0;
  }
  get length(): number {
    return this.u16(F.LENGTH);
  }
  get tag(): number {
    return this.u16(F.TAG);
  }
  get reserved(): number {
    return this.u16(F.RESERVED);
  }
  get address(): bigint {
    return (BigInt(this.u32(F.ADDRESS_HI)) << 32n) | BigInt(this.u32(F.ADDRESS_LO));
  }
  /** Bytes this transaction takes in the PDU. */
  get totalLen(): number {
    return SUE_TXN_HEADER_LEN + (this.hasData ? this.length : 0);
  }
  get data(): Uint8Array {
    return this.buffer.subarray(SUE_TXN_HEADER_LEN, SUE_TXN_HEADER_LEN + (this.hasData ? this.length : 0));
  }
  setOpcode(v: number): void {
    this.setU8(F.OPCODE, v);
  }
  setFlags(v: number): void {
    this.setU8(F.FLAGS, v);
  }
  setLength(v: number): void {
    this.setU16(F.LENGTH, v);
  }
  setTag(v: number): void {
    this.setU16(F.TAG, v);
  }
  setReserved(v: number): void {
    this.setU16(F.RESERVED, v);
  }
  setAddress(v: bigint): void {
    this.setU32(F.ADDRESS_HI, Number((v >> 32n) & 0xffffffffn));
    this.setU32(F.ADDRESS_LO, Number(v & 0xffffffffn));
  }
  summary(): string {
    const fl = [this.hasData && 'D', this.last && 'L'].filter(Boolean).join('');
    return `${sueTxnOpcodeName(this.opcode)} tag ${this.tag} len ${this.length}${fl ? ` [${fl}]` : ''} at 0x${this.address.toString(16)}`;
  }
}

export interface SueTxnInit {
  opcode: number;
  /** Raw flags; DATA is set when `data` is given (and cleared when not). */
  flags?: number;
  /** Bytes requested (transactions without data); ignored when `data` is given. */
  length?: number;
  tag?: number;
  address?: bigint;
  data?: Uint8Array;
}

/** One packed transaction (or piece of one): header values and its data (a view when parsed). */
export class SueTxn {
  readonly opcode: number;
  readonly flags: number;
  readonly length: number;
  readonly tag: number;
  readonly address: bigint;
  readonly data: Uint8Array | null;
  constructor(init: SueTxnInit) {
    this.opcode = init.opcode;
    const data = init.data ?? null;
    this.flags = data !== null ? (init.flags ?? SUE_TXN_FLAG.LAST) | SUE_TXN_FLAG.DATA : (init.flags ?? SUE_TXN_FLAG.LAST) & ~SUE_TXN_FLAG.DATA;
    this.length = data !== null ? data.length : (init.length ?? 0);
    this.tag = init.tag ?? 0;
    this.address = init.address ?? 0n;
    this.data = data;
  }
  /** `view` must be checked. */
  static parse(view: SueTxnView): SueTxn {
    if (view.reserved !== 0) throw new WireError('malformed', SUE, 'txn.reserved', `${hex(view.reserved)} set`);
    return new SueTxn({
      opcode: view.opcode,
      flags: view.flags,
      length: view.length,
      tag: view.tag,
      address: view.address,
      ...(view.hasData ? { data: view.data } : {}),
    });
  }
  get last(): boolean {
    return (this.flags & SUE_TXN_FLAG.LAST) !== 0;
  }
  bufferLen(): number {
    return SUE_TXN_HEADER_LEN + (this.data?.length ?? 0);
  }
  emit(view: SueTxnView): void {
    checkUint(SUE, 'txn.opcode', this.opcode, 0xff);
    checkUint(SUE, 'txn.flags', this.flags, 0xff);
    checkUint(SUE, 'txn.length', this.length, 0xffff);
    checkUint(SUE, 'txn.tag', this.tag, 0xffff);
    if (this.address < 0n || this.address > 0xffffffffffffffffn) throw new WireError('malformed', SUE, 'txn.address', 'beyond 64 bits');
    checkLen(SUE, 'txn', view.buffer.length, this.bufferLen());
    view.setOpcode(this.opcode);
    view.setFlags(this.flags);
    view.setLength(this.length);
    view.setTag(this.tag);
    view.setReserved(0);
    view.setAddress(this.address);
    if (this.data !== null) view.buffer.set(this.data, SUE_TXN_HEADER_LEN);
  }
}

/** Encodes transactions into one PDU; throws when it would exceed `maxBytes`. */
export function suePackPdu(txns: readonly SueTxn[], maxBytes = SUE_PDU_MAX_BYTES): Uint8Array {
  const len = txns.reduce((n, t) => n + t.bufferLen(), 0);
  if (len > maxBytes) throw new WireError('malformed', SUE, 'pdu', `${len} bytes beyond ${maxBytes}`);
  const out = new Uint8Array(len);
  let at = 0;
  for (const t of txns) {
    t.emit(SueTxnView.unchecked(out.subarray(at, at + t.bufferLen())));
    at += t.bufferLen();
  }
  return out;
}

/** Decodes a PDU into its transactions (data as views); an empty PDU (acknowledgement) has none. */
export function sueUnpackPdu(pdu: Uint8Array, maxBytes = SUE_PDU_MAX_BYTES): SueTxn[] {
  if (pdu.length > maxBytes) throw new WireError('malformed', SUE, 'pdu', `${pdu.length} bytes beyond ${maxBytes}`);
  const out: SueTxn[] = [];
  let at = 0;
  while (at < pdu.length) {
    const v = SueTxnView.checked(pdu.subarray(at));
    out.push(SueTxn.parse(v));
    at += v.totalLen;
  }
  return out;
}
