// The CMIS address space: lower/upper addressing, banks, flat page select, read-only bits, clear-on-read flags, bad addresses, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, prng } from '../testing.ts';
import { WireError } from '../wire.ts';
import { cmisPowerClassForWatts } from './codes.ts';
import {
  CMIS_DBM_FLOOR,
  cmisBiasMa,
  cmisBiasMultiplier,
  cmisBiasRaw,
  cmisDurationCode,
  cmisPowerMw,
  cmisPowerRaw,
  cmisTemperatureC,
  cmisTemperatureRaw,
  cmisVccRaw,
  cmisVccV,
  dbmToMw,
  mwToDbm,
} from './common.ts';
import { CmisMemory } from './memory.ts';

function memory(): CmisMemory {
  const m = new CmisMemory({ pages: [0x01, 0x02, 0x10, 0x11, [1, 0x10], [1, 0x11], 0x20] });
  const lower = m.lowerPage();
  for (let a = 0; a < 128; a++) lower[a] = a; // byte a holds a
  lower[126] = 0;
  lower[127] = 0;
  for (const [bank, page] of [[0, 0], [0, 1], [0, 2], [0, 0x10], [0, 0x11], [1, 0x10], [1, 0x11], [0, 0x20]]) {
    m.upperPage(bank, page).fill(page ^ (bank << 7));
  }
  return m;
}

describe('CmisMemory addressing', () => {
  test('0-127 is lower memory on every page, 128-255 the upper page', () => {
    const m = memory();
    expect([...m.read(0, 0x11, 125, 5)]).toEqual([125, 0, 0, 0x11, 0x11]);
    expect([...m.read(0, 0x02, 0, 2)]).toEqual([0, 1]);
    expect(m.read(0, 0x10, 128, 128)).toEqual(new Uint8Array(128).fill(0x10));
    expect(m.read(0, 0x10, 200, 0)).toEqual(new Uint8Array(0));
  });

  test('pages below 10h ignore the bank; pages from 10h are banked', () => {
    const m = memory();
    expect(m.read(3, 0x01, 128, 1)[0]).toBe(0x01);
    expect(m.hasPage(7, 0x02)).toBe(true);
    expect(m.read(1, 0x11, 128, 1)[0]).toBe(0x91);
    expect(m.read(0, 0x11, 128, 1)[0]).toBe(0x11);
    expect(m.hasPage(2, 0x11)).toBe(false);
  });

  test('flat access follows bank select (126) and page select (127)', () => {
    const m = memory();
    expect(m.readFlat(128, 1)[0]).toBe(0x00);
    m.writeFlat(126, [1, 0x11]);
    expect(m.selected).toEqual([1, 0x11]);
    expect(m.readFlat(127, 2)).toEqual(Uint8Array.of(0x11, 0x91));
    m.writeFlat(127, [0x30]);
    const e = catchWire(() => m.readFlat(128, 1));
    expect([e.kind, e.field]).toEqual(['unsupported', 'page']);
    expect(m.readFlat(0, 1)[0]).toBe(0); // lower memory stays readable
  });

  test('out-of-range addresses and absent pages', () => {
    const m = memory();
    for (const [args, field] of [
      [[0, 0, 256, 1], 'offset'],
      [[0, 0, -1, 1], 'offset'],
      [[0, 0, 1.5, 1], 'offset'],
      [[0, 0, 200, 57], 'length'],
      [[0, 0, 0, -1], 'length'],
      [[256, 0x10, 0, 1], 'bank'],
      [[0, -1, 0, 1], 'page'],
    ] as Array<[[number, number, number, number], string]>) {
      const e = catchWire(() => m.read(...args));
      expect([e.kind, e.protocol, e.field]).toEqual(['malformed', 'cmis', field]);
    }
    expect(catchWire(() => m.read(0, 0x12, 128, 1)).kind).toBe('unsupported');
    expect(m.read(0, 0x12, 0, 128)).toHaveLength(128); // lower-only ranges need no upper page
    expect(catchWire(() => m.write(0, 0x10, 255, [1, 2])).field).toBe('length');
    expect(catchWire(() => m.upperPage(0, 0x13)).kind).toBe('unsupported');
  });
});

describe('CmisMemory host rules', () => {
  test('host writes change only read-write bits', () => {
    const m = memory();
    m.write(0, 0, 0, [0xee, 0xee]); // identifier and revision: read-only
    expect([...m.peek(0, 0, 0, 2)]).toEqual([0, 1]);
    m.lowerPage()[26] = 0;
    m.write(0, 0, 26, [0xff]); // only bits 6-3 are controls
    expect(m.peek(0, 0, 26, 1)[0]).toBe(0x78);
    m.write(0, 0x10, 130, [0x0f]); // Tx disable
    expect(m.peek(0, 0x10, 130, 1)[0]).toBe(0x0f);
    m.write(0, 0x10, 129, [0x0f]); // no field there: read-only
    expect(m.peek(0, 0x10, 129, 1)[0]).toBe(0x10);
    m.write(0, 0x11, 128, [0xaa, 0xaa]); // status page: read-only
    expect([...m.peek(0, 0x11, 128, 2)]).toEqual([0x11, 0x11]);
    m.write(0, 0x20, 200, [0x55]); // a page without a table: read-only
    expect(m.peek(0, 0x20, 200, 1)[0]).toBe(0x20);
  });

  test('latched flags are returned once, then cleared; peek has no side effect', () => {
    const m = memory();
    m.lowerPage()[8] = 0xff;
    m.lowerPage()[9] = 0xff;
    m.upperPage(0, 0x11).fill(0xff);
    expect([...m.peek(0, 0, 8, 2)]).toEqual([0xff, 0xff]);
    expect([...m.read(0, 0, 8, 2)]).toEqual([0xff, 0xff]);
    expect([...m.read(0, 0, 8, 2)]).toEqual([0xf8, 0x00]); // byte 8 bits 7-3 are not flags
    const first = m.read(0, 0x11, 128, 128);
    expect(first.every((b) => b === 0xff)).toBe(true);
    const second = m.read(0, 0x11, 128, 128);
    for (let a = 128; a < 256; a++) expect([a, second[a - 128]]).toEqual([a, a >= 134 && a <= 152 ? 0 : 0xff]);
    expect(m.read(1, 0x11, 147, 1)[0]).toBe(0x91); // another bank keeps its flags
  });

  test('the listener sees reads before and writes after', () => {
    const m = memory();
    const log: string[] = [];
    m.listener = {
      beforeRead: (b, p, o, l) => {
        log.push(`read ${b}/${p} ${o}+${l}`);
        m.upperPage(0, 0x11)[19] = 0x42; // the module refreshes Rx LOS (147) before the read
      },
      afterWrite: (b, p, o, d) => log.push(`write ${b}/${p} ${o} ${[...d]}`),
    };
    expect(m.read(0, 0x11, 147, 1)[0]).toBe(0x42);
    m.write(0, 0x10, 143, [0xff]);
    expect(log).toEqual(['read 0/17 147+1', 'write 0/16 143 255']);
  });

  test('snapshots are equal for equal contents', () => {
    const a = memory();
    const b = memory();
    expect(a.snapshot()).toEqual(b.snapshot());
    expect(a.snapshot()).toHaveLength(128 * 9);
    b.upperPage(1, 0x11)[5] ^= 1;
    expect(a.snapshot()).not.toEqual(b.snapshot());
  });

  test('fuzz: random host operations throw only WireError and never touch read-only bytes', () => {
    const rnd = prng(126);
    const m = memory();
    // Read-only and not latched (reads clear the flags of bytes 8-11 and page 11h 134-152).
    const ro = () => [...m.peek(0, 0, 0, 8), ...m.peek(0, 0, 12, 14), ...m.peek(0, 0x11, 128, 6), ...m.peek(1, 0x11, 153, 103), ...m.peek(0, 0x01, 128, 128)];
    const before = ro();
    let ok = 0;
    let rejected = 0;
    const pick = (n: number) => (rnd() % (n + 20)) - 10;
    for (let i = 0; i < 20_000; i++) {
      const op = rnd() % 5;
      const [bank, page, offset, len] = [pick(3), [0, 1, 2, 0x10, 0x11, 0x20, 0x21][rnd() % 7], pick(256), pick(140)];
      try {
        if (op === 0) m.read(bank, page, offset, len);
        else if (op === 1) m.peek(bank, page, offset, len);
        else if (op === 2) m.write(bank, page, offset, Array.from({ length: Math.max(0, len) }, () => rnd() & 0xff));
        else if (op === 3) m.readFlat(offset, len);
        else m.writeFlat(offset, Array.from({ length: Math.max(0, len) }, () => rnd() & 0xff));
        ok++;
      } catch (e) {
        if (!(e instanceof WireError)) throw new Error(`iteration ${i}: ${String(e)}`);
        rejected++;
      }
    }
    expect(ro()).toEqual(before);
    expect(ok).toBeGreaterThan(3000);
    expect(rejected).toBeGreaterThan(3000);
  });
});

describe('units', () => {
  test('decoders', () => {
    expect([cmisTemperatureC(0x2d80), cmisTemperatureC(-1280), cmisTemperatureC(-32768)]).toEqual([45.5, -5, -128]);
    expect([cmisVccV(33000), cmisPowerMw(10000), cmisPowerMw(1), cmisBiasMa(24000), cmisBiasMa(24000, 4)]).toEqual([3.3, 1, 0.0001, 48, 192]);
    expect([mwToDbm(1), mwToDbm(0), mwToDbm(-1), mwToDbm(1e-9), mwToDbm(0, -60), mwToDbm(dbmToMw(-3.2))]).toEqual([0, CMIS_DBM_FLOOR, -40, -40, -60, -3.2]);
    expect([0, 1, 2, 3].map(cmisBiasMultiplier)).toEqual([1, 2, 4, 1]);
  });

  test('encoders round, reject or saturate', () => {
    expect([cmisTemperatureRaw(45.5), cmisTemperatureRaw(-128), cmisVccRaw(3.3), cmisPowerRaw(1.59), cmisBiasRaw(48, 2)]).toEqual([11648, -32768, 33000, 15900, 12000]);
    expect(catchWire(() => cmisTemperatureRaw(128)).field).toBe('temperature');
    expect(catchWire(() => cmisPowerRaw(-0.1)).field).toBe('power');
    expect(catchWire(() => cmisVccRaw(NaN)).kind).toBe('malformed');
    expect([cmisTemperatureRaw(200, true), cmisPowerRaw(-1, true), cmisPowerRaw(10, true), cmisBiasRaw(Infinity, 1, true)]).toEqual([32767, 0, 65535, 0]);
  });

  test('duration codes and power classes', () => {
    expect([0, 0.5, 1, 4.9, 5, 499, 500, 2000, 60_000, 1e9].map(cmisDurationCode)).toEqual([0, 0, 1, 1, 2, 5, 6, 7, 10, 13]);
    expect([1, 1.5, 1.6, 5, 7, 8, 10, 12, 14, 14.1, 40].map(cmisPowerClassForWatts)).toEqual([1, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8]);
  });
});
