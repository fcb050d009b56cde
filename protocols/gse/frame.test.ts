// Ethernet / GSE / IP / UDP / RoCE frames: layout on the wire, GSP encapsulation and decapsulation, EtherType option.
import { describe, expect, test } from 'vitest';
import { ETHERTYPE } from '../ethernet/ethertype.ts';
import { buildFrame, parseFrame, type FrameSpec } from '../frame.ts';
import { catchWire, fuzz } from '../testing.ts';
import { GSE_ETHERTYPE_DEFAULT, buildGseFrame, gseDecapsulate, gseEncapsulate, gseIsEthertype, parseGseFrame } from './frame.ts';
import { GSE_HEADER_LEN, GSE_TYPE, GseHeader } from './header.ts';

const NIC_A = '02:00:00:00:00:0a';
const NIC_B = '02:00:00:00:00:0b';
const GSP_3 = '02:00:00:00:03:00';
const GSF = '02:00:00:00:f0:00';
const GSP_17 = '02:00:00:00:11:00';

// RoCEv2 SEND-only: BTH (opcode 0x04, P_Key 0xffff, dest QP 0x11, PSN 1) and 16 payload bytes.
const BTH = Uint8Array.of(0x04, 0x40, 0xff, 0xff, 0x00, 0x00, 0x00, 0x11, 0x80, 0x00, 0x00, 0x01);
const ROCE = new Uint8Array([...BTH, ...new Uint8Array(16).fill(0x5a)]);
const V4: FrameSpec = {
  eth: { dst: GSP_3, src: NIC_A },
  ip: { version: 4, src: '10.0.3.10', dst: '10.0.17.11', dscp: 26, ecn: 2 },
  udp: { srcPort: 49152, dstPort: 4791 },
  payload: ROCE,
};
const V6: FrameSpec = { ...V4, ip: { version: 6, src: '2001:db8:3::10', dst: '2001:db8:17::11' } };
const DATA = { type: GSE_TYPE.DATA, flags: 0xc0, containerId: 7, seq: 0, packetCount: 1, srcGsp: 3, dstGsp: 17, dport: 5, priority: 3, grantId: 1 };

describe('GSE frames', () => {
  test('a GSP encapsulates Ethernet / IPv4 / UDP / RoCE as Ethernet / GSE / IPv4 / UDP / RoCE', () => {
    const nic = buildFrame(V4);
    const out = gseEncapsulate(nic, { dst: GSF, src: GSP_3 }, DATA);
    expect(out.length).toBe(14 + GSE_HEADER_LEN + (nic.length - 14));
    expect([out[12], out[13]]).toEqual([0x88, 0xb5]);
    expect([out[14], out[15], out[16], out[17]]).toEqual([0x10, 0xc0, 0x08, 0x00]);
    expect(out.subarray(14 + GSE_HEADER_LEN)).toEqual(nic.subarray(14));
    const f = parseGseFrame(out);
    expect(f.eth).toMatchObject({ dst: GSF, src: GSP_3, ethertype: GSE_ETHERTYPE_DEFAULT });
    expect(f.gse).toEqual(new GseHeader({ ...DATA, nextProtocol: ETHERTYPE.IPV4 }));
    expect(f.inner).toEqual(nic.subarray(14));
  });

  test('the egress GSP restores the NIC frame; UDP and IP checksums still verify', () => {
    for (const spec of [V4, V6]) {
      const sent = buildFrame({ ...spec, eth: { dst: GSP_3, src: NIC_A } });
      const wire = gseEncapsulate(sent, { dst: GSF, src: GSP_3 }, DATA);
      const { frame, gse } = gseDecapsulate(wire, { dst: NIC_B, src: GSP_17 });
      expect(frame).toEqual(buildFrame({ ...spec, eth: { dst: NIC_B, src: GSP_17 } }));
      expect(gse.nextProtocol).toBe(spec.ip!.version === 4 ? ETHERTYPE.IPV4 : ETHERTYPE.IPV6);
      const p = parseFrame(frame);
      expect([p.udp?.dstPort, [...p.payload]]).toEqual([4791, [...ROCE]]);
    }
  });

  test('Ethernet padding is not carried: the inner packet is cut to its IP length', () => {
    const small = buildFrame({ ...V4, payload: BTH.subarray(0, 4) });
    expect(small.length).toBe(60);
    const out = gseEncapsulate(small, { dst: GSF, src: GSP_3 }, DATA);
    expect(parseGseFrame(out).inner.length).toBe(20 + 8 + 4);
  });

  test('request and grant frames carry nothing, padded to 60 bytes, tagged or not', () => {
    const req = buildGseFrame({ eth: { dst: GSF, src: GSP_3, vlan: { id: 10, pcp: 6, dei: false } }, gse: { type: GSE_TYPE.REQUEST, srcGsp: 3, dstGsp: 17, requestedBytes: 4096 } });
    expect(req.length).toBe(60);
    const f = parseGseFrame(req);
    expect([f.eth.vlan?.pcp, f.gse.requestedBytes, f.inner.length]).toEqual([6, 4096, 0]);
    const grant = buildGseFrame({ eth: { dst: GSP_3, src: GSP_17 }, gse: { type: GSE_TYPE.GRANT, srcGsp: 17, dstGsp: 3, grantedBytes: 4096, grantId: 2 } });
    expect(parseGseFrame(grant).gse.grantedBytes).toBe(4096);
    const e = catchWire(() => gseDecapsulate(grant, { dst: NIC_B, src: GSP_17 }));
    expect([e.kind, e.field]).toEqual(['malformed', 'type']);
  });

  test('configurable EtherType; other EtherTypes are not GSE', () => {
    const opts = { ethertype: 0x88b6 };
    const out = gseEncapsulate(buildFrame(V4), { dst: GSF, src: GSP_3 }, DATA, opts);
    expect([out[12], out[13]]).toEqual([0x88, 0xb6]);
    expect(parseGseFrame(out, opts).gse.dstGsp).toBe(17);
    expect(gseIsEthertype(0x88b6, opts)).toBe(true);
    expect(gseIsEthertype(0x88b6)).toBe(false);
    const e = catchWire(() => parseGseFrame(out));
    expect([e.kind, e.field]).toEqual(['unsupported', 'ethertype']);
    expect(catchWire(() => parseGseFrame(buildFrame(V4))).kind).toBe('unsupported');
  });

  test('truncated frames and a data container whose inner packet is cut', () => {
    const out = gseEncapsulate(buildFrame(V4), { dst: GSF, src: GSP_3 }, DATA);
    expect(catchWire(() => parseGseFrame(out.subarray(0, 14 + 31))).field).toBe('header');
    expect(catchWire(() => parseGseFrame(out.subarray(0, out.length - 1))).kind).toBe('truncated');
  });

  test('fuzz: parseGseFrame throws only WireError, and rebuilding a parsed frame parses the same', () => {
    const sample = gseEncapsulate(buildFrame(V4), { dst: GSF, src: GSP_3 }, DATA);
    const stats = fuzz({
      seed: 17,
      iterations: 5000,
      maxLen: 128,
      samples: [sample],
      parse: (b) => parseGseFrame(b),
      roundTrip: (f) => expect(parseGseFrame(buildGseFrame({ eth: f.eth, gse: f.gse, inner: f.inner, pad: false }))).toEqual(f),
    });
    expect(stats.parsed).toBeGreaterThan(100);
  });
});
