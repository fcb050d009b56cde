// CMIS shared pieces: the field-table type, a page view driven by field tables, units and their conversions.
//
// Sources for every table under protocols/cmis/ (see protocol-facts.md, "CMIS 5.x"): SONiC
// sonic-platform-common `sonic_xcvr/mem_maps/public/cmis.py` (lower page, pages 00h-11h),
// `mem_maps/public/cmis/elsfp/pages/page1a.py` / `page1b.py` (OIF-ELSFP-CMIS pages 1Ah/1Bh) and
// `codes/public/*.py`; SFF-8024 code names cross-checked with ethtool's `sff-common` tables. A
// field marked `assumed` was not found in those sources and follows our reading of CMIS 5.x.
import { WireError, WireView, checkLen, checkUint } from '../wire.ts';

export const CMIS = 'cmis';

/**
 * How a field's bytes are read. `lanes`: one value per lane, `width` bits each; widths below 8 are
 * packed from bit 0 of the first byte up (lane 1 in bits 0..width-1, as CMIS packs data-path
 * state nibbles and lane flag bits); width 16 is one big-endian word per lane.
 */
export type CmisFieldType = 'u8' | 'u16' | 's16' | 'bits' | 'ascii' | 'bytes' | 'lanes';

export interface CmisField {
  /** Byte address as the host sees it: 0-127 lower memory, 128-255 an upper page. */
  readonly at: number;
  /** Length in bytes (1 unless given); for `lanes`, the whole array. */
  readonly len?: number;
  readonly type: CmisFieldType;
  /** `bits`: inclusive [low, high] bit positions inside byte `at`. */
  readonly bits?: readonly [lo: number, hi: number];
  /** `lanes`: bits per lane (1, 2, 4, 8 or 16). */
  readonly width?: 1 | 2 | 4 | 8 | 16;
  /** What one count means ('1/256 degC', '0.1 uW', ...) or which code table applies. */
  readonly unit?: string;
  /** Writable by the host; all other bytes ignore host writes (CMIS: read-only registers). */
  readonly rw?: boolean;
  /** A latched flag: set by the module, cleared when the host reads it. */
  readonly latched?: boolean;
  /** Not in the sources above: our reading of the specification, to be checked. */
  readonly assumed?: boolean;
}

export type CmisFieldTable = Readonly<Record<string, CmisField>>;

export function fieldLen(f: CmisField): number {
  return f.len ?? (f.type === 'u16' || f.type === 's16' ? 2 : 1);
}

/** Number of lanes a `lanes` field holds. */
export function fieldLanes(f: CmisField): number {
  return f.type === 'lanes' ? (fieldLen(f) * 8) / (f.width ?? 8) : 1;
}

/** Per byte of the field: the mask of bits it covers. */
export function fieldMasks(f: CmisField): Array<[addr: number, mask: number]> {
  if (f.type === 'bits') {
    const [lo, hi] = f.bits ?? [0, 7];
    return [[f.at, ((1 << (hi - lo + 1)) - 1) << lo]];
  }
  return Array.from({ length: fieldLen(f) }, (_, i) => [f.at + i, 0xff] as [number, number]);
}

/**
 * A 128-byte page (lower memory or one upper page) read and written through field tables.
 * After `checked()`, no accessor throws for a field of the page; setters check value ranges.
 */
export class CmisPageView extends WireView {
  /** `base`: the host address of buffer[0], 0 for lower memory and 128 for an upper page. */
  constructor(
    buffer: Uint8Array,
    readonly base: 0 | 128,
  ) {
    super(buffer);
  }
  static checked(buf: Uint8Array, base: 0 | 128): CmisPageView {
    const v = new CmisPageView(buf, base);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(CMIS, 'page', this.buffer.length, 128);
  }
  private at(f: CmisField): number {
    const i = f.at - this.base;
    if (i < 0 || i + fieldLen(f) > 128) throw new WireError('malformed', CMIS, 'field', `address ${f.at} is not on this page`);
    return i;
  }
  private laneBit(f: CmisField, lane: number): [byte: number, shift: number, width: number] {
    const n = fieldLanes(f);
    if (!Number.isInteger(lane) || lane < 1 || lane > n) throw new WireError('malformed', CMIS, 'lane', `${lane} not in 1..${n}`);
    const w = f.width ?? 8;
    const bit = (lane - 1) * w;
    return [this.at(f) + (w === 16 ? (lane - 1) * 2 : bit >> 3), w === 16 ? 0 : bit & 7, w];
  }
  /** A numeric field; `lane` (1-based) for `lanes` fields. */
  get(f: CmisField, lane = 1): number {
    const i = this.at(f);
    switch (f.type) {
      case 'u8':
        return this.u8(i);
      case 'u16':
        return this.u16(i);
      case 's16':
        return this.dv.getInt16(i);
      case 'bits': {
        const [lo, hi] = f.bits ?? [0, 7];
        return (this.u8(i) >> lo) & ((1 << (hi - lo + 1)) - 1);
      }
      case 'lanes': {
        const [b, s, w] = this.laneBit(f, lane);
        return w === 16 ? this.u16(b) : (this.u8(b) >> s) & ((1 << w) - 1);
      }
      default:
        throw new WireError('malformed', CMIS, 'field', `${f.type} field at ${f.at} is not numeric`);
    }
  }
  set(f: CmisField, v: number, lane = 1): void {
    const i = this.at(f);
    switch (f.type) {
      case 'u8':
        checkUint(CMIS, `byte ${f.at}`, v, 0xff);
        return this.setU8(i, v);
      case 'u16':
        checkUint(CMIS, `byte ${f.at}`, v, 0xffff);
        return this.setU16(i, v);
      case 's16':
        if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) throw new WireError('malformed', CMIS, `byte ${f.at}`, `${v} not a signed 16-bit integer`);
        return this.dv.setInt16(i, v);
      case 'bits': {
        const [lo, hi] = f.bits ?? [0, 7];
        const m = (1 << (hi - lo + 1)) - 1;
        checkUint(CMIS, `byte ${f.at} bits ${lo}-${hi}`, v, m);
        return this.setU8(i, (this.u8(i) & ~(m << lo)) | (v << lo));
      }
      case 'lanes': {
        const [b, s, w] = this.laneBit(f, lane);
        checkUint(CMIS, `byte ${f.at} lane ${lane}`, v, 2 ** w - 1);
        if (w === 16) return this.setU16(b, v);
        const m = ((1 << w) - 1) << s;
        return this.setU8(b, (this.u8(b) & ~m) | (v << s));
      }
      default:
        throw new WireError('malformed', CMIS, 'field', `${f.type} field at ${f.at} is not numeric`);
    }
  }
  /** All lanes of a `lanes` field as one number (bit n = lane n+1 for width 1). */
  getMask(f: CmisField): number {
    let m = 0;
    for (let l = fieldLanes(f); l >= 1; l--) m = m * 2 ** (f.width ?? 8) + this.get(f, l);
    return m;
  }
  setMask(f: CmisField, mask: number): void {
    const w = f.width ?? 8;
    for (let l = 1; l <= fieldLanes(f); l++) this.set(f, Math.floor(mask / 2 ** (w * (l - 1))) % 2 ** w, l);
  }
  /** The field's bytes, in place. */
  raw(f: CmisField): Uint8Array {
    const i = this.at(f);
    return this.buffer.subarray(i, i + fieldLen(f));
  }
  /** ASCII field without its trailing space padding. */
  text(f: CmisField): string {
    return String.fromCharCode(...this.raw(f)).replace(/[ \0]+$/, '');
  }
  /** Any field as a plain value: a number, one number per lane, the text, or the bytes. */
  value(f: CmisField): number | number[] | string {
    if (f.type === 'ascii') return this.text(f);
    if (f.type === 'bytes') return [...this.raw(f)];
    if (f.type === 'lanes') return Array.from({ length: fieldLanes(f) }, (_, i) => this.get(f, i + 1));
    return this.get(f);
  }
  setValue(f: CmisField, v: number | number[] | string): void {
    if (typeof v === 'string') return this.setText(f, v);
    if (typeof v === 'number') return this.set(f, v);
    if (v.length !== (f.type === 'lanes' ? fieldLanes(f) : fieldLen(f))) throw new WireError('malformed', CMIS, `byte ${f.at}`, `${v.length} values for the field`);
    if (f.type === 'lanes') return v.forEach((x, i) => this.set(f, x, i + 1));
    for (const x of v) checkUint(CMIS, `byte ${f.at}`, x, 0xff);
    this.raw(f).set(v);
  }
  /** Writes printable ASCII, space-padded to the field length. */
  setText(f: CmisField, s: string): void {
    const len = fieldLen(f);
    if (s.length > len || !/^[\x20-\x7e]*$/.test(s)) throw new WireError('malformed', CMIS, `byte ${f.at}`, `'${s}' is not printable ASCII of at most ${len} characters`);
    this.raw(f).set(Uint8Array.from(s.padEnd(len, ' '), (c) => c.charCodeAt(0)));
  }
}

// ---- Units (CMIS 5.x; SONiC scales in brackets) ----

/** Optical power below the 0.1 uW resolution (and zero) reads as this many dBm. */
export const CMIS_DBM_FLOOR = -40;

/** Temperature: signed 16-bit in 1/256 degC [scale 256]. */
export function cmisTemperatureC(raw: number): number {
  return raw / 256;
}
/** Supply voltage: unsigned 16-bit in 100 uV [scale 10000]. */
export function cmisVccV(raw: number): number {
  return raw / 10_000;
}
/** Tx/Rx optical power: unsigned 16-bit in 0.1 uW [scale 10000, in mW]. */
export function cmisPowerMw(raw: number): number {
  return raw / 10_000;
}
/** Tx bias: unsigned 16-bit in 2 uA times the page 01h multiplier (1, 2 or 4) [scale 500, in mA]. */
export function cmisBiasMa(raw: number, multiplier = 1): number {
  return raw * 0.002 * multiplier;
}
/** mW to dBm; zero, negatives and values below the floor give the floor. */
export function mwToDbm(mw: number, floorDbm = CMIS_DBM_FLOOR): number {
  return mw > 0 ? Math.max(floorDbm, 10 * Math.log10(mw)) : floorDbm;
}
export function dbmToMw(dbm: number): number {
  return 10 ** (dbm / 10);
}

function encode(field: string, v: number, min: number, max: number, saturate: boolean): number {
  const r = Math.round(v);
  if (saturate) return Math.min(max, Math.max(min, Number.isFinite(r) ? r : 0));
  if (!Number.isFinite(r) || r < min || r > max) throw new WireError('malformed', CMIS, field, `${v} out of range`);
  return r;
}

/** Inverse conversions; out of range throws, or with `saturate` clamps as a module's ADC does. */
export function cmisTemperatureRaw(c: number, saturate = false): number {
  return encode('temperature', c * 256, -0x8000, 0x7fff, saturate);
}
export function cmisVccRaw(v: number, saturate = false): number {
  return encode('vcc', v * 10_000, 0, 0xffff, saturate);
}
export function cmisPowerRaw(mw: number, saturate = false): number {
  return encode('power', mw * 10_000, 0, 0xffff, saturate);
}
export function cmisBiasRaw(ma: number, multiplier = 1, saturate = false): number {
  return encode('bias', ma / (0.002 * multiplier), 0, 0xffff, saturate);
}

/** Page 01h byte 160 bits 4-3: 0 -> x1, 1 -> x2, 2 -> x4; 3 is reserved and read as x1 (as SONiC does). */
export function cmisBiasMultiplier(code: number): number {
  return code < 3 ? 2 ** code : 1;
}

/**
 * Duration codes of page 01h bytes 144, 167, 168 (one nibble each): the upper bound in ms of
 * each code (SONiC `DP_PATH_TIMINGS`); codes 14 and 15 are reserved.
 */
export const CMIS_DURATION_MAX_MS = [1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 60_000, 300_000, 600_000, 3_000_000, 6_000_000] as const;

/** The code advertising a duration of `ms`: the first whose upper bound exceeds it. */
export function cmisDurationCode(ms: number): number {
  const i = CMIS_DURATION_MAX_MS.findIndex((max) => ms < max);
  return i < 0 ? CMIS_DURATION_MAX_MS.length - 1 : i;
}
