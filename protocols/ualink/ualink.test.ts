// UALink codecs on hand-built bytes: UPLI fields, TL control flits and stream framing, DL flits, sequence acceptance, fuzz loops.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz, prng, randomBytes } from '../testing.ts';
import {
  UALINK_DL_FLIT_LEN,
  UALINK_DL_OP,
  UALINK_DL_TL_SLOTS,
  UALINK_ID_MAX,
  UALINK_LAYOUT_ASSUMED,
  UALINK_OPCODE,
  UALINK_TL_FLIT_LEN,
  UalinkDlHeader,
  UalinkDlView,
  UalinkTlPacker,
  UalinkTlUnpacker,
  UalinkUpliHeader,
  UalinkUpliView,
  ualinkControlFlit,
  ualinkDlAccept,
  ualinkDlSeqDistance,
  ualinkDlSeqNext,
  ualinkLayoutNote,
  ualinkParseControlFlit,
  type UalinkTlMessage,
} from './index.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// WRITE | 256 B (code 3) status 0 | src 0x3ff | dst 0x155 | tag 0xabc | address 0x1_2345_6789_abcd_ef
const WRITE = hex('02 c0 03ff 0155 0abc 0123456789abcdef');
// READ_RESPONSE | 64 B status 5 | src 7 | dst 1023 | tag 1 | address 0
const RESP = hex('81 05 0007 03ff 0001 0000000000000000');

const parseUpli = (b: Uint8Array) => UalinkUpliHeader.parse(UalinkUpliView.checked(b));

describe('UalinkUpliView / UalinkUpliHeader', () => {
  test('reads every field of a write request and a read response', () => {
    const v = UalinkUpliView.checked(WRITE);
    expect([v.opcode, v.sizeCode, v.sizeBytes, v.status, v.srcId, v.dstId, v.tag]).toEqual([2, 3, 256, 0, 1023, 0x155, 0xabc]);
    expect(v.address).toBe(0x123456789abcdefn);
    expect(v.summary()).toBe('UPLI write 1023 > 341 tag 2748 256 B at 0x123456789abcdef');
    const r = UalinkUpliView.checked(RESP);
    expect([r.opcode, r.sizeBytes, r.status, r.srcId, r.dstId, r.tag, r.address]).toEqual([0x81, 64, 5, 7, 1023, 1, 0n]);
    expect(r.summary()).toBe('UPLI read-response 7 > 1023 tag 1 64 B status 5');
  });

  test('writes every field over 0xa5 and round-trips', () => {
    for (const b of [WRITE, RESP]) {
      const h = parseUpli(b)!;
      const out = new Uint8Array(16).fill(0xa5);
      h.emit(UalinkUpliView.unchecked(out));
      expect(out).toEqual(b);
    }
    expect(parseUpli(WRITE)).toEqual(new UalinkUpliHeader({ opcode: UALINK_OPCODE.WRITE, sizeBytes: 256, srcId: 1023, dstId: 0x155, tag: 0xabc, address: 0x123456789abcdefn }));
  });

  test('an empty slot parses to null; a dirty empty slot is malformed', () => {
    expect(parseUpli(new Uint8Array(16))).toBeNull();
    const b = new Uint8Array(16);
    b[5] = 1;
    expect(catchWire(() => parseUpli(b)).field).toBe('upli');
  });

  test('an id beyond 10 bits, reserved bits and a 58-bit address are malformed', () => {
    const beyond = WRITE.slice();
    beyond[4] = 0x04; // dst 0x455 = 1109
    expect(catchWire(() => parseUpli(beyond))).toMatchObject({ kind: 'malformed', field: 'dstId' });
    const src = WRITE.slice();
    src[2] = 0x80;
    expect(catchWire(() => parseUpli(src)).field).toBe('srcId');
    const addr = WRITE.slice();
    addr[8] = 0x02;
    expect(catchWire(() => parseUpli(addr)).field).toBe('address');
    const tag = WRITE.slice();
    tag[6] = 0x10;
    expect(catchWire(() => parseUpli(tag)).field).toBe('tag');
    expect(catchWire(() => UalinkUpliView.checked(WRITE.subarray(0, 15))).kind).toBe('truncated');
  });

  test('emit refuses values the layout cannot hold', () => {
    const out = new Uint8Array(16);
    const mk = (o: object) => new UalinkUpliHeader({ opcode: UALINK_OPCODE.READ, srcId: 1, dstId: 2, ...o });
    expect(catchWire(() => mk({ dstId: UALINK_ID_MAX + 1 }).emit(UalinkUpliView.unchecked(out))).field).toBe('dstId');
    expect(catchWire(() => mk({ sizeBytes: 96 }).emit(UalinkUpliView.unchecked(out))).field).toBe('sizeBytes');
    expect(catchWire(() => mk({ address: 1n << 57n }).emit(UalinkUpliView.unchecked(out))).field).toBe('address');
    expect(catchWire(() => mk({ opcode: 0 }).emit(UalinkUpliView.unchecked(out))).field).toBe('opcode');
  });

  test('fuzz: only WireError escapes, parses round-trip', () => {
    const stats = fuzz({
      seed: 0x0a11,
      maxLen: 20,
      samples: [WRITE, RESP],
      parse: parseUpli,
      roundTrip: (h, buf) => {
        if (h === null) return;
        const out = new Uint8Array(16);
        h.emit(UalinkUpliView.unchecked(out));
        expect(out).toEqual(buf.subarray(0, 16));
      },
    });
    expect(stats.parsed).toBeGreaterThan(100);
  });
});

const msg = (opcode: number, sizeBytes: number, tag: number): UalinkTlMessage => {
  const header = new UalinkUpliHeader({ opcode, sizeBytes, srcId: 1, dstId: 2, tag, address: BigInt(tag) * 256n });
  const data = header.carriesData ? Uint8Array.from({ length: sizeBytes }, (_, i) => (tag + i) & 0xff) : new Uint8Array(0);
  return { header, data };
};

describe('TL flits', () => {
  test('a control flit holds one to four headers, empty slots last', () => {
    const hs = [msg(UALINK_OPCODE.WRITE, 128, 1).header, msg(UALINK_OPCODE.READ, 64, 2).header];
    const flit = ualinkControlFlit(hs);
    expect(flit.length).toBe(UALINK_TL_FLIT_LEN);
    expect(flit.subarray(32).every((b) => b === 0)).toBe(true);
    expect(ualinkParseControlFlit(flit)).toEqual(hs);
    const hole = flit.slice();
    hole.copyWithin(48, 0, 16);
    hole.fill(0, 16, 32);
    expect(catchWire(() => ualinkParseControlFlit(hole)).field).toBe('tl.slot');
    expect(catchWire(() => ualinkParseControlFlit(new Uint8Array(64))).field).toBe('tl.flit');
    expect(catchWire(() => ualinkControlFlit([])).field).toBe('tl.slots');
  });

  test('the packer frames messages; the unpacker gets them back in order', () => {
    const ms = [msg(UALINK_OPCODE.WRITE, 256, 1), msg(UALINK_OPCODE.READ, 64, 2), msg(UALINK_OPCODE.WRITE, 64, 3), msg(UALINK_OPCODE.WRITE_COMPLETION, 64, 4), msg(UALINK_OPCODE.WRITE, 192, 5)];
    const p = new UalinkTlPacker();
    for (const m of ms) p.push(m);
    const flits = [];
    for (let f = p.nextFlit(); f !== null; f = p.nextFlit()) flits.push(f);
    // control [w256 r64 w64 wc64] + 4 + 1 data flits, control [w192] + 3 data flits
    expect(flits.map((f) => (f.control ? 'C' : 'd')).join('')).toBe('CdddddCddd');
    expect(p.controlFlitsOut).toBe(2);
    const u = new UalinkTlUnpacker();
    const back = flits.flatMap((f) => u.push(f));
    expect(back.map((m) => m.header.tag)).toEqual([1, 2, 3, 4, 5]); // in header order: a read waits for the write before it
    expect(back.find((m) => m.header.tag === 1)!.data).toEqual(ms[0].data);
    expect(u.partial).toBe(0);
  });

  test('take() holds the queue head back and keeps order', () => {
    let allow = 1;
    const p = new UalinkTlPacker(() => allow-- > 0);
    p.push(msg(UALINK_OPCODE.READ, 64, 1));
    p.push(msg(UALINK_OPCODE.READ, 64, 2));
    expect(ualinkParseControlFlit(p.nextFlit()!.bytes).map((h) => h.tag)).toEqual([1]);
    expect(p.hasFlit()).toBe(false);
    allow = 5;
    expect(ualinkParseControlFlit(p.nextFlit()!.bytes).map((h) => h.tag)).toEqual([2]);
  });

  test('after a stream break the unpacker drops the partial message and resynchronises', () => {
    const p = new UalinkTlPacker();
    p.push(msg(UALINK_OPCODE.WRITE, 256, 1));
    p.push(msg(UALINK_OPCODE.WRITE, 64, 2));
    const flits = [];
    for (let f = p.nextFlit(); f !== null; f = p.nextFlit()) flits.push(f);
    const u = new UalinkTlUnpacker();
    u.push(flits[0]);
    u.push(flits[1]);
    u.streamBreak();
    expect(u.lostMessages).toBe(2);
    expect(flits.slice(3).flatMap((f) => u.push(f))).toEqual([]);
    expect(u.strayFlits).toBe(3);
  });
});

const tl = (n: number, control: (k: number) => boolean = (k) => k === 0) =>
  Array.from({ length: n }, (_, k) => ({ bytes: new Uint8Array(64).fill(k + 1), control: control(k) }));

describe('DL flits', () => {
  test('a payload flit: header bits, segment headers, slots, CRC', () => {
    const h = new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: 0x1a5, ackSeq: 0x0ff, tl: tl(9) });
    const b = h.encode();
    expect(b.length).toBe(UALINK_DL_FLIT_LEN);
    // op 0, payload 1, seq 0x1a5, ackValid 1, ack 0x0ff, reserved 0: 0 1 110100101 1 011111111 0
    expect([...b.subarray(0, 3)]).toEqual([0x1d, 0x2d, 0xfe]);
    expect([...b.subarray(3, 8)]).toEqual([0xe0, 0xa0, 0xa0, 0xa0, 0x80]);
    expect(b.subarray(8, 72).every((x) => x === 1)).toBe(true);
    expect(b.subarray(8 + 9 * 64, 636).every((x) => x === 0)).toBe(true);
    const v = UalinkDlView.checked(b);
    expect([v.op, v.payloadFlag, v.seq, v.ackValid, v.ackSeq, v.slotCount, v.crcOk]).toEqual([0, true, 0x1a5, true, 0xff, 9, true]);
    expect(v.summary()).toMatch(/^UALink DL payload seq 421 ack 255 tl 9 \(1 control\) crc 0x[0-9a-f]{8}$/);
    const back = UalinkDlHeader.parse(v);
    expect([back.op, back.seq, back.ackSeq, back.tl.length]).toEqual([0, 0x1a5, 0xff, UALINK_DL_TL_SLOTS]);
    expect(back.tl.map((f) => f.control)).toEqual([true, false, false, false, false, false, false, false, false]);
  });

  test('emit over 0xa5 writes every byte; command flits round-trip', () => {
    for (const h of [
      new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: 1, tl: tl(3, () => true) }),
      new UalinkDlHeader({ op: UALINK_DL_OP.ACK, ackSeq: 511 }),
      new UalinkDlHeader({ op: UALINK_DL_OP.REPLAY_REQUEST, ackSeq: 17 }),
      new UalinkDlHeader({ op: UALINK_DL_OP.NOP }),
    ]) {
      const out = new Uint8Array(640).fill(0xa5);
      h.emit(UalinkDlView.unchecked(out));
      expect(out).toEqual(h.encode());
      const back = UalinkDlHeader.parse(UalinkDlView.checked(out));
      expect([back.op, back.seq, back.ackSeq, back.tl.length]).toEqual([h.op, h.seq, h.ackSeq, h.tl.length]);
    }
  });

  test('bad CRC, reserved bits, holes, misplaced sequence numbers are malformed', () => {
    const good = new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: 5, tl: tl(4) }).encode();
    const flip = good.slice();
    flip[100] ^= 4;
    expect(catchWire(() => UalinkDlHeader.parse(UalinkDlView.checked(flip))).field).toBe('crc');
    expect(UalinkDlHeader.parse(UalinkDlView.checked(flip), { verifyCrc: false }).seq).toBe(5);
    const refill = (b: Uint8Array) => (UalinkDlView.unchecked(b).fillCrc(), b);
    const hole = good.slice();
    hole[4] = 0x00; // segment 1 empty while segment 2 ... (slots 2,3 gone)
    hole[5] = 0x80;
    expect(catchWire(() => UalinkDlHeader.parse(UalinkDlView.checked(refill(hole)))).field).toBe('dl.segment');
    const seg4 = good.slice();
    seg4[7] = 0x20;
    expect(catchWire(() => UalinkDlHeader.parse(UalinkDlView.checked(refill(seg4)))).field).toBe('dl.segment');
    const res = good.slice();
    res[2] |= 1;
    expect(catchWire(() => UalinkDlHeader.parse(UalinkDlView.checked(refill(res)))).field).toBe('dl.header');
    const noSeq = good.slice();
    UalinkDlView.unchecked(noSeq).setHeader(UALINK_DL_OP.PAYLOAD, true, 0, null);
    expect(catchWire(() => UalinkDlHeader.parse(UalinkDlView.checked(refill(noSeq)))).field).toBe('seq');
    expect(catchWire(() => new UalinkDlHeader({ op: UALINK_DL_OP.ACK, ackSeq: 1, tl: tl(1) }).encode()).field).toBe('dl.tl');
    expect(catchWire(() => new UalinkDlHeader({ op: UALINK_DL_OP.REPLAY_REQUEST }).encode()).field).toBe('ackSeq');
    expect(catchWire(() => new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: 1, tl: tl(10) }).encode()).field).toBe('dl.tl');
    expect(catchWire(() => UalinkDlView.checked(good.subarray(0, 639))).kind).toBe('truncated');
  });

  test('sequence numbers wrap 511 -> 1; the accept helper follows the receiver', () => {
    expect([ualinkDlSeqNext(1), ualinkDlSeqNext(510), ualinkDlSeqNext(511)]).toEqual([2, 511, 1]);
    expect([ualinkDlSeqDistance(510, 2), ualinkDlSeqDistance(2, 510)]).toEqual([3, 508]);
    const f = (seq: number) => new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq, tl: tl(1) }).encode();
    const bad = f(12);
    bad[9] ^= 1;
    // 10, 11 | 12 lost (bad CRC) | 13 skipped | replay 12, 13 | ack flit ignored
    const r = ualinkDlAccept([f(10), f(11), bad, f(13), f(12), f(13), new UalinkDlHeader({ op: UALINK_DL_OP.ACK, ackSeq: 13 }).encode()]);
    expect(r.accepted.map((h) => h.seq)).toEqual([10, 11, 12, 13]);
    expect([r.skipped, r.badCrc]).toEqual([1, 1]);
  });

  test('fuzz: only WireError escapes, parses round-trip (CRC refilled)', () => {
    const rnd = prng(7);
    const samples = [
      new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: 300, ackSeq: 2, tl: tl(9) }).encode(),
      new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: 1, tl: [{ bytes: randomBytes(rnd, 64), control: false }] }).encode(),
      new UalinkDlHeader({ op: UALINK_DL_OP.REPLAY_REQUEST, ackSeq: 44 }).encode(),
    ];
    const stats = fuzz({
      seed: 0x0d1,
      iterations: 5000,
      maxLen: 700,
      samples,
      fixup: (b) => UalinkDlView.unchecked(b).fillCrc(),
      parse: (b) => UalinkDlHeader.parse(UalinkDlView.checked(b)),
      roundTrip: (h, buf) => {
        const out = h.encode();
        const back = UalinkDlHeader.parse(UalinkDlView.checked(out));
        expect([back.op, back.seq, back.ackSeq, back.tl.length]).toEqual([h.op, h.seq, h.ackSeq, h.tl.length]);
        expect(out.subarray(0, 8 + 64 * h.tl.length)).toEqual(buf.subarray(0, 8 + 64 * h.tl.length));
      },
    });
    expect(stats.parsed).toBeGreaterThan(200);
  });

  test('the layout is marked as assumed', () => {
    expect(UALINK_LAYOUT_ASSUMED).toBe(true);
    expect(ualinkLayoutNote).toMatch(/assumed/);
  });
});
