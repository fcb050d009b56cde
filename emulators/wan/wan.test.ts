// WAN pieces: fibre delay and PFC headroom, HP-WAN negotiation/quota/enforcer, the wan-interconnect generator, the cross-DC model.
import { describe, expect, it } from 'vitest';
import { generateTopology } from '../generators.ts';
import { EventList } from '../sim/eventlist.ts';
import { PacketPool, PRIO_HIGH, PRIO_LOW, type Packet } from '../sim/packet.ts';
import { CROSSDC_DEFAULTS, crossDcModel, crossDcWorked, formatCrossDc } from './crossdc.ts';
import { FIBRE_US_PER_KM, fibreRttPs, pfcHeadroomBytes } from './fibre.ts';
import './generators.ts';
import { QuotaBook, RateEnforcer, checkHpwanRequest, negotiate } from './hpwan.ts';

describe('fibre', () => {
  it('standard fibre is 5 us/km, hollow-core 3.3 us/km: RTT a third lower (WAN-1)', () => {
    expect(FIBRE_US_PER_KM.smf).toBe(5);
    expect(FIBRE_US_PER_KM['hollow-core']).toBe(3.3);
    expect(fibreRttPs(100)).toBe(1e9);
    expect(fibreRttPs(100, 'hollow-core') / fibreRttPs(100)).toBeCloseTo(0.66, 6);
  });

  it('sizes PFC headroom as a round trip of line rate plus two frames and the response time', () => {
    // 800 Gb/s over 100 km: 2 x 0.5 ms x 100 GB/s = 100 MB, + 1 us of line rate + 2 jumbo frames
    expect(pfcHeadroomBytes(800e9, 500e6)).toBe(100e6 + 100e3 + 2 * 9216);
    expect(pfcHeadroomBytes(800e9, 1500)).toBeLessThan(200e3);
  });
});

describe('HP-WAN negotiation', () => {
  it('grants the three modes as HPW-2 describes', () => {
    expect(negotiate({ mode: 'minimum', minRateBps: 100 }, 500)).toMatchObject({ status: 'granted', guaranteeBps: 100, capBps: Infinity });
    expect(negotiate({ mode: 'minimum', minRateBps: 600 }, 500).status).toBe('refused');
    expect(negotiate({ mode: 'maximum', maxRateBps: 600 }, 0)).toMatchObject({ status: 'granted', guaranteeBps: 0, capBps: 600 });
    expect(negotiate({ mode: 'optimal', rateBps: 300 }, 500)).toMatchObject({ status: 'granted', guaranteeBps: 300, capBps: 300 });
    expect(negotiate({ mode: 'optimal', minRateBps: 100, maxRateBps: 400 }, 250)).toMatchObject({ status: 'granted', negotiatedBps: 250 });
    expect(negotiate({ mode: 'optimal', minRateBps: 300, maxRateBps: 400 }, 250).status).toBe('refused');
    expect(negotiate({ mode: 'minimum', minRateBps: 600 }, 500, true).status).toBe('granted');
  });

  it('checks a request for its mode', () => {
    expect(() => checkHpwanRequest({ mode: 'minimum' })).toThrow(/min-rate-bps/);
    expect(() => checkHpwanRequest({ mode: 'optimal', minRateBps: 5 })).toThrow(/range/);
    expect(() => checkHpwanRequest({ mode: 'maximum', maxRateBps: -1 })).toThrow(/> 0/);
    expect(() => checkHpwanRequest({ mode: 'optimal', minRateBps: 5, maxRateBps: 1 })).toThrow(/exceeds/);
    expect(() => checkHpwanRequest({ mode: 'fast' as 'optimal', rateBps: 1 })).toThrow(/mode/);
  });

  it('books reservations against the quota and releases them (HPW-3)', () => {
    const q = new QuotaBook(500);
    expect(q.request('a', { mode: 'minimum', minRateBps: 300 }).status).toBe('granted');
    expect(q.request('b', { mode: 'minimum', minRateBps: 300 }).status).toBe('refused');
    expect(q.reservedBps).toBe(300);
    q.release('a');
    expect(q.request('b', { mode: 'minimum', minRateBps: 300 }).status).toBe('granted');
    expect(q.availableBps).toBe(200);
  });
});

describe('HP-WAN enforcer', () => {
  function host() {
    const events = new EventList();
    const pool = new PacketPool();
    const out: Array<{ t: number; prio: number }> = [];
    return {
      events,
      pool,
      out,
      release(p: Packet) {
        out.push({ t: events.nowPs, prio: p.priority });
        pool.release(p);
      },
    };
  }
  const pkt = (pool: PacketPool, size: number) => {
    const p = pool.alloc();
    p.size = size;
    p.priority = PRIO_LOW;
    return p;
  };

  it('shapes to the cap in arrival order and drops past its buffer', () => {
    const h = host();
    const e = new RateEnforcer(h, 0, 8e9, true, true, 10_000);
    for (let i = 0; i < 20; i++) e.offer(pkt(h.pool, 1000), 0);
    h.events.runUntil(1e9);
    // 1000 B at 8 Gb/s: one per microsecond; the first at once, 10 more fit the 10 kB buffer
    expect(h.out.length).toBe(11);
    expect(e.shaperDrops).toBe(9);
    expect(h.out.map((x) => x.t)).toEqual(Array.from({ length: 11 }, (_, i) => i * 1e6));
  });

  it('marks traffic up to the guarantee high priority, the rest stays low', () => {
    const h = host();
    const e = new RateEnforcer(h, 8e9, Infinity);
    // 200 kB at once: the 64 kB bucket marks 64 packets, the rest go unmarked
    for (let i = 0; i < 200; i++) e.offer(pkt(h.pool, 1000), 0);
    expect(h.out.filter((x) => x.prio === PRIO_HIGH).length).toBe(65);
    expect(e.marked).toBe(65);
    const off = new RateEnforcer(host(), 8e9, Infinity, true, false);
    expect(off.mark).toBe(false);
  });
});

describe('wan-interconnect generator', () => {
  it('builds two PEs, a transit router and two traffic generators with the requested lengths', () => {
    const g = generateTopology('wan-interconnect', 'x', { directKm: 50, transitKm: 200, atePorts: 2 });
    expect(g.devices.map((d) => d.id)).toEqual(['x-pe1', 'x-pe2', 'x-p1', 'x-ate1', 'x-ate2']);
    expect(g.links.filter((l) => l.lengthKm === 50).map((l) => l.fibre)).toEqual(['smf', 'hollow-core']);
    expect(g.links.filter((l) => l.lengthKm === 200)).toHaveLength(2);
    expect(g.links).toHaveLength(4 + 4);
    expect(() => generateTopology('wan-interconnect', 'x', { atePorts: 0 })).toThrow(/whole number from 1 to 64/);
  });
});

describe('cross-DC training model', () => {
  it('reproduces the worked numbers of WAN-3', () => {
    const w = crossDcWorked({ ...CROSSDC_DEFAULTS });
    expect(w.tBatchS).toBeCloseTo(6.995, 3);
    expect(w.tDpCalS).toBeCloseTo(27.98, 2);
    expect(w.dDpBytes / 1e9).toBeCloseTo(4.375, 3);
    expect(w.perGpuBytesPerS.map((x) => x.value / 1e9)).toEqual([expect.closeTo(3.127, 3), expect.closeTo(15.635, 3)]);
    expect(w.lineSideBps.map((x) => x.value / 1e12)).toEqual([expect.closeTo(3.2, 1), expect.closeTo(16.0, 1)]);
    expect(w.chosen).toMatchObject({ modules: 16, lineBps: 12.8e12, oversubscription: '1:8' });
  });

  it('gives closed-form curves rising with distance, lower over hollow-core and across 3 DCs', () => {
    const r = crossDcModel({ formulaOnly: true });
    expect(r.curves).toHaveLength(8);
    const c = (traffic: string, dcs: number, fibre: string) => r.curves.find((x) => x.traffic === traffic && x.dcs === dcs && x.fibre === fibre)!.points;
    const dp = c('DP', 2, 'smf');
    expect(dp.map((p) => p.distanceKm)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    for (let i = 1; i < dp.length; i++) expect(dp[i]!.teLossFormulaPct).toBeGreaterThan(dp[i - 1]!.teLossFormulaPct);
    expect(c('DP', 2, 'hollow-core')[5]!.teLossFormulaPct).toBeLessThan(dp[5]!.teLossFormulaPct);
    expect(c('DP', 3, 'smf')[5]!.teLossFormulaPct).toBeLessThan(dp[5]!.teLossFormulaPct);
    // PP overlaps compute: below 1 % (WAN-4)
    for (const p of c('PP', 2, 'smf')) expect(p.teLossFormulaPct).toBeLessThan(1);
    expect(Number.isNaN(dp[0]!.teLossPct)).toBe(true);
    expect(r.field.find((f) => f.source === 'WAN-4' && f.distanceKm === 600)?.teLossPct).toBe(4.9);
  });

  it('emulated runs agree with the closed form within a few per cent and are deterministic', () => {
    const opts = { distancesKm: [100, 600], dcs: [2, 3] as Array<2 | 3>, fibres: ['smf' as const] };
    const a = crossDcModel(opts);
    for (const curve of a.curves) {
      for (const p of curve.points) {
        expect(p.tComS / p.tComFormulaS, `${curve.label} at ${p.distanceKm} km`).toBeGreaterThan(0.99);
        expect(p.tComS / p.tComFormulaS, `${curve.label} at ${p.distanceKm} km`).toBeLessThan(1.05);
      }
    }
    expect(a.emulation.events).toBeGreaterThan(10_000);
    expect(crossDcModel(opts).curves).toEqual(a.curves);
    const text = formatCrossDc(a);
    expect(text).toMatch(/T_batch\s+6\.995 s\s+\(paper: 6\.99 s\)/);
    expect(text).toMatch(/16 x 800G = 12\.8 Tb\/s \(1:8/);
    expect(JSON.parse(JSON.stringify(a)).worked.tDpCalS).toBeCloseTo(27.98, 2);
  });
});
