// The CMIS address space: 128 bytes of lower memory plus banked 128-byte upper pages, with host access rules.
//
// Guarantees: host reads and writes address 256 bytes per (bank, page): 0-127 is the lower memory
// (the same for every page), 128-255 the upper page. Pages below 10h are not banked (the bank is
// ignored), as CMIS banks only lane-related pages. Flat access (`readFlat`/`writeFlat`) takes the
// page from byte 127 and the bank from byte 126, as a host on the two-wire bus does. Host writes
// change only bits of fields marked `rw` in the field tables (read-only registers ignore writes);
// host reads clear the bits of fields marked `latched` after returning them. Out-of-range
// addresses and absent pages throw WireError; the module side uses `lowerPage()`, `upperPage()`
// and `peek()`, which have no side effects.
import { WireError } from '../wire.ts';
import { ELS_PAGE1A, ELS_PAGE1B } from './els.ts';
import { CMIS, fieldMasks, type CmisFieldTable } from './common.ts';
import { CMIS_LOWER } from './lower.ts';
import { CMIS_PAGE01 } from './page01.ts';
import { CMIS_PAGE02_FIELDS } from './page02.ts';
import { CMIS_PAGE10 } from './page10.ts';
import { CMIS_PAGE11 } from './page11.ts';
import { CMIS_UPPER00 } from './upper00.ts';

/** The field table of each upper page this project knows. */
export const CMIS_PAGE_TABLES: Readonly<Record<number, CmisFieldTable>> = {
  0x00: CMIS_UPPER00,
  0x01: CMIS_PAGE01,
  0x02: CMIS_PAGE02_FIELDS,
  0x10: CMIS_PAGE10,
  0x11: CMIS_PAGE11,
  0x1a: ELS_PAGE1A,
  0x1b: ELS_PAGE1B,
};

interface Masks {
  rw: Uint8Array;
  latched: Uint8Array;
}

function masksOf(table: CmisFieldTable, base: number): Masks {
  const m = { rw: new Uint8Array(128), latched: new Uint8Array(128) };
  for (const f of Object.values(table)) {
    for (const [addr, bits] of fieldMasks(f)) {
      if (f.rw) m.rw[addr - base] |= bits;
      if (f.latched) m.latched[addr - base] |= bits;
    }
  }
  return m;
}

const LOWER_MASKS = masksOf(CMIS_LOWER, 0);
const EMPTY_MASKS: Masks = { rw: new Uint8Array(128), latched: new Uint8Array(128) };
const PAGE_MASKS = new Map(Object.entries(CMIS_PAGE_TABLES).map(([p, t]) => [Number(p), masksOf(t, 128)]));

export interface CmisMemoryListener {
  /** Before a host read: bring the bytes in range up to date (e.g. refresh monitors). */
  beforeRead?(bank: number, page: number, offset: number, len: number): void;
  /** After a host write, with the bytes already stored (read-only bits unchanged). */
  afterWrite?(bank: number, page: number, offset: number, data: Uint8Array): void;
}

export interface CmisMemoryOptions {
  /** Upper pages besides 00h (always present): page numbers (bank 0) or [bank, page] pairs. */
  pages?: Array<number | readonly [bank: number, page: number]>;
  listener?: CmisMemoryListener;
}

function checkByte(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new WireError('malformed', CMIS, field, `${v} not in 0..255`);
}

export class CmisMemory {
  private readonly lower = new Uint8Array(128);
  private readonly pages = new Map<number, Uint8Array>();
  listener: CmisMemoryListener | undefined;

  constructor(o: CmisMemoryOptions = {}) {
    this.addPage(0, 0);
    for (const p of o.pages ?? []) {
      if (typeof p === 'number') this.addPage(0, p);
      else this.addPage(p[0], p[1]);
    }
    this.listener = o.listener;
  }

  private static key(bank: number, page: number): number {
    return (page < 0x10 ? 0 : bank) * 256 + page;
  }

  addPage(bank: number, page: number): void {
    checkByte('bank', bank);
    checkByte('page', page);
    const k = CmisMemory.key(bank, page);
    if (!this.pages.has(k)) this.pages.set(k, new Uint8Array(128));
  }

  hasPage(bank: number, page: number): boolean {
    return this.pages.has(CmisMemory.key(bank, page));
  }

  /** The module's own access to lower memory (no side effects). */
  lowerPage(): Uint8Array {
    return this.lower;
  }

  /** The module's own access to an upper page's 128 bytes (no side effects). */
  upperPage(bank: number, page: number): Uint8Array {
    const p = this.pages.get(CmisMemory.key(bank, page));
    if (!p) throw new WireError('unsupported', CMIS, 'page', `bank ${bank} page ${page.toString(16)}h not present`);
    return p;
  }

  /** The page selected for flat access: [bank (byte 126), page (byte 127)]. */
  get selected(): [bank: number, page: number] {
    return [this.lower[126], this.lower[127]];
  }

  /** Checks the range and returns the upper page it touches (undefined for lower-only ranges). */
  private range(bank: number, page: number, offset: number, len: number): Uint8Array | undefined {
    checkByte('bank', bank);
    checkByte('page', page);
    checkByte('offset', offset);
    if (!Number.isInteger(len) || len < 0 || offset + len > 256) {
      throw new WireError('malformed', CMIS, 'length', `${len} bytes from offset ${offset} pass byte 255`);
    }
    return offset + len > 128 ? this.upperPage(bank, page) : undefined;
  }

  /** Copies bytes without side effects. */
  peek(bank: number, page: number, offset: number, len: number): Uint8Array {
    const up = this.range(bank, page, offset, len);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const a = offset + i;
      out[i] = a < 128 ? this.lower[a] : (up as Uint8Array)[a - 128];
    }
    return out;
  }

  /** A host read: latched flags in range are returned, then cleared. */
  read(bank: number, page: number, offset: number, len: number): Uint8Array {
    this.range(bank, page, offset, len);
    this.listener?.beforeRead?.(bank, page, offset, len);
    const out = this.peek(bank, page, offset, len);
    const up = offset + len > 128 ? this.upperPage(bank, page) : undefined;
    const upMasks = PAGE_MASKS.get(page) ?? EMPTY_MASKS;
    for (let a = offset; a < offset + len; a++) {
      if (a < 128) this.lower[a] &= ~LOWER_MASKS.latched[a];
      else (up as Uint8Array)[a - 128] &= ~upMasks.latched[a - 128];
    }
    return out;
  }

  /** A host write: only writable bits change. */
  write(bank: number, page: number, offset: number, data: ArrayLike<number>): void {
    const up = this.range(bank, page, offset, data.length);
    const bytes = Uint8Array.from(data);
    const upMasks = PAGE_MASKS.get(page) ?? EMPTY_MASKS;
    for (let i = 0; i < bytes.length; i++) {
      const a = offset + i;
      const [mem, idx, rw] = a < 128 ? [this.lower, a, LOWER_MASKS.rw[a]] : [up as Uint8Array, a - 128, upMasks.rw[a - 128]];
      mem[idx] = (mem[idx] & ~rw) | (bytes[i] & rw);
    }
    this.listener?.afterWrite?.(bank, page, offset, bytes);
  }

  /** A host read on the two-wire bus: the upper half is the page selected by bytes 126/127. */
  readFlat(offset: number, len: number): Uint8Array {
    const [bank, page] = this.selected;
    return this.read(bank, page, offset, len);
  }

  writeFlat(offset: number, data: ArrayLike<number>): void {
    const [bank, page] = this.selected;
    this.write(bank, page, offset, data);
  }

  /** Lower memory then every upper page in (bank, page) order: equal snapshots, equal memories. */
  snapshot(): Uint8Array {
    const keys = [...this.pages.keys()].sort((a, b) => a - b);
    const out = new Uint8Array(128 * (1 + keys.length));
    out.set(this.lower);
    keys.forEach((k, i) => out.set(this.pages.get(k) as Uint8Array, 128 * (i + 1)));
    return out;
  }
}
