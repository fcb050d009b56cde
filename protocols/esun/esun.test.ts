// ESUN codecs on hand-built bytes: EH fields in the default and a custom layout, ECN rewrite in place, frames, fuzz loops.
import { describe, expect, test } from 'vitest';
import { IP_ECN } from '../ip.ts';
import { SueTxn } from '../sue/pdu.ts';
import { catchWire, fuzz } from '../testing.ts';
import {
  ESUN_EH_LAYOUT_DEFAULT,
  ESUN_EH_LEN,
  ESUN_LAYOUT_ASSUMED,
  EsunEhHeader,
  EsunEhView,
  buildEsunFrame,
  esunCheckLayout,
  esunLayoutNote,
  esunMacOf,
  esunXpuOfMac,
  parseEsunFrame,
  type EsunEhLayout,
} from './index.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// version 0 | QoS 9 | ECT(0) | next 0 | flow label 0xabcde: 00 1001 10 0000 1010 1011 1100 1101 1110
const EH = hex('26 0a bc de');

describe('EsunEhView / EsunEhHeader', () => {
  test('reads every field', () => {
    const v = EsunEhView.checked(EH);
    expect([v.version, v.qos, v.ecn, v.nextHeader, v.flowLabel]).toEqual([0, 9, IP_ECN.ECT0, 0, 0xabcde]);
    expect(v.summary()).toBe('ESUN EH v0 qos 9 ECT(0) next 0 flow 703710');
  });

  test('writes over 0xa5 and round-trips; marks CE in place', () => {
    const h = EsunEhHeader.parse(EsunEhView.checked(EH));
    expect(h).toEqual(new EsunEhHeader({ qos: 9, ecn: IP_ECN.ECT0, flowLabel: 0xabcde }));
    const out = new Uint8Array(ESUN_EH_LEN).fill(0xa5);
    h.emit(EsunEhView.unchecked(out));
    expect(out).toEqual(EH);
    EsunEhView.unchecked(out).setEcn(IP_ECN.CE);
    expect([...out]).toEqual([0x27, 0x0a, 0xbc, 0xde]);
  });

  test('another layout moves the fields; bad layouts are refused', () => {
    const l: EsunEhLayout = { version: [0, 2], qos: [2, 6], ecn: [8, 2], nextHeader: [10, 2], flowLabel: [12, 20] };
    const out = new Uint8Array(4);
    new EsunEhHeader({ qos: 46, ecn: IP_ECN.CE, flowLabel: 1 }).emit(EsunEhView.unchecked(out, l));
    const v = EsunEhView.checked(out, l);
    expect([v.qos, v.ecn, v.flowLabel, v.version]).toEqual([46, 3, 1, 0]);
    expect(EsunEhHeader.parse(v).qos).toBe(46);
    expect(catchWire(() => esunCheckLayout({ ...ESUN_EH_LAYOUT_DEFAULT, ecn: [25, 2] })).field).toBe('layout.ecn');
    expect(catchWire(() => esunCheckLayout({ ...ESUN_EH_LAYOUT_DEFAULT, ecn: [24, 3] })).field).toMatch(/layout/);
    expect(catchWire(() => esunCheckLayout({ ...ESUN_EH_LAYOUT_DEFAULT, flowLabel: [20, 20] })).field).toBe('layout.flowLabel');
    expect(catchWire(() => new EsunEhHeader({ qos: 16 }).emit(EsunEhView.unchecked(new Uint8Array(4)))).field).toBe('qos');
  });

  test('version other than 0 is unsupported; short input is truncated', () => {
    expect(catchWire(() => EsunEhHeader.parse(EsunEhView.checked(hex('66 0a bc de')))).kind).toBe('unsupported');
    expect(catchWire(() => EsunEhView.checked(EH.subarray(0, 3))).kind).toBe('truncated');
  });
});

describe('ESUN frames', () => {
  test('Ethernet | EH | RH | PDU | R-CRC', () => {
    const f = buildEsunFrame({
      eth: { dst: esunMacOf(1023), src: esunMacOf(1) },
      eh: { qos: 3, ecn: IP_ECN.ECT0, flowLabel: 77 },
      rh: { opcode: 0, xpuId: 1, psn: 9, vc: 2 },
      txns: [new SueTxn({ opcode: 1, tag: 1, data: new Uint8Array(64) })],
    });
    expect(f.length).toBe(14 + 4 + 8 + 16 + 64 + 4);
    expect([f[12], f[13]]).toEqual([0x88, 0xb6]);
    const p = parseEsunFrame(f);
    expect([p.eh.qos, p.eh.ecn, p.eh.flowLabel, p.rh.xpuId, p.rh.vc, p.txns.length, p.rcrcOk]).toEqual([3, 2, 77, 1, 2, 1, true]);
    expect(esunXpuOfMac(p.eth.dst)).toBe(1023);
    expect(esunXpuOfMac(new Uint8Array(6))).toBeNull();
    expect(catchWire(() => parseEsunFrame(f, { ethertype: 0x88b5 })).field).toBe('ethertype');
  });

  test('fuzz: only WireError escapes, parses re-encode to the same bytes', () => {
    const sample = buildEsunFrame({ eth: { dst: esunMacOf(2), src: esunMacOf(3) }, eh: { ecn: 1 }, rh: { opcode: 1, xpuId: 3, ackPsn: 4 } });
    const stats = fuzz({
      seed: 0xe5,
      iterations: 5000,
      maxLen: 80,
      samples: [sample],
      parse: (b) => parseEsunFrame(b),
      roundTrip: (p, buf) => {
        const out = buildEsunFrame({ eth: { dst: esunMacOf(esunXpuOfMac(p.eth.dst) ?? 0), src: esunMacOf(0) }, eh: p.eh, rh: p.rh, txns: p.txns });
        expect(out.subarray(14, out.length - 4)).toEqual(buf.subarray(14, out.length - 4));
      },
    });
    expect(stats.parsed).toBeGreaterThan(50);
  });

  test('the layout is marked as assumed', () => {
    expect(ESUN_LAYOUT_ASSUMED).toBe(true);
    expect(esunLayoutNote).toMatch(/assumed/);
  });
});
