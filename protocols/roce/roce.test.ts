// RoCEv2 codecs on a CNP captured from a ConnectX-4 Lx and on hand-built ACK/NAK bytes: every field,
// 0xa5 fill, round trips (header and whole frame), ICRC, truncated and out-of-range input, fuzz.
import { describe, expect, test } from 'vitest';
import { buildFrame, parseFrame } from '../frame.ts';
import { catchWire, fuzz } from '../testing.ts';
import {
  ROCE_AETH_CREDITS_INVALID,
  ROCE_AETH_LEN,
  ROCE_AETH_TYPE,
  ROCE_NAK_CODE,
  RoceAethHeader,
  RoceAethView,
  roceAethSyndrome,
} from './aeth.ts';
import { ROCE_BTH_LEN, ROCE_OPCODE, ROCE_PKEY_DEFAULT, ROCE_UDP_PORT, RoceBthHeader, RoceBthView, roceOpcodeName } from './bth.ts';
import { ROCE_ICRC_LEN, roceIcrc, roceIcrcFill, roceIcrcOf, roceIcrcVerify } from './icrc.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// A CNP captured on a ConnectX-4 Lx (published with scapy's RoCE tests): IPv4 DSCP 48 ECN 2,
// UDP 0 -> 4791 without checksum, BTH opcode 0x81 with BECN, P_Key 0xffff, QP 0x000118, PSN 0,
// 16 reserved bytes, ICRC 82 fd 00 2a.
const CNP_FRAME = hex(`
  e41d2dab2bc2 7cfe90643b32 0800
  45c2 003c 718c 4000 4011 9161 0a001101 0a001201
  0000 12b7 0028 0000
  81 00 ffff 40 000118 00 000000
  00000000000000000000000000000000
  82fd002a`);
const CNP_IP = CNP_FRAME.subarray(14);
const CNP_BTH = CNP_FRAME.subarray(14 + 20 + 8);

// RC ACKNOWLEDGE: SE clear, M set, pad 0, tver 0, P_Key 0x8001, FECN, QP 0x123456, A set, PSN
// 0xabcdef; AETH: NAK (011) code 0 (PSN sequence error), MSN 0x000102.
const ACK_BTH = hex('11 40 8001 80 123456 80 abcdef');
const NAK_AETH = hex('60 000102');

const parseBth = (b: Uint8Array) => RoceBthHeader.parse(RoceBthView.checked(b));
const emitBth = (h: RoceBthHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(RoceBthView.unchecked(out));
  return out;
};
const parseAeth = (b: Uint8Array) => RoceAethHeader.parse(RoceAethView.checked(b));
const emitAeth = (h: RoceAethHeader, fill = 0) => {
  const out = new Uint8Array(h.bufferLen()).fill(fill);
  h.emit(RoceAethView.unchecked(out));
  return out;
};

describe('RoceBthView', () => {
  test('reads every field of the captured CNP', () => {
    const f = parseFrame(CNP_FRAME.subarray(0, CNP_FRAME.length), { checksums: 'verify' });
    expect(f.udp?.dstPort).toBe(ROCE_UDP_PORT);
    const v = RoceBthView.checked(f.payload);
    expect(v.opcode).toBe(ROCE_OPCODE.CNP);
    expect([v.solicited, v.migReq, v.padCount, v.tver]).toEqual([false, false, 0, 0]);
    expect(v.pkey).toBe(0xffff);
    expect([v.fecn, v.becn, v.reserved6]).toEqual([false, true, 0]);
    expect(v.destQp).toBe(0x118);
    expect([v.ackRequest, v.reserved7, v.psn]).toEqual([false, 0, 0]);
    expect(v.payload.length).toBe(16 + ROCE_ICRC_LEN);
    expect(v.summary()).toBe('RoCE CNP qp 0x000118 psn 0 pkey 0xffff [BECN]');
  });

  test('reads every field of a hand-built ACKNOWLEDGE', () => {
    const v = RoceBthView.checked(ACK_BTH);
    expect([v.opcode, v.solicited, v.migReq, v.padCount, v.tver]).toEqual([0x11, false, true, 0, 0]);
    expect([v.pkey, v.fecn, v.becn, v.destQp, v.ackRequest, v.psn]).toEqual([0x8001, true, false, 0x123456, true, 0xabcdef]);
    expect(v.summary()).toBe('RoCE RC_ACKNOWLEDGE qp 0x123456 psn 11259375 pkey 0x8001 [M FECN A]');
  });

  test('sub-byte fields: SE, pad count and version share byte 1', () => {
    const b = new Uint8Array(ROCE_BTH_LEN);
    const v = RoceBthView.unchecked(b);
    v.setSeMPadTver(true, false, 3, 0xf);
    expect(b[1]).toBe(0xbf);
    expect([v.solicited, v.migReq, v.padCount, v.tver]).toEqual([true, false, 3, 15]);
  });

  test('names; unknown opcodes pass through', () => {
    expect(roceOpcodeName(0x04)).toBe('RC_SEND_ONLY');
    expect(roceOpcodeName(0x64)).toBe('opcode-0x64');
  });
});

describe('RoceBthHeader', () => {
  const cnp = new RoceBthHeader({ opcode: ROCE_OPCODE.CNP, becn: true, destQp: 0x118, psn: 0 });
  const ack = new RoceBthHeader({
    opcode: ROCE_OPCODE.RC_ACKNOWLEDGE,
    migReq: true,
    pkey: 0x8001,
    fecn: true,
    destQp: 0x123456,
    ackRequest: true,
    psn: 0xabcdef,
  });

  test('parses the captured and the hand-built headers; defaults', () => {
    expect(parseBth(CNP_BTH)).toEqual(cnp);
    expect(parseBth(ACK_BTH)).toEqual(ack);
    expect(cnp.pkey).toBe(ROCE_PKEY_DEFAULT);
  });

  test('writes every field over 0xa5 (reserved bits zero)', () => {
    expect(emitBth(cnp, 0xa5)).toEqual(CNP_BTH.subarray(0, ROCE_BTH_LEN));
    expect(emitBth(ack, 0xa5)).toEqual(ACK_BTH);
  });

  test('reserved bits are ignored on receipt; unknown opcodes round-trip', () => {
    const b = ACK_BTH.slice();
    b[4] |= 0x3f;
    b[8] |= 0x7f;
    expect(parseBth(b)).toEqual(ack);
    const odd = new RoceBthHeader({ opcode: 0xfe, padCount: 2, tver: 1, destQp: 0xffffff, psn: 0xffffff });
    expect(parseBth(emitBth(odd))).toEqual(odd);
  });

  test('truncated and out of range', () => {
    const e = catchWire(() => RoceBthView.checked(ACK_BTH.subarray(0, 11)));
    expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'roce', 'bth']);
    for (const [init, field] of [
      [{ opcode: 0x100, destQp: 0, psn: 0 }, 'opcode'],
      [{ opcode: 0, padCount: 4, destQp: 0, psn: 0 }, 'padCount'],
      [{ opcode: 0, tver: 16, destQp: 0, psn: 0 }, 'tver'],
      [{ opcode: 0, pkey: 0x10000, destQp: 0, psn: 0 }, 'pkey'],
      [{ opcode: 0, destQp: 0x1000000, psn: 0 }, 'destQp'],
      [{ opcode: 0, destQp: 0, psn: 0x1000000 }, 'psn'],
      [{ opcode: 0, destQp: 0, psn: 1.5 }, 'psn'],
    ] as const) {
      const err = catchWire(() => emitBth(new RoceBthHeader(init)));
      expect([err.kind, err.field]).toEqual(['malformed', field]);
    }
  });

  test('fuzz: only WireError, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 4791,
      maxLen: 32,
      samples: [CNP_BTH, ACK_BTH],
      parse: parseBth,
      roundTrip: (h) => expect(parseBth(emitBth(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
    expect(stats.rejected.truncated).toBeGreaterThan(100);
  });
});

describe('RoceAeth', () => {
  const nak = new RoceAethHeader({ syndrome: roceAethSyndrome(ROCE_AETH_TYPE.NAK, ROCE_NAK_CODE.PSN_SEQUENCE_ERROR), msn: 0x102 });

  test('reads every field; the syndrome splits into type and value', () => {
    const v = RoceAethView.checked(NAK_AETH);
    expect([v.syndrome, v.syndromeType, v.syndromeValue, v.msn]).toEqual([0x60, ROCE_AETH_TYPE.NAK, 0, 0x102]);
    expect(v.summary()).toBe('AETH NAK code 0 msn 258');
    const ackV = RoceAethView.checked(hex('1f ffffff'));
    expect([ackV.syndromeType, ackV.syndromeValue, ackV.msn]).toEqual([ROCE_AETH_TYPE.ACK, ROCE_AETH_CREDITS_INVALID, 0xffffff]);
    expect(ackV.summary()).toBe('AETH ACK credits 31 msn 16777215');
    expect(RoceAethView.checked(hex('2e 000000')).summary()).toBe('AETH RNR-NAK timer 14 msn 0');
    expect(RoceAethView.checked(hex('45 000000')).summary()).toBe('AETH syndrome 0x45 msn 0');
  });

  test('parse, write over 0xa5, round trip (reserved syndrome types kept)', () => {
    expect(parseAeth(NAK_AETH)).toEqual(nak);
    expect([nak.syndromeType, nak.syndromeValue]).toEqual([ROCE_AETH_TYPE.NAK, 0]);
    expect(emitAeth(nak, 0xa5)).toEqual(NAK_AETH);
    const reserved = new RoceAethHeader({ syndrome: 0x45, msn: 7 });
    expect(parseAeth(emitAeth(reserved))).toEqual(reserved);
  });

  test('truncated and out of range', () => {
    expect(catchWire(() => RoceAethView.checked(NAK_AETH.subarray(0, 3))).kind).toBe('truncated');
    expect(catchWire(() => emitAeth(new RoceAethHeader({ syndrome: 256, msn: 0 }))).field).toBe('syndrome');
    expect(catchWire(() => emitAeth(new RoceAethHeader({ syndrome: 0, msn: 1 << 24 }))).field).toBe('msn');
    expect(ROCE_AETH_LEN).toBe(4);
  });

  test('fuzz', () => {
    const stats = fuzz({
      seed: 0x11,
      maxLen: 8,
      samples: [NAK_AETH],
      parse: parseAeth,
      roundTrip: (h) => expect(parseAeth(emitAeth(h))).toEqual(h),
    });
    expect(stats.parsed).toBeGreaterThan(1000);
  });
});

describe('ICRC', () => {
  test('matches the captured CNP', () => {
    expect(roceIcrcOf(CNP_IP)).toBe(0x82fd002a);
    expect(roceIcrc(CNP_IP.subarray(0, CNP_IP.length - ROCE_ICRC_LEN))).toBe(0x82fd002a);
    expect(roceIcrcVerify(CNP_IP)).toBe(true);
  });

  test('variant fields do not count; everything else does', () => {
    const ip = CNP_IP.slice();
    ip[1] = 0x03; // DSCP/ECN
    ip[8] = 1; // TTL
    ip[10] = ip[11] = 0; // IP checksum
    ip[26] = ip[27] = 0x55; // UDP checksum
    ip[28 + 4] = 0x80; // FECN
    expect(roceIcrcVerify(ip)).toBe(true);
    ip[28 + 5] ^= 1; // the QP is invariant
    expect(roceIcrcVerify(ip)).toBe(false);
  });

  test('IPv6: traffic class, flow label and hop limit do not count', () => {
    const frame = buildFrame({
      eth: { dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01' },
      ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2', hopLimit: 64, dscp: 26, ecn: 2, flowLabel: 0x12345 },
      udp: { srcPort: 0xc000, dstPort: ROCE_UDP_PORT },
      payload: new Uint8Array(ROCE_BTH_LEN + 8 + ROCE_ICRC_LEN),
    });
    const ip = frame.subarray(14);
    new RoceBthHeader({ opcode: ROCE_OPCODE.RC_SEND_ONLY, destQp: 9, psn: 1 }).emit(RoceBthView.unchecked(ip.subarray(48)));
    roceIcrcFill(ip);
    const copy = ip.slice();
    copy[0] = 0x6f;
    copy[1] = copy[2] = copy[3] = 0;
    copy[7] = 1;
    expect(roceIcrcVerify(copy)).toBe(true);
    copy[4] ^= 1; // payload length is invariant
    expect(roceIcrcVerify(copy)).toBe(false);
  });

  test('bad input', () => {
    expect(catchWire(() => roceIcrc(new Uint8Array(0))).kind).toBe('truncated');
    expect(catchWire(() => roceIcrc(Uint8Array.of(0x55))).kind).toBe('malformed');
    expect(catchWire(() => roceIcrc(CNP_IP.subarray(0, 30))).kind).toBe('truncated');
  });
});

describe('a RoCEv2 frame', () => {
  test('round trip through buildFrame / parseFrame: BTH, AETH, ICRC', () => {
    const bth = new RoceBthHeader({ opcode: ROCE_OPCODE.RC_ACKNOWLEDGE, destQp: 0x42, psn: 77 });
    const aeth = new RoceAethHeader({ syndrome: roceAethSyndrome(ROCE_AETH_TYPE.ACK, ROCE_AETH_CREDITS_INVALID), msn: 3 });
    const payload = new Uint8Array(ROCE_BTH_LEN + ROCE_AETH_LEN + ROCE_ICRC_LEN);
    bth.emit(RoceBthView.unchecked(payload));
    aeth.emit(RoceAethView.unchecked(payload.subarray(ROCE_BTH_LEN)));
    const frame = buildFrame({
      eth: { dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01' },
      ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', ecn: 2, dscp: 26 },
      udp: { srcPort: 0xc123, dstPort: ROCE_UDP_PORT },
      payload,
    });
    roceIcrcFill(frame.subarray(14, 14 + 20 + 8 + payload.length));
    const f = parseFrame(frame, { checksums: 'ignore' });
    expect(f.udp?.dstPort).toBe(ROCE_UDP_PORT);
    const v = RoceBthView.checked(f.payload);
    expect(RoceBthHeader.parse(v)).toEqual(bth);
    expect(RoceAethHeader.parse(RoceAethView.checked(v.payload))).toEqual(aeth);
    expect(roceIcrcVerify(frame.subarray(14, 14 + 20 + 8 + payload.length))).toBe(true);
  });
});
