// UALink UPLI message header (a modelled 16-byte layout): requests and responses with 10-bit ids, a 12-bit tag, a 57-bit address.
//
// UALink 200G 1.0 gives the fields (protocol-facts "UALink": 10-bit accelerator ids, 57-bit
// physical address, request sizes 64/128/192/256 B; seed facts UAL-5, UAL-6) but its bit layout is
// not public here, so this one is defined by fabric-hil (UALINK_LAYOUT_ASSUMED). The TL carries up
// to four of these headers in one 64-byte control flit (tl.ts).
//
//   byte  field            bits    meaning
//   0     opcode           8       0x00 empty slot (the whole header zero); requests 0x01 READ,
//                                  0x02 WRITE; responses 0x81 READ_RESPONSE, 0x82 WRITE_COMPLETION;
//                                  other values unknown, kept
//   1     size | status    2|2|4   size code (bytes = 64 x (code + 1)) | reserved (zero) | status
//                                  (responses: 0 = OK, others kept raw)
//   2-3   source id        6|10    reserved (zero) | source accelerator id 0..1023
//   4-5   destination id   6|10    reserved (zero) | destination accelerator id (what switches forward on)
//   6-7   tag              4|12    reserved (zero) | transaction tag; a response echoes its request's
//   8-15  address          7|57    reserved (zero) | physical address (requests; zero in responses)
//
// Checks (parse and emit): reserved bits zero (a set bit above an id is an id beyond the 10-bit
// space: malformed); an empty slot is all zero; only the opcodes that carry data (WRITE,
// READ_RESPONSE) carry `size` bytes of data in the data flits that follow the control flit.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  OPCODE: [0, 1],
  SIZE_STATUS: [1, 2], // size code(2) reserved(2) status(4)
  SRC_ID: [2, 4], // reserved(6) id(10)
  DST_ID: [4, 6], // reserved(6) id(10)
  TAG: [6, 8], // reserved(4) tag(12)
  ADDRESS_HI: [8, 12], // reserved(7) address bits 56..32
  ADDRESS_LO: [12, 16], // address bits 31..0
} as const satisfies Record<string, Field>;

const UALINK = 'ualink';

export const UALINK_UPLI_HEADER_LEN = F.ADDRESS_LO[1];
export const UALINK_ID_BITS = 10;
/** Highest accelerator id (1024 accelerators per system, UAL-6). */
export const UALINK_ID_MAX = (1 << UALINK_ID_BITS) - 1;
export const UALINK_TAG_MAX = 0xfff;
export const UALINK_ADDRESS_BITS = 57;
export const UALINK_ADDRESS_MAX = (1n << 57n) - 1n;
/** The request sizes UALink 1.0 defines. */
export const UALINK_REQUEST_SIZES = [64, 128, 192, 256] as const;

export const UALINK_OPCODE = {
  EMPTY: 0x00,
  READ: 0x01,
  WRITE: 0x02,
  READ_RESPONSE: 0x81,
  WRITE_COMPLETION: 0x82,
} as const;

const OPCODE_NAMES: Record<number, string> = {
  0x00: 'empty',
  0x01: 'read',
  0x02: 'write',
  0x81: 'read-response',
  0x82: 'write-completion',
};

export function ualinkOpcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? `opcode-${hex(op, 2)}`;
}

/** Requests have the top bit clear, responses set (0 is an empty slot, neither). */
export function ualinkIsRequest(op: number): boolean {
  return op !== 0 && (op & 0x80) === 0;
}

/** Does a message with this opcode carry `sizeBytes` of data after its control flit? */
export function ualinkCarriesData(op: number): boolean {
  return op === UALINK_OPCODE.WRITE || op === UALINK_OPCODE.READ_RESPONSE;
}

export class UalinkUpliView extends WireView {
  static unchecked(buf: Uint8Array): UalinkUpliView {
    return new UalinkUpliView(buf);
  }
  static checked(buf: Uint8Array): UalinkUpliView {
    const v = new UalinkUpliView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UALINK, 'upli', this.buffer.length, UALINK_UPLI_HEADER_LEN);
  }
  get opcode(): number {
    return this.u8(F.OPCODE);
  }
  get sizeCode(): number {
    return this.u8(F.SIZE_STATUS) >> 6;
  }
  get sizeBytes(): number {
    return 64 * (this.sizeCode + 1);
  }
  get status(): number {
    return this.u8(F.SIZE_STATUS) & 0x0f;
  }
  get srcId(): number {
    return this.u16(F.SRC_ID) & UALINK_ID_MAX;
  }
  get dstId(): number {
    return this.u16(F.DST_ID) & UALINK_ID_MAX;
  }
  get tag(): number {
    return this.u16(F.TAG) & UALINK_TAG_MAX;
  }
  get address(): bigint {
    return (BigInt(this.u32(F.ADDRESS_HI) & 0x01ffffff) << 32n) | BigInt(this.u32(F.ADDRESS_LO));
  }
  /** Every reserved bit, by field: non-zero values make the header malformed. */
  get reserved(): { sizeStatus: number; srcId: number; dstId: number; tag: number; address: number } {
    return {
      sizeStatus: (this.u8(F.SIZE_STATUS) >> 4) & 3,
      srcId: this.u16(F.SRC_ID) >> UALINK_ID_BITS,
      dstId: this.u16(F.DST_ID) >> UALINK_ID_BITS,
      tag: this.u16(F.TAG) >> 12,
      address: this.u32(F.ADDRESS_HI) >>> 25,
    };
  }
  get empty(): boolean {
    for (let i = 0; i < UALINK_UPLI_HEADER_LEN; i++) if (this.buffer[i] !== 0) return false;
    return true;
  }
  setOpcode(v: number): void {
    this.setU8(F.OPCODE, v);
  }
  /** Writes size code and status; the reserved bits become zero. */
  setSizeStatus(sizeCode: number, status: number): void {
    this.setU8(F.SIZE_STATUS, ((sizeCode & 3) << 6) | (status & 0x0f));
  }
  setSrcId(v: number): void {
    this.setU16(F.SRC_ID, v & UALINK_ID_MAX);
  }
  setDstId(v: number): void {
    this.setU16(F.DST_ID, v & UALINK_ID_MAX);
  }
  setTag(v: number): void {
    this.setU16(F.TAG, v & UALINK_TAG_MAX);
  }
  setAddress(v: bigint): void {
    this.setU32(F.ADDRESS_HI, Number((v >> 32n) & 0x01ffffffn));
    this.setU32(F.ADDRESS_LO, Number(v & 0xffffffffn));
  }
  summary(): string {
    if (this.empty) return 'UPLI empty';
    const base = `UPLI ${ualinkOpcodeName(this.opcode)} ${this.srcId} > ${this.dstId} tag ${this.tag}`;
    return ualinkIsRequest(this.opcode)
      ? `${base} ${this.sizeBytes} B at 0x${this.address.toString(16)}`
      : `${base} ${this.sizeBytes} B status ${this.status}`;
  }
}

export interface UalinkUpliInit {
  opcode: number;
  /** 64, 128, 192 or 256. */
  sizeBytes?: number;
  status?: number;
  srcId: number;
  dstId: number;
  tag?: number;
  address?: bigint;
}

/** One UPLI message header as plain values. */
export class UalinkUpliHeader {
  readonly opcode: number;
  readonly sizeBytes: number;
  readonly status: number;
  readonly srcId: number;
  readonly dstId: number;
  readonly tag: number;
  readonly address: bigint;
  constructor(init: UalinkUpliInit) {
    this.opcode = init.opcode;
    this.sizeBytes = init.sizeBytes ?? 64;
    this.status = init.status ?? 0;
    this.srcId = init.srcId;
    this.dstId = init.dstId;
    this.tag = init.tag ?? 0;
    this.address = init.address ?? 0n;
  }
  /** `view` must be checked. An empty slot parses to null. */
  static parse(view: UalinkUpliView): UalinkUpliHeader | null {
    if (view.opcode === UALINK_OPCODE.EMPTY) {
      if (!view.empty) throw new WireError('malformed', UALINK, 'upli', 'an empty slot (opcode 0) must be all zero');
      return null;
    }
    const r = view.reserved;
    if (r.srcId !== 0) throw new WireError('malformed', UALINK, 'srcId', `reserved bits ${hex(r.srcId, 2)} set: an id beyond ${UALINK_ID_BITS} bits`);
    if (r.dstId !== 0) throw new WireError('malformed', UALINK, 'dstId', `reserved bits ${hex(r.dstId, 2)} set: an id beyond ${UALINK_ID_BITS} bits`);
    if (r.sizeStatus !== 0) throw new WireError('malformed', UALINK, 'size', 'reserved bits set');
    if (r.tag !== 0) throw new WireError('malformed', UALINK, 'tag', 'reserved bits set');
    if (r.address !== 0) throw new WireError('malformed', UALINK, 'address', `reserved bits set: an address beyond ${UALINK_ADDRESS_BITS} bits`);
    return new UalinkUpliHeader({
      opcode: view.opcode,
      sizeBytes: view.sizeBytes,
      status: view.status,
      srcId: view.srcId,
      dstId: view.dstId,
      tag: view.tag,
      address: view.address,
    });
  }
  bufferLen(): number {
    return UALINK_UPLI_HEADER_LEN;
  }
  get carriesData(): boolean {
    return ualinkCarriesData(this.opcode);
  }
  emit(view: UalinkUpliView): void {
    checkUint(UALINK, 'opcode', this.opcode, 0xff);
    if (this.opcode === UALINK_OPCODE.EMPTY) throw new WireError('malformed', UALINK, 'opcode', 'an empty slot is not a message');
    if (!(UALINK_REQUEST_SIZES as readonly number[]).includes(this.sizeBytes)) {
      throw new WireError('malformed', UALINK, 'sizeBytes', `${this.sizeBytes}: expected 64, 128, 192 or 256`);
    }
    checkUint(UALINK, 'status', this.status, 0x0f);
    checkUint(UALINK, 'srcId', this.srcId, UALINK_ID_MAX);
    checkUint(UALINK, 'dstId', this.dstId, UALINK_ID_MAX);
    checkUint(UALINK, 'tag', this.tag, UALINK_TAG_MAX);
    if (this.address < 0n || this.address > UALINK_ADDRESS_MAX) {
      throw new WireError('malformed', UALINK, 'address', `0x${this.address.toString(16)} beyond ${UALINK_ADDRESS_BITS} bits`);
    }
    checkLen(UALINK, 'upli', view.buffer.length, UALINK_UPLI_HEADER_LEN);
    view.setOpcode(this.opcode);
    view.setSizeStatus(this.sizeBytes / 64 - 1, this.status);
    view.setSrcId(this.srcId);
    view.setDstId(this.dstId);
    view.setTag(this.tag);
    view.setAddress(this.address);
  }
}
