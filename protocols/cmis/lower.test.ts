// CMIS lower memory on a hand-built image: every field read, every field written over 0xa5, applications, bad input.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import { CmisApplication } from './application.ts';
import { CMIS_MODULE_STATE, SFF8024 } from './codes.ts';
import { CMIS_LOWER, CmisLowerView } from './lower.ts';

/** A 400G FR4 QSFP-DD in ModuleReady at 45.5 C, 3.2895 V, selecting page 11h; unlisted bytes 0xa5. */
function image(): Uint8Array {
  const b = new Uint8Array(128).fill(0xa5);
  const set = (at: number, ...v: number[]) => b.set(v, at);
  set(0, 0x18, 0x50, 0x25, 0xa7); // QSFP-DD, CMIS 5.0, paged (bit 7 clear), Ready (3 << 1) + IntL deasserted
  set(8, 0xa1, 0x81, 0x00, 0x02); // state changed; temp high alarm, vcc low warning; aux flags
  set(14, 0x2d, 0x80, 0x80, 0x7f); // 11648 / 256 = 45.5 C; 32895 x 100 uV = 3.2895 V
  set(18, 0xff, 0x38, 0x00, 0x64, 0x80, 0x00, 0x12, 0x34); // aux1 -200, aux2 100, aux3 -32768, custom 0x1234
  set(26, 0xd5); // LowPwrAllowRequestHW (bit 6) and LowPwrRequestSW (bit 4); bits 7, 2, 0 from 0xa5
  set(31, 0x00, 0xff, 0x0f, 0xf0, 0x00, 0x00);
  set(37, 0x01, 0x02, 0x02, 0x07, 0x01); // CDB status, firmware 2.7, fault cause TEC runaway
  set(85, 0x02); // single-mode fibre
  set(86, 0x11, 0x1d, 0x84, 0x01); // 400GAUI-8 -> 400G-FR4, 8 host / 4 media lanes, first lane 1
  set(90, 0x4f, 0x1d, 0x44, 0x11); // 400GAUI-4-S -> 400G-FR4, 4/4, first lane 1 or 5
  set(94, 0x0d, 0x15, 0x21, 0x55); // 100GAUI-2 -> 100G-FR, 2/1, first lanes 1, 3, 5, 7
  for (let a = 98; a < 118; a += 4) set(a, 0xff, 0, 0, 0); // end of list
  set(126, 0x00, 0x11);
  return b;
}

const APPS = [
  new CmisApplication({ hostInterfaceId: SFF8024.HOST_400GAUI_8, mediaInterfaceId: SFF8024.SMF_400GBASE_FR4, hostLaneCount: 8, mediaLaneCount: 4, hostLaneAssignment: 0x01 }),
  new CmisApplication({ hostInterfaceId: SFF8024.HOST_400GAUI_4_S, mediaInterfaceId: SFF8024.SMF_400GBASE_FR4, hostLaneCount: 4, mediaLaneCount: 4, hostLaneAssignment: 0x11 }),
  new CmisApplication({ hostInterfaceId: 0x0d, mediaInterfaceId: 0x15, hostLaneCount: 2, mediaLaneCount: 1, hostLaneAssignment: 0x55 }),
];

/** Every field of CMIS_LOWER, decoded by hand from image(). */
const EXPECTED: Record<keyof typeof CMIS_LOWER, number | number[] | string> = {
  IDENTIFIER: 0x18,
  REVISION: 0x50,
  FLAT_MEM: 0,
  MODULE_STATE: CMIS_MODULE_STATE.READY,
  INTERRUPT_DEASSERTED: 1,
  STATE_CHANGED_FLAG: 1,
  MODULE_FW_FAULT_FLAG: 0,
  DP_FW_FAULT_FLAG: 0,
  TEMP_FLAGS: 0b0001,
  VCC_FLAGS: 0b1000,
  AUX_FLAGS: [0x00, 0x02],
  TEMPERATURE: 11648,
  VCC: 32895,
  AUX1: -200,
  AUX2: 100,
  AUX3: -32768,
  CUSTOM_MON: 0x1234,
  LOW_PWR_ALLOW_REQUEST_HW: 1,
  SQUELCH_METHOD: 0,
  LOW_PWR_REQUEST_SW: 1,
  SOFTWARE_RESET: 0,
  MODULE_MASKS: [0x00, 0xff, 0x0f, 0xf0, 0x00, 0x00],
  CDB_STATUS: [0x01, 0x02],
  ACTIVE_FW_MAJOR: 2,
  ACTIVE_FW_MINOR: 7,
  FAULT_CAUSE: 1,
  MEDIA_TYPE: 2,
  APPLICATIONS: [...image().subarray(86, 118)],
  BANK_SELECT: 0,
  PAGE_SELECT: 0x11,
};

describe('CmisLowerView', () => {
  test('reads every field', () => {
    const v = CmisLowerView.checked(image());
    for (const [name, f] of Object.entries(CMIS_LOWER)) expect([name, v.value(f)]).toEqual([name, EXPECTED[name as keyof typeof CMIS_LOWER]]);
    expect([v.identifier, v.revision, v.flatMemory, v.moduleState]).toEqual([0x18, '5.0', false, 3]);
    expect([v.temperatureC, v.vccV, v.lowPwrRequestSw, v.lowPwrAllowRequestHw, v.faultCause, v.mediaType]).toEqual([45.5, 3.2895, true, true, 1, 2]);
    expect(v.applications).toEqual(APPS);
    expect(v.summary()).toBe('CMIS QSFP-DD rev 5.0 ModuleReady 45.5 C 3.2895 V page 0x11');
    expect(v.applications[2].summary()).toBe('100GAUI-2 C2M -> 100G-FR/100GBASE-FR1 2/1 lanes first 01010101');
  });

  test('writes every field over 0xa5', () => {
    const out = new Uint8Array(128).fill(0xa5);
    const v = CmisLowerView.unchecked(out);
    for (const [name, f] of Object.entries(CMIS_LOWER)) {
      if (name !== 'APPLICATIONS') v.setValue(f, EXPECTED[name as keyof typeof CMIS_LOWER]);
    }
    CmisApplication.emitList(APPS, v.raw(CMIS_LOWER.APPLICATIONS));
    expect(out).toEqual(image());
  });

  test('applications round trip; blank memory has none', () => {
    const b = new Uint8Array(32).fill(0xa5);
    CmisApplication.emitList(APPS, b);
    expect(CmisApplication.parseList(b)).toEqual(APPS);
    expect(CmisApplication.parseList(new Uint8Array(32))).toEqual([]);
    const all8 = Array.from({ length: 8 }, () => APPS[2]);
    CmisApplication.emitList(all8, b);
    expect(CmisApplication.parseList(b)).toHaveLength(8);
    expect(APPS[1].lanesFrom(5)).toEqual([5, 6, 7, 8]);
    expect([APPS[1].allowsFirstLane(5), APPS[1].allowsFirstLane(3), APPS[1].allowsFirstLane(9)]).toEqual([true, false, false]);
  });

  test('truncated and malformed', () => {
    const e = catchWire(() => CmisLowerView.checked(new Uint8Array(127)));
    expect([e.kind, e.protocol, e.field]).toEqual(['truncated', 'cmis', 'page']);
    const v = CmisLowerView.unchecked(new Uint8Array(128));
    for (const [f, val] of [
      [CMIS_LOWER.MODULE_STATE, 8],
      [CMIS_LOWER.TEMPERATURE, 0x8000],
      [CMIS_LOWER.VCC, -1],
      [CMIS_LOWER.IDENTIFIER, 1.5],
    ] as const) {
      expect(catchWire(() => v.set(f, val)).kind).toBe('malformed');
    }
    expect(catchWire(() => v.setValue(CMIS_LOWER.CDB_STATUS, [1])).kind).toBe('malformed');
    expect(catchWire(() => CmisApplication.emitList(Array.from({ length: 9 }, () => APPS[0]), new Uint8Array(32))).field).toBe('applications');
    for (const bad of [{ hostInterfaceId: 0 }, { hostInterfaceId: 0xff }, { hostLaneCount: 16 }, { mediaLaneCount: -1 }] as const) {
      const app = new CmisApplication({ ...APPS[0], ...bad });
      expect(catchWire(() => app.emit(new Uint8Array(4))).kind).toBe('malformed');
    }
    expect(catchWire(() => CmisApplication.parse(new Uint8Array(3))).kind).toBe('truncated');
    // An upper-page field is not on the lower page.
    expect(catchWire(() => v.get({ at: 200, type: 'u8' })).field).toBe('field');
  });

  test('fuzz: only WireError, and applications survive parse(emit(parse(x)))', () => {
    const stats = fuzz({
      seed: 8024,
      maxLen: 40,
      samples: [image().subarray(86, 118)],
      parse: (b) => CmisApplication.parseList(b),
      roundTrip: (apps) => {
        const out = new Uint8Array(32);
        CmisApplication.emitList(apps.slice(0, 8), out);
        expect(CmisApplication.parseList(out)).toEqual(apps.slice(0, 8));
      },
    });
    expect(stats.parsed).toBeGreaterThan(10_000);
    const views = fuzz({
      seed: 86,
      maxLen: 160,
      parse: (b) => {
        const v = CmisLowerView.checked(b);
        return [v.summary(), ...Object.values(CMIS_LOWER).map((f) => v.value(f))];
      },
      roundTrip: () => {},
    });
    expect(views.rejected.truncated).toBeGreaterThan(1000);
    expect(views.parsed).toBeGreaterThan(1000);
  });
});
