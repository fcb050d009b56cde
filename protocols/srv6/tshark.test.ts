// Interop: tshark (Wireshark 4.0) decodes our SRv6 Segment Routing Headers to the values we sent.
//
// Checks, for Ethernet/IPv6/SRH (3 segments, Segments Left 0-3)/UDP and /IPv6/UDP, an SRH with HMAC
// and padding TLVs, and a Hop-by-Hop + SRH chain: tshark exits 0 with nothing on stderr, no
// expert info of warning or error severity, no malformed layer; ipv6.nxt and ipv6.routing.nxt
// chain; ipv6.routing.type 4, .len, .len_oct, .segleft, .srh.last_entry, .srh.flags, .srh.tag and
// the .srh.addr list in Segment List order; the outer destination is the active segment; UDP
// checksum good (so tshark agrees that it covers the final destination); the inner IPv6 packet;
// and that our parser reads the same SRHs back from the capture.
// Without tshark the suite is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildFrame, parseFrame, type FrameIpv6Ext } from '../frame.ts';
import { IP_PROTOCOL } from '../ip.ts';
import { readPcapngFile } from '../pcapng/reader.ts';
import { tsharkField, tsharkFields, tsharkJson, tsharkVersion, type TsharkPacket } from '../pcapng/tshark.ts';
import { PcapngWriter } from '../pcapng/writer.ts';
import { SRV6_SRH_TLV, Srv6SrhHeader, Srv6SrhView, srv6HmacTlv } from './srh.ts';

const MISSING = 'tshark not found on PATH: install the Debian package tshark (apt-get install -y --no-install-recommends tshark)';
const version = await tsharkVersion();
if (!version) {
  if (process.env.CI === 'true') {
    test('tshark is installed (required when CI=true)', () => {
      throw new Error(`${MISSING}; CI needs it for the SRv6 interop test`);
    });
  } else {
    console.warn(`${MISSING}; skipping the SRv6 interop test`);
  }
}

const ETH = { dst: '02:1a:c5:00:00:02', src: '02:1a:c5:00:00:01' };
const SRC = '2001:db8:0:1::10';
/** Segment List order: [0] is the final segment, [2] the first of the path. */
const SEGS = ['2001:db8:f::3', '2001:db8:f::2', '2001:db8:f::1'];
const INNER = { src: '2001:db8:1::1', dst: '2001:db8:2::2' };
const PAYLOAD = new TextEncoder().encode('fabric-hil srv6');
const UDP_PORT = 4793; // no tshark 4.0 dissector claims it
const IPV6_IN_IPV6 = 41; // IANA protocol number of IPv6 (RFC 2473)

interface Sent {
  srh: Srv6SrhHeader;
  /** The fixed header's destination; default the active segment. */
  dst?: string;
  inner?: boolean;
  hopByHop?: boolean;
}

const srh = (segmentsLeft: number, more: Partial<ConstructorParameters<typeof Srv6SrhHeader>[0]> = {}) =>
  new Srv6SrhHeader({ nextHeader: 0, segmentsLeft, segments: SEGS, ...more });

const SENT: Sent[] = [
  { srh: srh(2, { tag: 0x1234 }) },
  { srh: srh(1, { flags: 0x00, tag: 7 }) },
  { srh: srh(0) },
  // Reduced encoding: the first segment is only the destination (RFC 8754 §4.1.1).
  { srh: srh(3), dst: '2001:db8:f::' },
  { srh: srh(2), inner: true },
  { srh: srh(1, { tag: 0xffff }), inner: true },
  {
    srh: srh(2, {
      tlvs: [
        srv6HmacTlv({ dBit: false, keyId: 0x2a, hmac: Uint8Array.from({ length: 32 }, (_, i) => i) }),
        { type: SRV6_SRH_TLV.PAD1, value: new Uint8Array(0) },
        { type: SRV6_SRH_TLV.PADN, value: new Uint8Array(5) },
      ],
    }),
  },
  { srh: srh(1), hopByHop: true },
];

const HBH_PADN: FrameIpv6Ext = { type: IP_PROTOCOL.HOPOPT, bytes: Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0) };

function build(s: Sent): Uint8Array {
  const dst = s.dst ?? SEGS[s.srh.segmentsLeft];
  const udp = { srcPort: 49152, dstPort: UDP_PORT };
  const ipv6Ext = [...(s.hopByHop ? [HBH_PADN] : []), s.srh.toExt()];
  if (!s.inner) return buildFrame({ eth: ETH, ip: { version: 6, src: SRC, dst }, ipv6Ext, udp, payload: PAYLOAD });
  const inner = buildFrame({ eth: ETH, ip: { version: 6, ...INNER }, udp, payload: PAYLOAD, pad: false }).subarray(14);
  return buildFrame({ eth: ETH, ip: { version: 6, src: SRC, dst, nextHeader: IPV6_IN_IPV6 }, ipv6Ext, payload: inner });
}

describe.skipIf(!version)(`tshark ${version ?? ''} decodes our SRv6 SRHs`, () => {
  const frames = SENT.map(build);
  let dir: string;
  let file: string;
  let packets: TsharkPacket[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'srv6-tshark-'));
    file = join(dir, 'srv6.pcapng');
    const w = PcapngWriter.toFile(file);
    const port = w.addInterface({ name: 'port1' });
    frames.forEach((f, i) => w.writePacket(port, (i + 1) * 1_000_000, f));
    w.close();
    packets = await tsharkJson(file); // throws on any stderr diagnostic
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('layers; no expert warnings or errors; nothing malformed', () => {
    expect(packets.length).toBe(SENT.length);
    packets.forEach((p, i) => {
      const L = p._source.layers;
      const { hopByHop, inner } = SENT[i];
      expect(tsharkField(L, 'frame.protocols')).toBe(
        `eth:ethertype:ipv6${hopByHop ? ':ipv6.hopopts' : ''}:ipv6.routing${inner ? ':ipv6' : ''}:udp:data`,
      );
      const severities = tsharkFields(L, '_ws.expert.severity').map(Number);
      expect(severities.filter((s) => s >= 0x00600000)).toEqual([]); // PI_WARN and above
      expect(Object.keys(L)).not.toContain('_ws.malformed');
    });
  });

  test('SRH fields: type 4, lengths, segments left, last entry, flags, tag, segment list', () => {
    packets.forEach((p, i) => {
      const { srh: h, hopByHop } = SENT[i];
      const outer = tsharkFields(p._source.layers, 'ipv6.nxt');
      expect(outer[0]).toBe(String(hopByHop ? IP_PROTOCOL.HOPOPT : IP_PROTOCOL.IPV6_ROUTE));
      expect(tsharkFields(p._source.layers, 'ipv6.routing.type').length).toBe(1);
      const R = routing(p);
      expect(tsharkField(R, 'ipv6.routing.nxt')).toBe(String(SENT[i].inner ? IPV6_IN_IPV6 : IP_PROTOCOL.UDP));
      expect(tsharkField(R, 'ipv6.routing.type')).toBe('4');
      expect(tsharkField(R, 'ipv6.routing.len')).toBe(String(h.bufferLen() / 8 - 1));
      expect(tsharkField(R, 'ipv6.routing.len_oct')).toBe(String(h.bufferLen()));
      expect(tsharkField(R, 'ipv6.routing.segleft')).toBe(String(h.segmentsLeft));
      expect(tsharkField(R, 'ipv6.routing.srh.last_entry')).toBe(String(h.lastEntry));
      expect(Number(tsharkField(R, 'ipv6.routing.srh.flags'))).toBe(h.flags);
      expect(parseInt(tsharkField(R, 'ipv6.routing.srh.tag')!.replace(':', ''), 16)).toBe(h.tag);
      expect(tsharkFields(R, 'ipv6.routing.srh.addr')).toEqual(SEGS);
    });
  });

  test('the destination is the active segment; UDP checksum good over the final destination', () => {
    packets.forEach((p, i) => {
      const L = p._source.layers;
      expect(tsharkFields(L, 'ipv6.dst')[0]).toBe(SENT[i].dst ?? SEGS[SENT[i].srh.segmentsLeft]);
      expect(tsharkField(L.udp, 'udp.dstport')).toBe(String(UDP_PORT));
      expect(tsharkField(L.udp, 'udp.checksum.status')).toBe('1');
      expect(tsharkField(L.udp, 'udp.length')).toBe(String(8 + PAYLOAD.length));
    });
  });

  test('IPv6 in IPv6 behind the SRH', () => {
    const inner = SENT.map((s, i) => [s, packets[i]._source.layers] as const).filter(([s]) => s.inner);
    expect(inner.length).toBe(2);
    for (const [, L] of inner) {
      expect(tsharkFields(L, 'ipv6.src')).toEqual([SRC, INNER.src]);
      expect(tsharkFields(L, 'ipv6.dst')[1]).toBe(INNER.dst);
      expect(tsharkFields(L, 'ipv6.nxt')[1]).toBe(String(IP_PROTOCOL.UDP));
    }
  });

  test('our parser reads the capture back to the SRHs sent', () => {
    const cap = readPcapngFile(file);
    cap.packets.forEach((p, i) => {
      const f = parseFrame(p.data);
      const rh = f.ipv6Ext?.find((e) => e.type === IP_PROTOCOL.IPV6_ROUTE);
      const h = Srv6SrhHeader.parse(Srv6SrhView.checked(rh!.bytes));
      expect(h).toEqual(new Srv6SrhHeader({ ...SENT[i].srh, nextHeader: SENT[i].inner ? IPV6_IN_IPV6 : IP_PROTOCOL.UDP }));
    });
  });
});

/** The routing-header subtree of the (outer) IPv6 layer. */
function routing(p: TsharkPacket): unknown {
  const ip = p._source.layers.ipv6;
  const outer = Array.isArray(ip) ? ip[0] : ip;
  return (outer as Record<string, unknown>)['ipv6.routing'];
}
