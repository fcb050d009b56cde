// Each optics defect switch against the good model: the same scenario, read through protocols/cmis, gives a different answer.
import { describe, expect, test } from 'vitest';
import { CMIS_CONFIG_STATUS as CS, CMIS_DP_STATE as DP, CMIS_FLAG, CMIS_LOWER, CMIS_MODULE_STATE as MS, CMIS_PAGE11, cmisApSelEncode } from '../../protocols/cmis/index.ts';
import { OPTICS_DEFECT as D, OPTICS_DEFECTS } from './defects.ts';
import { opticsProfile } from './profiles.ts';
import { cpoFabric, host, opticsBench, opticsTwin } from './testing.ts';

const T = opticsProfile('conventional-400g-fr4').timing;

/** For each defect: a scenario run with and without it, and what each run must show. */
const SCENARIOS: Record<string, { run: (defects: string[]) => unknown; good: unknown; bad: unknown }> = {
  [D.TEMPERATURE_SCALE]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', undefined, defects);
      b.at(120_000);
      return Math.round(host.lower(m).temperatureC);
    },
    good: 65,
    bad: 3, // 65 degC in 0.1 degC steps read as 1/256 degC
  },
  [D.FLAGS_NOT_LATCHED]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', undefined, defects);
      b.at(120_000);
      host.lower(m);
      m.setAmbientC(50);
      b.at(180_000);
      m.setAmbientC(20);
      b.at(400_000);
      return host.lower(m).get(CMIS_LOWER.TEMP_FLAGS);
    },
    good: CMIS_FLAG.HIGH_ALARM | CMIS_FLAG.HIGH_WARN,
    bad: 0,
  },
  [D.PWRUP_SKIPPED]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', undefined, defects);
      const first = host.moduleState(m);
      b.at(T.dpInitMs + T.txTurnOnMs);
      return [first, host.dpStates(m)[0]];
    },
    good: [MS.PWR_UP, DP.DEACTIVATED],
    bad: [MS.READY, DP.ACTIVATED],
  },
  [D.INVALID_APSEL_ACCEPTED]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', undefined, defects);
      b.at(3000);
      host.write(m, 0x10, 128, 0xff);
      b.at(3100);
      host.write(m, 0x10, 145, ...Array(8).fill(cmisApSelEncode({ apSel: 5, dataPathId: 0, explicitControl: false })));
      host.write(m, 0x10, 143, 0xff);
      host.write(m, 0x10, 128, 0x00);
      b.at(4000);
      return [host.configStatus(m)[0], host.dpStates(m)[0], host.page11(m).activeApSel(1).apSel];
    },
    good: [CS.REJECTED_INVALID_APSEL, DP.ACTIVATED, 1],
    bad: [CS.SUCCESS, DP.ACTIVATED, 5],
  },
  [D.TX_DISABLE_IGNORED]: {
    run: (defects) => {
      const b = opticsBench();
      const a = b.module('a', undefined, defects);
      const z = b.module('z');
      a.connect(z, 100);
      b.at(3000);
      host.page11(z);
      host.write(a, 0x10, 130, 0x0f);
      b.at(3100);
      return [host.page11(z).flags(CMIS_PAGE11.RX_LOS), host.dpStates(a)[0], host.page11(a).txPowerMw(1) > 0];
    },
    good: [0x0f, DP.INITIALIZED, false],
    bad: [0, DP.ACTIVATED, true],
  },
  [D.MONITORS_FROZEN]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', undefined, defects);
      b.at(120_000);
      const p11 = host.page11(m);
      return [Math.round(host.lower(m).temperatureC), p11.txPowerMw(1) > 0, m.txOutputMw(1) > 0];
    },
    good: [65, true, true],
    bad: [35, false, true], // stuck at the values of insertion while the laser runs
  },
  [D.POWER_CLASS_UNDERSTATED]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', undefined, defects);
      b.at(3000);
      const u = host.upper00(m);
      return [u.powerClass, u.maxPowerW, u.maxPowerW >= m.powerDrawW()];
    },
    good: [5, 10, true],
    bad: [3, 5, false],
  },
  [D.IDENTITY_CHECKSUM]: {
    run: (defects) => {
      const b = opticsBench();
      return host.upper00(b.module('m1', undefined, defects)).verifyChecksum();
    },
    good: true,
    bad: false,
  },
  [D.ACTIVE_APSEL_STALE]: {
    run: (defects) => {
      const b = opticsBench();
      const m = b.module('m1', 'conventional-800g-dr8', defects);
      b.at(3000);
      host.write(m, 0x10, 128, 0xff);
      b.at(3100);
      const ap2 = (first: number) => cmisApSelEncode({ apSel: 2, dataPathId: first - 1, explicitControl: false });
      host.write(m, 0x10, 145, ap2(1), ap2(1), ap2(1), ap2(1), ap2(5), ap2(5), ap2(5), ap2(5));
      host.write(m, 0x10, 143, 0xff);
      b.at(3200);
      const p11 = host.page11(m);
      return [host.configStatus(m)[0], p11.activeApSel(1).apSel, p11.activeApSel(5).dataPathId];
    },
    good: [CS.SUCCESS, 2, 4],
    bad: [CS.SUCCESS, 1, 0],
  },
  [D.LINK_ERRORS_UNCOUNTED]: {
    run: (defects) => {
      const t = opticsTwin([{ profile: 'conventional-400g-fr4', lengthM: 2 }, { profile: 'cpo-800g-dr4', lengthM: 3000 }], { swDefects: defects });
      const m = t.burst('port2', 'port1');
      const c = t.sw.counters?.port('port2');
      return [m.lostFrames > 100, c?.inErrors === m.lostFrames];
    },
    good: [true, true],
    bad: [true, false],
  },
  [D.ELS_WRONG_PORTS]: {
    run: (defects) => {
      const f = cpoFabric(defects);
      f.A.fail(2);
      return [f.lit(f.a), f.A.portsFedBy(2)];
    },
    good: [[true, false, true, true], ['a2']],
    bad: [[true, true, false, true], ['a2']],
  },
};

describe('optics defects', () => {
  test('every defect has a scenario', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(OPTICS_DEFECTS.map((d) => d.id).sort());
  });

  test.each(OPTICS_DEFECTS.map((d) => [d.id, d.appliesTo]))('%s (%s): differs from the good model', (id) => {
    const s = SCENARIOS[id];
    expect(s.run([])).toEqual(s.good);
    expect(s.run([id])).toEqual(s.bad);
  });
});
