// buildFrame with IPv6 extension headers: Ethernet/IPv6/[HBH]/SRH/(UDP|IPv6), Next Header chaining, UDP checksum over the final destination.
import { describe, expect, test } from 'vitest';
import { buildFrame, parseFrame, type FrameSpec } from '../frame.ts';
import { IP_PROTOCOL } from '../ip.ts';
import { ipv6ParseAddress } from '../ipv6/address.ts';
import { Ipv6Header, Ipv6View } from '../ipv6/ipv6.ts';
import { catchWire } from '../testing.ts';
import { UdpView } from '../udp/udp.ts';
import { Srv6SrhHeader } from './srh.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));
// The SRH frame of protocols/frame.test.ts: IPv6 / Hop-by-Hop (PadN) / SRH (Segment List [2001:db8::99],
// Segments Left 1: reduced, the active segment is the destination) / UDP 5000 > 4791 "srh!" (tshark 4.0: checksum good).
const SRH_FRAME = hex(
  '021ac5000002021ac500000186dd' +
    '60000000002c0040 20010db8000000010000000000000010 20010db8000000020000000000000020' +
    '2b00010400000000' +
    '110204010000000020010db8000000000000000000000099' +
    '138812b7000ca1e773726821',
);
const ETH = { dst: '02:1a:c5:00:00:02', src: '02:1a:c5:00:00:01' };
const HBH_PADN = { type: IP_PROTOCOL.HOPOPT, bytes: hex('ff00010400000000') }; // Next Header ff: the builder rewrites it
const SPEC: FrameSpec = {
  eth: ETH,
  ip: { version: 6, src: '2001:db8:0:1::10', dst: '2001:db8:0:2::20' },
  ipv6Ext: [HBH_PADN, new Srv6SrhHeader({ nextHeader: 0, segmentsLeft: 1, segments: ['2001:db8::99'] }).toExt()],
  udp: { srcPort: 5000, dstPort: 4791 },
  payload: new TextEncoder().encode('srh!'),
};
const SEGS = ['2001:db8:f::3', '2001:db8:f::2', '2001:db8:f::1'];

describe('buildFrame with IPv6 extension headers', () => {
  test('reproduces the captured HBH + SRH + UDP frame, Next Headers chained', () => {
    const f = buildFrame(SPEC);
    expect(f).toEqual(SRH_FRAME);
    expect(HBH_PADN.bytes[0]).toBe(0xff); // the caller's bytes are copied, not changed
  });

  test('parseFrame gives the headers back, and they rebuild the same bytes', () => {
    const p = parseFrame(SRH_FRAME);
    expect(p.ipv6Ext?.map((e) => e.type)).toEqual([IP_PROTOCOL.HOPOPT, IP_PROTOCOL.IPV6_ROUTE]);
    const ip = p.ip as Ipv6Header;
    expect(buildFrame({ eth: ETH, ip: { ...ip, nextHeader: undefined }, ipv6Ext: p.ipv6Ext, udp: p.udp, payload: p.payload })).toEqual(SRH_FRAME);
  });

  test('UDP checksum: final destination (Segment List[0]) while segments are left, else the destination (RFC 8200 §8.1)', () => {
    for (const sl of [0, 1, 2, 3]) {
      const f = buildFrame({ ...SPEC, ipv6Ext: [new Srv6SrhHeader({ nextHeader: 0, segmentsLeft: sl, segments: SEGS }).toExt()] });
      expect(parseFrame(f).udp?.dstPort).toBe(4791); // verifies the checksum
      const v = Ipv6View.checked(f.subarray(14));
      const udp = UdpView.checked(f.subarray(14 + 40 + 56));
      // The destination 2001:db8:0:2::20 is none of the segments, so only one pseudo-header verifies.
      expect(udp.verifyChecksum({ src: v.src, dst: ipv6ParseAddress(SEGS[0]) })).toBe(sl > 0);
      expect(udp.verifyChecksum({ src: v.src, dst: v.dst })).toBe(sl === 0);
    }
  });

  test('Ethernet / IPv6 / SRH / IPv6 / UDP: the inner packet is the payload', () => {
    const inner = buildFrame({
      eth: ETH,
      ip: { version: 6, src: '2001:db8:1::1', dst: '2001:db8:2::2' },
      udp: { srcPort: 1234, dstPort: 4793 },
      payload: Uint8Array.of(9, 9),
      pad: false,
    }).subarray(14);
    const f = buildFrame({
      eth: ETH,
      ip: { version: 6, src: '2001:db8::a', dst: SEGS[2], nextHeader: 41 },
      ipv6Ext: [new Srv6SrhHeader({ nextHeader: 0, segmentsLeft: 2, segments: SEGS }).toExt()],
      payload: inner,
    });
    const p = parseFrame(f);
    expect(p.ip).toMatchObject({ version: 6, nextHeader: IP_PROTOCOL.IPV6_ROUTE, payloadLen: 56 + inner.length, dst: SEGS[2] });
    expect(p.ipv6Ext?.[0].bytes[0]).toBe(41);
    expect(p.udp).toBeUndefined();
    expect(p.payload).toEqual(inner);
    expect(Ipv6Header.parse(Ipv6View.checked(p.payload))).toMatchObject({ src: '2001:db8:1::1', nextHeader: IP_PROTOCOL.UDP });
  });

  test('inconsistent extension headers are malformed', () => {
    const srh = SPEC.ipv6Ext![1];
    const rh0 = { type: IP_PROTOCOL.IPV6_ROUTE, bytes: hex('000200010000000020010db8000000000000000000000099') };
    const cases: Array<[FrameSpec, string]> = [
      [{ ...SPEC, ip: { version: 4, src: '1.1.1.1', dst: '2.2.2.2' } }, 'ipv6Ext'],
      [{ ...SPEC, ipv6Ext: [{ type: IP_PROTOCOL.IPV6_ROUTE, bytes: srh.bytes.subarray(0, 16) }] }, 'ipv6Ext[0]'],
      [{ ...SPEC, ipv6Ext: [HBH_PADN, { type: IP_PROTOCOL.UDP, bytes: new Uint8Array(8) }] }, 'ipv6Ext[1]'],
      [{ ...SPEC, ipv6Ext: [{ type: IP_PROTOCOL.HOPOPT, bytes: new Uint8Array(4) }] }, 'ipv6Ext[0]'],
      [{ ...SPEC, ipv6Ext: [rh0] }, 'ipv6Ext'], // type 0 with segments left: final destination unknown
    ];
    for (const [spec, field] of cases) {
      const e = catchWire(() => buildFrame(spec));
      expect([e.kind, e.protocol, e.field]).toEqual(['malformed', 'frame', field]);
    }
    // Without UDP no checksum needs the final destination.
    const noUdp = buildFrame({ ...SPEC, ip: { ...SPEC.ip!, version: 6, nextHeader: IP_PROTOCOL.IPV6_NONXT }, udp: undefined, ipv6Ext: [rh0] });
    expect(parseFrame(noUdp).ipv6Ext?.length).toBe(1);
    // An empty list is the frame without extension headers.
    expect(buildFrame({ ...SPEC, ipv6Ext: [] })).toEqual(buildFrame({ ...SPEC, ipv6Ext: undefined }));
  });
});
