// The emulated CMIS module on virtual time, read through protocols/cmis: state machines and timing, ApSel, monitors, flags, Tx disable, determinism.
import { describe, expect, test } from 'vitest';
import {
  CMIS_CONFIG_STATUS as CS,
  CMIS_DP_STATE as DP,
  CMIS_FAULT_CAUSE,
  CMIS_FLAG,
  CMIS_LOWER,
  CMIS_MODULE_STATE as MS,
  CMIS_PAGE11,
  CmisPage02View,
  CmisThresholds,
  cmisApSelEncode,
  mwToDbm,
} from '../../protocols/cmis/index.ts';
import { fibreLossDb } from './link.ts';
import { OpticalModule } from './module.ts';
import { opticsProfile } from './profiles.ts';
import { host, opticsBench } from './testing.ts';

const FR4 = opticsProfile('conventional-400g-fr4');
const T = FR4.timing; // pwrUp 2000, pwrDn 200, dpInit 300, dpDeinit 20, txTurnOn 60, txTurnOff 20, config 2 ms
const ACTIVATED_MS = T.pwrUpMs + T.dpInitMs + T.txTurnOnMs;
const all = (s: number) => Array(8).fill(s);

describe('module state machine', () => {
  test('insertion: LowPwr -> PwrUp at once, Ready after the PwrUp time, data path up after DPInit and TxTurnOn', () => {
    const b = opticsBench();
    const m = b.module('m1');
    expect([host.moduleState(m), m.moduleState]).toEqual([MS.PWR_UP, MS.PWR_UP]);
    expect(host.dpStates(m)).toEqual(all(DP.DEACTIVATED));
    b.at(T.pwrUpMs - 1);
    expect(host.moduleState(m)).toBe(MS.PWR_UP);
    b.at(T.pwrUpMs);
    expect(host.moduleState(m)).toBe(MS.READY);
    expect(host.dpStates(m)).toEqual(all(DP.INIT));
    b.at(T.pwrUpMs + T.dpInitMs);
    expect(host.dpStates(m)).toEqual(all(DP.TX_TURN_ON));
    expect(m.txOutputMw(1)).toBe(0);
    b.at(ACTIVATED_MS - 1);
    expect(host.dpStates(m)).toEqual(all(DP.TX_TURN_ON));
    b.at(ACTIVATED_MS);
    expect(host.dpStates(m)).toEqual(all(DP.ACTIVATED));
    expect(m.txOutputMw(1)).toBeGreaterThan(0);
    // The module state changed flag latched on the way and clears on read.
    expect(host.lower(m).get(CMIS_LOWER.STATE_CHANGED_FLAG)).toBe(1);
    expect(host.lower(m).get(CMIS_LOWER.STATE_CHANGED_FLAG)).toBe(0);
  });

  test('advertised durations (page 01h) bound the profile timing', () => {
    const b = opticsBench();
    const d = host.page01(b.module('m1')).durations;
    expect(d.modulePwrUpMs).toBeGreaterThan(T.pwrUpMs);
    expect(d.modulePwrDnMs).toBeGreaterThan(T.pwrDnMs);
    expect(d.dpInitMs).toBeGreaterThan(T.dpInitMs);
    expect(d.dpDeinitMs).toBeGreaterThan(T.dpDeinitMs);
    expect(d.txTurnOnMs).toBeGreaterThan(T.txTurnOnMs);
    expect(d.txTurnOffMs).toBeGreaterThan(T.txTurnOffMs);
  });

  test('LowPwrRequestSW (byte 26 bit 4): Ready -> PwrDn -> LowPwr, and back up when cleared', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(3000);
    host.write(m, 0, 26, 0x50); // LowPwrAllowRequestHW kept, LowPwrRequestSW set
    expect(host.moduleState(m)).toBe(MS.PWR_DN);
    expect(host.dpStates(m)).toEqual(all(DP.DEACTIVATED));
    expect(m.txOutputMw(1)).toBe(0);
    b.at(3000 + T.pwrDnMs);
    expect(host.moduleState(m)).toBe(MS.LOW_PWR);
    b.at(10_000);
    expect(host.moduleState(m)).toBe(MS.LOW_PWR);
    host.write(m, 0, 26, 0x40);
    expect(host.moduleState(m)).toBe(MS.PWR_UP);
    b.at(10_000 + ACTIVATED_MS);
    expect([host.moduleState(m), host.dpStates(m)[0]]).toEqual([MS.READY, DP.ACTIVATED]);
  });

  test('the LPMode input counts only while LowPwrAllowRequestHW is set', () => {
    const b = opticsBench();
    const m = b.module('m1', undefined, [], { lpMode: true });
    b.at(5000);
    expect(host.moduleState(m)).toBe(MS.LOW_PWR);
    m.setLpMode(false);
    b.at(5000 + T.pwrUpMs);
    expect(host.moduleState(m)).toBe(MS.READY);
    m.setLpMode(true);
    b.at(5000 + T.pwrUpMs + T.pwrDnMs);
    expect(host.moduleState(m)).toBe(MS.LOW_PWR);
    host.write(m, 0, 26, 0x00); // the host stops honouring the pin
    expect(host.moduleState(m)).toBe(MS.PWR_UP);
  });

  test('a request during PwrUp is served once Ready', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(500);
    host.write(m, 0, 26, 0x50);
    expect(host.moduleState(m)).toBe(MS.PWR_UP);
    b.at(T.pwrUpMs);
    expect(host.moduleState(m)).toBe(MS.PWR_DN);
    b.at(T.pwrUpMs + T.pwrDnMs);
    expect(host.moduleState(m)).toBe(MS.LOW_PWR);
  });

  test('fault: ModuleFault with its cause, Tx off, until reset; SoftwareReset restarts', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(3000);
    m.injectFault(CMIS_FAULT_CAUSE.TEC_RUNAWAY);
    const l = host.lower(m);
    expect([l.moduleState, l.faultCause]).toEqual([MS.FAULT, CMIS_FAULT_CAUSE.TEC_RUNAWAY]);
    expect([m.txOutputMw(1), host.dpStates(m)[0]]).toEqual([0, DP.DEACTIVATED]);
    host.write(m, 0, 26, 0x40);
    b.at(20_000);
    expect(host.moduleState(m)).toBe(MS.FAULT);
    host.write(m, 0, 26, 0x48); // SoftwareReset
    expect([host.moduleState(m), host.lower(m).faultCause, host.lower(m).get(CMIS_LOWER.SOFTWARE_RESET)]).toEqual([MS.PWR_UP, 0, 0]);
    b.at(20_000 + ACTIVATED_MS);
    expect(host.dpStates(m)[0]).toBe(DP.ACTIVATED);
  });

  test('DataPathDeinit: Activated -> TxTurnOff -> Initialized -> Deinit -> Deactivated, and back', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(3000);
    host.write(m, 0x10, 128, 0xff);
    expect(host.dpStates(m)).toEqual(all(DP.TX_TURN_OFF));
    b.at(3000 + T.txTurnOffMs);
    expect(host.dpStates(m)).toEqual(all(DP.DEINIT));
    b.at(3000 + T.txTurnOffMs + T.dpDeinitMs);
    expect(host.dpStates(m)).toEqual(all(DP.DEACTIVATED));
    host.write(m, 0x10, 128, 0x00);
    expect(host.dpStates(m)).toEqual(all(DP.INIT));
    b.at(3100 + T.dpInitMs + T.txTurnOnMs);
    expect(host.dpStates(m)).toEqual(all(DP.ACTIVATED));
    expect(host.page11(m).flags(CMIS_PAGE11.DP_STATE_CHANGED)).toBe(0xff);
  });
});

/** Deinitialises all data paths, stages `bytes` (one ApSel byte per lane) and applies `mask`. */
function stageAndApply(b: ReturnType<typeof opticsBench>, m: OpticalModule, bytes: number[], mask: number, register = 143): void {
  host.write(m, 0x10, 145, ...bytes);
  host.write(m, 0x10, register, mask);
}
const aps = (apSel: number, dataPathId: number) => cmisApSelEncode({ apSel, dataPathId, explicitControl: false });

describe('application select', () => {
  test('valid ApSel: in progress, then success; four 100G-FR data paths come up, one wavelength each', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(3000);
    host.write(m, 0x10, 128, 0xff);
    b.at(3100);
    stageAndApply(b, m, [aps(2, 0), aps(2, 0), aps(2, 2), aps(2, 2), aps(2, 4), aps(2, 4), aps(2, 6), aps(2, 6)], 0xff);
    expect(host.configStatus(m)).toEqual(all(CS.IN_PROGRESS));
    expect(host.page11(m).get(CMIS_PAGE11.CONFIG_STATUS, 1)).toBe(CS.IN_PROGRESS); // also through a host read
    b.at(3100 + T.configMs);
    expect(host.configStatus(m)).toEqual(all(CS.SUCCESS));
    const active = host.page11(m);
    expect([1, 3, 5, 7].map((l) => active.activeApSel(l))).toEqual([0, 2, 4, 6].map((d) => ({ apSel: 2, dataPathId: d, explicitControl: false })));
    host.write(m, 0x10, 128, 0x00);
    b.at(3200 + T.dpInitMs + T.txTurnOnMs);
    expect(host.dpStates(m)).toEqual(all(DP.ACTIVATED));
    expect([1, 2, 3, 4].map((l) => m.txOutputMw(l) > 0)).toEqual([true, true, true, true]);
    // One data path can go down alone.
    host.write(m, 0x10, 128, 0x0c);
    b.at(4000);
    expect(host.dpStates(m)).toEqual([4, 4, 1, 1, 4, 4, 4, 4]);
    expect([1, 2, 3].map((l) => m.txOutputMw(l) > 0)).toEqual([true, false, true]);
  });

  test('rejections: 3 unknown ApSel, 4 wrong first lane, 7 part of a data path, 6 data path in use', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(3000);
    stageAndApply(b, m, all(aps(1, 0)), 0xff); // data path still activated
    b.at(3010);
    expect(host.configStatus(m)).toEqual(all(CS.REJECTED_LANE_IN_USE));
    host.write(m, 0x10, 128, 0xff);
    b.at(3100);
    stageAndApply(b, m, all(aps(5, 0)), 0xff);
    b.at(3110);
    expect(host.configStatus(m)).toEqual(all(CS.REJECTED_INVALID_APSEL));
    stageAndApply(b, m, all(aps(1, 4)), 0xff); // 8-lane application from lane 5
    b.at(3120);
    expect(host.configStatus(m)).toEqual(all(CS.REJECTED_INVALID_DATA_PATH));
    stageAndApply(b, m, all(aps(1, 0)), 0x0f); // only half of the data path
    b.at(3130);
    expect(host.configStatus(m)).toEqual([7, 7, 7, 7, 4, 4, 4, 4]); // lanes 5-8 keep their last status
    // The rejected attempts left the active set alone: ApSel 1 comes back up.
    host.write(m, 0x10, 128, 0x00);
    b.at(3200 + T.dpInitMs + T.txTurnOnMs);
    expect(host.dpStates(m)).toEqual(all(DP.ACTIVATED));
    expect(host.page11(m).activeApSel(8)).toEqual({ apSel: 1, dataPathId: 0, explicitControl: false });
  });

  test('ApplyImmediate re-initialises an active data path', () => {
    const b = opticsBench();
    const m = b.module('m1');
    b.at(3000);
    stageAndApply(b, m, [aps(2, 0), aps(2, 0), aps(2, 2), aps(2, 2), aps(2, 4), aps(2, 4), aps(2, 6), aps(2, 6)], 0xff, 144);
    b.at(3000 + T.configMs);
    expect(host.configStatus(m)).toEqual(all(CS.SUCCESS));
    expect(host.dpStates(m)).toEqual(all(DP.INIT));
    b.at(3000 + T.configMs + T.dpInitMs + T.txTurnOnMs);
    expect(host.dpStates(m)).toEqual(all(DP.ACTIVATED));
  });

  test('apply registers read back as zero', () => {
    const b = opticsBench();
    const m = b.module('m1');
    host.write(m, 0x10, 143, 0xff, 0xff);
    expect([...m.memory.read(0, 0x10, 143, 2)]).toEqual([0, 0]);
  });
});

describe('monitors', () => {
  test('temperature follows the draw; Vcc droops with it; Tx power and bias at nominal per lane', () => {
    const b = opticsBench();
    const busy = b.module('busy');
    const idle = b.module('idle', undefined, [], { lpMode: true });
    expect(host.lower(busy).temperatureC).toBeCloseTo(35, 0);
    b.at(120_000);
    const hot = host.lower(busy);
    const cold = host.lower(idle);
    expect(hot.temperatureC).toBeCloseTo(35 + 30, 0); // full load: ambient + 30 degC
    expect(cold.temperatureC).toBeCloseTo(35 + 3, 0); // 1 W in low power
    expect(hot.vccV).toBeCloseTo(3.3 - 0.004 * 10, 2);
    const p11 = host.page11(busy);
    for (const l of [1, 2, 3, 4]) {
      expect(Math.abs(mwToDbm(p11.txPowerMw(l)) - FR4.txPowerDbm)).toBeLessThan(0.6);
      expect(p11.txBiasMa(l)).toBeGreaterThan(FR4.biasMa * 0.94);
      expect(p11.txBiasMa(l)).toBeLessThan(FR4.biasMa * 1.06);
      expect(p11.txPowerMw(l)).toBeCloseTo(busy.txOutputMw(l), 1);
    }
    expect([p11.txPowerMw(5), host.page11(idle).txPowerMw(1), host.page11(idle).txBiasMa(1)]).toEqual([0, 0, 0]);
  });

  test('Rx power is the far end Tx power less the fibre; zero when the far end is absent or dark', () => {
    const b = opticsBench();
    const a = b.module('a');
    const z = b.module('z');
    b.at(3000);
    expect(host.page11(z).rxPowerMw(1)).toBe(0);
    a.connect(z, 100);
    const loss = fibreLossDb(100);
    const rxZ = host.page11(z);
    const txA = host.page11(a);
    for (const l of [1, 2, 3, 4]) expect(mwToDbm(rxZ.rxPowerMw(l))).toBeCloseTo(mwToDbm(txA.txPowerMw(l)) - loss, 1);
    expect(mwToDbm(rxZ.rxPowerMw(5))).toBe(-40);
    host.write(a, 0, 26, 0x50); // far end to low power
    expect(host.page11(z).rxPowerMw(1)).toBe(0);
    host.write(a, 0, 26, 0x40);
    b.at(6000);
    expect(host.page11(z).rxPowerMw(1)).toBeGreaterThan(0);
    z.disconnect();
    expect([host.page11(z).rxPowerMw(1), a.link, z.linkQuality()]).toEqual([0, undefined, undefined]);
  });

  test('thresholds: crossing latches the flag, a read clears it, only a new crossing sets it again', () => {
    const b = opticsBench();
    const m = b.module('m1');
    const th = CmisThresholds.parse(CmisPage02View.checked(m.memory.read(0, 2, 128, 128)));
    expect(th.temperature).toEqual({ highAlarm: 75, lowAlarm: -5, highWarn: 70, lowWarn: 0 });
    b.at(120_000);
    expect(host.lower(m).get(CMIS_LOWER.TEMP_FLAGS)).toBe(0);
    m.setAmbientC(50); // 80 degC at full load
    b.at(240_000);
    expect(host.lower(m).get(CMIS_LOWER.TEMP_FLAGS)).toBe(CMIS_FLAG.HIGH_ALARM | CMIS_FLAG.HIGH_WARN);
    expect(host.lower(m).get(CMIS_LOWER.TEMP_FLAGS)).toBe(0); // still hot, no new crossing
    // An excursion that is over before the host looks stays latched.
    m.setAmbientC(20);
    b.at(360_000);
    host.lower(m);
    m.setAmbientC(50);
    b.at(390_000);
    m.setAmbientC(20);
    b.at(600_000);
    const l = host.lower(m);
    expect(l.temperatureC).toBeLessThan(60);
    expect(l.get(CMIS_LOWER.TEMP_FLAGS)).toBe(CMIS_FLAG.HIGH_ALARM | CMIS_FLAG.HIGH_WARN);
  });
});

describe('Tx disable', () => {
  test('all lanes disabled: Tx power 0, data path to Initialized, the far end latches Rx LOS; re-enabled: back', () => {
    const b = opticsBench();
    const a = b.module('a');
    const z = b.module('z');
    a.connect(z, 100);
    b.at(3000);
    host.page11(z); // clear what insertion latched
    expect(host.page11(z).flags(CMIS_PAGE11.RX_LOS)).toBe(0);
    host.write(a, 0x10, 130, 0x0f);
    const ta = host.page11(a);
    expect([1, 2, 3, 4].map((l) => ta.txPowerMw(l))).toEqual([0, 0, 0, 0]);
    expect(host.dpStates(a)).toEqual(all(DP.TX_TURN_OFF));
    b.at(3000 + T.txTurnOffMs);
    expect(host.dpStates(a)).toEqual(all(DP.INITIALIZED));
    const rz = host.page11(z);
    expect(rz.flags(CMIS_PAGE11.RX_LOS)).toBe(0x0f);
    expect(rz.flags(CMIS_PAGE11.RX_POWER_LOW_ALARM)).toBe(0x0f);
    expect(rz.flags(CMIS_PAGE11.RX_OUTPUT_STATUS)).toBe(0x00);
    expect(mwToDbm(rz.rxPowerMw(1))).toBe(-40);
    expect(z.linkQuality()).toMatchObject({ up: false, reason: 'loss of signal' });
    host.write(a, 0x10, 130, 0x00);
    expect(host.dpStates(a)).toEqual(all(DP.TX_TURN_ON));
    b.at(3100 + T.txTurnOnMs);
    expect(host.dpStates(a)).toEqual(all(DP.ACTIVATED));
    const back = host.page11(z);
    expect(back.flags(CMIS_PAGE11.RX_LOS)).toBe(0);
    expect(back.flags(CMIS_PAGE11.RX_OUTPUT_STATUS)).toBe(0xff);
    expect(z.linkQuality()?.up).toBe(true);
  });

  test('one lane disabled: that lane dark, the data path stays activated', () => {
    const b = opticsBench();
    const a = b.module('a');
    const z = b.module('z');
    a.connect(z, 100);
    b.at(3000);
    host.page11(z);
    host.write(a, 0x10, 130, 0x02);
    b.at(3100);
    expect(host.dpStates(a)).toEqual(all(DP.ACTIVATED));
    expect(host.page11(z).flags(CMIS_PAGE11.RX_LOS)).toBe(0x02);
    expect([1, 2, 3].map((l) => a.txOutputMw(l) > 0)).toEqual([true, false, true]);
    expect(host.page11(a).flags(CMIS_PAGE11.TX_OUTPUT_STATUS)).toBe(0x0d);
  });
});

describe('identity and determinism', () => {
  test('identity: identifier, CMIS 5.0, vendor, part and serial number, power class', () => {
    const b = opticsBench();
    for (const [id, identifier, pn] of [
      ['conventional-400g-fr4', 0x18, 'FH-400G-FR4'],
      ['conventional-800g-dr8', 0x19, 'FH-800G-DR8'],
    ] as const) {
      const m = b.module(id, id);
      const l = host.lower(m);
      const u = host.upper00(m);
      expect([l.identifier, l.revision, u.get({ at: 128, type: 'u8' })]).toEqual([identifier, '5.0', identifier]);
      expect([u.text({ at: 129, len: 16, type: 'ascii' }), u.text({ at: 148, len: 16, type: 'ascii' })]).toEqual(['FABRIC-HIL', pn]);
      expect(u.text({ at: 166, len: 16, type: 'ascii' })).toMatch(/^FH[0-9A-F]{8}$/);
      expect([u.powerClass, u.maxPowerW, u.verifyChecksum()]).toEqual([m.profile.powerClass, m.profile.maxPowerW, true]);
      expect(l.applications.map((a) => [a.hostInterfaceId, a.mediaInterfaceId])).toEqual(m.profile.applications.map((a) => [a.hostInterfaceId, a.mediaInterfaceId]));
    }
  });

  test('same seed and actions, same memory images; another seed, other images', () => {
    const run = (seed: number) => {
      const b = opticsBench(seed);
      const a = b.module('a');
      const z = b.module('z', 'conventional-400g-fr4');
      a.connect(z, 250);
      const images: Uint8Array[] = [];
      for (const t of [0, 1000, 2500, 5000, 60_000]) {
        b.at(t);
        if (t === 5000) host.write(a, 0x10, 130, 0x04);
        host.page11(z);
        images.push(a.memory.snapshot(), z.memory.snapshot());
      }
      return images;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  test('unknown defects are refused', () => {
    const b = opticsBench();
    expect(() => b.module('m1', undefined, ['els-failure-wrong-ports'])).toThrow(/optical-module 'm1': unknown defect 'els-failure-wrong-ports'/);
    expect(() => new OpticalModule({ id: 'x', profile: FR4, events: b.events, rng: b.rng, defects: ['nope'] })).toThrow(/known: cmis-temperature-scale/);
  });
});
