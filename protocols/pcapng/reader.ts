// pcapng reader for tests and suites: sections of either byte order, interfaces, Enhanced Packet Blocks.
import { readFileSync } from 'node:fs';
import { WireError, checkLen } from '../wire.ts';
import {
  BLOCK_OVERHEAD,
  EPB,
  EPB_FIXED_LEN,
  IDB,
  IDB_FIXED_LEN,
  PCAPNG_BLOCK,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_OPTION,
  SHB,
  SHB_FIXED_LEN,
  pad4,
} from './format.ts';

export interface PcapngInterface {
  /** Index within its section, as EPBs refer to it. */
  id: number;
  linkType: number;
  snapLen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (10^6 when the interface has no if_tsresol). */
  unitsPerSecond: bigint;
  /** if_tsoffset, seconds added to every timestamp. */
  tsOffsetS: bigint;
}

export interface PcapngPacket {
  interfaceId: number;
  interface: PcapngInterface;
  /** Timestamp in nanoseconds (finer units are truncated). */
  timeNs: bigint;
  /** Captured bytes, in place. */
  data: Uint8Array;
  originalLen: number;
  comment?: string;
}

export interface PcapngCapture {
  /** Interfaces of all sections, in file order. */
  interfaces: PcapngInterface[];
  packets: PcapngPacket[];
}

const dec = new TextDecoder('utf-8', { fatal: false });
const err = (kind: 'truncated' | 'malformed' | 'unsupported', field: string, detail: string) =>
  new WireError(kind, 'pcapng', field, detail);

/**
 * Yields the Enhanced Packet Blocks of every section, in order. Skips other block types; throws
 * only WireError (the first block must be a Section Header Block).
 */
export function* pcapngPackets(bytes: Uint8Array, interfacesOut: PcapngInterface[] = []): Generator<PcapngPacket> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  let ifaces: PcapngInterface[] = [];
  let at = 0;
  let sawSection = false;
  while (at < bytes.length) {
    checkLen('pcapng', 'block', bytes.length - at, BLOCK_OVERHEAD);
    const type = dv.getUint32(at, le);
    if (type === PCAPNG_BLOCK.SHB) {
      // The byte-order magic decides how to read this block's length.
      checkLen('pcapng', 'shb', bytes.length - at, SHB_FIXED_LEN);
      const magic = dv.getUint32(at + SHB.MAGIC[0], true);
      if (magic === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else throw err('malformed', 'shb.magic', `0x${magic.toString(16)}`);
      const major = dv.getUint16(at + SHB.MAJOR[0], le);
      if (major !== 1) throw err('unsupported', 'shb.version', `major ${major}`);
      ifaces = [];
      sawSection = true;
    } else if (!sawSection) {
      throw err('malformed', 'shb', 'file does not start with a Section Header Block');
    }
    const total = dv.getUint32(at + 4, le);
    if (total < BLOCK_OVERHEAD || total % 4 !== 0) throw err('malformed', 'block.length', String(total));
    checkLen('pcapng', 'block.length', bytes.length - at, total);
    if (dv.getUint32(at + total - 4, le) !== total) throw err('malformed', 'block.length', 'trailing length differs');
    const block = bytes.subarray(at, at + total - 4);
    if (type === PCAPNG_BLOCK.IDB) {
      checkLen('pcapng', 'idb', block.length, IDB_FIXED_LEN);
      const iface: PcapngInterface = {
        id: ifaces.length,
        linkType: dv.getUint16(at + IDB.LINKTYPE[0], le),
        snapLen: dv.getUint32(at + IDB.SNAPLEN[0], le),
        unitsPerSecond: 1_000_000n,
        tsOffsetS: 0n,
      };
      for (const [code, v] of readOptions(block, IDB_FIXED_LEN, le)) {
        const vdv = new DataView(v.buffer, v.byteOffset, v.byteLength);
        if (code === PCAPNG_OPTION.IF_NAME) iface.name = dec.decode(v);
        else if (code === PCAPNG_OPTION.IF_DESCRIPTION) iface.description = dec.decode(v);
        else if (code === PCAPNG_OPTION.IF_TSRESOL && v.length >= 1) {
          const r = v[0];
          iface.unitsPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
        } else if (code === PCAPNG_OPTION.IF_TSOFFSET && v.length >= 8) iface.tsOffsetS = vdv.getBigInt64(0, le);
      }
      ifaces.push(iface);
      interfacesOut.push(iface);
    } else if (type === PCAPNG_BLOCK.EPB) {
      checkLen('pcapng', 'epb', block.length, EPB_FIXED_LEN);
      const interfaceId = dv.getUint32(at + EPB.INTERFACE[0], le);
      const iface = ifaces[interfaceId];
      if (!iface) throw err('malformed', 'epb.interface', `${interfaceId} not described in this section`);
      const ts = (BigInt(dv.getUint32(at + EPB.TS_HIGH[0], le)) << 32n) | BigInt(dv.getUint32(at + EPB.TS_LOW[0], le));
      const caplen = dv.getUint32(at + EPB.CAPLEN[0], le);
      if (caplen > block.length - EPB_FIXED_LEN) throw err('malformed', 'epb.caplen', `${caplen} past the block`);
      const packet: PcapngPacket = {
        interfaceId,
        interface: iface,
        timeNs: (ts * 1_000_000_000n) / iface.unitsPerSecond + iface.tsOffsetS * 1_000_000_000n,
        data: block.subarray(EPB_FIXED_LEN, EPB_FIXED_LEN + caplen),
        originalLen: dv.getUint32(at + EPB.ORIGLEN[0], le),
      };
      for (const [code, v] of readOptions(block, Math.min(EPB_FIXED_LEN + pad4(caplen), block.length), le)) {
        if (code === PCAPNG_OPTION.COMMENT) packet.comment = dec.decode(v);
      }
      yield packet;
    }
    at += total;
  }
}

/** Options from `from` to the end of the block body (trailing length excluded), until opt_endofopt. */
function readOptions(block: Uint8Array, from: number, le: boolean): Array<[number, Uint8Array]> {
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const out: Array<[number, Uint8Array]> = [];
  let at = from;
  while (at + 4 <= block.length) {
    const code = dv.getUint16(at, le);
    const len = dv.getUint16(at + 2, le);
    if (code === PCAPNG_OPTION.END) break;
    if (at + 4 + len > block.length) throw err('malformed', 'option.length', `option ${code} runs past its block`);
    out.push([code, block.subarray(at + 4, at + 4 + len)]);
    at += 4 + pad4(len);
  }
  return out;
}

/** Reads a whole capture in memory. */
export function readPcapng(bytes: Uint8Array): PcapngCapture {
  const interfaces: PcapngInterface[] = [];
  const packets = [...pcapngPackets(bytes, interfaces)];
  return { interfaces, packets };
}

export function readPcapngFile(path: string): PcapngCapture {
  const b = readFileSync(path);
  return readPcapng(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}
