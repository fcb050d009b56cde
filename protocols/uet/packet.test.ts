// Whole UET packets: size table, parse/build of hand-built packets, layouts, bad input, fuzz, in Ethernet/IPv4/UDP(4793).
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { buildFrame, parseFrame } from '../frame.ts';
import { catchWire, fuzz } from '../testing.ts';
import { UetAckHeader } from './ack.ts';
import { UetCtrlHeader } from './ctrl.ts';
import { UET_IP_PROTOCOL, UET_UDP_PORT_DEFAULT, UET_UDP_PORT_PROVIDER, uetIsUdpPort } from './encap.ts';
import { UetNackHeader } from './nack.ts';
import {
  buildUetPacket,
  parseUetPacket,
  uetPacketSummary,
  uetPdsHeaderLen,
  uetSesHeaderLen,
  uetSesNextHeader,
  type UetPacket,
  type UetPacketSpec,
  type UetParseOptions,
} from './packet.ts';
import { UET_CTRL_TYPE, UET_NEXT_HEADER, UET_PDS_TYPE } from './prologue.ts';
import { UetRequestHeader } from './request.ts';
import { UetRudiHeader } from './rudi.ts';
import { UetSesMediumHeader } from './ses-medium.ts';
import { UetSesResponseDataSmallHeader } from './ses-response-data-small.ts';
import { UetSesResponseDataHeader } from './ses-response-data.ts';
import { UetSesResponseHeader } from './ses-response.ts';
import { UetSesSmallHeader } from './ses-small.ts';
import { UetSesStandardHeader } from './ses-standard.ts';
import { UetUudHeader } from './uud.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// RUD_REQ nh REQ_STD [AR], PSN 1000 | SES standard WRITE, job 0x123456 | 4 data bytes.
const WRITE = hex(
  '1188 fffd 000003e8 0005 0007' +
    '01 07 0102 03123456 0abc 0def 0000000000001000 0000beef 1122334455667788 a1a2a3a4a5a6a7a8 00002000' +
    'deadbeef',
);
// ACK_CC nh RSP_DATA (01000 0101 0000000 = 0x4280), CACK 1000 | response with data | 8 data bytes.
const READ_RSP = hex(
  '4280 0000 000003e8 0007 0005 00 08 0000 0000000000000001 0000000000000000' +
    '02 01 0007 00000042 0102 0008 00000008 00000000' +
    '0102030405060708',
);
// Entropy 0x1234 | UUD nh REQ_MEDIUM | SES medium SEND with header data | 2 data bytes | CRC 0x01020304.
const UUD_MEDIUM_CRC = hex(
  '1234 0000' + '3100 0000' + '05 07 0002 00000001 0002 0003 0000000000c0ffee 00000010 00000000000000ff' + 'abcd' + '01020304',
);
// RUDI_REQ nh REQ_SMALL [RETX] | SES small READ.
const RUDI_SMALL = hex('2090 0000 deadbeef' + '02 0b 0100 01000002 0003 0004 0000000100000000');
// ACK nh RSP (00111 0100 0000000 = 0x3a00) | SES response.
const ACK_RSP = hex('3a00 0000 000003e8 0007 0005' + '01 01 0102 00123456 00001000');
// ACK nh RSP_DATA_SMALL (00111 0110 0000000 = 0x3b00) | small response with data (4 B) | 2 bytes.
const ACK_RSP_SMALL = hex('3b00 0001 000003e8 0007 0005' + '02 01 0002' + 'f00d');
// CTRL PROBE [ROD SYN].
const CTRL = hex('5b24 cafe 000007d0 0005 0123 000007c6');
// NACK TRIMMED [RETX] followed by 3 stray bytes (kept as payload).
const NACK = hex('5010 01 00 000003e9 0007 0005 000003ed' + '000000');

const SPECS: Record<string, UetPacketSpec> = {
  write: {
    pds: new UetRequestHeader({
      type: UET_PDS_TYPE.RUD_REQ,
      nextHeader: UET_NEXT_HEADER.REQ_STD,
      ackRequest: true,
      clearPsnOffset: -3,
      psn: 1000,
      spdcid: 5,
      dpdcid: 7,
    }),
    ses: new UetSesStandardHeader({
      opcode: 1,
      hasHeaderData: true,
      endOfMessage: true,
      startOfMessage: true,
      messageId: 0x102,
      indexGeneration: 3,
      jobId: 0x123456,
      pidOnFep: 0xabc,
      resourceIndex: 0xdef,
      bufferOffset: 0x1000n,
      initiator: 0xbeef,
      memoryKey: 0x1122_3344_5566_7788n,
      headerData: 0xa1a2_a3a4_a5a6_a7a8n,
      requestLength: 8192,
    }),
    payload: hex('deadbeef'),
  },
  readRsp: {
    pds: new UetAckHeader({
      type: UET_PDS_TYPE.ACK_CC,
      nextHeader: UET_NEXT_HEADER.RSP_DATA,
      cackPsn: 1000,
      spdcid: 7,
      dpdcid: 5,
      cc: { ccType: 0, ccFlags: 0, mpr: 8, sackPsnOffset: 0, sackBitmap: 1n, ccState: 0n },
    }),
    ses: new UetSesResponseDataHeader({
      returnCode: 1,
      messageId: 7,
      jobId: 0x42,
      readRequestMessageId: 0x102,
      payloadLength: 8,
      modifiedLength: 8,
    }),
    payload: hex('0102030405060708'),
  },
  uudMediumCrc: {
    entropy: 0x1234,
    pds: new UetUudHeader({ nextHeader: UET_NEXT_HEADER.REQ_MEDIUM }),
    ses: new UetSesMediumHeader({
      opcode: 5,
      endOfMessage: true,
      startOfMessage: true,
      requestLength: 2,
      jobId: 1,
      pidOnFep: 2,
      resourceIndex: 3,
      headerData: 0xc0ffeen,
      initiator: 0x10,
      memoryKey: 0xffn,
    }),
    payload: hex('abcd'),
    crc: 0x01020304,
  },
  rudiSmall: {
    pds: new UetRudiHeader({ type: UET_PDS_TYPE.RUDI_REQ, nextHeader: UET_NEXT_HEADER.REQ_SMALL, retx: true, packetId: 0xdeadbeef }),
    ses: new UetSesSmallHeader({
      opcode: 2,
      relative: true,
      endOfMessage: true,
      startOfMessage: true,
      requestLength: 256,
      indexGeneration: 1,
      jobId: 2,
      pidOnFep: 3,
      resourceIndex: 4,
      bufferOffset: 2n ** 32n,
    }),
  },
  ackRsp: {
    pds: new UetAckHeader({ type: UET_PDS_TYPE.ACK, nextHeader: UET_NEXT_HEADER.RSP, cackPsn: 1000, spdcid: 7, dpdcid: 5 }),
    ses: new UetSesResponseHeader({ opcode: 1, returnCode: 1, messageId: 0x102, jobId: 0x123456, modifiedLength: 4096 }),
  },
  ackRspSmall: {
    pds: new UetAckHeader({
      type: UET_PDS_TYPE.ACK,
      nextHeader: UET_NEXT_HEADER.RSP_DATA_SMALL,
      ackPsnOffset: 1,
      cackPsn: 1000,
      spdcid: 7,
      dpdcid: 5,
    }),
    ses: new UetSesResponseDataSmallHeader({ returnCode: 1, payloadLength: 2 }),
    payload: hex('f00d'),
  },
  ctrl: {
    pds: new UetCtrlHeader({
      ctrlType: UET_CTRL_TYPE.PROBE,
      isRod: true,
      probeOpaque: 0xcafe,
      psn: 2000,
      spdcid: 5,
      syn: { pdcInfo: 0, psnOffset: 0x123 },
      ctrlPayload: 1990,
    }),
  },
  nack: {
    pds: new UetNackHeader({ type: UET_PDS_TYPE.NACK, retx: true, nackCode: 1, nackPsn: 1001, spdcid: 7, dpdcid: 5, nackPayload: 1005 }),
    payload: hex('000000'),
  },
};
const BYTES: Record<string, Uint8Array> = {
  write: WRITE,
  readRsp: READ_RSP,
  uudMediumCrc: UUD_MEDIUM_CRC,
  rudiSmall: RUDI_SMALL,
  ackRsp: ACK_RSP,
  ackRspSmall: ACK_RSP_SMALL,
  ctrl: CTRL,
  nack: NACK,
};
const OPTS: Record<string, UetParseOptions> = { uudMediumCrc: { entropyHeader: true, crcTrailer: true } };

/** The spec that rebuilds a parsed packet. */
const specOf = (p: UetPacket): UetPacketSpec => ({
  entropy: p.entropy?.entropy,
  pds: p.pds,
  ses: p.ses,
  payload: p.payload,
  crc: p.crc,
});
/** Reserved prologue flag bits are not kept by the headers (they are sent as zero). */
const meaning = (p: UetPacket) => ({ ...p, prologue: { type: p.prologue.type, nextHeader: p.prologue.nextHeader } });

describe('header sizes (protocol-facts "Header sizes")', () => {
  test('PDS: RUD/ROD 12, CC 16, ACK 12, ACK_CC 32, ACK_CCX 40, NACK 16, CTRL 16, RUDI 8, UUD 4', () => {
    const table = Array.from({ length: 16 }, (_, t) => uetPdsHeaderLen(t));
    expect(table).toEqual([undefined, undefined, 12, 12, 8, 8, 4, 12, 32, 40, 16, 16, 32, 16, 16, undefined]);
  });

  test('SES: standard 44, medium 32, small 20, response 12 (with data 20, small with data 4 or 12)', () => {
    const table = Array.from({ length: 8 }, (_, nh) => uetSesHeaderLen(nh));
    expect(table).toEqual([0, 20, 32, 44, 12, 20, 4, undefined]);
    expect(uetSesHeaderLen(UET_NEXT_HEADER.RSP_DATA_SMALL, { smallResponseWithData: 'provider' })).toBe(12);
  });

  test('every header value agrees with the table', () => {
    for (const spec of Object.values(SPECS)) {
      expect(spec.pds.bufferLen()).toBe(uetPdsHeaderLen(spec.pds.type));
      if (spec.ses) expect(spec.ses.bufferLen()).toBe(uetSesHeaderLen(uetSesNextHeader(spec.ses)));
    }
  });
});

describe('parseUetPacket / buildUetPacket', () => {
  test('parses each hand-built packet into the headers it was built from', () => {
    for (const [k, spec] of Object.entries(SPECS)) {
      const p = parseUetPacket(BYTES[k], OPTS[k]);
      expect(p.pds, k).toEqual(spec.pds);
      expect(p.ses, k).toEqual(spec.ses);
      expect(p.payload, k).toEqual(spec.payload ?? new Uint8Array(0));
      expect(p.entropy?.entropy, k).toBe(spec.entropy);
      expect(p.crc, k).toBe(spec.crc);
      expect(p.prologue.type, k).toBe(spec.pds.type);
    }
  });

  test('builds each packet byte for byte', () => {
    for (const [k, spec] of Object.entries(SPECS)) expect(buildUetPacket(spec), k).toEqual(BYTES[k]);
  });

  test('round trip, payload in place', () => {
    for (const [k, bytes] of Object.entries(BYTES)) {
      const p = parseUetPacket(bytes, OPTS[k]);
      expect(parseUetPacket(buildUetPacket(specOf(p)), OPTS[k]), k).toEqual(p);
    }
    const p = parseUetPacket(WRITE);
    expect(p.payload.byteOffset).toBe(WRITE.byteOffset + 12 + 44);
  });

  test('summary: one tcpdump-style line', () => {
    expect(uetPacketSummary(UUD_MEDIUM_CRC, OPTS.uudMediumCrc)).toBe(
      'UET entropy 0x1234, UET UUD_REQ nh REQ_MEDIUM, UET SES medium SEND job 1 pid 2 ri 3 hdr_data 0xc0ffee ' +
        'init 0x00000010 key 0xff len 2 [SOM EOM HD], payload 2, crc32c 0x01020304',
    );
    expect(uetPacketSummary(NACK)).toBe('UET NACK TRIMMED psn 1001 spdcid 7 dpdcid 5 payload 0x000003ed [RETX], payload 3');
  });

  test('layouts: EPSN ACK and the provider small response', () => {
    const epsn = buildUetPacket({
      pds: new UetAckHeader({ type: 7, requestClose: true, cackPsn: 9, spdcid: 1, dpdcid: 2, epsn: 10 }),
    });
    expect(epsn.length).toBe(16);
    expect(parseUetPacket(epsn, { ackEpsn: true }).pds).toMatchObject({ epsn: 10 });
    expect(parseUetPacket(epsn).payload.length).toBe(4);
    const small = buildUetPacket({
      pds: new UetAckHeader({ type: 7, nextHeader: 6, cackPsn: 9, spdcid: 1, dpdcid: 2 }),
      ses: new UetSesResponseDataSmallHeader({ returnCode: 1, payloadLength: 0, provider: { indexGeneration: 0, jobId: 5, origRequestPsn: 8 } }),
    });
    expect(parseUetPacket(small, { smallResponseWithData: 'provider' }).ses).toMatchObject({ provider: { jobId: 5, origRequestPsn: 8 } });
    expect(parseUetPacket(small).payload.length).toBe(8);
  });

  test('unknown next headers pass through with their bytes as payload', () => {
    const pds = new UetRequestHeader({ type: 3, nextHeader: 9, psn: 1, spdcid: 1, dpdcid: 1 });
    const bytes = buildUetPacket({ pds, payload: hex('0102') });
    const p = parseUetPacket(bytes);
    expect([p.pds.kind === 'request' && p.pds.nextHeader, p.ses, [...p.payload]]).toEqual([9, undefined, [1, 2]]);
  });

  test('truncated, malformed and unsupported packets are WireErrors', () => {
    const cases: Array<[Uint8Array, UetParseOptions, string, string]> = [
      [new Uint8Array(0), {}, 'truncated', 'prologue'],
      [WRITE.subarray(0, 11), {}, 'truncated', 'header'],
      [WRITE.subarray(0, 12 + 43), {}, 'truncated', 'ses'],
      [READ_RSP.subarray(0, 31), {}, 'truncated', 'cc'],
      [UUD_MEDIUM_CRC.subarray(0, 3), OPTS.uudMediumCrc, 'truncated', 'entropy'],
      [UUD_MEDIUM_CRC.subarray(0, 7), OPTS.uudMediumCrc, 'truncated', 'crc'],
      [hex('0000 0000'), {}, 'malformed', 'type'],
      [hex('0800 0000 0000 0000 0000 0000'), {}, 'unsupported', 'type'],
      [hex('7800 0000'), {}, 'unsupported', 'type'],
      [hex('3a00 0000 000003e8 0007 0005' + '02 01 0102 00123456 00001000'), {}, 'malformed', 'opcode'],
    ];
    for (const [bytes, opts, kind, field] of cases) {
      const e = catchWire(() => parseUetPacket(bytes, opts));
      expect([e.kind, e.protocol, e.field]).toEqual([kind, 'uet', field]);
    }
  });

  test('inconsistent specs are malformed', () => {
    const ack = SPECS.ackRsp.pds;
    const cases: Array<[UetPacketSpec, string]> = [
      [{ pds: SPECS.write.pds, ses: SPECS.ackRsp.ses }, 'nextHeader'],
      [{ pds: ack }, 'ses'],
      [{ pds: SPECS.ctrl.pds, ses: SPECS.ackRsp.ses }, 'ses'],
      [{ ...SPECS.nack, crc: 2 ** 32 }, 'crc'],
      [{ ...SPECS.nack, entropy: -1 }, 'entropy'],
    ];
    for (const [spec, field] of cases) {
      const e = catchWire(() => buildUetPacket(spec));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });
});

describe('fuzz', () => {
  const samples = Object.entries(BYTES)
    .filter(([k]) => !OPTS[k])
    .map(([, b]) => b);
  // 20 000 inputs in the UDP form, 10 000 in the other (the file stays well under 3 s).
  for (const [name, opts, seed, iterations, extra] of [
    ['after UDP, default layouts', {}, 0x4793, 20_000, samples],
    [
      'after the entropy header, CRC trailer, provider layouts',
      { entropyHeader: true, crcTrailer: true, ackEpsn: true, smallResponseWithData: 'provider' },
      0xfd,
      10_000,
      [UUD_MEDIUM_CRC],
    ],
  ] as const) {
    test(`${name}: only WireError, successful parses summarize and round-trip`, () => {
      const o: UetParseOptions = opts;
      const withEntropy: Uint8Array[] = o.entropyHeader
        ? [...samples.map((s) => Uint8Array.from([0x12, 0x34, 0, 0, ...s, 1, 2, 3, 4])), ...extra]
        : [...extra];
      const stats = fuzz({
        seed,
        iterations,
        maxLen: 96,
        samples: withEntropy,
        parse: (b) => parseUetPacket(b, o),
        roundTrip: (p, b) => {
          if (!uetPacketSummary(b, o).startsWith('UET ')) throw new Error('summary');
          const again = meaning(parseUetPacket(buildUetPacket(specOf(p)), o));
          // isDeepStrictEqual is much cheaper than expect(); expect() only explains a mismatch.
          if (!isDeepStrictEqual(again, meaning(p))) expect(again).toEqual(meaning(p));
        },
      });
      expect(stats.parsed).toBeGreaterThan(iterations / 8);
      expect(stats.rejected.truncated).toBeGreaterThan(iterations / 20);
      expect(stats.rejected.unsupported).toBeGreaterThan(iterations / 40);
      expect(stats.rejected.malformed).toBeGreaterThan(iterations / 200);
    });
  }
});

describe('in a frame', () => {
  const ETH = { dst: '02:1a:c5:00:00:02', src: '02:1a:c5:00:00:01' };

  test('Ethernet/IPv4/UDP(4793)/UET parses back to the same UET fields', () => {
    const uet = buildUetPacket(SPECS.write);
    const frame = buildFrame({
      eth: ETH,
      ip: { version: 4, src: '10.1.0.1', dst: '10.1.0.2', dontFrag: true },
      udp: { srcPort: 0xc0de, dstPort: UET_UDP_PORT_DEFAULT },
      payload: uet,
    });
    const f = parseFrame(frame);
    expect(f.udp?.dstPort).toBe(4793);
    expect(uetIsUdpPort(f.udp!.dstPort)).toBe(true);
    expect(uetIsUdpPort(f.udp!.dstPort, { udpPort: UET_UDP_PORT_PROVIDER })).toBe(false);
    const p = parseUetPacket(f.payload);
    expect(p.pds).toEqual(SPECS.write.pds);
    expect(p.ses).toEqual(SPECS.write.ses);
    expect(p.payload).toEqual(SPECS.write.payload);
  });

  test('Ethernet/IPv4 protocol 253/entropy/UET, small enough to be padded', () => {
    const uet = buildUetPacket({ ...SPECS.ctrl, entropy: 0xbeef });
    const frame = buildFrame({ eth: ETH, ip: { version: 4, src: '10.1.0.1', dst: '10.1.0.2', protocol: UET_IP_PROTOCOL }, payload: uet });
    expect(frame.length).toBe(60);
    const f = parseFrame(frame);
    const p = parseUetPacket(f.payload, { entropyHeader: true });
    expect(p.entropy?.entropy).toBe(0xbeef);
    expect(p.pds).toEqual(SPECS.ctrl.pds);
    expect(p.payload.length).toBe(0);
  });
});
