// BFD control codec on hand-built packets: every field, auth sections, RFC 5880 §6.8.6 rules, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import {
  BFD_CONTROL_LEN,
  BFD_DIAG,
  BFD_STATE,
  BfdControlHeader,
  BfdControlView,
  bfdAuthTypeName,
  bfdDiagName,
  bfdStateName,
  type BfdControlInit,
} from './control.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// v1 diag 0 | Up, no flags | mult 3 | len 24 | my 1 | your 2 | tx 10 ms | rx 10 ms | echo 0.
const UP = hex('20 c0 03 18 00000001 00000002 00002710 00002710 00000000');
// v1 diag 0 | Down, A | mult 5 | len 33 | my 0x11 | your 0 | tx 1 s | rx 1 s | echo 0 |
// simple password: type 1, len 9, key 2, "secret" (tshark 4.0: Simple Password "secret").
const SIMPLE = hex('20 44 05 21 00000011 00000000 000f4240 000f4240 00000000 01 09 02 736563726574');
// v1 diag 3 (neighbor down) | Init, F C A | mult 4 | len 48 | my 0xdeadbeef | your 0xcafe | tx 300 ms |
// rx 300 ms | echo 0 | meticulous keyed MD5: type 3, len 24, key 1, reserved, seq 0xffffffff, digest 00..0f.
const MD5 = hex(
  '23 9c 04 30 deadbeef 0000cafe 000493e0 000493e0 00000000 03 18 01 00 ffffffff 000102030405060708090a0b0c0d0e0f',
);
// v1 diag 0 | Up, P A D | mult 3 | len 52 | my 1 | your 2 | tx 10 ms | rx 20 ms | echo 50 ms |
// keyed SHA1: type 4, len 28, key 7, reserved, seq 0x01020304, hash 20 x 0xab (tshark 4.0: Keyed SHA1).
const SHA1 = hex(`20 e6 03 34 00000001 00000002 00002710 00004e20 0000c350 04 1c 07 00 01020304 ${'ab'.repeat(20)}`);

const H_UP = new BfdControlHeader({
  state: BFD_STATE.UP,
  detectMult: 3,
  myDiscriminator: 1,
  yourDiscriminator: 2,
  desiredMinTxUs: 10_000,
  requiredMinRxUs: 10_000,
});
const H_SIMPLE = new BfdControlHeader({
  state: BFD_STATE.DOWN,
  detectMult: 5,
  myDiscriminator: 0x11,
  desiredMinTxUs: 1_000_000,
  requiredMinRxUs: 1_000_000,
  auth: { kind: 'simple-password', keyId: 2, password: new TextEncoder().encode('secret') },
});
const H_MD5 = new BfdControlHeader({
  diag: BFD_DIAG.NEIGHBOR_SIGNALED_SESSION_DOWN,
  state: BFD_STATE.INIT,
  final: true,
  controlPlaneIndependent: true,
  detectMult: 4,
  myDiscriminator: 0xdeadbeef,
  yourDiscriminator: 0xcafe,
  desiredMinTxUs: 300_000,
  requiredMinRxUs: 300_000,
  auth: { kind: 'meticulous-keyed-md5', keyId: 1, sequence: 0xffffffff, digest: Uint8Array.from({ length: 16 }, (_, i) => i) },
});
const H_SHA1 = new BfdControlHeader({
  state: BFD_STATE.UP,
  poll: true,
  demand: true,
  detectMult: 3,
  myDiscriminator: 1,
  yourDiscriminator: 2,
  desiredMinTxUs: 10_000,
  requiredMinRxUs: 20_000,
  requiredMinEchoRxUs: 50_000,
  auth: { kind: 'keyed-sha1', keyId: 7, sequence: 0x01020304, digest: new Uint8Array(20).fill(0xab) },
});
const CASES = [
  [UP, H_UP],
  [SIMPLE, H_SIMPLE],
  [MD5, H_MD5],
  [SHA1, H_SHA1],
] as const;

const parse = (b: Uint8Array) => BfdControlHeader.parse(BfdControlView.checked(b));
const emit = (h: BfdControlHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(BfdControlView.unchecked(out));
  return out;
};
/** A copy with byte `i` replaced (or changed by `f`). */
const patch = (b: Uint8Array, i: number, f: number | ((x: number) => number)) => {
  const c = b.slice();
  c[i] = typeof f === 'number' ? f : f(c[i]);
  return c;
};

describe('BfdControlView', () => {
  test('reads every field of the mandatory section', () => {
    const v = BfdControlView.checked(MD5);
    expect([v.version, v.diag, v.state, v.flags]).toEqual([1, 3, BFD_STATE.INIT, 0x1c]);
    expect([v.poll, v.final, v.controlPlaneIndependent, v.authPresent, v.demand, v.multipoint]).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect([v.detectMult, v.length, v.myDiscriminator, v.yourDiscriminator]).toEqual([4, 48, 0xdeadbeef, 0xcafe]);
    expect([v.desiredMinTxUs, v.requiredMinRxUs, v.requiredMinEchoRxUs]).toEqual([300_000, 300_000, 0]);
    const s = BfdControlView.checked(SHA1);
    expect([s.poll, s.final, s.controlPlaneIndependent, s.authPresent, s.demand, s.multipoint]).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(s.requiredMinEchoRxUs).toBe(50_000);
  });

  test('reads the authentication sections in place', () => {
    const p = BfdControlView.checked(SIMPLE);
    expect([p.authType, p.authLen, p.authKeyId]).toEqual([1, 9, 2]);
    expect(new TextDecoder().decode(p.authPassword)).toBe('secret');
    expect(p.authPassword.byteOffset).toBe(SIMPLE.byteOffset + 27);
    const m = BfdControlView.checked(MD5);
    expect([m.authType, m.authLen, m.authKeyId, m.authSequence]).toEqual([3, 24, 1, 0xffffffff]);
    expect([...m.authDigest]).toEqual([...Array(16).keys()]);
    const s = BfdControlView.checked(SHA1);
    expect([s.authType, s.authLen, s.authKeyId, s.authSequence, s.authDigest.length]).toEqual([4, 28, 7, 0x01020304, 20]);
    expect(s.authData.length).toBe(26);
  });

  test('summary', () => {
    expect(BfdControlView.checked(UP).summary()).toBe('BFD v1 Up diag 0 mult 3 my 0x1 your 0x2 tx 10000us rx 10000us');
    expect(BfdControlView.checked(SHA1).summary()).toBe(
      'BFD v1 Up diag 0 mult 3 my 0x1 your 0x2 tx 10000us rx 20000us echo 50000us flags [P A D] auth keyed-sha1',
    );
    expect(BfdControlView.checked(MD5).summary()).toBe(
      'BFD v1 Init diag 3 mult 4 my 0xdeadbeef your 0xcafe tx 300000us rx 300000us flags [F C A] auth meticulous-keyed-md5',
    );
  });

  test('Length bounds the packet: trailing bytes (UDP padding) are fine', () => {
    const long = new Uint8Array(40);
    long.set(UP);
    expect(parse(long)).toEqual(H_UP);
  });
});

describe('BfdControlHeader', () => {
  test('parses every packet; auth bytes are subarrays', () => {
    for (const [b, h] of CASES) expect(parse(b)).toEqual(h);
    const a = parse(SHA1).auth;
    if (a?.kind !== 'keyed-sha1') throw new Error('expected keyed SHA1');
    expect(a.digest.buffer).toBe(SHA1.buffer);
  });

  test('writes every field over 0xa5', () => {
    for (const [b, h] of CASES) expect(emit(h, 0xa5)).toEqual(b);
  });

  test('round trip, extremes and unknown values included', () => {
    for (const [b] of CASES) expect(parse(emit(parse(b)))).toEqual(parse(b));
    const max = new BfdControlHeader({
      diag: 31,
      state: BFD_STATE.UP,
      poll: true,
      final: true,
      controlPlaneIndependent: true,
      demand: true,
      detectMult: 255,
      myDiscriminator: 0xffffffff,
      yourDiscriminator: 0xffffffff,
      desiredMinTxUs: 0xffffffff,
      requiredMinRxUs: 0xffffffff,
      requiredMinEchoRxUs: 0xffffffff,
      auth: { kind: 'unknown', raw: 200, data: new Uint8Array(229).fill(7) },
    });
    expect(max.bufferLen()).toBe(255);
    expect(parse(emit(max))).toEqual(max);
    const password16 = new BfdControlHeader({ ...H_SIMPLE, auth: { kind: 'simple-password', keyId: 255, password: new Uint8Array(16).fill(0x41) } });
    expect(parse(emit(password16))).toEqual(password16);
    const reserved0 = new BfdControlHeader({ ...H_UP, auth: { kind: 'unknown', raw: 0, data: new Uint8Array(0) } });
    expect(emit(reserved0).subarray(24)).toEqual(Uint8Array.of(0, 2));
    expect(parse(emit(reserved0))).toEqual(reserved0);
    expect(bfdDiagName(parse(emit(max)).diag)).toBe('diag 31');
  });

  test('MD5/SHA1 Reserved is written as zero and ignored on receipt (§4.3, §4.4)', () => {
    expect(parse(patch(MD5, 27, 0x55))).toEqual(H_MD5);
    expect(emit(parse(patch(MD5, 27, 0x55)))).toEqual(MD5);
  });

  test('names: states, diagnostics (RFC 5880 §4.1), auth types', () => {
    expect([0, 1, 2, 3].map(bfdStateName)).toEqual(['AdminDown', 'Down', 'Init', 'Up']);
    expect(Object.values(BFD_DIAG)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bfdDiagName(BFD_DIAG.ADMINISTRATIVELY_DOWN)).toBe('Administratively Down');
    expect(bfdDiagName(8)).toBe('Reverse Concatenated Path Down');
    expect([0, 1, 2, 3, 4, 5, 6].map(bfdAuthTypeName)).toEqual([
      'reserved',
      'simple-password',
      'keyed-md5',
      'meticulous-keyed-md5',
      'keyed-sha1',
      'meticulous-keyed-sha1',
      'auth-6',
    ]);
    expect(BFD_CONTROL_LEN).toBe(24);
  });

  test('truncated: the 24 bytes, then Length', () => {
    for (const [b, field] of [
      [UP.subarray(0, 23), 'header'],
      [SHA1.subarray(0, 51), 'length'],
      [SIMPLE.subarray(0, 30), 'length'],
    ] as const) {
      const e = catchWire(() => BfdControlView.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'bfd', field]);
    }
  });

  test('each packet-level rule of RFC 5880 §6.8.6 is a malformed WireError naming it', () => {
    const down = (b: Uint8Array) => patch(b, 1, (x) => (x & 0x3f) | (BFD_STATE.DOWN << 6));
    const cases: Array<[Uint8Array, string, RegExp]> = [
      [patch(UP, 0, 0x00), 'version', /§6\.8\.6: version 0/],
      [patch(UP, 0, 0x40), 'version', /version 2/],
      [patch(UP, 3, 23), 'length', /§6\.8\.6: Length 23 < 24/],
      [patch(UP, 1, 0xc4), 'length', /Length 24 < 26 with the A bit/],
      [patch(UP, 2, 0), 'detectMult', /Detect Mult is zero/],
      [patch(UP, 1, 0xc1), 'multipoint', /M bit/],
      [patch(patch(patch(patch(UP, 4, 0), 5, 0), 6, 0), 7, 0), 'myDiscriminator', /My Discriminator is zero/],
      [patch(UP, 11, 0), 'yourDiscriminator', /zero in state Up/],
      [patch(MD5, 11, 0).map((x, i) => (i >= 8 && i < 12 ? 0 : x)), 'yourDiscriminator', /zero in state Init/],
    ];
    for (const [b, field, msg] of cases) {
      const e = catchWire(() => parse(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['malformed', 'bfd', field]);
      expect(e.message).toMatch(msg);
    }
    // Your Discriminator zero is what Down and AdminDown packets carry before the peer is known.
    const noYour = UP.map((x, i) => (i >= 8 && i < 12 ? 0 : x));
    expect(parse(down(noYour)).yourDiscriminator).toBe(0);
    expect(parse(patch(noYour, 1, 0x00)).state).toBe(BFD_STATE.ADMIN_DOWN);
  });

  test('the authentication section must fit its type and Length (§4.1-4.4)', () => {
    const long = new Uint8Array(30);
    long.set(UP);
    long[3] = 30;
    const cases: Array<[Uint8Array, string]> = [
      [long, 'length'], // A clear: Length must be 24
      [patch(MD5, 25, 20), 'auth.len'], // keyed MD5 needs 24
      [patch(SHA1, 25, 24), 'auth.len'], // SHA1 needs 28
      [patch(SIMPLE, 25, 3), 'auth.len'], // an empty password
      [patch(SIMPLE, 25, 10), 'auth.len'], // past Length
      [patch(patch(SIMPLE, 24, 9), 25, 1), 'auth.len'], // shorter than its own type and length bytes
    ];
    for (const [b, field] of cases) {
      const e = catchWire(() => parse(b));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    // An unassigned type is kept raw.
    const other = patch(patch(SIMPLE, 24, 9), 25, 9);
    expect(parse(other).auth).toEqual({ kind: 'unknown', raw: 9, data: hex('02736563726574') });
    expect(emit(parse(other))).toEqual(other);
  });

  test('emit writes packets that break §6.8.6, for negative tests of a peer', () => {
    const bad = new BfdControlHeader({ ...H_UP, version: 0, multipoint: true, detectMult: 0, myDiscriminator: 0 });
    const out = emit(bad);
    expect([out[0] >> 5, out[1] & 1, out[2]]).toEqual([0, 1, 0]);
    expect(catchWire(() => parse(out)).field).toBe('version');
  });

  test('emit rejects values that do not fit, and short buffers', () => {
    const cases: Array<[Partial<BfdControlInit>, string]> = [
      [{ version: 8 }, 'version'],
      [{ diag: 32 }, 'diag'],
      [{ state: 4 as never }, 'state'],
      [{ detectMult: 256 }, 'detectMult'],
      [{ myDiscriminator: -1 }, 'myDiscriminator'],
      [{ yourDiscriminator: 2 ** 32 }, 'yourDiscriminator'],
      [{ desiredMinTxUs: 1.5 }, 'desiredMinTxUs'],
      [{ requiredMinRxUs: NaN }, 'requiredMinRxUs'],
      [{ requiredMinEchoRxUs: 2 ** 32 }, 'requiredMinEchoRxUs'],
      [{ auth: { kind: 'simple-password', keyId: 1, password: new Uint8Array(0) } }, 'auth.password'],
      [{ auth: { kind: 'simple-password', keyId: 1, password: new Uint8Array(17) } }, 'auth.password'],
      [{ auth: { kind: 'simple-password', keyId: 256, password: new Uint8Array(1) } }, 'auth.keyId'],
      [{ auth: { kind: 'keyed-md5', keyId: 1, sequence: 0, digest: new Uint8Array(20) } }, 'auth.digest'],
      [{ auth: { kind: 'keyed-sha1', keyId: 1, sequence: 2 ** 32, digest: new Uint8Array(20) } }, 'auth.sequence'],
      [{ auth: { kind: 'unknown', raw: 256, data: new Uint8Array(0) } }, 'auth.raw'],
      [{ auth: { kind: 'unknown', raw: 9, data: new Uint8Array(230) } }, 'auth.data'],
    ];
    for (const [init, field] of cases) {
      const h = new BfdControlHeader({ ...H_UP, ...init });
      const e = catchWire(() => h.emit(BfdControlView.unchecked(new Uint8Array(255))));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    const e = catchWire(() => H_SHA1.emit(BfdControlView.unchecked(new Uint8Array(51))));
    expect([e.kind, e.field]).toEqual(['truncated', 'header']);
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x) with Length bytes', () => {
    const stats = fuzz({
      seed: 5880,
      maxLen: 64,
      samples: [UP, SIMPLE, MD5, SHA1],
      parse,
      roundTrip: (h, b) => {
        const out = emit(h);
        expect(out.length).toBe(b[3]);
        expect(parse(out)).toEqual(h);
      },
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.malformed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(1000);
  });
});
