// GSE header codec on hand-built bytes: every field of each type, write over 0xa5, round trip, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import { GSE_FLAG, GSE_HEADER_LEN, GSE_LAYOUT_ASSUMED, GSE_TYPE, GseHeader, GseView, gseLayoutNote, gseTypeName, type GseInit } from './header.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// v1 data | FIRST | IPv4 | container 0x2a | seq 0 of 4 | gsp 3 > 17 | dport 5 | pri 3 | subtype 0 |
// requested 0 | granted 0 | grant 9 | then the first bytes of the IPv4 packet.
const DATA = hex('10 80 0800 0000002a 0000 0004 0003 0011 0005 60 00 00000000 00000000 00000009 4500');
// v1 request | no flags | nothing follows | gsp 3 > 17 | dport 5 | pri 5 | 64 KiB requested.
const REQUEST = hex('11 00 0000 00000000 0000 0000 0003 0011 0005 a0 00 00010000 00000000 00000000');
// v1 grant | gsp 17 > 3 | dport 5 | pri 5 | 48 KiB granted under grant 0xdeadbeef.
const GRANT = hex('12 00 0000 00000000 0000 0000 0011 0003 0005 a0 00 00000000 0000c000 deadbeef');
// v1 control | gsp 1 > 2 | pri 7 | subtype 2.
const CONTROL = hex('13 00 0000 00000000 0000 0000 0001 0002 0000 e0 02 00000000 00000000 00000000');

const H_DATA = new GseHeader({ type: GSE_TYPE.DATA, flags: GSE_FLAG.FIRST, nextProtocol: 0x0800, containerId: 42, seq: 0, packetCount: 4, srcGsp: 3, dstGsp: 17, dport: 5, priority: 3, grantId: 9 });
const H_REQUEST = new GseHeader({ type: GSE_TYPE.REQUEST, srcGsp: 3, dstGsp: 17, dport: 5, priority: 5, requestedBytes: 65536 });
const H_GRANT = new GseHeader({ type: GSE_TYPE.GRANT, srcGsp: 17, dstGsp: 3, dport: 5, priority: 5, grantedBytes: 49152, grantId: 0xdeadbeef });
const H_CONTROL = new GseHeader({ type: GSE_TYPE.CONTROL, srcGsp: 1, dstGsp: 2, priority: 7, subtype: 2 });
const CASES = [
  [DATA.subarray(0, GSE_HEADER_LEN), H_DATA],
  [REQUEST, H_REQUEST],
  [GRANT, H_GRANT],
  [CONTROL, H_CONTROL],
] as const;

const parse = (b: Uint8Array) => GseHeader.parse(GseView.checked(b));
const emit = (h: GseHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(GseView.unchecked(out));
  return out;
};

describe('GseView', () => {
  test('reads every field of a data container packet', () => {
    const v = GseView.checked(DATA);
    expect([v.version, v.type, v.flags, v.first, v.last, v.nextProtocol]).toEqual([1, 0, 0x80, true, false, 0x0800]);
    expect([v.containerId, v.seq, v.packetCount, v.srcGsp, v.dstGsp, v.dport, v.priority, v.subtype]).toEqual([42, 0, 4, 3, 17, 5, 3, 0]);
    expect([v.requestedBytes, v.grantedBytes, v.grantId]).toEqual([0, 0, 9]);
    expect([...v.payload]).toEqual([0x45, 0x00]);
    expect(v.payload.byteOffset).toBe(DATA.byteOffset + 32);
    expect(v.summary()).toBe('GSE data gsp 3 > 17 dport 5 pri 3 ctr 0x0000002a seq 0/4 [F] grant 9 next IPv4');
  });

  test('reads request, grant and control fields', () => {
    const r = GseView.checked(REQUEST);
    expect([r.type, r.nextProtocol, r.srcGsp, r.dstGsp, r.dport, r.priority, r.requestedBytes]).toEqual([1, 0, 3, 17, 5, 5, 65536]);
    expect(r.summary()).toBe('GSE request gsp 3 > 17 dport 5 pri 5 request 65536 bytes');
    const g = GseView.checked(GRANT);
    expect([g.type, g.srcGsp, g.dstGsp, g.grantedBytes, g.grantId]).toEqual([2, 17, 3, 49152, 0xdeadbeef]);
    expect(g.summary()).toBe('GSE grant gsp 17 > 3 dport 5 pri 5 grant 3735928559 49152 bytes');
    const c = GseView.checked(CONTROL);
    expect([c.type, c.priority, c.subtype]).toEqual([3, 7, 2]);
    expect(c.summary()).toBe('GSE control gsp 1 > 2 dport 0 pri 7 subtype 2');
    expect(gseTypeName(9)).toBe('type-9');
  });

  test('last packet of a container of unknown size', () => {
    const b = DATA.slice();
    const v = GseView.unchecked(b);
    v.setFlags(GSE_FLAG.LAST);
    v.setSeq(7);
    v.setPacketCount(0);
    expect(v.summary()).toContain('seq 7/? [L]');
    expect(parse(b)).toMatchObject({ seq: 7, packetCount: 0, flags: GSE_FLAG.LAST });
  });

  test('the layout is marked as assumed', () => {
    expect(GSE_LAYOUT_ASSUMED).toBe(true);
    expect(gseLayoutNote).toMatch(/assumed.*0x88b5/);
  });
});

describe('GseHeader', () => {
  test('parses each type', () => {
    for (const [bytes, h] of CASES) expect(parse(bytes)).toEqual(h);
  });

  test('writes every field over 0xa5', () => {
    for (const [bytes, h] of CASES) expect(emit(h, 0xa5)).toEqual(bytes);
  });

  test('round trip, unknown types and reserved bits', () => {
    for (const [bytes] of CASES) expect(parse(emit(parse(bytes)))).toEqual(parse(bytes));
    const unknown: GseInit = { type: 9, flags: 0x3f, nextProtocol: 0x1234, srcGsp: 1, dstGsp: 2, subtype: 0xff };
    expect(parse(emit(new GseHeader(unknown)))).toEqual(new GseHeader(unknown));
    const reserved = REQUEST.slice();
    reserved[18] |= 0x1f;
    expect(parse(reserved)).toEqual(H_REQUEST);
    expect(emit(parse(reserved))).toEqual(REQUEST);
  });

  test('truncated and malformed', () => {
    const t = catchWire(() => GseView.checked(REQUEST.subarray(0, 31)));
    expect([t.kind, t.protocol, t.field]).toEqual(['truncated', 'gse', 'header']);
    const v2 = REQUEST.slice();
    v2[0] = 0x21;
    expect([catchWire(() => parse(v2)).kind, catchWire(() => parse(v2)).field]).toEqual(['unsupported', 'version']);
    const cases: Array<[Uint8Array, string]> = [];
    const noInner = DATA.slice(0, 32);
    noInner[2] = noInner[3] = 0;
    cases.push([noInner, 'nextProtocol']);
    const seq = DATA.slice(0, 32);
    seq[9] = 4;
    cases.push([seq, 'seq']);
    const carrying = REQUEST.slice();
    carrying[2] = 0x08;
    cases.push([carrying, 'nextProtocol']);
    const noId = GRANT.slice();
    noId.fill(0, 28, 32);
    cases.push([noId, 'grantId']);
    for (const [b, field] of cases) {
      const e = catchWire(() => parse(b));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    const out = () => GseView.unchecked(new Uint8Array(32));
    for (const [init, field] of [
      [{ type: 16 }, 'type'],
      [{ flags: 256 }, 'flags'],
      [{ dport: 65536 }, 'dport'],
      [{ srcGsp: -1 }, 'srcGsp'],
      [{ containerId: 2 ** 32 }, 'containerId'],
      [{ requestedBytes: 1.5 }, 'requestedBytes'],
      [{ priority: 8 }, 'priority'],
      [{ nextProtocol: 0x0800 }, 'nextProtocol'],
    ] as const) {
      const e = catchWire(() => new GseHeader({ ...H_REQUEST, ...init }).emit(out()));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    expect(catchWire(() => H_REQUEST.emit(GseView.unchecked(new Uint8Array(31)))).kind).toBe('truncated');
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 0x88b5,
      maxLen: 48,
      samples: CASES.map(([b]) => b),
      // Force version 1 half the time so that mutations reach the type rules.
      fixup: (b) => {
        if (b.length && b[b.length - 1] & 1) b[0] = 0x10 | (b[0] & 0x0f);
      },
      parse,
      roundTrip: (h) => expect(parse(emit(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(1000);
    expect(stats.rejected.malformed).toBeGreaterThan(100);
    expect(stats.rejected.unsupported).toBeGreaterThan(1000);
  });
});
