// pcapng writer: one section, interfaces with names, Enhanced Packet Blocks streamed to a file or kept in memory.
//
// Timestamps come in picoseconds (the simulator's unit) and are stored in nanoseconds
// (if_tsresol = 9): sub-nanosecond digits are truncated. Picoseconds (if_tsresol = 12) would
// bound absolute times to ~213 days past 1970 in 64 bits, and tshark 4.0.17 misreads them (a
// 1.234567891234 s timestamp shows as 1.013206962 s). Blocks are little-endian.
// Packets go through one reused staging buffer (no per-frame allocation beyond the caller's
// bytes); it is written out when full, on flush() and on close().
import { closeSync, openSync, writeSync } from 'node:fs';
import { WireError, checkUint } from '../wire.ts';
import {
  EPB,
  EPB_FIXED_LEN,
  IDB,
  IDB_FIXED_LEN,
  PCAPNG_BLOCK,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_LINKTYPE_ETHERNET,
  PCAPNG_OPTION,
  SHB,
  SHB_FIXED_LEN,
  pad4,
} from './format.ts';

/** if_tsresol written for every interface: 10^-9 s. */
export const PCAPNG_TSRESOL_NS = 9;

export interface PcapngWriterOptions {
  /** shb_userappl; default 'fabric-hil'. */
  application?: string;
  /** Staging buffer size in bytes; default 1 MiB. A small value writes blocks out sooner. */
  bufferBytes?: number;
}

export interface PcapngInterfaceInit {
  /** if_name: the testbed port id ("port3") or "device:port". */
  name: string;
  description?: string;
  /** Default LINKTYPE_ETHERNET (1). */
  linkType?: number;
  /** 0 (default) = no limit. */
  snapLen?: number;
}

export interface PcapngPacketOptions {
  /** opt_comment, UTF-8. */
  comment?: string;
  /** Length on the wire when `data` is a truncated capture; default data.length. */
  originalLen?: number;
}

const enc = new TextEncoder();

function options(list: Array<[code: number, value: Uint8Array]>): Uint8Array {
  if (!list.length) return new Uint8Array(0);
  const out = new Uint8Array(list.reduce((n, [, v]) => n + 4 + pad4(v.length), 4));
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const [code, v] of list) {
    if (v.length > 0xffff) throw new WireError('malformed', 'pcapng', `option ${code}`, `${v.length} bytes > 65535`);
    dv.setUint16(at, code, true);
    dv.setUint16(at + 2, v.length, true);
    out.set(v, at + 4);
    at += 4 + pad4(v.length);
  }
  return out; // ends with opt_endofopt: the zeroed last 4 bytes
}

export class PcapngWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;
  private interfaces = 0;
  private keepsBytes = false;
  private packets = 0;
  private chunks: Uint8Array[] = [];
  private closed = false;

  /** Appends blocks to `path` (created or truncated) as the staging buffer fills, and on flush/close. */
  static toFile(path: string, opts: PcapngWriterOptions = {}): PcapngWriter {
    const fd = openSync(path, 'w');
    return new PcapngWriter(
      (chunk) => {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      },
      () => closeSync(fd),
      opts,
    );
  }

  /** Keeps the capture in memory; read it with bytes(). */
  static inMemory(opts: PcapngWriterOptions = {}): PcapngWriter {
    const w: PcapngWriter = new PcapngWriter(
      (chunk) => w.chunks.push(chunk),
      () => {},
      opts,
    );
    w.keepsBytes = true;
    return w;
  }

  private constructor(
    private readonly sink: (chunk: Uint8Array) => void,
    private readonly closeSink: () => void,
    opts: PcapngWriterOptions,
  ) {
    this.buf = new Uint8Array(Math.max(opts.bufferBytes ?? 1 << 20, 64));
    this.dv = new DataView(this.buf.buffer);
    const opt = options([[PCAPNG_OPTION.SHB_USERAPPL, enc.encode(opts.application ?? 'fabric-hil')]]);
    const total = SHB_FIXED_LEN + opt.length + 4;
    const at = this.begin(PCAPNG_BLOCK.SHB, total);
    this.dv.setUint32(at + SHB.MAGIC[0], PCAPNG_BYTE_ORDER_MAGIC, true);
    this.dv.setUint16(at + SHB.MAJOR[0], 1, true);
    this.dv.setUint16(at + SHB.MINOR[0], 0, true);
    // Section length unknown (-1): the file is written as it goes.
    this.dv.setBigInt64(at + SHB.SECTION_LEN[0], -1n, true);
    this.buf.set(opt, at + SHB_FIXED_LEN);
    this.end(at, total);
  }

  /** Writes an Interface Description Block; returns the interface id EPBs refer to. */
  addInterface(init: PcapngInterfaceInit): number {
    this.checkOpen();
    const linkType = init.linkType ?? PCAPNG_LINKTYPE_ETHERNET;
    checkUint('pcapng', 'linkType', linkType, 0xffff);
    checkUint('pcapng', 'snapLen', init.snapLen ?? 0, 0xffffffff);
    const list: Array<[number, Uint8Array]> = [[PCAPNG_OPTION.IF_NAME, enc.encode(init.name)]];
    if (init.description) list.push([PCAPNG_OPTION.IF_DESCRIPTION, enc.encode(init.description)]);
    list.push([PCAPNG_OPTION.IF_TSRESOL, Uint8Array.of(PCAPNG_TSRESOL_NS)]);
    const opt = options(list);
    const total = IDB_FIXED_LEN + opt.length + 4;
    const at = this.begin(PCAPNG_BLOCK.IDB, total);
    this.dv.setUint16(at + IDB.LINKTYPE[0], linkType, true);
    this.dv.setUint16(at + IDB.RESERVED[0], 0, true);
    this.dv.setUint32(at + IDB.SNAPLEN[0], init.snapLen ?? 0, true);
    this.buf.set(opt, at + IDB_FIXED_LEN);
    this.end(at, total);
    return this.interfaces++;
  }

  /** Writes an Enhanced Packet Block; `timePs` is time since the epoch (or since the run start) in ps. */
  writePacket(interfaceId: number, timePs: number | bigint, data: Uint8Array, opts: PcapngPacketOptions = {}): void {
    this.checkOpen();
    if (!Number.isInteger(interfaceId) || interfaceId < 0 || interfaceId >= this.interfaces) {
      throw new WireError('malformed', 'pcapng', 'interfaceId', `${interfaceId}: ${this.interfaces} interfaces added`);
    }
    let hi: number;
    let lo: number;
    if (typeof timePs === 'bigint') {
      if (timePs < 0n || timePs >= 1000n << 64n) throw new WireError('malformed', 'pcapng', 'timePs', String(timePs));
      const ns = timePs / 1000n;
      hi = Number(ns >> 32n);
      lo = Number(ns & 0xffffffffn);
    } else {
      if (!(timePs >= 0 && timePs < 1000 * 2 ** 64)) throw new WireError('malformed', 'pcapng', 'timePs', String(timePs));
      const ns = Math.floor(timePs / 1000);
      hi = Math.floor(ns / 0x100000000);
      lo = ns % 0x100000000;
    }
    const originalLen = opts.originalLen ?? data.length;
    checkUint('pcapng', 'originalLen', originalLen, 0xffffffff);
    const comment = opts.comment;
    const commentLen = comment ? Buffer.byteLength(comment, 'utf8') : 0;
    if (commentLen > 0xffff) throw new WireError('malformed', 'pcapng', 'comment', `${commentLen} bytes > 65535`);
    const dataEnd = EPB_FIXED_LEN + pad4(data.length);
    const optLen = comment ? 4 + pad4(commentLen) + 4 : 0;
    const total = dataEnd + optLen + 4;
    const at = this.begin(PCAPNG_BLOCK.EPB, total);
    const dv = this.dv;
    dv.setUint32(at + EPB.INTERFACE[0], interfaceId, true);
    dv.setUint32(at + EPB.TS_HIGH[0], hi, true);
    dv.setUint32(at + EPB.TS_LOW[0], lo, true);
    dv.setUint32(at + EPB.CAPLEN[0], data.length, true);
    dv.setUint32(at + EPB.ORIGLEN[0], originalLen, true);
    this.buf.set(data, at + EPB_FIXED_LEN);
    this.buf.fill(0, at + EPB_FIXED_LEN + data.length, at + total - 4);
    if (comment) {
      const o = at + dataEnd;
      dv.setUint16(o, PCAPNG_OPTION.COMMENT, true);
      dv.setUint16(o + 2, commentLen, true);
      enc.encodeInto(comment, this.buf.subarray(o + 4, o + 4 + commentLen));
    }
    this.end(at, total);
    this.packets++;
  }

  /** Packets written so far. */
  get packetCount(): number {
    return this.packets;
  }

  /** Writes buffered blocks out (to the file, or to the in-memory list). */
  flush(): void {
    if (this.pos === 0) return;
    if (this.keepsBytes) {
      // Hand the staging buffer over instead of copying it.
      this.sink(this.buf.subarray(0, this.pos));
      this.buf = new Uint8Array(this.buf.length);
      this.dv = new DataView(this.buf.buffer);
    } else {
      this.sink(this.buf.subarray(0, this.pos));
    }
    this.pos = 0;
  }

  /** Flushes and, for a file, closes it. Further writes throw. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.closeSink();
  }

  /** The whole capture so far (in-memory writers only). */
  bytes(): Uint8Array {
    if (!this.keepsBytes) throw new WireError('unsupported', 'pcapng', 'bytes', 'only in-memory writers keep their bytes');
    this.flush();
    if (this.chunks.length !== 1) {
      const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of this.chunks) {
        out.set(c, at);
        at += c.length;
      }
      this.chunks = [out];
    }
    return this.chunks[0];
  }

  private checkOpen(): void {
    if (this.closed) throw new WireError('unsupported', 'pcapng', 'writer', 'closed');
  }

  /** Reserves `total` bytes for a block and writes its type and leading length; returns its offset. */
  private begin(type: number, total: number): number {
    if (this.pos + total > this.buf.length) {
      this.flush();
      if (total > this.buf.length) {
        this.buf = new Uint8Array(pad4(total) * 2);
        this.dv = new DataView(this.buf.buffer);
      }
    }
    const at = this.pos;
    this.dv.setUint32(at, type, true);
    this.dv.setUint32(at + 4, total, true);
    return at;
  }

  private end(at: number, total: number): void {
    this.dv.setUint32(at + total - 4, total, true);
    this.pos = at + total;
  }
}
