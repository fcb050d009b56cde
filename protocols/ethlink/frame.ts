// EthLink frames: OEFH | transaction header (a modelled 8-byte layout) | data; the EthLink wire budget.
//
// ETHL-3 promises lighter link and transaction layers; fabric-hil models the transaction header
// as (ETHLINK_LAYOUT_ASSUMED):
//
//   byte   field      bits  meaning
//   0      opcode     8     0x01 WRITE (TMA) / STORE (LSU), 0x02 READ / LOAD, 0x03 READ_RESPONSE; others kept
//   1      flags      8     kept raw
//   2-3    length     16    data bytes that follow (WRITE, READ_RESPONSE) or bytes asked (READ)
//   4-7    address    32    offset in the target's shared (LSU) or global (TMA) memory window
//
// On the wire the frame also has the Ethernet preamble and SFD (8 bytes), FCS (4) and
// inter-frame gap (12), none of them in a capture.
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';
import { ETHLINK_OEFH_LEN, EthlinkOefhHeader, EthlinkOefhView, type EthlinkOefhInit } from './oefh.ts';

const F = {
  OPCODE: [0, 1],
  FLAGS: [1, 2],
  LENGTH: [2, 4],
  ADDRESS: [4, 8],
} as const satisfies Record<string, Field>;

const ETHLINK = 'ethlink';

export const ETHLINK_TXN_HEADER_LEN = F.ADDRESS[1];
export const ETHLINK_WIRE_OVERHEAD_BYTES = 8 + 4 + 12;
export const ETHLINK_TXN_OPCODE = { WRITE: 0x01, READ: 0x02, READ_RESPONSE: 0x03 } as const;

/** Does a transaction with this opcode carry `length` bytes of data? */
export function ethlinkCarriesData(op: number): boolean {
  return op === ETHLINK_TXN_OPCODE.WRITE || op === ETHLINK_TXN_OPCODE.READ_RESPONSE;
}

export class EthlinkTxnView extends WireView {
  static unchecked(buf: Uint8Array): EthlinkTxnView {
    return new EthlinkTxnView(buf);
  }
  static checked(buf: Uint8Array): EthlinkTxnView {
    const v = new EthlinkTxnView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ETHLINK, 'txn', this.buffer.length, ETHLINK_TXN_HEADER_LEN);
    if (ethlinkCarriesData(this.opcode)) checkLen(ETHLINK, 'txn.data', this.buffer.length, ETHLINK_TXN_HEADER_LEN + this.length);
  }
  get opcode(): number {
    return this.u8(F.OPCODE);
  }
  get flags(): number {
    return this.u8(F.FLAGS);
  }
  get length(): number {
    return this.u16(F.LENGTH);
  }
  get address(): number {
    return this.u32(F.ADDRESS);
  }
  get data(): Uint8Array {
    return this.buffer.subarray(ETHLINK_TXN_HEADER_LEN, ETHLINK_TXN_HEADER_LEN + (ethlinkCarriesData(this.opcode) ? this.length : 0));
  }
  summary(): string {
    return `EthLink txn opcode ${this.opcode} len ${this.length} at 0x${this.address.toString(16)}`;
  }
}

export interface EthlinkFrameSpec {
  oefh: EthlinkOefhInit;
  opcode: number;
  flags?: number;
  /** Bytes asked, for a READ; the data length otherwise. */
  length?: number;
  address?: number;
  data?: Uint8Array;
}

export interface ParsedEthlinkFrame {
  oefh: EthlinkOefhHeader;
  opcode: number;
  flags: number;
  length: number;
  address: number;
  data: Uint8Array;
}

export function buildEthlinkFrame(spec: EthlinkFrameSpec): Uint8Array {
  const oefh = new EthlinkOefhHeader(spec.oefh);
  const data = spec.data ?? new Uint8Array(0);
  if (ethlinkCarriesData(spec.opcode) !== data.length > 0 && data.length > 0) {
    throw new WireError('malformed', ETHLINK, 'data', `opcode ${spec.opcode} carries no data`);
  }
  const length = ethlinkCarriesData(spec.opcode) ? data.length : (spec.length ?? 0);
  checkUint(ETHLINK, 'opcode', spec.opcode, 0xff);
  checkUint(ETHLINK, 'flags', spec.flags ?? 0, 0xff);
  checkUint(ETHLINK, 'length', length, 0xffff);
  checkUint(ETHLINK, 'address', spec.address ?? 0, 0xffffffff);
  const out = new Uint8Array(ETHLINK_OEFH_LEN + ETHLINK_TXN_HEADER_LEN + data.length);
  oefh.emit(EthlinkOefhView.unchecked(out));
  const dv = new DataView(out.buffer, out.byteOffset + ETHLINK_OEFH_LEN);
  dv.setUint8(F.OPCODE[0], spec.opcode);
  dv.setUint8(F.FLAGS[0], spec.flags ?? 0);
  dv.setUint16(F.LENGTH[0], length);
  dv.setUint32(F.ADDRESS[0], spec.address ?? 0);
  out.set(data, ETHLINK_OEFH_LEN + ETHLINK_TXN_HEADER_LEN);
  return out;
}

/** Decodes a frame; bytes after the data (none are expected) make it malformed. */
export function parseEthlinkFrame(bytes: Uint8Array): ParsedEthlinkFrame {
  const ov = EthlinkOefhView.checked(bytes);
  const oefh = EthlinkOefhHeader.parse(ov);
  const tv = EthlinkTxnView.checked(ov.payload);
  const used = ETHLINK_TXN_HEADER_LEN + tv.data.length;
  if (ov.payload.length !== used) throw new WireError('malformed', ETHLINK, 'length', `${ov.payload.length - used} bytes after the transaction`);
  return { oefh, opcode: tv.opcode, flags: tv.flags, length: tv.length, address: tv.address, data: tv.data };
}
