// Whole-frame builder and parser on captured frames: exact bytes, layering, checksums, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { PFC_DST_MAC } from './ethernet/pfc.ts';
import { buildFrame, parseFrame, type FrameSpec, type ParsedFrame } from './frame.ts';
import { IP_ECN, IP_PROTOCOL } from './ip.ts';
import { catchWire, fuzz } from './testing.ts';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));
// The frames of the codec tests, whole (tshark 4.0: all checksums good).
const V4_FRAME = hex(
  '021ac5000002021ac50000010800456b00281c4640004011' + '0a100a0100010a010002c00012b7001442f4666162726963' + '2d68696c0d0a',
);
const V6_VLAN_FRAME = hex(
  '3333000000fb021ac50000018100a06486dd62aabcde000c113f20010db8000000010000000000000010' +
    '20010db8000000020000000000000020' + '12b712b7000ce125deadbeef',
);
const SRH_FRAME = hex(
  '021ac5000002021ac500000186dd' + '60000000002c004020010db80000000100000000000000102001' +
    '0db8000000020000000000000020' + '2b00010400000000' + '110204010000000020010db8000000000000000000000099' +
    '138812b7000ca1e773726821',
);
const PFC_FRAME = new Uint8Array(60);
PFC_FRAME.set(hex('0180c2000001021ac50000018808' + '01010018' + '000000000000ffff000a000000000007'));

const ETH = { dst: '02:1a:c5:00:00:02', src: '02:1a:c5:00:00:01' };
const V4_SPEC: FrameSpec = {
  eth: ETH,
  ip: { version: 4, src: '10.1.0.1', dst: '10.1.0.2', dscp: 26, ecn: IP_ECN.CE, ident: 0x1c46, dontFrag: true },
  udp: { srcPort: 49152, dstPort: 4791 },
  payload: new TextEncoder().encode('fabric-hil\r\n'),
};

describe('buildFrame', () => {
  test('reproduces the captured IPv4/UDP frame, and pads to 60 bytes by default', () => {
    expect(buildFrame({ ...V4_SPEC, pad: false })).toEqual(V4_FRAME);
    const padded = buildFrame(V4_SPEC);
    expect(padded.length).toBe(60);
    expect(padded.subarray(0, 54)).toEqual(V4_FRAME);
    expect(padded.subarray(54).every((x) => x === 0)).toBe(true);
  });

  test('reproduces the VLAN-tagged IPv6/UDP frame', () => {
    const built = buildFrame({
      eth: { dst: '33:33:00:00:00:fb', src: ETH.src, vlan: { id: 100, pcp: 5, dei: false } },
      ip: { version: 6, src: '2001:db8:0:1::10', dst: '2001:db8:0:2::20', hopLimit: 63, dscp: 10, ecn: IP_ECN.ECT0, flowLabel: 0xabcde },
      udp: { srcPort: 4791, dstPort: 4791 },
      payload: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
    });
    expect(built).toEqual(V6_VLAN_FRAME);
  });

  test('reproduces the PFC frame, padded with zeros', () => {
    const built = buildFrame({
      eth: { dst: PFC_DST_MAC, src: ETH.src },
      pfc: { classEnable: 0x18, pauseQuanta: [0, 0, 0, 0xffff, 10, 0, 0, 7] },
    });
    expect(built).toEqual(PFC_FRAME);
  });

  test('no UDP checksum over IPv4 on request; other protocols and EtherTypes', () => {
    const zero = buildFrame({ ...V4_SPEC, udpChecksum: 'zero' });
    expect([zero[40], zero[41]]).toEqual([0, 0]);
    expect(parseFrame(zero).udp).toEqual(parseFrame(V4_FRAME).udp);
    const tcp = buildFrame({
      eth: ETH,
      ip: { version: 4, src: '1.1.1.1', dst: '2.2.2.2', protocol: IP_PROTOCOL.TCP },
      payload: new Uint8Array(20),
    });
    expect(parseFrame(tcp).ip).toMatchObject({ version: 4, protocol: IP_PROTOCOL.TCP });
    const lldp = buildFrame({ eth: { ...ETH, ethertype: 0x88cc }, payload: Uint8Array.of(1, 2, 3), pad: false });
    expect(lldp.length).toBe(17);
  });

  test('inconsistent specs are malformed', () => {
    const pfc = { classEnable: 1, pauseQuanta: [1, 0, 0, 0, 0, 0, 0, 0] };
    const cases: Array<[FrameSpec, string]> = [
      [{ ...V4_SPEC, pfc }, 'pfc'],
      [{ eth: ETH, udp: { srcPort: 1, dstPort: 2 } }, 'udp'],
      [{ eth: ETH }, 'eth.ethertype'],
      [{ ...V4_SPEC, ip: { version: 4, src: '1.1.1.1', dst: '2.2.2.2', protocol: 6 } }, 'ip.protocol'],
      [{ eth: ETH, ip: { version: 4, src: '1.1.1.1', dst: '2.2.2.2' } }, 'ip.protocol'],
      [{ ...V4_SPEC, ip: { version: 6, src: '::1', dst: '::2' }, udpChecksum: 'zero' }, 'udpChecksum'],
      [{ ...V4_SPEC, payload: new Uint8Array(65508) }, 'payloadLen'],
    ];
    for (const [spec, field] of cases) {
      const e = catchWire(() => buildFrame(spec));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });
});

describe('parseFrame', () => {
  test('layers of the IPv4/UDP frame; padding is not payload', () => {
    const f = parseFrame(buildFrame(V4_SPEC));
    expect(f.eth).toMatchObject({ ...ETH, ethertype: 0x0800 });
    expect(f.ip).toMatchObject({ version: 4, src: '10.1.0.1', dst: '10.1.0.2', ttl: 64, ecn: IP_ECN.CE, payloadLen: 20 });
    expect(f.udp).toMatchObject({ srcPort: 49152, dstPort: 4791, payloadLen: 12 });
    expect(new TextDecoder().decode(f.payload)).toBe('fabric-hil\r\n');
  });

  test('VLAN and IPv6', () => {
    const f = parseFrame(V6_VLAN_FRAME);
    expect(f.eth.vlan).toEqual({ id: 100, pcp: 5, dei: false });
    expect(f.ip).toMatchObject({ version: 6, flowLabel: 0xabcde, ecn: IP_ECN.ECT0 });
    expect(f.ipv6Ext).toEqual([]);
    expect([...f.payload]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  test('IPv6 extension headers; the UDP checksum uses the SRH final destination (RFC 8200 §8.1)', () => {
    const f = parseFrame(SRH_FRAME);
    expect(f.ipv6Ext?.map((e) => e.type)).toEqual([IP_PROTOCOL.HOPOPT, IP_PROTOCOL.IPV6_ROUTE]);
    expect(f.udp).toMatchObject({ srcPort: 5000, dstPort: 4791 });
    expect(new TextDecoder().decode(f.payload)).toBe('srh!');
  });

  test('PFC, and other MAC-control opcodes left undecoded', () => {
    expect(parseFrame(PFC_FRAME).pfc).toEqual({ classEnable: 0x18, pauseQuanta: [0, 0, 0, 0xffff, 10, 0, 0, 7] });
    const pause = PFC_FRAME.slice();
    pause[14] = 0;
    const f = parseFrame(pause);
    expect(f.pfc).toBeUndefined();
    expect(f.payload.length).toBe(46);
    expect(parseFrame(PFC_FRAME).payload.length).toBe(26);
  });

  test('fragments are not decoded past IP', () => {
    const frag = buildFrame({ ...V4_SPEC, ip: { ...V4_SPEC.ip!, version: 4, moreFrags: true }, pad: false });
    const f = parseFrame(frag);
    expect(f.udp).toBeUndefined();
    expect(f.payload.length).toBe(20);
  });

  test('bad checksums are malformed unless ignored', () => {
    const badIp = V4_FRAME.slice();
    badIp[22] = 1; // TTL
    expect(catchWire(() => parseFrame(badIp)).protocol).toBe('ipv4');
    const badUdp = V6_VLAN_FRAME.slice();
    badUdp[badUdp.length - 1] ^= 0xff;
    expect(catchWire(() => parseFrame(badUdp)).protocol).toBe('udp');
    expect(parseFrame(badIp, { checksums: 'ignore' }).ip).toMatchObject({ ttl: 1 });
    expect(parseFrame(badUdp, { checksums: 'ignore' }).udp?.dstPort).toBe(4791);
  });

  test('truncated frames', () => {
    expect(catchWire(() => parseFrame(V4_FRAME.subarray(0, 40))).protocol).toBe('ipv4');
    expect(catchWire(() => parseFrame(V4_FRAME.subarray(0, 10))).protocol).toBe('ethernet');
    expect(catchWire(() => parseFrame(PFC_FRAME.subarray(0, 30))).protocol).toBe('pfc');
  });

  test('fuzz: only WireError, and build(parse(x)) parses to the same layers', () => {
    const stats = fuzz({
      seed: 0xf4a3,
      maxLen: 120,
      samples: [V4_FRAME, V6_VLAN_FRAME, SRH_FRAME, PFC_FRAME],
      parse: (b) => parseFrame(b, { checksums: 'ignore' }),
      roundTrip: (f) => {
        const spec = specOf(f);
        if (spec) expect(parseFrame(buildFrame(spec))).toEqual(f);
      },
    });
    expect(stats.parsed).toBeGreaterThan(2000);
  });
});

/**
 * The spec that rebuilds a parsed frame; undefined for what the builder cannot express: IPv6
 * extension headers, and bytes between the end of UDP and the end of IP.
 */
function specOf(f: ParsedFrame): FrameSpec | undefined {
  if (f.ipv6Ext?.length) return undefined;
  if (f.udp && f.ip && f.ip.payloadLen !== 8 + f.udp.payloadLen) return undefined;
  const eth = { dst: f.eth.dst, src: f.eth.src, vlan: f.eth.vlan };
  const pad = false;
  if (f.pfc) return { eth, pfc: f.pfc, payload: f.payload, pad };
  if (!f.ip) return { eth: { ...eth, ethertype: f.eth.ethertype }, payload: f.payload, pad };
  return { eth, ip: { ...f.ip }, udp: f.udp, payload: f.payload, pad };
}
