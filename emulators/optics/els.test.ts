// External laser sources lighting CPO ports: a failure takes down exactly the ports it feeds, seen through both CMIS memories.
import { describe, expect, test } from 'vitest';
import { CMIS_PAGE11, ELS_PAGE1A, ElsPage1AView, ElsPage1BView } from '../../protocols/cmis/index.ts';
import { ExternalLaserSource } from './els.ts';
import { opticsProfile } from './profiles.ts';
import { cpoFabric as fabric, host, opticsBench } from './testing.ts';

const CPO = opticsProfile('cpo-800g-dr4');
const UP_MS = CPO.timing.pwrUpMs + CPO.timing.dpInitMs + CPO.timing.txTurnOnMs;

describe('external laser source', () => {
  test('lit ports are up; the ELS advertises its lanes and reports them on', () => {
    const f = fabric();
    expect(f.lit([...f.a, ...f.bb, ...f.far])).toEqual(Array(16).fill(true));
    expect(f.a[0].linkQuality()?.up).toBe(true);
    const p1a = ElsPage1AView.checked(f.A.memory.read(0, 0x1a, 128, 128));
    const p1b = ElsPage1BView.checked(f.A.memory.read(0, 0x1b, 128, 128));
    expect([p1a.laneCount, p1a.laneState(1), p1a.get(ELS_PAGE1A.CONTROL_MODE)]).toEqual([8, 2, 1]);
    expect(p1b.powerMw(1)).toBeCloseTo(100, 0);
    expect(p1b.biasMa(1)).toBe(250);
    expect(f.A.portsFedBy(2)).toEqual(['a2']);
  });

  test('a whole-unit failure takes down exactly the ports it feeds', () => {
    const f = fabric();
    f.A.fail();
    expect(f.lit(f.a)).toEqual([false, false, false, false]);
    expect(f.lit(f.bb)).toEqual([true, true, true, true]);
    expect(f.los(f.far.slice(0, 4))).toEqual([0x0f, 0x0f, 0x0f, 0x0f]);
    expect(f.los(f.far.slice(4))).toEqual([0, 0, 0, 0]);
    expect(f.a.map((p) => host.page11(p).flags(CMIS_PAGE11.TX_FAULT))).toEqual([0x0f, 0x0f, 0x0f, 0x0f]);
    expect(f.bb.map((p) => host.page11(p).flags(CMIS_PAGE11.TX_FAULT))).toEqual([0, 0, 0, 0]);
    expect([f.a[0].linkQuality()?.up, f.bb[0].linkQuality()?.up]).toEqual([false, true]);
    // The ELS says so: faults latched (cleared by the read), lanes off, no power.
    const p1a = ElsPage1AView.checked(f.A.memory.read(0, 0x1a, 128, 128));
    expect([p1a.getMask(ELS_PAGE1A.LANE_FAULT_FLAGS), p1a.laneState(1), p1a.get(ELS_PAGE1A.LANE_SUMMARY_FAULT)]).toEqual([0xff, 0, 1]);
    expect(ElsPage1AView.checked(f.A.memory.read(0, 0x1a, 128, 128)).getMask(ELS_PAGE1A.LANE_FAULT_FLAGS)).toBe(0); // latched once
    expect(ElsPage1BView.checked(f.A.memory.read(0, 0x1b, 128, 128)).powerMw(1)).toBe(0);
    f.A.repair();
    expect(f.lit(f.a)).toEqual([true, true, true, true]);
    expect(f.a[0].linkQuality()?.up).toBe(true);
  });

  test('a lane failure takes down the ports of that lane only', () => {
    const f = fabric();
    f.A.fail(2);
    expect(f.lit(f.a)).toEqual([true, false, true, true]);
    expect(f.los(f.far.slice(0, 4))).toEqual([0, 0x0f, 0, 0]);
  });

  test('the host disabling a lane (page 1Ah byte 220) darkens its ports without alarms; a failed lane latches its low-power alarm', () => {
    const f = fabric();
    f.A.memory.write(0, 0x1a, 220, [0xfe]);
    expect(f.lit(f.a)).toEqual([false, true, true, true]);
    let p1a = ElsPage1AView.checked(f.A.memory.read(0, 0x1a, 128, 128));
    expect([p1a.laneState(1), p1a.getMask(ELS_PAGE1A.LOW_POWER_ALARM), p1a.getMask(ELS_PAGE1A.LANE_FAULT_FLAGS)]).toEqual([0, 0, 0]);
    f.A.fail(3);
    p1a = ElsPage1AView.checked(f.A.memory.read(0, 0x1a, 128, 128));
    expect([p1a.getMask(ELS_PAGE1A.LOW_POWER_ALARM), p1a.getMask(ELS_PAGE1A.LANE_FAULT_FLAGS), p1a.get(ELS_PAGE1A.FAULT_WARN_CODE, 3)]).toEqual([0x04, 0x04, 1]);
    expect(ElsPage1AView.checked(f.A.memory.read(0, 0x1a, 128, 128)).getMask(ELS_PAGE1A.LOW_POWER_ALARM)).toBe(0); // latched once
  });

  test('a CPO port without a laser source is dark and reports Tx fault', () => {
    const b = opticsBench();
    const p = b.module('lonely', CPO.id);
    b.at(UP_MS);
    expect(p.txOutputMw(1)).toBe(0);
    expect(host.page11(p).flags(CMIS_PAGE11.TX_FAULT)).toBe(0x0f);
  });

  test('bad lanes are refused', () => {
    const b = opticsBench();
    expect(() => new ExternalLaserSource({ id: 'x', rng: b.rng, lanes: 9 })).toThrow(RangeError);
    const els = new ExternalLaserSource({ id: 'y', rng: b.rng, lanes: 4 });
    expect(() => els.feed(5, b.module('p', CPO.id))).toThrow(/no lane 5/);
    expect(() => new ExternalLaserSource({ id: 'z', rng: b.rng, defects: ['cmis-pwrup-skipped'] })).toThrow(/els 'z': unknown defect/);
  });
});
