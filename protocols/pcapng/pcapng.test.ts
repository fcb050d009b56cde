// pcapng writer and reader: exact block bytes, timestamps, file streaming, foreign files, bad input, fuzz, speed.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { catchWire, fuzz, prng, randomBytes } from '../testing.ts';
import { readPcapng, readPcapngFile } from './reader.ts';
import { PcapngWriter } from './writer.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!, (h) => parseInt(h, 16));
const dir = mkdtempSync(join(tmpdir(), 'pcapng-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Little-endian blocks as the writer lays them out (draft-ietf-opsawg-pcapng §4).
const SHB = hex(`
  0a0d0d0a 30000000 4d3c2b1a 0100 0000 ffffffffffffffff
  0400 0a00 6661627269632d68696c 0000
  0000 0000
  30000000`);
const IDB_PORT1 = hex(`
  01000000 2c000000 0100 0000 00000000
  0200 0500 706f727431 000000
  0900 0100 09 000000
  0000 0000
  2c000000`);
const EPB_WITH_COMMENT = hex(`
  06000000 30000000 00000000
  00000000 39300000
  03000000 40000000
  aabbcc 00
  0100 02 00 6869 0000
  0000 0000
  30000000`);

describe('PcapngWriter', () => {
  test('writes SHB, IDB and EPB byte for byte', () => {
    const w = PcapngWriter.inMemory();
    expect(w.addInterface({ name: 'port1' })).toBe(0);
    w.writePacket(0, 12_345_678, Uint8Array.of(0xaa, 0xbb, 0xcc), { comment: 'hi', originalLen: 64 });
    const bytes = w.bytes();
    expect(bytes.subarray(0, 48)).toEqual(SHB);
    expect(bytes.subarray(48, 92)).toEqual(IDB_PORT1);
    expect(bytes.subarray(92)).toEqual(EPB_WITH_COMMENT);
  });

  test('round trip through the reader: interfaces, timestamps, data, comments', () => {
    const w = PcapngWriter.inMemory({ application: 'test' });
    const a = w.addInterface({ name: 'gsp1:port1', description: 'leaf uplink' });
    const b = w.addInterface({ name: 'gsp1:port2', snapLen: 9000 });
    const frames = [new Uint8Array(60).fill(1), new Uint8Array(1514).fill(2), new Uint8Array(0), Uint8Array.of(7)];
    w.writePacket(a, 0, frames[0]);
    w.writePacket(b, 1_999, frames[1], { comment: 'ünïcode ✓' });
    w.writePacket(a, 10n ** 21n + 999n, frames[2]);
    w.writePacket(b, 2 ** 52, frames[3]);
    expect(w.packetCount).toBe(4);
    const cap = readPcapng(w.bytes());
    expect(cap.interfaces.map((i) => [i.id, i.name, i.description, i.linkType, i.snapLen, i.unitsPerSecond])).toEqual([
      [0, 'gsp1:port1', 'leaf uplink', 1, 0, 1_000_000_000n],
      [1, 'gsp1:port2', undefined, 1, 9000, 1_000_000_000n],
    ]);
    expect(cap.packets.map((p) => [p.interfaceId, p.interface.name, p.timeNs, p.originalLen, p.comment])).toEqual([
      [0, 'gsp1:port1', 0n, 60, undefined],
      [1, 'gsp1:port2', 1n, 1514, 'ünïcode ✓'],
      [0, 'gsp1:port1', 10n ** 18n, 0, undefined],
      [1, 'gsp1:port2', BigInt(2 ** 52) / 1000n, 1, undefined],
    ]);
    cap.packets.forEach((p, i) => expect(p.data).toEqual(frames[i]));
  });

  test('streams to a file as the staging buffer fills; the file equals the in-memory capture', () => {
    const path = join(dir, 'stream.pcapng');
    const file = PcapngWriter.toFile(path, { bufferBytes: 256 });
    const mem = PcapngWriter.inMemory({ bufferBytes: 256 });
    const rnd = prng(1);
    const sizes: number[] = [];
    for (const w of [file, mem]) w.addInterface({ name: 'port1' });
    for (let i = 0; i < 50; i++) {
      const frame = randomBytes(rnd, 60 + (rnd() % 400));
      for (const w of [file, mem]) w.writePacket(0, i * 1_000_000, frame, i % 7 ? {} : { comment: `#${i}` });
      sizes.push(statSync(path).size);
    }
    expect(new Set(sizes).size).toBeGreaterThan(10); // blocks reached the file during the run
    expect(sizes[0]).toBeGreaterThan(0);
    file.flush();
    expect(readFileSync(path)).toEqual(Buffer.from(mem.bytes()));
    file.close();
    expect(readPcapngFile(path).packets.length).toBe(50);
    expect(catchWire(() => file.writePacket(0, 0, new Uint8Array(1))).field).toBe('writer');
    expect(catchWire(() => file.bytes()).kind).toBe('unsupported');
  });

  test('a packet larger than the staging buffer grows it', () => {
    const w = PcapngWriter.inMemory({ bufferBytes: 64 });
    w.addInterface({ name: 'p' });
    w.writePacket(0, 5, new Uint8Array(9000).fill(9));
    expect(readPcapng(w.bytes()).packets[0].data).toEqual(new Uint8Array(9000).fill(9));
  });

  test('bad arguments', () => {
    const w = PcapngWriter.inMemory();
    expect(catchWire(() => w.writePacket(0, 0, new Uint8Array(1))).field).toBe('interfaceId');
    w.addInterface({ name: 'p' });
    for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2e22, -1n, 1000n << 64n]) {
      expect(catchWire(() => w.writePacket(0, t, new Uint8Array(1))).field).toBe('timePs');
    }
    expect(catchWire(() => w.writePacket(0, 0, new Uint8Array(1), { comment: 'x'.repeat(70_000) })).field).toBe('comment');
    expect(catchWire(() => w.addInterface({ name: 'q', linkType: 70_000 })).field).toBe('linkType');
  });

  test('fast: 100k frames of 1500 bytes, no per-frame allocation', () => {
    const w = PcapngWriter.inMemory({ bufferBytes: 4 << 20 });
    w.addInterface({ name: 'p' });
    const frame = new Uint8Array(1500);
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) w.writePacket(0, i * 120_000, frame);
    w.flush();
    const ms = performance.now() - t0;
    expect(w.packetCount).toBe(100_000);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('pcapng reader', () => {
  test('a big-endian section with microsecond default resolution', () => {
    const be = hex(`
      0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c
      00000001 00000014 0001 0000 00000000 00000014
      00000006 00000024 00000000 00000000 000f4241 00000003 00000040 aabbcc00 00000024`);
    const cap = readPcapng(be);
    expect(cap.interfaces[0]).toMatchObject({ linkType: 1, unitsPerSecond: 1_000_000n });
    expect(cap.interfaces[0].name).toBeUndefined();
    expect(cap.packets[0]).toMatchObject({ interfaceId: 0, timeNs: 1_000_001_000n, originalLen: 64 });
    expect([...cap.packets[0].data]).toEqual([0xaa, 0xbb, 0xcc]);
  });

  test('binary resolution, if_tsoffset, unknown blocks skipped, a second section', () => {
    const le = hex(`
      0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000
      01000000 2c000000 0100 0000 00000000
        0900 0100 8a 000000
        0e00 0800 0a00000000000000
        0000 0000
      2c000000
      44332211 10000000 deadbeef 10000000
      06000000 20000000 00000000 00000000 00080000 00000000 00000000 20000000`);
    const twice = new Uint8Array(le.length * 2);
    twice.set(le);
    twice.set(le, le.length);
    const cap = readPcapng(twice);
    expect(cap.interfaces.length).toBe(2);
    expect(cap.packets.map((p) => p.timeNs)).toEqual([12_000_000_000n, 12_000_000_000n]); // 2048/1024 s + 10 s
    expect(cap.packets[1].interface).toBe(cap.interfaces[1]);
  });

  test('bad files throw WireError naming the block', () => {
    const good = (() => {
      const w = PcapngWriter.inMemory();
      w.addInterface({ name: 'p' });
      w.writePacket(0, 1, Uint8Array.of(1, 2, 3));
      return w.bytes();
    })(); // SHB at 0, IDB at 48, EPB at 88
    const mut = (at: number, v: number) => {
      const b = good.slice();
      b[at] = v;
      return b;
    };
    const cases: Array<[Uint8Array, string, string]> = [
      [good.subarray(0, 88 + 5), 'truncated', 'block'],
      [good.subarray(0, good.length - 8), 'truncated', 'block.length'],
      [good.subarray(48), 'malformed', 'shb'],
      [mut(8, 0), 'malformed', 'shb.magic'],
      [mut(12, 2), 'unsupported', 'shb.version'],
      [mut(4, 0x31), 'malformed', 'block.length'],
      [mut(44, 0), 'malformed', 'block.length'],
      [mut(88 + 8, 1), 'malformed', 'epb.interface'],
      [mut(88 + 20, 0xff), 'malformed', 'epb.caplen'],
      [mut(48 + 18, 0x40), 'malformed', 'option.length'],
    ];
    for (const [b, kind, field] of cases) {
      const e = catchWire(() => readPcapng(b));
      expect([e.kind, e.protocol, e.field], field).toEqual([kind, 'pcapng', field]);
    }
    expect(readPcapng(new Uint8Array(0)).packets).toEqual([]);
  });

  test('fuzz: only WireError on mutated captures', () => {
    const w = PcapngWriter.inMemory();
    w.addInterface({ name: 'port1', description: 'd' });
    w.addInterface({ name: 'port2' });
    for (let i = 0; i < 3; i++) w.writePacket(i & 1, i * 1000, new Uint8Array(17 + i).fill(i), { comment: 'c' });
    const sample = w.bytes();
    const stats = fuzz({
      seed: 0x0a0d0d0a,
      maxLen: 64,
      samples: [sample],
      parse: (b) => readPcapng(b),
      roundTrip: (cap) => expect(cap.packets.length).toBeLessThanOrEqual(3),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
  });
});
