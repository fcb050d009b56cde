// Interop: tshark (Wireshark 4.0) reads our pcapng and decodes our frames to the values we sent.
//
// Checks: tshark exits 0 with nothing on stderr; no expert info of warning or error severity and
// no malformed-packet layer; frame count; per-frame interface name and id and nanosecond
// timestamp; Ethernet, 802.1Q, IPv4 (ECN, DSCP, TTL, length, checksum good), IPv6 (addresses,
// flow label, traffic class), UDP (ports, length, checksum good) and PFC / MAC-control fields.
// Without tshark the suite is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PFC_DST_MAC } from '../ethernet/pfc.ts';
import { buildFrame, type FrameSpec } from '../frame.ts';
import { IP_ECN } from '../ip.ts';
import { readPcapngFile } from './reader.ts';
import { TsharkError, tsharkField, tsharkFields, tsharkJson, tsharkVersion, type TsharkPacket } from './tshark.ts';
import { PcapngWriter } from './writer.ts';

const version = await tsharkVersion();
if (!version) {
  if (process.env.CI === 'true') {
    test('tshark is installed (required when CI=true)', () => {
      throw new Error(
        'tshark not found on PATH; CI needs it for the pcapng interop test: apt-get install -y --no-install-recommends tshark',
      );
    });
  } else {
    console.warn('tshark not found on PATH: skipping the pcapng interop test (install the Debian package tshark)');
  }
}

const MAC_A = '02:1a:c5:00:00:01';
const MAC_B = '02:1a:c5:00:00:02';
const PAYLOAD = new TextEncoder().encode('fabric-hil interop');
const PAUSE = [0, 0, 0, 0xffff, 0x1234, 0, 0, 9];

interface Sent {
  port: 'port1' | 'port2';
  /** Picoseconds; tshark must show them truncated to nanoseconds. */
  timePs: number | bigint;
  spec: FrameSpec;
  comment?: string;
}

const SENT: Sent[] = [
  {
    port: 'port1',
    timePs: 1_000_999n,
    spec: {
      eth: { dst: MAC_B, src: MAC_A },
      ip: { version: 4, src: '10.1.0.1', dst: '10.1.0.2', ident: 7 },
      udp: { srcPort: 49152, dstPort: 4793 },
      payload: PAYLOAD,
    },
  },
  {
    port: 'port2',
    timePs: 2_000_000_001,
    spec: {
      eth: { dst: MAC_A, src: MAC_B },
      ip: { version: 6, src: '2001:db8:0:2::20', dst: '2001:db8:0:1::10', flowLabel: 0x12345, hopLimit: 17, dscp: 34, ecn: IP_ECN.ECT1 },
      udp: { srcPort: 50000, dstPort: 4793 },
      payload: PAYLOAD,
    },
    comment: 'IPv6 with a flow label',
  },
  {
    port: 'port1',
    timePs: 3_500_000_000_000,
    spec: {
      eth: { dst: MAC_B, src: MAC_A, vlan: { id: 100, pcp: 3, dei: false } },
      ip: { version: 4, src: '10.1.0.1', dst: '10.1.0.3', ttl: 5, dontFrag: true },
      udp: { srcPort: 1234, dstPort: 4793 },
      payload: PAYLOAD.subarray(0, 4),
    },
  },
  {
    port: 'port2',
    // A wall-clock time: exact to the nanosecond needs more than 53 bits.
    timePs: 1_700_000_000_123_456_789_999n,
    spec: {
      eth: { dst: MAC_A, src: MAC_B },
      ip: { version: 4, src: '10.1.0.2', dst: '10.1.0.1', dscp: 26, ecn: IP_ECN.CE, ttl: 63 },
      udp: { srcPort: 4793, dstPort: 49152 },
      payload: new Uint8Array(1000).fill(0x5a),
    },
    comment: 'ECN CE',
  },
  {
    port: 'port1',
    timePs: 1_700_000_000_123_457_000_000n,
    spec: { eth: { dst: PFC_DST_MAC, src: MAC_A }, pfc: { classEnable: 0x18, pauseQuanta: PAUSE } },
  },
];

const psToNs = (t: number | bigint) => (typeof t === 'bigint' ? t / 1000n : BigInt(Math.floor(t / 1000)));
/** "1700000000.123456789" -> ns. */
const epochNs = (s: string) => {
  const [sec, frac = ''] = s.split('.');
  return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
};
const str = (n: number) => String(n);

describe.skipIf(!version)(`tshark ${version ?? ''} decodes our pcapng`, () => {
  const frames = SENT.map((s) => buildFrame(s.spec));
  let dir: string;
  let file: string;
  let packets: TsharkPacket[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tshark-test-'));
    file = join(dir, 'interop.pcapng');
    const w = PcapngWriter.toFile(file);
    const ids = { port1: w.addInterface({ name: 'port1', description: 'emulated leaf port 1' }), port2: w.addInterface({ name: 'port2' }) };
    SENT.forEach((s, i) => w.writePacket(ids[s.port], s.timePs, frames[i], s.comment ? { comment: s.comment } : {}));
    w.close();
    packets = await tsharkJson(file, { timeoutMs: 60_000 }); // throws on any stderr diagnostic
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('frame count; no expert warnings or errors; nothing malformed', () => {
    expect(packets.length).toBe(SENT.length);
    for (const p of packets) {
      const severities = tsharkFields(p._source.layers, '_ws.expert.severity').map(Number);
      // PI_WARN = 0x00600000, PI_ERROR = 0x00800000 (epan/proto.h); comments are 0x00100000.
      expect(severities.filter((s) => s >= 0x00600000)).toEqual([]);
      expect(Object.keys(p._source.layers)).not.toContain('_ws.malformed');
    }
  });

  test('interfaces, timestamps in ns, lengths, comments', () => {
    packets.forEach((p, i) => {
      const L = p._source.layers;
      expect(tsharkField(L, 'frame.interface_name')).toBe(SENT[i].port);
      expect(tsharkField(L, 'frame.interface_id')).toBe(SENT[i].port === 'port1' ? '0' : '1');
      expect(epochNs(tsharkField(L, 'frame.time_epoch')!)).toBe(psToNs(SENT[i].timePs));
      expect(tsharkField(L, 'frame.len')).toBe(str(frames[i].length));
      expect(tsharkField(L, 'frame.cap_len')).toBe(str(frames[i].length));
      expect(tsharkField(L, 'frame.comment')).toBe(SENT[i].comment);
    });
    expect(tsharkField(packets[0]._source.layers, 'frame.interface_description')).toBe('emulated leaf port 1');
  });

  test('Ethernet and 802.1Q', () => {
    packets.forEach((p, i) => {
      const L = p._source.layers;
      const { eth } = SENT[i].spec;
      expect(tsharkField(L.eth, 'eth.dst')).toBe(eth.dst);
      expect(tsharkField(L.eth, 'eth.src')).toBe(eth.src);
      const inner = SENT[i].spec.pfc ? 0x8808 : SENT[i].spec.ip?.version === 6 ? 0x86dd : 0x0800;
      expect(Number(tsharkField(L.eth, 'eth.type'))).toBe(eth.vlan ? 0x8100 : inner);
      if (eth.vlan) {
        expect(tsharkField(L.vlan, 'vlan.id')).toBe(str(eth.vlan.id));
        expect(tsharkField(L.vlan, 'vlan.priority')).toBe(str(eth.vlan.pcp));
        expect(Number(tsharkField(L.vlan, 'vlan.etype'))).toBe(inner);
      } else {
        expect(L.vlan).toBeUndefined();
      }
    });
  });

  test('IPv4: addresses, DSCP/ECN, TTL, length, id, DF, checksum good', () => {
    const v4 = SENT.map((s, i) => [s, packets[i]._source.layers, frames[i]] as const).filter(([s]) => s.spec.ip?.version === 4);
    expect(v4.length).toBe(3);
    for (const [s, L] of v4) {
      const ip = s.spec.ip!;
      if (ip.version !== 4) continue;
      expect(tsharkField(L.ip, 'ip.src')).toBe(ip.src);
      expect(tsharkField(L.ip, 'ip.dst')).toBe(ip.dst);
      expect(tsharkField(L.ip, 'ip.dsfield.ecn')).toBe(str(ip.ecn ?? 0));
      expect(tsharkField(L.ip, 'ip.dsfield.dscp')).toBe(str(ip.dscp ?? 0));
      expect(tsharkField(L.ip, 'ip.ttl')).toBe(str(ip.ttl ?? 64));
      expect(tsharkField(L.ip, 'ip.len')).toBe(str(20 + 8 + s.spec.payload!.length));
      expect(Number(tsharkField(L.ip, 'ip.id'))).toBe(ip.ident ?? 0);
      expect(tsharkField(L.ip, 'ip.flags.df')).toBe(ip.dontFrag ? '1' : '0');
      expect(tsharkField(L.ip, 'ip.checksum.status')).toBe('1'); // good
    }
    expect(tsharkField(packets[3]._source.layers.ip, 'ip.dsfield.ecn')).toBe('3'); // CE
  });

  test('IPv6: addresses, flow label, traffic class, hop limit, payload length', () => {
    const L = packets[1]._source.layers;
    const ip = SENT[1].spec.ip!;
    if (ip.version !== 6) throw new Error('frame 2 is IPv6');
    expect(tsharkField(L.ipv6, 'ipv6.src')).toBe(ip.src);
    expect(tsharkField(L.ipv6, 'ipv6.dst')).toBe(ip.dst);
    expect(Number(tsharkField(L.ipv6, 'ipv6.flow'))).toBe(ip.flowLabel);
    expect(tsharkField(L.ipv6, 'ipv6.tclass.dscp')).toBe(str(ip.dscp!));
    expect(tsharkField(L.ipv6, 'ipv6.tclass.ecn')).toBe(str(ip.ecn!));
    expect(tsharkField(L.ipv6, 'ipv6.hlim')).toBe(str(ip.hopLimit!));
    expect(tsharkField(L.ipv6, 'ipv6.plen')).toBe(str(8 + PAYLOAD.length));
    expect(tsharkField(L.ipv6, 'ipv6.nxt')).toBe('17');
  });

  test('UDP: ports, length, checksum good (IPv4 and IPv6), payload', () => {
    SENT.forEach((s, i) => {
      if (!s.spec.udp) return;
      const L = packets[i]._source.layers;
      expect(tsharkField(L.udp, 'udp.srcport')).toBe(str(s.spec.udp.srcPort));
      expect(tsharkField(L.udp, 'udp.dstport')).toBe(str(s.spec.udp.dstPort));
      expect(tsharkField(L.udp, 'udp.length')).toBe(str(8 + s.spec.payload!.length));
      expect(tsharkField(L.udp, 'udp.checksum.status')).toBe('1'); // good
      const payload = tsharkField(L.udp, 'udp.payload')!.replaceAll(':', '');
      expect(payload).toBe(Buffer.from(s.spec.payload!).toString('hex'));
    });
  });

  test('PFC: MAC-control opcode, class-enable vector, per-class pause times', () => {
    const L = packets[4]._source.layers;
    expect(tsharkField(L, 'frame.protocols')).toBe('eth:ethertype:macc');
    expect(Number(tsharkField(L.macc, 'macc.opcode'))).toBe(0x0101);
    expect(Number(tsharkField(L.macc, 'macc.cbfc.enbv'))).toBe(0x18);
    for (let c = 0; c < 8; c++) {
      expect(tsharkField(L.macc, `macc.cbfc.enbv.c${c}`)).toBe(0x18 & (1 << c) ? '1' : '0');
      expect(tsharkField(L.macc, `macc.cbfc.pause_time.c${c}`)).toBe(str(PAUSE[c]));
    }
  });

  test('our reader agrees with tshark on interfaces and timestamps', () => {
    const cap = readPcapngFile(file);
    expect(cap.packets.map((p) => [p.interface.name, p.timeNs])).toEqual(SENT.map((s) => [s.port, psToNs(s.timePs)]));
    cap.packets.forEach((p, i) => expect(p.data).toEqual(frames[i]));
  });

  test('tsharkJson: a capture cut short is an error with stderr; allowStderr returns what was decoded', async () => {
    const cut = join(dir, 'cut.pcapng');
    const bytes = readFileSync(file);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const err = await tsharkJson(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TsharkError);
    expect((err as TsharkError).stderr).toMatch(/cut short/);
    const partial = await tsharkJson(cut, { allowStderr: true });
    expect(partial.length).toBe(SENT.length - 1);
  });

  test('tsharkJson: display filter and a missing file', async () => {
    const pfc = await tsharkJson(file, { displayFilter: 'macc' });
    expect(pfc.length).toBe(1);
    for (const allowStderr of [false, true]) {
      const err = await tsharkJson(join(dir, 'missing.pcapng'), { allowStderr }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TsharkError);
    }
  });
});
