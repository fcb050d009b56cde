// CTRL, RUDI and UUD headers on hand-built bytes: every field, 0xa5 fill, round trip, bad input.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import { UET_CTRL_FLAG, UET_CTRL_LEN, UetCtrlHeader, UetCtrlView, type UetCtrlInit } from './ctrl.ts';
import { UET_CTRL_TYPE, UET_NEXT_HEADER, UET_PDS_TYPE } from './prologue.ts';
import { UET_RUDI_LEN, UetRudiHeader, UetRudiView } from './rudi.ts';
import { UET_UUD_LEN, UetUudHeader, UetUudView } from './uud.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

// CTRL (11) control type ACK_REQ (1) flags AR (0x08): 01011 0001 0001000 = 0x5888; reserved/probe 0,
// PSN 1010, SPDCID 5, DPDCID 7, payload 0x42 (message id).
const CTRL = hex('5888 0000 000003f2 0005 0007 00000042');
// CTRL PROBE (6) flags ISROD|SYN (0x24): 01011 0110 0100100 = 0x5b24; opaque 0xcafe, PSN 2000,
// SPDCID 5, DPDCID slot pdc_info 0 psn_offset 0x123, payload 1990 (SACK bitmap base PSN).
const PROBE = hex('5b24 cafe 000007d0 0005 0123 000007c6');
// RUDI_REQ (4) nh REQ_SMALL (1) flags RETX (0x10): 00100 0001 0010000 = 0x2090; reserved, packet id.
const RUDI = hex('2090 0000 deadbeef');
// RUDI_RESP (5) nh RSP (4) flags M (0x20): 00101 0100 0100000 = 0x2a20; packet id 1.
const RUDI_RESP = hex('2a20 0000 00000001');
// UUD_REQ (6) nh REQ_MEDIUM (2), no flags: 00110 0010 0000000 = 0x3100; reserved.
const UUD = hex('3100 0000');

const CTRL_H = new UetCtrlHeader({ ctrlType: UET_CTRL_TYPE.ACK_REQ, ackRequest: true, psn: 1010, spdcid: 5, dpdcid: 7, ctrlPayload: 0x42 });
const PROBE_H = new UetCtrlHeader({
  ctrlType: UET_CTRL_TYPE.PROBE,
  isRod: true,
  probeOpaque: 0xcafe,
  psn: 2000,
  spdcid: 5,
  syn: { pdcInfo: 0, psnOffset: 0x123 },
  ctrlPayload: 1990,
});
const RUDI_H = new UetRudiHeader({ type: UET_PDS_TYPE.RUDI_REQ, nextHeader: UET_NEXT_HEADER.REQ_SMALL, retx: true, packetId: 0xdeadbeef });
const RUDI_RESP_H = new UetRudiHeader({ type: UET_PDS_TYPE.RUDI_RESP, nextHeader: UET_NEXT_HEADER.RSP, ecnMarked: true, packetId: 1 });
const UUD_H = new UetUudHeader({ nextHeader: UET_NEXT_HEADER.REQ_MEDIUM });

function fill<V>(len: number, make: (b: Uint8Array) => V, h: { emit(v: V): void }, f = 0): Uint8Array {
  const out = new Uint8Array(len).fill(f);
  h.emit(make(out));
  return out;
}

describe('UetCtrlView / UetCtrlHeader', () => {
  const parse = (b: Uint8Array) => UetCtrlHeader.parse(UetCtrlView.checked(b));
  const emit = (h: UetCtrlHeader, f = 0) => fill(h.bufferLen(), UetCtrlView.unchecked, h, f);

  test('reads every field', () => {
    const v = UetCtrlView.checked(CTRL);
    expect([v.type, v.ctrlType, v.isRod, v.retx, v.ackRequest, v.syn]).toEqual([11, 1, false, false, true, false]);
    expect([v.probeOpaque, v.psn, v.spdcid, v.dpdcid, v.ctrlPayload]).toEqual([0, 1010, 5, 7, 0x42]);
    expect(v.summary()).toBe('UET CTRL ACK_REQ psn 1010 spdcid 5 dpdcid 7 payload 0x00000042 [AR]');
    const p = UetCtrlView.checked(PROBE);
    expect([p.ctrlType, p.probeOpaque, p.isRod, p.syn, p.pdcInfo, p.psnOffset, p.ctrlPayload]).toEqual([
      6, 0xcafe, true, true, 0, 0x123, 1990,
    ]);
    expect(p.flags).toBe(UET_CTRL_FLAG.ISROD | UET_CTRL_FLAG.SYN);
    expect(p.summary()).toBe('UET CTRL PROBE probe 0xcafe psn 2000 spdcid 5 pdc_info 0x0 psn_offset 291 payload 0x000007c6 [ROD SYN]');
  });

  test('parses, writes every field over 0xa5, round trips; 16 bytes', () => {
    expect(parse(CTRL)).toEqual(CTRL_H);
    expect(parse(PROBE)).toEqual(PROBE_H);
    expect(emit(CTRL_H, 0xa5)).toEqual(CTRL);
    expect(emit(PROBE_H, 0xa5)).toEqual(PROBE);
    for (const h of [CTRL_H, PROBE_H]) expect(parse(emit(parse(emit(h))))).toEqual(h);
    const neg = new UetCtrlHeader({ ctrlType: UET_CTRL_TYPE.NEGOTIATION, psn: 0, spdcid: 0, dpdcid: 0 });
    expect(parse(emit(neg)).ctrlType).toBe(9);
    expect([CTRL_H.bufferLen(), UET_CTRL_LEN]).toEqual([16, 16]);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetCtrlView.checked(CTRL.subarray(0, 15))).kind).toBe('truncated');
    const ack = CTRL.slice();
    ack[0] = 0x38;
    expect(catchWire(() => parse(ack)).field).toBe('type');
    const base: UetCtrlInit = { ctrlType: 0, psn: 0, spdcid: 0, dpdcid: 0 };
    for (const [patch, field] of [
      [{ ctrlType: 16 }, 'ctrlType'],
      [{ probeOpaque: 0x10000 }, 'probeOpaque'],
      [{ syn: { pdcInfo: 0, psnOffset: 0 } }, 'dpdcid'],
      [{ ctrlPayload: -1 }, 'ctrlPayload'],
    ] as const) {
      const e = catchWire(() => emit(new UetCtrlHeader({ ...base, ...patch })));
      expect([e.kind, e.field]).toEqual(['malformed', field]);
    }
  });
});

describe('UetRudiView / UetRudiHeader', () => {
  const parse = (b: Uint8Array) => UetRudiHeader.parse(UetRudiView.checked(b));
  const emit = (h: UetRudiHeader, f = 0) => fill(h.bufferLen(), UetRudiView.unchecked, h, f);

  test('reads every field', () => {
    const v = UetRudiView.checked(RUDI);
    expect([v.type, v.nextHeader, v.retx, v.ecnMarked, v.reserved, v.packetId]).toEqual([4, 1, true, false, 0, 0xdeadbeef]);
    expect(v.summary()).toBe('UET RUDI_REQ nh REQ_SMALL pkt_id 3735928559 [RETX]');
    expect(UetRudiView.checked(RUDI_RESP).summary()).toBe('UET RUDI_RESP nh RSP pkt_id 1 [M]');
  });

  test('parses, writes every field over 0xa5 (reserved cleared), round trips; 8 bytes', () => {
    expect(parse(RUDI)).toEqual(RUDI_H);
    expect(parse(RUDI_RESP)).toEqual(RUDI_RESP_H);
    expect([RUDI_H.response, RUDI_RESP_H.response]).toEqual([false, true]);
    expect(emit(RUDI_H, 0xa5)).toEqual(RUDI);
    expect(emit(RUDI_RESP_H, 0xa5)).toEqual(RUDI_RESP);
    for (const h of [RUDI_H, RUDI_RESP_H]) expect(parse(emit(parse(emit(h))))).toEqual(h);
    expect([RUDI_H.bufferLen(), UET_RUDI_LEN]).toEqual([8, 8]);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetRudiView.checked(RUDI.subarray(0, 7))).kind).toBe('truncated');
    const uud = RUDI.slice();
    uud[0] = 0x30;
    expect(catchWire(() => parse(uud)).field).toBe('type');
    expect(catchWire(() => emit(new UetRudiHeader({ type: 2, packetId: 0 }))).field).toBe('type');
    expect(catchWire(() => emit(new UetRudiHeader({ type: 4, packetId: 2 ** 32 }))).field).toBe('packetId');
  });
});

describe('UetUudView / UetUudHeader', () => {
  const parse = (b: Uint8Array) => UetUudHeader.parse(UetUudView.checked(b));
  const emit = (h: UetUudHeader, f = 0) => fill(h.bufferLen(), UetUudView.unchecked, h, f);

  test('reads every field, writes over 0xa5, round trips; 4 bytes', () => {
    const v = UetUudView.checked(UUD);
    expect([v.type, v.nextHeader, v.flags, v.reserved, v.payload.length]).toEqual([6, 2, 0, 0, 0]);
    expect(v.summary()).toBe('UET UUD_REQ nh REQ_MEDIUM');
    expect(parse(UUD)).toEqual(UUD_H);
    expect(emit(UUD_H, 0xa5)).toEqual(UUD);
    expect(parse(emit(parse(UUD)))).toEqual(UUD_H);
    expect([UUD_H.bufferLen(), UET_UUD_LEN, new UetUudHeader().nextHeader]).toEqual([4, 4, 0]);
  });

  test('truncated and malformed', () => {
    expect(catchWire(() => UetUudView.checked(UUD.subarray(0, 3))).kind).toBe('truncated');
    expect(catchWire(() => parse(RUDI)).field).toBe('type');
    expect(catchWire(() => emit(new UetUudHeader({ nextHeader: 16 }))).field).toBe('nextHeader');
  });
});
