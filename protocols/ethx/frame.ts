// ETH-X frames: PRI | EtherType | memory-access transaction header (a modelled 8-byte layout) | data; the ETH-X wire budget.
//
// ETHX-1: the scale-up memory-access protocol carries GPU-GPU and GPU-memory-pool transactions.
// The PRI header takes the place of the MAC addresses, so the frame keeps Ethernet's shape
// (EtherType, preamble, FCS, inter-frame gap). The EtherType and the transaction header are
// fabric-hil's (ETHX_LAYOUT_ASSUMED; ETHX_ETHERTYPE_DEFAULT = 0x88b5, IEEE local experimental):
//
//   byte   field           bits  meaning
//   0      opcode          8     0x01 WRITE, 0x02 READ, 0x03 READ_RESPONSE; others kept
//   1      flags           8     kept raw
//   2-3    length          16    data bytes that follow (WRITE, READ_RESPONSE) or bytes asked (READ)
//   4-5    source device   16    the sender's network device id (responses go back to it)
//   6-7    reserved        16    zero
//
// The target address travels in the PRI user-defined address (device-internal).
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';
import { ETHX_PRI_LEN, EthxPriHeader, EthxPriView, type EthxPriInit } from './pri.ts';

const F = {
  OPCODE: [0, 1],
  FLAGS: [1, 2],
  LENGTH: [2, 4],
  SRC_DEVICE: [4, 6],
  RESERVED: [6, 8],
} as const satisfies Record<string, Field>;

const ETHX = 'ethx';

export const ETHX_ETHERTYPE_DEFAULT = 0x88b5;
export const ETHX_ETHERTYPE_LEN = 2;
export const ETHX_TXN_HEADER_LEN = F.RESERVED[1];
export const ETHX_WIRE_OVERHEAD_BYTES = 8 + 4 + 12;
export const ETHX_TXN_OPCODE = { WRITE: 0x01, READ: 0x02, READ_RESPONSE: 0x03 } as const;
/** Offset of the transaction header in a frame. */
export const ETHX_TXN_OFFSET = ETHX_PRI_LEN + ETHX_ETHERTYPE_LEN;

export function ethxCarriesData(op: number): boolean {
  return op === ETHX_TXN_OPCODE.WRITE || op === ETHX_TXN_OPCODE.READ_RESPONSE;
}

export class EthxTxnView extends WireView {
  static unchecked(buf: Uint8Array): EthxTxnView {
    return new EthxTxnView(buf);
  }
  static checked(buf: Uint8Array): EthxTxnView {
    const v = new EthxTxnView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ETHX, 'txn', this.buffer.length, ETHX_TXN_HEADER_LEN);
    if (ethxCarriesData(this.opcode)) checkLen(ETHX, 'txn.data', this.buffer.length, ETHX_TXN_HEADER_LEN + this.length);
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
  get srcDevice(): number {
    return this.u16(F.SRC_DEVICE);
  }
  get reserved(): number {
    return this.u16(F.RESERVED);
  }
  get data(): Uint8Array {
    return this.buffer.subarray(ETHX_TXN_HEADER_LEN, ETHX_TXN_HEADER_LEN + (ethxCarriesData(this.opcode) ? this.length : 0));
  }
  summary(): string {
    return `ETH-X txn opcode ${this.opcode} len ${this.length} from ${this.srcDevice}`;
  }
}

export interface EthxFrameSpec {
  pri: EthxPriInit;
  ethertype?: number;
  opcode: number;
  flags?: number;
  length?: number;
  srcDevice: number;
  data?: Uint8Array;
}

export interface ParsedEthxFrame {
  pri: EthxPriHeader;
  ethertype: number;
  opcode: number;
  flags: number;
  length: number;
  srcDevice: number;
  data: Uint8Array;
}

export function buildEthxFrame(spec: EthxFrameSpec): Uint8Array {
  const pri = new EthxPriHeader(spec.pri);
  const data = spec.data ?? new Uint8Array(0);
  if (!ethxCarriesData(spec.opcode) && data.length > 0) throw new WireError('malformed', ETHX, 'data', `opcode ${spec.opcode} carries no data`);
  const length = ethxCarriesData(spec.opcode) ? data.length : (spec.length ?? 0);
  const ethertype = spec.ethertype ?? ETHX_ETHERTYPE_DEFAULT;
  checkUint(ETHX, 'ethertype', ethertype, 0xffff);
  checkUint(ETHX, 'opcode', spec.opcode, 0xff);
  checkUint(ETHX, 'flags', spec.flags ?? 0, 0xff);
  checkUint(ETHX, 'length', length, 0xffff);
  checkUint(ETHX, 'srcDevice', spec.srcDevice, 0xffff);
  const out = new Uint8Array(ETHX_TXN_OFFSET + ETHX_TXN_HEADER_LEN + data.length);
  pri.emit(EthxPriView.unchecked(out));
  const dv = new DataView(out.buffer, out.byteOffset);
  dv.setUint16(ETHX_PRI_LEN, ethertype);
  dv.setUint8(ETHX_TXN_OFFSET + F.OPCODE[0], spec.opcode);
  dv.setUint8(ETHX_TXN_OFFSET + F.FLAGS[0], spec.flags ?? 0);
  dv.setUint16(ETHX_TXN_OFFSET + F.LENGTH[0], length);
  dv.setUint16(ETHX_TXN_OFFSET + F.SRC_DEVICE[0], spec.srcDevice);
  out.set(data, ETHX_TXN_OFFSET + ETHX_TXN_HEADER_LEN);
  return out;
}

/** Decodes a frame; another EtherType is unsupported, bytes after the data malformed. */
export function parseEthxFrame(bytes: Uint8Array, opts: { ethertype?: number } = {}): ParsedEthxFrame {
  const pv = EthxPriView.checked(bytes);
  const pri = EthxPriHeader.parse(pv);
  checkLen(ETHX, 'ethertype', bytes.length, ETHX_TXN_OFFSET);
  const ethertype = (bytes[ETHX_PRI_LEN] << 8) | bytes[ETHX_PRI_LEN + 1];
  const want = opts.ethertype ?? ETHX_ETHERTYPE_DEFAULT;
  if (ethertype !== want) throw new WireError('unsupported', ETHX, 'ethertype', `0x${ethertype.toString(16)} is not ETH-X (0x${want.toString(16)})`);
  const tv = EthxTxnView.checked(bytes.subarray(ETHX_TXN_OFFSET));
  if (tv.reserved !== 0) throw new WireError('malformed', ETHX, 'txn.reserved', 'reserved bits set');
  const used = ETHX_TXN_HEADER_LEN + tv.data.length;
  if (bytes.length - ETHX_TXN_OFFSET !== used) throw new WireError('malformed', ETHX, 'length', `${bytes.length - ETHX_TXN_OFFSET - used} bytes after the transaction`);
  return { pri, ethertype, opcode: tv.opcode, flags: tv.flags, length: tv.length, srcDevice: tv.srcDevice, data: tv.data };
}
