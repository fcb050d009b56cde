// Twin values survive the trip through JSON text: bigints, bytes, non-finite numbers, holes.
import { describe, expect, it } from 'vitest';
import { decodeTwinValue, encodeTwinValue, TwinValueError } from './value-json.ts';

describe('twin value JSON', () => {
  it('round-trips plain data and the tagged types', () => {
    const v = {
      name: 'port1',
      up: true,
      speed: 100e9,
      frac: 0.125,
      big: 2n ** 64n - 1n,
      bytes: new Uint8Array([0, 1, 0xfe]),
      odd: [NaN, Infinity, -Infinity, -0, undefined, null],
      nested: { list: [{ a: 1 }, { b: 'x' }] },
      missing: undefined,
    };
    const back = decodeTwinValue(encodeTwinValue(v)) as typeof v;
    expect(back).toEqual({ ...v, missing: undefined });
    expect('missing' in back).toBe(false);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Object.is(back.odd[3], -0)).toBe(true);
    expect(back.odd[4]).toBeUndefined();
  });

  it('has no text for undefined and reads it back as undefined', () => {
    expect(encodeTwinValue(undefined)).toBeUndefined();
    expect(decodeTwinValue(undefined)).toBeUndefined();
    expect(decodeTwinValue('"up"')).toBe('up');
  });

  it('refuses what it cannot carry, with a typed error', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodeTwinValue(loop)).toThrow(TwinValueError);
    expect(() => encodeTwinValue(Symbol('x'))).toThrow(TwinValueError);
    expect(() => decodeTwinValue('{not json')).toThrow(TwinValueError);
  });

  it('keeps objects whose tag-like key is not alone, and malformed tags, as objects', () => {
    expect(decodeTwinValue('{"$bigint":"12","x":1}')).toEqual({ $bigint: '12', x: 1 });
    expect(decodeTwinValue('{"$bigint":"1.5"}')).toEqual({ $bigint: '1.5' });
  });
});
