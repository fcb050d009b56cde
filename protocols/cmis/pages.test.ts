// CMIS upper pages 00h, 01h, 02h, 10h, 11h and ELSFP 1Ah/1Bh on hand-built images: every field read and written, values, bad input.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import { CmisApplication, cmisApSelDecode, cmisApSelEncode } from './application.ts';
import { CMIS_CONFIG_STATUS as CS, CMIS_DP_STATE as DP } from './codes.ts';
import { CmisPageView, mwToDbm, type CmisFieldTable } from './common.ts';
import { ELS_LANE_STATE, ELS_PAGE1A, ELS_PAGE1B, ElsPage1AView, ElsPage1BView } from './els.ts';
import { CMIS_PAGE01, CmisPage01View } from './page01.ts';
import { CMIS_PAGE02_FIELDS, CmisPage02View, CmisThresholds } from './page02.ts';
import { CMIS_PAGE10, CmisPage10View } from './page10.ts';
import { CMIS_PAGE11, CmisPage11View } from './page11.ts';
import { CMIS_UPPER00, CmisIdentity, CmisUpper00View } from './upper00.ts';

type Value = number | number[] | string;

/** An upper page image: 0xa5 everywhere but the given runs (host addresses 128-255). */
function page(runs: Array<[at: number, ...bytes: number[]]>): Uint8Array {
  const b = new Uint8Array(128).fill(0xa5);
  for (const [at, ...v] of runs) b.set(v, at - 128);
  return b;
}
const ascii = (s: string, len: number) => Array.from(s.padEnd(len, ' '), (c) => c.charCodeAt(0));
const be16 = (...v: number[]) => v.flatMap((x) => [x >> 8, x & 0xff]);
const lanes16 = (...v: number[]) => be16(...v, ...Array(8 - v.length).fill(0));

/** Reads every field of `table` from `img`, writes them all over 0xa5 and compares with `img`. */
function everyField(table: CmisFieldTable, img: Uint8Array, expected: Record<string, Value>): void {
  expect(Object.keys(expected).sort()).toEqual(Object.keys(table).sort());
  const v = CmisPageView.checked(img, 128);
  for (const [name, f] of Object.entries(table)) expect([name, v.value(f)]).toEqual([name, expected[name]]);
  const out = new Uint8Array(128).fill(0xa5);
  const w = new CmisPageView(out, 128);
  for (const [name, f] of Object.entries(table)) w.setValue(f, expected[name]);
  expect(out).toEqual(img);
}

describe('upper page 00h', () => {
  const img = page([
    [128, 0x18, ...ascii('FABRIC-HIL', 16), 0x00, 0x1b, 0x21, ...ascii('FH-400G-FR4', 16), ...ascii('A1', 2)],
    [166, ...ascii('FH2603010001', 16), ...ascii('26030100', 8), ...ascii('CLEI012345', 10)],
    [200, 0x85, 0x28, 0x00, 0x07], // class 5 (4 << 5, low bits from 0xa5), 10 W, length 0, LC
    [212, 0x06], // 1310 nm EML
  ]);
  let sum = 0;
  for (let a = 0; a < 94; a++) sum += img[a];
  img[222 - 128] = sum & 0xff;
  const expected: Record<keyof typeof CMIS_UPPER00, Value> = {
    IDENTIFIER: 0x18,
    VENDOR_NAME: 'FABRIC-HIL',
    VENDOR_OUI: [0x00, 0x1b, 0x21],
    VENDOR_PN: 'FH-400G-FR4',
    VENDOR_REV: 'A1',
    VENDOR_SN: 'FH2603010001',
    DATE_CODE: '26030100',
    CLEI: 'CLEI012345',
    POWER_CLASS: 4,
    MAX_POWER: 40,
    CABLE_LENGTH: 0,
    CONNECTOR: 7,
    MEDIA_TECH: 6,
    CHECKSUM: sum & 0xff,
  };
  const identity = new CmisIdentity({
    identifier: 0x18,
    vendorName: 'FABRIC-HIL',
    vendorOui: [0x00, 0x1b, 0x21],
    partNumber: 'FH-400G-FR4',
    vendorRev: 'A1',
    serialNumber: 'FH2603010001',
    dateCode: '26030100',
    powerClass: 5,
    maxPowerW: 10,
    connector: 7,
    mediaTech: 6,
  });

  test('every field', () => everyField(CMIS_UPPER00, img, expected));

  test('identity: parse, emit, round trip, checksum', () => {
    const v = CmisUpper00View.checked(img.slice());
    expect(CmisIdentity.parse(v)).toEqual(identity);
    expect([v.powerClass, v.maxPowerW, v.verifyChecksum()]).toEqual([5, 10, true]);
    expect(v.summary()).toBe('CMIS page 00h QSFP-DD FABRIC-HIL FH-400G-FR4 SN FH2603010001 class 5 max 10 W');
    const out = img.slice();
    identity.emit(CmisUpper00View.unchecked(out));
    expect(out).toEqual(img);
    const fresh = new Uint8Array(128).fill(0xa5);
    identity.emit(CmisUpper00View.unchecked(fresh));
    expect(CmisIdentity.parse(CmisUpper00View.checked(fresh))).toEqual(identity);
    const bad = img.slice();
    bad[10] ^= 1;
    expect(catchWire(() => CmisIdentity.parse(CmisUpper00View.checked(bad))).field).toBe('checksum');
  });

  test('malformed identity values', () => {
    for (const bad of [{ powerClass: 0 }, { powerClass: 9 }, { maxPowerW: 10.1 }, { maxPowerW: 64 }, { vendorName: 'x'.repeat(17) }, { serialNumber: 'caf\u00e9' }]) {
      const e = catchWire(() => new CmisIdentity({ ...identity, ...bad }).emit(CmisUpper00View.unchecked(new Uint8Array(128))));
      expect(e.kind).toBe('malformed');
    }
  });
});

describe('page 01h', () => {
  const img = page([
    [128, 0x01, 0x02, 0x03, 0x04],
    [142, 0xa4], // bank 0 only
    [144, 0x35], // DPInit code 5 (< 500 ms), DPDeinit code 3 (< 50 ms)
    [155, 0xa7], // Tx disable supported (bit 1)
    [158, 0xa7], // Rx LOS supported (bit 1)
    [160, 0xaf], // bias, Tx and Rx power monitors; bias scale 1 (x2)
    [167, 0x67, 0x34], // PwrUp code 7 (< 5 s), PwrDn 6 (< 1 s); TxTurnOn 4 (< 100 ms), TxTurnOff 3 (< 50 ms)
    [176, 0x01, 0x01, 0x0f],
    [223, 0x51, 0x56, 0x88, 0x01, ...Array.from({ length: 6 }, () => [0xff, 0, 0, 0]).flat()],
  ]);
  const expected: Record<keyof typeof CMIS_PAGE01, Value> = {
    INACTIVE_FW_MAJOR: 1,
    INACTIVE_FW_MINOR: 2,
    HW_MAJOR: 3,
    HW_MINOR: 4,
    BANKS_SUPPORTED: 0,
    DP_INIT_DURATION: 5,
    DP_DEINIT_DURATION: 3,
    TX_DISABLE_SUPPORTED: 1,
    RX_LOS_SUPPORTED: 1,
    TX_BIAS_MON_SUPPORTED: 1,
    TX_POWER_MON_SUPPORTED: 1,
    RX_POWER_MON_SUPPORTED: 1,
    TX_BIAS_SCALE: 1,
    MODULE_PWRUP_DURATION: 7,
    MODULE_PWRDN_DURATION: 6,
    TX_TURNON_DURATION: 4,
    TX_TURNOFF_DURATION: 3,
    MEDIA_LANE_ASSIGNMENT: [0x01, 0x01, 0x0f, ...Array(12).fill(0xa5)],
    APPLICATIONS_9_15: [...img.subarray(223 - 128, 251 - 128)],
  };

  test('every field', () => everyField(CMIS_PAGE01, img, expected));

  test('durations, bias multiplier, more applications', () => {
    const v = CmisPage01View.checked(img);
    expect(v.durations).toEqual({ modulePwrUpMs: 5000, modulePwrDnMs: 1000, dpInitMs: 500, dpDeinitMs: 50, txTurnOnMs: 100, txTurnOffMs: 50 });
    expect(v.biasMultiplier).toBe(2);
    expect(v.mediaLaneAssignment(3)).toBe(0x0f);
    expect(v.moreApplications).toEqual([new CmisApplication({ hostInterfaceId: 0x51, mediaInterfaceId: 0x56, hostLaneCount: 8, mediaLaneCount: 8, hostLaneAssignment: 1 })]);
    expect(v.summary()).toBe('CMIS page 01h hw 3.4 pwrup<5000ms dpinit<500ms bias x2');
    const reserved = img.slice();
    reserved[167 - 128] = 0x0e;
    expect(CmisPage01View.checked(reserved).durations.modulePwrUpMs).toBe(Infinity);
  });
});

describe('page 02h', () => {
  const img = page([
    [128, ...be16(0x4b00, 0xfb00, 0x4600, 0x0000)], // 75, -5, 70, 0 C
    [136, ...be16(34650, 31350, 34500, 31500)], // 3.465, 3.135, 3.45, 3.15 V
    [176, ...be16(40000, 2000, 32000, 2500)], // 4, 0.2, 3.2, 0.25 mW
    [184, ...be16(10000, 500, 8000, 1000)], // x 2 uA x multiplier
    [192, ...be16(50000, 100, 40000, 200)], // 5, 0.01, 4, 0.02 mW
  ]);
  const thresholds = new CmisThresholds({
    temperature: { highAlarm: 75, lowAlarm: -5, highWarn: 70, lowWarn: 0 },
    vcc: { highAlarm: 3.465, lowAlarm: 3.135, highWarn: 3.45, lowWarn: 3.15 },
    txPower: { highAlarm: 4, lowAlarm: 0.2, highWarn: 3.2, lowWarn: 0.25 },
    txBias: { highAlarm: 40, lowAlarm: 2, highWarn: 32, lowWarn: 4 },
    rxPower: { highAlarm: 5, lowAlarm: 0.01, highWarn: 4, lowWarn: 0.02 },
  });

  test('every field', () => {
    const raw = [0x4b00, -1280, 0x4600, 0, 34650, 31350, 34500, 31500, 40000, 2000, 32000, 2500, 10000, 500, 8000, 1000, 50000, 100, 40000, 200];
    everyField(CMIS_PAGE02_FIELDS, img, Object.fromEntries(Object.keys(CMIS_PAGE02_FIELDS).map((k, i) => [k, raw[i]])));
  });

  test('thresholds in units (bias multiplier 2), emit over 0xa5, round trip', () => {
    const v = CmisPage02View.checked(img);
    expect(CmisThresholds.parse(v, 2)).toEqual(thresholds);
    expect(CmisThresholds.parse(v).txBias).toEqual({ highAlarm: 20, lowAlarm: 1, highWarn: 16, lowWarn: 2 });
    const out = new Uint8Array(128).fill(0xa5);
    thresholds.emit(CmisPage02View.unchecked(out), 2);
    expect(out).toEqual(img);
    expect(v.summary()).toBe('CMIS page 02h temperature -5..75 C');
  });

  test('thresholds out of range', () => {
    const out = CmisPage02View.unchecked(new Uint8Array(128));
    for (const bad of [{ temperature: { ...thresholds.temperature, highAlarm: 128 } }, { rxPower: { ...thresholds.rxPower, highAlarm: 6.6 } }, { vcc: { ...thresholds.vcc, lowAlarm: -1 } }]) {
      expect(catchWire(() => new CmisThresholds({ ...thresholds, ...bad }).emit(out)).kind).toBe('malformed');
    }
  });

  test('fuzz: any 128 bytes parse, and parse(emit(parse(x))) == parse(x)', () => {
    const stats = fuzz({
      seed: 202,
      maxLen: 140,
      samples: [img],
      parse: (b) => CmisThresholds.parse(CmisPage02View.checked(b), 4),
      roundTrip: (t) => {
        const out = new Uint8Array(128);
        t.emit(CmisPage02View.unchecked(out), 4);
        expect(CmisThresholds.parse(CmisPage02View.checked(out), 4)).toEqual(t);
      },
    });
    expect(stats.parsed).toBeGreaterThan(2000);
  });
});

describe('page 10h', () => {
  const img = page([
    [128, 0xf0, 0xa5, 0x02], // deinit lanes 5-8; Tx disable lane 2
    [138, 0x00],
    [143, 0x00, 0x00, 0x10, 0x10, 0x10, 0x10, 0x29, 0x29, 0x29, 0x29], // ApSel 1 DP 0 on 1-4; ApSel 2 DP 4 EC on 5-8
  ]);
  const expected: Record<keyof typeof CMIS_PAGE10, Value> = {
    DP_DEINIT: [0, 0, 0, 0, 1, 1, 1, 1],
    TX_DISABLE: [0, 1, 0, 0, 0, 0, 0, 0],
    RX_DISABLE: Array(8).fill(0),
    APPLY_DP_INIT: Array(8).fill(0),
    APPLY_IMMEDIATE: Array(8).fill(0),
    STAGED_APSEL: [0x10, 0x10, 0x10, 0x10, 0x29, 0x29, 0x29, 0x29],
  };

  test('every field', () => everyField(CMIS_PAGE10, img, expected));

  test('ApSel bytes', () => {
    const v = CmisPage10View.checked(img.slice());
    expect([v.dpDeinitMask, v.txDisableMask]).toEqual([0xf0, 0x02]);
    expect(v.stagedApSel(1)).toEqual({ apSel: 1, dataPathId: 0, explicitControl: false });
    expect(v.stagedApSel(8)).toEqual({ apSel: 2, dataPathId: 4, explicitControl: true });
    v.setStagedApSel(8, { apSel: 15, dataPathId: 7, explicitControl: false });
    expect(img[152 - 128] ^ v.buffer[152 - 128]).toBe(0x29 ^ 0xfe);
    expect(v.summary()).toBe('CMIS page 10h deinit 11110000 txdis 00000010 apsel [1,1,1,1,2,2,2,15]');
    for (let b = 0; b < 256; b++) expect(cmisApSelEncode(cmisApSelDecode(b))).toBe(b);
    expect(catchWire(() => cmisApSelEncode({ apSel: 16, dataPathId: 0, explicitControl: false })).field).toBe('apSel');
    expect(catchWire(() => v.stagedApSel(9)).field).toBe('lane');
  });
});

describe('page 11h', () => {
  const img = page([
    [128, 0x44, 0x52, 0x71, 0x63], // lanes 1-8: Activated x2, Init, TxTurnOn, Deactivated, Initialized, Deinit, TxTurnOff
    [132, 0x03, 0x03, 0x01],
    [135, 0x80, 0x00, 0x00, 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xfc, 0x00, 0x00, 0x0c, 0x00, 0x0c],
    [154, ...lanes16(10000, 15900), ...lanes16(22000, 24000), ...lanes16(8000, 1)],
    [202, 0x11, 0x3c, 0x00, 0x67], // success x2, in progress, invalid ApSel, -, -, partial data path, lane in use
    [206, 0x10, 0x10, 0x10, 0x10, 0, 0, 0, 0],
    [235, 0x00],
  ]);
  const z = (...v: number[]) => [...v, ...Array(8 - v.length).fill(0)];
  const lanes = (m: number) => Array.from({ length: 8 }, (_, i) => (m >> i) & 1);
  const expected: Record<keyof typeof CMIS_PAGE11, Value> = {
    DP_STATE: [DP.ACTIVATED, DP.ACTIVATED, DP.INIT, DP.TX_TURN_ON, DP.DEACTIVATED, DP.INITIALIZED, DP.DEINIT, DP.TX_TURN_OFF],
    RX_OUTPUT_STATUS: lanes(0x03),
    TX_OUTPUT_STATUS: lanes(0x03),
    DP_STATE_CHANGED: lanes(0x01),
    TX_FAULT: lanes(0x80),
    TX_LOS: lanes(0),
    TX_CDR_LOL: lanes(0),
    TX_ADAPT_EQ_FAIL: lanes(0),
    TX_POWER_HIGH_ALARM: lanes(0x01),
    TX_POWER_LOW_ALARM: lanes(0x02),
    TX_POWER_HIGH_WARN: lanes(0x04),
    TX_POWER_LOW_WARN: lanes(0x08),
    TX_BIAS_HIGH_ALARM: lanes(0x10),
    TX_BIAS_LOW_ALARM: lanes(0x20),
    TX_BIAS_HIGH_WARN: lanes(0x40),
    TX_BIAS_LOW_WARN: lanes(0x80),
    RX_LOS: lanes(0xfc),
    RX_CDR_LOL: lanes(0),
    RX_POWER_HIGH_ALARM: lanes(0),
    RX_POWER_LOW_ALARM: lanes(0x0c),
    RX_POWER_HIGH_WARN: lanes(0),
    RX_POWER_LOW_WARN: lanes(0x0c),
    TX_POWER: z(10000, 15900),
    TX_BIAS: z(22000, 24000),
    RX_POWER: z(8000, 1),
    CONFIG_STATUS: [CS.SUCCESS, CS.SUCCESS, CS.IN_PROGRESS, CS.REJECTED_INVALID_APSEL, 0, 0, CS.REJECTED_PARTIAL_DATA_PATH, CS.REJECTED_LANE_IN_USE],
    ACTIVE_APSEL: z(0x10, 0x10, 0x10, 0x10),
    DP_INIT_PENDING: lanes(0),
  };

  test('every field', () => everyField(CMIS_PAGE11, img, expected));

  test('monitors in units, states by lane, flags as masks', () => {
    const v = CmisPage11View.checked(img);
    expect([v.txPowerMw(1), v.txPowerMw(2), v.txPowerMw(3)]).toEqual([1, 1.59, 0]);
    expect([mwToDbm(v.txPowerMw(1)), mwToDbm(v.rxPowerMw(2)), mwToDbm(v.rxPowerMw(3)), mwToDbm(v.rxPowerMw(3), -30)]).toEqual([0, -40, -40, -30]);
    expect(mwToDbm(v.rxPowerMw(1))).toBeCloseTo(-0.969, 3);
    expect([v.txBiasMa(1), v.txBiasMa(2, 2)]).toEqual([44, 96]);
    expect([v.dpState(1), v.dpState(2), v.dpState(3), v.dpState(4)]).toEqual([4, 4, 2, 5]);
    expect([v.configStatus(3), v.configStatus(4)]).toEqual([12, 3]);
    expect(v.activeApSel(1)).toEqual({ apSel: 1, dataPathId: 0, explicitControl: false });
    expect(v.flags(CMIS_PAGE11.RX_LOS)).toBe(0xfc);
    expect(v.summary()).toBe(
      'CMIS page 11h dp [DPActivated,DPActivated,DPInit,DPTxTurnOn,DPDeactivated,DPInitialized,DPDeinit,DPTxTurnOff] config [ConfigSuccess,ConfigSuccess,ConfigInProgress,ConfigRejectedInvalidAppSel,ConfigUndefined,ConfigUndefined,ConfigRejectedPartialDataPath,ConfigRejectedLaneInUse]',
    );
  });
});

describe('ELSFP pages 1Ah and 1Bh', () => {
  const on = ELS_LANE_STATE.ON;
  const p1a = page([
    [128, ...be16(10000, 1000, 3000, 500)], // 100 mW, 10 mW, 300 mA, 50 mA
    [140, 0x11, ...be16(2600, 600, 2400, 700, 11000, 3000, 10500, 4000)], // APC, 8 lanes; thresholds
    [165, 0xa5, 0x04], // summary fault (bit 2, already set in 0xa5); lane 3 fault
    [174, 0x00],
    [184, 0x00, 0x00, 0, 0, 0, 0, 0, 0x04, 0, 0], // lane 3 low power alarm (191)
    [198, 0, 0, 0, 0, 0, 0, 0, 0],
    [210, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0], // lane 3 fault code 1 (APC loop)
    [220, 0xff, 0x8a, 0xaa, 0xff, 1, 2, 3, 4, 5, 6, 7, 8], // enabled; lane 3 off, others on; fibre map
    [232, ...be16(...Array(8).fill(45800)), 0x01], // 229 THz in 5 GHz steps; fibre check at 1 mW
  ]);
  const p1b = page([
    [128, ...be16(...Array(8).fill(2000)), ...be16(...Array(8).fill(9000))],
    [184, ...be16(2000, 2000, 0, 2000, 2000, 2000, 2000, 2000), ...be16(9000, 9000, 0, 9000, 9000, 9000, 9000, 9000)],
    [232, ...Array(8).fill(220), ...be16(5000)],
  ]);
  const l8 = (m: number) => Array.from({ length: 8 }, (_, i) => (m >> i) & 1);
  const expected1a: Record<keyof typeof ELS_PAGE1A, Value> = {
    MAX_OPTICAL_POWER: 10000,
    MIN_OPTICAL_POWER: 1000,
    MAX_LASER_BIAS: 3000,
    MIN_LASER_BIAS: 500,
    CONTROL_MODE: 1,
    LANE_COUNT: 8,
    BIAS_HIGH_ALARM: 2600,
    BIAS_LOW_ALARM: 600,
    BIAS_HIGH_WARN: 2400,
    BIAS_LOW_WARN: 700,
    POWER_HIGH_ALARM: 11000,
    POWER_LOW_ALARM: 3000,
    POWER_HIGH_WARN: 10500,
    POWER_LOW_WARN: 4000,
    LANE_SUMMARY_FAULT: 1,
    LANE_SUMMARY_WARNING: 0,
    LANE_FAULT_FLAGS: l8(0x04),
    LANE_WARN_FLAGS: l8(0),
    SAVE_RESTORE_COMMAND: 0,
    SAVE_RESTORE_CONFIRM: 0,
    HIGH_BIAS_ALARM: l8(0),
    LOW_BIAS_ALARM: l8(0),
    HIGH_BIAS_WARN: l8(0),
    LOW_BIAS_WARN: l8(0),
    HIGH_POWER_ALARM: l8(0),
    LOW_POWER_ALARM: l8(0x04),
    HIGH_POWER_WARN: l8(0),
    LOW_POWER_WARN: l8(0),
    MASKS: Array(8).fill(0),
    GLOBAL_ALARM_MASK: l8(0),
    GLOBAL_WARN_MASK: l8(0),
    FAULT_WARN_CODE: [0, 0, 1, 0, 0, 0, 0, 0],
    LANE_ENABLE: l8(0xff),
    LANE_STATE: [on, on, ELS_LANE_STATE.OFF, on, on, on, on, on],
    OUTPUT_FIBER_CHECKED: l8(0xff),
    LANE_TO_FIBER: [1, 2, 3, 4, 5, 6, 7, 8],
    LANE_FREQUENCY: Array(8).fill(45800),
    FIBER_CHECK_POWER: 1,
  };
  const expected1b: Record<keyof typeof ELS_PAGE1B, Value> = {
    BIAS_SETPOINT: Array(8).fill(2000),
    POWER_SETPOINT: Array(8).fill(9000),
    BIAS_MONITOR: [2000, 2000, 0, 2000, 2000, 2000, 2000, 2000],
    POWER_MONITOR: [9000, 9000, 0, 9000, 9000, 9000, 9000, 9000],
    VOLTAGE_MONITOR: Array(8).fill(220),
    ICC_MONITOR: 5000,
  };

  test('every field of 1Ah', () => everyField(ELS_PAGE1A, p1a, expected1a));
  test('every field of 1Bh', () => everyField(ELS_PAGE1B, p1b, expected1b));

  test('units and summaries', () => {
    const a = ElsPage1AView.checked(p1a);
    const b = ElsPage1BView.checked(p1b);
    expect([a.laneCount, a.laneState(3), a.laneState(4)]).toEqual([8, 0, 2]);
    expect([b.powerMw(1), b.biasMa(1), b.powerMw(3)]).toEqual([90, 200, 0]);
    expect(a.summary()).toBe('ELSFP page 1Ah 8 lanes enable 11111111 faults 00000100');
    expect(b.summary()).toBe('ELSFP page 1Bh power [90.0,90.0,0.0,90.0,90.0,90.0,90.0,90.0] mW');
  });
});

test('views on short buffers are truncated; every page view summarises random bytes', () => {
  for (const checked of [CmisUpper00View.checked, CmisPage01View.checked, CmisPage02View.checked, CmisPage10View.checked, CmisPage11View.checked, ElsPage1AView.checked, ElsPage1BView.checked]) {
    expect(catchWire(() => checked(new Uint8Array(100))).kind).toBe('truncated');
  }
  const stats = fuzz({
    seed: 1311,
    maxLen: 160,
    parse: (b) =>
      [CmisUpper00View.checked(b), CmisPage01View.checked(b), CmisPage02View.checked(b), CmisPage10View.checked(b), CmisPage11View.checked(b), ElsPage1AView.checked(b), ElsPage1BView.checked(b)].map((v) => v.summary()),
    roundTrip: () => {},
  });
  expect(stats.parsed).toBeGreaterThan(1000);
});
