// Technology profiles against the seed facts: orderings, reach limits per technology (linkQuality), the 51.2T power budgets.
import { describe, expect, test } from 'vitest';
import { CMIS_POWER_CLASS_MAX_W, sff8024HostName, sff8024MediaName } from '../../protocols/cmis/index.ts';
import { SWITCH_51T2_POWER_W, switch51t2Budgets } from './budget.ts';
import { FEC_BER_LIMIT, PCS_LOCK_BER_LIMIT, cablePhysics, fibreLossDb, linkQuality, postFecBer, rsFecUncorrectableRatio } from './link.ts';
import { OPTICS_PROFILES, opticsProfile } from './profiles.ts';
import { host, opticsBench } from './testing.ts';

const P = OPTICS_PROFILES;

describe('profiles', () => {
  test('every profile: power class covers the draw, codes have SFF-8024 names, seed facts cited', () => {
    for (const p of Object.values(P)) {
      expect(p.powerW).toBeLessThanOrEqual(CMIS_POWER_CLASS_MAX_W[p.powerClass - 1]);
      expect(p.powerClass === 1 || p.powerW > CMIS_POWER_CLASS_MAX_W[p.powerClass - 2]).toBe(true);
      expect(p.maxPowerW).toBeGreaterThanOrEqual(p.powerW);
      for (const a of p.applications) {
        expect(sff8024HostName(a.hostInterfaceId)).not.toMatch(/^0x/);
        expect(sff8024MediaName(a.mediaInterfaceId)).not.toMatch(/^0x/);
        expect(a.hostLaneCount).toBeLessThanOrEqual(p.hostLanes);
        expect(a.mediaLaneCount).toBeLessThanOrEqual(p.mediaLanes);
      }
      expect(p.facts.length).toBeGreaterThan(0);
      for (const f of p.facts) expect(f).toMatch(/^(OPT|WAN)-\d+$/);
    }
    expect(() => opticsProfile('400g-magic')).toThrow(/unknown optics profile '400g-magic'; known: conventional-400g-fr4/);
  });

  test('seed-fact figures and orderings', () => {
    expect(P['conventional-400g-fr4'].powerW).toBe(10); // OPT-1
    expect(P['lpo-400g-dr4'].powerW).toBe(P['conventional-400g-fr4'].powerW / 2); // OPT-3: about 50% less, 400G about 5 W
    expect(P['conventional-1.6t-dr8'].powerW).toBeGreaterThan(20); // OPT-2
    expect(P['cpo-800g-dr4'].engine).toEqual({ rateGbps: 3200, ports: 4, powerW: 18 }); // OPT-6
    expect(P['cpo-800g-dr4'].needsEls).toBe(true); // OPT-7
    const w = (id: string) => P[id].powerW;
    expect(w('conventional-800g-dr8')).toBeGreaterThan(w('lro-800g-dr8')); // OPT-4: LRO between
    expect(w('lro-800g-dr8')).toBeGreaterThan(w('lpo-800g-dr8'));
    expect(w('lpo-800g-dr8')).toBeGreaterThan(w('npo-800g-dr4')); // OPT-8: NPO low, CPO lowest
    expect(w('npo-800g-dr4')).toBeGreaterThan(w('cpo-800g-dr4'));
    const ber = (id: string) => P[id].preFecBer;
    expect(ber('lpo-800g-dr8')).toBeGreaterThan(ber('lro-800g-dr8')); // OPT-3: LPO higher BER
    expect(ber('lro-800g-dr8')).toBeGreaterThan(ber('conventional-800g-dr8'));
    expect(Math.min(...Object.values(P).map((p) => p.preFecBer))).toBe(ber('cpo-800g-dr4')); // OPT-6: lowest BER
    expect(P['conventional-400g-lr4'].reachM).toBeGreaterThanOrEqual(10_000); // OPT-8: > 10 km class
  });
});

describe('linkQuality', () => {
  test.each([
    ['conventional-400g-fr4', 2000, 2100],
    ['conventional-400g-lr4', 10_000, 11_000],
    ['conventional-800g-dr8', 500, 600],
    ['lpo-400g-dr4', 450, 550], // OPT-3: < 500 m
    ['lpo-800g-dr8', 450, 550],
    ['lro-800g-dr8', 450, 550], // OPT-4: < 500 m
    ['npo-800g-dr4', 1900, 2100], // OPT-5: < 2 km
    ['cpo-800g-dr4', 1900, 2100], // OPT-8: < 2 km
  ])('%s: up at %i m, down beyond reach at %i m', (id, okM, failM) => {
    const p = P[id];
    const ok = linkQuality(p, p, okM);
    expect(ok).toEqual({ up: true, ber: expect.any(Number), rxPowerDbm: p.txPowerDbm - fibreLossDb(okM) });
    expect(ok.ber).toBeLessThanOrEqual(FEC_BER_LIMIT);
    expect(ok.ber).toBeGreaterThanOrEqual(p.preFecBer);
    const bad = linkQuality(p, p, failM);
    expect(bad.up).toBe(false);
    expect(bad.ber).toBeGreaterThan(FEC_BER_LIMIT);
    expect(bad.reason).toMatch(/^beyond reach/);
  });

  test('BER grows with length; mixed technologies take the worse end; no common interface is down', () => {
    const fr4 = P['conventional-400g-fr4'];
    expect(linkQuality(fr4, fr4, 1000).ber).toBeGreaterThan(linkQuality(fr4, fr4, 10).ber);
    const lpo = P['lpo-800g-dr8'];
    const dsp = P['conventional-800g-dr8'];
    expect(linkQuality(lpo, dsp, 100).ber).toBe(linkQuality(lpo, lpo, 100).ber);
    expect(linkQuality(lpo, dsp, 550).up).toBe(false);
    expect(linkQuality(fr4, dsp, 10)).toMatchObject({ up: false, reason: /no common media interface/ });
    expect(() => linkQuality(fr4, fr4, -1)).toThrow(RangeError);
  });

  test('running modules: what they launch now counts', () => {
    const b = opticsBench();
    const a = b.module('a', 'lpo-400g-dr4');
    const z = b.module('z', 'lpo-400g-dr4');
    expect(linkQuality(a, z, 100)).toMatchObject({ up: false, reason: 'loss of signal', rxPowerDbm: -40 });
    a.connect(z, 100);
    b.at(1000);
    expect(a.linkQuality()?.up).toBe(true);
    host.write(z, 0x10, 130, 0x0f);
    expect(a.linkQuality()).toMatchObject({ up: false, reason: 'loss of signal' });
  });
});

describe('51.2T switch optics power (OPT-1, OPT-3, OPT-6)', () => {
  test('128 x 400G FR4 = 1280 W, 128 x 400G LPO = 640 W, 16 x 3.2T CPO = 288 W', () => {
    const [fr4, lpo, cpo] = switch51t2Budgets();
    expect([fr4.name, fr4.totalW, fr4.lines[0].facts]).toEqual(['128 x 400G FR4', 1280, ['OPT-1']]);
    expect([lpo.name, lpo.totalW, lpo.lines[0].facts]).toEqual(['128 x 400G LPO', 640, ['OPT-3']]);
    expect([cpo.name, cpo.totalW, cpo.lines[0].count, cpo.lines[0].facts]).toEqual(['16 x 3.2T CPO', 288, 16, ['OPT-6']]);
    expect(fr4.totalW / SWITCH_51T2_POWER_W).toBeGreaterThan(0.4); // OPT-1: optics > 40% of 3000 W
    expect(1 - lpo.totalW / fr4.totalW).toBeCloseTo(0.5); // OPT-3: about 50% less
    expect(1 - cpo.totalW / fr4.totalW).toBeGreaterThan(0.77); // OPT-6: > 77% less than pluggables
  });
});

describe('RS(544,514) FEC and cable physics', () => {
  test('uncorrectable codewords: none worth counting at the FEC limit, most of them ten times above it', () => {
    expect(rsFecUncorrectableRatio(0)).toBe(0);
    expect(rsFecUncorrectableRatio(1e-6)).toBeLessThan(1e-40);
    expect(rsFecUncorrectableRatio(FEC_BER_LIMIT)).toBeLessThan(1e-11); // the KP4 design point: about 1e-13 post-FEC
    expect(rsFecUncorrectableRatio(10 * FEC_BER_LIMIT)).toBeGreaterThan(0.1);
    expect(rsFecUncorrectableRatio(0.5)).toBeCloseTo(1, 9);
    expect(postFecBer(FEC_BER_LIMIT)).toBe(0);
    expect(postFecBer(2.4e-3)).toBeGreaterThan(1e-5);
    expect(() => rsFecUncorrectableRatio(2)).toThrow(RangeError);
  });

  test('up and clean within reach; a little beyond up with errors; far beyond, or dark, down', () => {
    const end = (id: string) => ({ profile: P[id], launchPowerDbm: () => P[id].txPowerDbm });
    const lpo = end('lpo-400g-dr4');
    expect(cablePhysics(lpo, lpo, 400)).toMatchObject({ up: true, ber: 0 });
    const near = cablePhysics(lpo, lpo, 520);
    expect(near.up).toBe(true);
    expect(near.ber).toBeGreaterThan(1e-5);
    const far = cablePhysics(lpo, lpo, 800);
    expect([far.up, far.quality.ber >= PCS_LOCK_BER_LIMIT]).toEqual([false, true]);
    const dark = { profile: P['lpo-400g-dr4'], launchPowerDbm: () => -40 };
    expect(cablePhysics(lpo, dark, 10)).toMatchObject({ up: false, quality: { reason: 'loss of signal' } });
    expect(cablePhysics(lpo, end('conventional-800g-dr8'), 10).up).toBe(false); // no common media interface
  });
  test('coherent optics on an amplified line: up over WAN distances with one span of loss; a DR8 at the same length is dark', () => {
    const zr = P['coherent-800g-zr-plus']!;
    const at300 = linkQuality(zr, zr, 300_000);
    expect(at300).toEqual({ up: true, ber: expect.any(Number), rxPowerDbm: zr.txPowerDbm - (1 + 0.2 * 80) });
    expect(linkQuality(zr, zr, 50_000).rxPowerDbm).toBeCloseTo(zr.txPowerDbm - (1 + 0.2 * 50), 9);
    expect(linkQuality(zr, zr, 1_200_000)).toMatchObject({ up: false, reason: 'beyond reach: 1200000 m > 1000000 m' });
    const dr8 = P['conventional-800g-dr8']!;
    expect(linkQuality(dr8, dr8, 300_000)).toMatchObject({ up: false, reason: 'loss of signal' });
    expect(linkQuality(zr, dr8, 1000)).toMatchObject({ up: false, reason: expect.stringMatching(/^no common media interface/) });
  });
});
