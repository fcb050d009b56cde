// Ethernet II and 802.1Q codec on captured bytes: read, write over 0xa5, round trip, bad input, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import { ETHERNET_HEADER_LEN, EthernetHeader, EthernetView } from './ethernet.ts';
import { ETHERTYPE, ethertypeName } from './ethertype.ts';
import { ethernetFormatMac, ethernetIsMulticast, ethernetParseMac } from './mac.ts';

// Ethernet / IPv4 / UDP 49152 > 4791, checksums verified by tshark 4.0.
const UNTAGGED = Uint8Array.of(
  0x02, 0x1a, 0xc5, 0x00, 0x00, 0x02, 0x02, 0x1a, 0xc5, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x6b, 0x00, 0x28, 0x1c,
  0x46, 0x40, 0x00, 0x40, 0x11, 0x0a, 0x10, 0x0a, 0x01, 0x00, 0x01, 0x0a, 0x01, 0x00, 0x02, 0xc0, 0x00, 0x12, 0xb7,
  0x00, 0x14, 0x42, 0xf4, 0x66, 0x61, 0x62, 0x72, 0x69, 0x63, 0x2d, 0x68, 0x69, 0x6c, 0x0d, 0x0a,
);
// 802.1Q VLAN 100 PCP 5 / IPv6 (truncated after the tag's EtherType for this test).
const TAGGED = Uint8Array.of(
  0x33, 0x33, 0x00, 0x00, 0x00, 0xfb, 0x02, 0x1a, 0xc5, 0x00, 0x00, 0x01, 0x81, 0x00, 0xa0, 0x64, 0x86, 0xdd, 0x62,
  0xaa,
);

const parse = (b: Uint8Array) => EthernetHeader.parse(EthernetView.checked(b));
const emit = (h: EthernetHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(EthernetView.unchecked(out));
  return out;
};

describe('EthernetView', () => {
  test('reads every field of an untagged frame', () => {
    const v = EthernetView.checked(UNTAGGED);
    expect(ethernetFormatMac(v.dst)).toBe('02:1a:c5:00:00:02');
    expect(ethernetFormatMac(v.src)).toBe('02:1a:c5:00:00:01');
    expect(v.tagged).toBe(false);
    expect(v.vlan).toBeUndefined();
    expect(v.ethertype).toBe(ETHERTYPE.IPV4);
    expect(v.headerLen).toBe(ETHERNET_HEADER_LEN);
    expect(v.payload.length).toBe(40);
    expect(v.payload[0]).toBe(0x45);
    expect(v.payload.buffer).toBe(UNTAGGED.buffer); // in place, not a copy
    expect(v.summary()).toBe('Ethernet 02:1a:c5:00:00:01 > 02:1a:c5:00:00:02 type IPv4 (0x0800) len 54');
  });

  test('reads the 802.1Q tag', () => {
    const v = EthernetView.checked(TAGGED);
    expect(ethernetFormatMac(v.dst)).toBe('33:33:00:00:00:fb');
    expect(v.tagged).toBe(true);
    expect(v.vlan).toEqual({ id: 100, pcp: 5, dei: false });
    expect(v.ethertype).toBe(ETHERTYPE.IPV6);
    expect(v.headerLen).toBe(18);
    expect([...v.payload]).toEqual([0x62, 0xaa]);
    expect(v.summary()).toBe('Ethernet 02:1a:c5:00:00:01 > 33:33:00:00:00:fb vlan 100 pcp 5 type IPv6 (0x86dd) len 20');
  });

  test('setters write in place', () => {
    const b = UNTAGGED.slice(0, 14);
    const v = EthernetView.unchecked(b);
    v.setDst(ethernetParseMac('ff:ff:ff:ff:ff:ff'));
    v.setOuterEthertype(0x88cc);
    expect(ethernetFormatMac(v.dst)).toBe('ff:ff:ff:ff:ff:ff');
    expect(v.ethertype).toBe(ETHERTYPE.LLDP);
  });
});

describe('EthernetHeader', () => {
  test('parses the captured frames', () => {
    expect(parse(UNTAGGED)).toEqual(
      new EthernetHeader({ dst: '02:1a:c5:00:00:02', src: '02:1a:c5:00:00:01', ethertype: ETHERTYPE.IPV4 }),
    );
    expect(parse(TAGGED)).toEqual(
      new EthernetHeader({
        dst: '33:33:00:00:00:fb',
        src: '02:1a:c5:00:00:01',
        ethertype: ETHERTYPE.IPV6,
        vlan: { id: 100, pcp: 5, dei: false },
      }),
    );
  });

  test('writes every field over 0xa5', () => {
    expect(emit(parse(UNTAGGED), 0xa5)).toEqual(UNTAGGED.subarray(0, 14));
    expect(emit(parse(TAGGED), 0xa5)).toEqual(TAGGED.subarray(0, 18));
    const dei = new EthernetHeader({
      dst: ethernetFormatMac(TAGGED),
      src: '02:1a:c5:00:00:01',
      ethertype: 0x0800,
      vlan: { id: 4095, pcp: 7, dei: true },
    });
    expect([...emit(dei, 0xa5).subarray(12)]).toEqual([0x81, 0x00, 0xff, 0xff, 0x08, 0x00]);
  });

  test('an untagged emit over a buffer that held a tag writes the type at byte 12', () => {
    const out = TAGGED.slice(0, 18);
    parse(UNTAGGED).emit(EthernetView.unchecked(out));
    expect(EthernetView.checked(out).ethertype).toBe(ETHERTYPE.IPV4);
  });

  test('parse / emit round trip', () => {
    for (const b of [UNTAGGED, TAGGED]) expect(parse(emit(parse(b)))).toEqual(parse(b));
  });

  test('truncated input', () => {
    for (const [b, field] of [
      [UNTAGGED.subarray(0, 13), 'header'],
      [TAGGED.subarray(0, 17), 'vlan'],
      [new Uint8Array(0), 'header'],
    ] as const) {
      const e = catchWire(() => EthernetView.checked(b));
      expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'ethernet', field]);
    }
    expect(() => EthernetView.checked(TAGGED.subarray(0, 18))).not.toThrow();
  });

  test('bad values are malformed on emit', () => {
    const base = { dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', ethertype: 0x0800 };
    for (const [init, field] of [
      [{ ...base, dst: '02:00:00:00:00' }, 'dst'],
      [{ ...base, src: '02:00:00:00:00:0g' }, 'src'],
      [{ ...base, ethertype: 0x10000 }, 'ethertype'],
      [{ ...base, ethertype: 0x8100 }, 'ethertype'],
      [{ ...base, vlan: { id: 4096, pcp: 0, dei: false } }, 'vlan.id'],
      [{ ...base, vlan: { id: 1, pcp: 8, dei: false } }, 'vlan.pcp'],
    ] as const) {
      const e = catchWire(() => emit(new EthernetHeader(init)));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
    const short = catchWire(() => new EthernetHeader(base).emit(EthernetView.unchecked(new Uint8Array(13))));
    expect(short.kind).toBe('truncated');
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 0xe7,
      maxLen: 40,
      samples: [UNTAGGED, TAGGED],
      parse,
      roundTrip: (h) => expect(parse(emit(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(100);
  });
});

describe('MAC addresses and EtherTypes', () => {
  test('format and parse', () => {
    expect(ethernetFormatMac(Uint8Array.of(0, 0x1b, 0x21, 0xab, 0xcd, 0xef))).toBe('00:1b:21:ab:cd:ef');
    expect([...ethernetParseMac('00-1B-21-AB-CD-EF')]).toEqual([0, 0x1b, 0x21, 0xab, 0xcd, 0xef]);
    for (const bad of ['', '00:1b:21:ab:cd', '00:1b:21:ab:cd:ef:00', '00:1b-21:ab:cd:ef', '0:1b:21:ab:cd:ef']) {
      expect(catchWire(() => ethernetParseMac(bad)).kind).toBe('malformed');
    }
    expect(ethernetIsMulticast(TAGGED)).toBe(true);
    expect(ethernetIsMulticast(UNTAGGED)).toBe(false);
  });

  test('names, with unknown values passed through', () => {
    expect(ethertypeName(0x0800)).toBe('IPv4');
    expect(ethertypeName(0x8808)).toBe('MAC-Control');
    expect(ethertypeName(0x88b5)).toBe('0x88b5');
    expect(ethertypeName(0x05dc)).toBe('802.3-length 1500');
  });
});
