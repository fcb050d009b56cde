// Router suite, the WAN: hollow-core latency, lossless RoCE over distance, and the training-efficiency bound.
//
// Test plan (requirement IDs in brackets):
// 1. Hollow-core RTT [WAN-1, RFC8986-4.2]: SR policies at both PEs pin a DC1-DC2 path onto one
//    direct link by its End.X SIDs, in both directions; the RTT of single-packet RoCE exchanges
//    (data one way, ACK back) over the hollow-core link is about a third lower than over the
//    standard link (ratio 0.62-0.70), each about 2 x 3.3 or 2 x 5 us per km of the length the
//    PE reports, and every exchange of one pinning takes the same time (+-3 %).
// 2. Lossless over distance [RTR-5, IEEE802.1Qbb-headroom]: PFC on the PEs with headroom 'auto';
//    a RoCE incast from DC1 into one DC2 port over the 100 km links pauses the far PE over the
//    WAN and drops nothing (no retransmission, no discard, no headroom drop); the headroom the
//    long links needed is reported and fits the PE's headroom; with a headroom of 1/4 of what
//    was needed the same traffic is dropped.
// 3. Training-efficiency bound [RTR-5, WAN-3, WAN-4, WAN-5]: the cross-DC phase of the DP
//    all-reduce (both DCs sending at once, fanning in at each side) runs lossless; the WAN-3
//    model fed with the measured RTT and transfer efficiency gives a TE loss at the testbed's
//    distance within the bound the testbed sets (router state /sla/state, default 5 %). The
//    TE-loss-versus-distance curves (DP and PP, 2 and 3 DCs, standard and hollow-core fibre,
//    100-1000 km) go to the report next to the field figures of WAN-4 and WAN-5.
// Devices: wan-lab.ts (two PEs with traffic generators and two direct links, one of each fibre).
import { test, expect, req, describe } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { ConfigSession, runFlows, wanLab, type FlowDef } from './wan-lab.ts';
import { DISTANCES_KM, FIELD, dpLoss, ppLoss, wan3Figures, type WanInputs } from './training.ts';

type Wan = ReturnType<typeof wanLab>;
const MB = 1e6;
const RTT_FLOWS = 8;

interface DirectLink {
  pe1Port: string;
  pe2Port: string;
  fibre: string;
  lengthKm: number;
}

async function directLinks(w: Wan): Promise<DirectLink[]> {
  return Promise.all(
    w.direct.map(async ([pe1Port, pe2Port]) => {
      const t = (await w.dc1.pe.state.get(`/interfaces/interface[name=${pe1Port}]/state/transport`)) as { fibre?: string; 'length-km'?: number } | undefined;
      return { pe1Port, pe2Port, fibre: t?.fibre ?? 'unknown', lengthKm: t?.['length-km'] ?? NaN };
    }),
  );
}

async function endX(r: Wan['dc1']['pe'], port: string): Promise<string> {
  const sids = (await r.state.get('/srv6/state/sids')) as Array<{ sid: string; behavior: string; interface?: string }>;
  const s = sids.find((x) => x.behavior === 'End.X' && x.interface === port);
  if (s === undefined) throw new Error(`${r.id} advertises no End.X SID for ${port}`);
  return s.sid;
}

/** Pins test port 0 traffic of both DCs onto one direct link with SR policies; returns the RTTs (s) of single-packet RoCE exchanges. */
async function pinnedRtts(lab: Lab, w: Wan, link: DirectLink): Promise<number[]> {
  const cfg = new ConfigSession();
  try {
    const pe1Addr = (await w.dc1.pe.state.get('/srv6/state/source-address')) as string;
    const pe2Addr = (await w.dc2.pe.state.get('/srv6/state/source-address')) as string;
    await cfg.set(w.dc1.pe, '/network-instances/network-instance[name=default]/segment-routing/policies/policy[name=pin]/config', {
      endpoint: pe2Addr,
      'segment-list': [await endX(w.dc1.pe, link.pe1Port)],
      'ingress-interfaces': [w.dc1.pePorts[0]],
    });
    await cfg.set(w.dc2.pe, '/network-instances/network-instance[name=default]/segment-routing/policies/policy[name=pin]/config', {
      endpoint: pe1Addr,
      'segment-list': [await endX(w.dc2.pe, link.pe2Port)],
      'ingress-interfaces': [w.dc2.pePorts[0]],
    });
    const flows: FlowDef[] = Array.from({ length: RTT_FLOWS }, (_, i) => ({
      name: `rtt-${link.fibre}-${i}`,
      txPort: w.dc1.atePorts[0]!,
      rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[0]}`,
      bytes: 1000,
      frameBytes: 1100,
      transport: 'roce',
    }));
    const m = await runFlows(lab, w.dc1.ate, flows, 50);
    return m.map((f) => (f.fctPs ?? NaN) / 1e12);
  } finally {
    await cfg.restore();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function pfcOn(cfg: ConfigSession, w: Wan, headroom: number | 'auto'): Promise<void> {
  for (const r of [w.dc1.pe, w.dc2.pe, ...(w.transit ? [w.transit.p] : [])]) {
    await cfg.set(r, '/qos/pfc/config', { enabled: true, 'xoff-bytes': 2 * MB, 'xon-bytes': 1 * MB, 'headroom-bytes': headroom });
    await cfg.set(r, '/qos/ecn/config', { 'min-bytes': 1 * MB, 'max-bytes': 8 * MB });
  }
}

/** The PE2 ports of the direct links: their headroom state. */
async function wanPfc(w: Wan) {
  return Promise.all(
    w.direct.map(async ([, p]) => ({
      port: p,
      s: (await w.dc2.pe.state.get(`/qos/interfaces/interface[name=${p}]/pfc/state`)) as {
        'headroom-bytes': number;
        'peak-headroom-used-bytes': number;
        'headroom-drops': number;
        'cable-length-km': number;
      },
      c: await w.dc2.pe.counters.port(p),
    })),
  );
}

/** RoCE incast from two DC1 ports into one DC2 port (2:1 at PE2, paused over the WAN). */
function incast(w: Wan, bytes: number, tag: string): FlowDef[] {
  return [0, 1].map((i) => ({
    name: `${tag}${i}`,
    txPort: w.dc1.atePorts[i]!,
    rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[0]}`,
    bytes,
    frameBytes: 4096,
    transport: 'roce' as const,
  }));
}

describe('router WAN', () => {
  test('hollow-core fibre cuts the RTT by about a third against standard fibre', req('WAN-1', 'RFC8986-4.2'), async ({ lab }) => {
    const w = wanLab(lab);
    const links = await directLinks(w);
    const smf = links.find((l) => l.fibre === 'smf');
    const hcf = links.find((l) => l.fibre === 'hollow-core');
    if (!smf || !hcf) lab.block(`the WAN-1 test needs a standard and a hollow-core direct link; the PEs report ${links.map((l) => l.fibre).join(', ')}`);
    const r = { smf: await pinnedRtts(lab, w, smf!), hcf: await pinnedRtts(lab, w, hcf!) };
    for (const [k, xs] of Object.entries(r)) {
      const m = median(xs);
      for (const x of xs) expect(Math.abs(x - m) / m, `${k}: every pinned exchange takes the same path (${(x * 1e3).toFixed(4)} vs median ${(m * 1e3).toFixed(4)} ms)`).toBeLessThan(0.03);
    }
    const rttSmf = median(r.smf);
    const rttHcf = median(r.hcf);
    const ratio = rttHcf / rttSmf;
    lab.metric({ name: `RTT over ${smf!.lengthKm} km of standard fibre`, unit: 'ms', value: rttSmf * 1e3 });
    lab.metric({ name: `RTT over ${hcf!.lengthKm} km of hollow-core fibre`, unit: 'ms', value: rttHcf * 1e3 });
    lab.metric({ name: 'RTT hollow-core / standard', unit: 'ratio', value: ratio });
    const perKm = (rtt: number, km: number) => (rtt / (2 * km)) * 1e6;
    lab.metric({ name: 'one-way delay per km, standard fibre', unit: 'us/km', value: perKm(rttSmf, smf!.lengthKm) });
    lab.metric({ name: 'one-way delay per km, hollow-core fibre', unit: 'us/km', value: perKm(rttHcf, hcf!.lengthKm) });
    expect(perKm(rttSmf, smf!.lengthKm), 'standard fibre, us/km one way').toBeGreaterThan(5 * 0.97);
    expect(perKm(rttSmf, smf!.lengthKm), 'standard fibre, us/km one way').toBeLessThan(5 * 1.05);
    expect(perKm(rttHcf, hcf!.lengthKm), 'hollow-core fibre, us/km one way').toBeGreaterThan(3.3 * 0.97);
    expect(perKm(rttHcf, hcf!.lengthKm), 'hollow-core fibre, us/km one way').toBeLessThan(3.3 * 1.05);
    if (Math.abs(smf!.lengthKm - hcf!.lengthKm) < 1e-6) {
      expect(ratio, 'RTT ratio hollow-core / standard over equal lengths').toBeGreaterThan(0.62);
      expect(ratio, 'RTT ratio hollow-core / standard over equal lengths').toBeLessThan(0.7);
    }
  });

  test(
    'RoCE over 100 km with PFC headroom sized for the distance drops nothing; too little headroom drops',
    req('RTR-5', 'IEEE802.1Qbb-headroom'),
    async ({ lab }) => {
      const w = wanLab(lab);
      const cfg = new ConfigSession();
      try {
        await pfcOn(cfg, w, 'auto');
        if (w.transit) await cfg.set(w.dc1.pe, `/routing/interfaces/interface[name=${w.transit.pe1Port}]/config`, { metric: 1000 });
        const before = await wanPfc(w);
        const m = await runFlows(lab, w.dc1.ate, incast(w, 40 * MB, 'lossless'), 100);
        const after = await wanPfc(w);
        for (const f of m) {
          expect(f.retransmissions, `${f.name} retransmissions`).toBe(0);
          expect(f.lostFrames, `${f.name} frames lost`).toBe(0);
        }
        let needed = 0;
        let pauses = 0n;
        for (const [i, a] of after.entries()) {
          const b = before[i]!;
          expect(a.s['headroom-drops'] - b.s['headroom-drops'], `headroom drops at ${w.dc2.pe.id}:${a.port}`).toBe(0);
          expect(a.c.inDiscards - b.c.inDiscards, `in-discards at ${w.dc2.pe.id}:${a.port}`).toBe(0n);
          pauses += (a.c.pfcPauseTx ?? 0n) - (b.c.pfcPauseTx ?? 0n);
          needed = Math.max(needed, a.s['peak-headroom-used-bytes']);
          lab.metric({ name: `PFC headroom of ${w.dc2.pe.id}:${a.port} (${a.s['cable-length-km']} km)`, unit: 'MB', value: a.s['headroom-bytes'] / MB });
          expect(a.s['peak-headroom-used-bytes'], `headroom used at ${a.port} fits the configured one`).toBeLessThanOrEqual(a.s['headroom-bytes']);
        }
        expect(pauses, `PFC pauses sent over the WAN by ${w.dc2.pe.id}`).toBeGreaterThan(0n);
        lab.metric({ name: 'PFC headroom needed on the 100 km WAN port (measured)', unit: 'MB', value: needed / MB });
        // the same traffic with a quarter of that headroom
        await cfg.set(w.dc1.pe, '/qos/pfc/config', { enabled: true, 'xoff-bytes': 2 * MB, 'xon-bytes': 1 * MB, 'headroom-bytes': 'auto' });
        for (const r of [w.dc2.pe]) await cfg.set(r, '/qos/pfc/config', { enabled: true, 'xoff-bytes': 2 * MB, 'xon-bytes': 1 * MB, 'headroom-bytes': Math.floor(needed / 4) });
        const b2 = await wanPfc(w);
        await w.dc1.ate.traffic.setFlows(incast(w, 40 * MB, 'short'));
        await w.dc1.ate.traffic.start();
        await lab.advance(10);
        await w.dc1.ate.traffic.stop();
        const a2 = await wanPfc(w);
        const drops = a2.reduce((s, a, i) => s + a.s['headroom-drops'] - b2[i]!.s['headroom-drops'], 0);
        lab.metric({ name: 'headroom drops with 1/4 of the needed headroom', unit: 'frames', value: drops });
        expect(drops, 'frames dropped with a quarter of the needed headroom').toBeGreaterThan(0);
        await lab.advance(5);
      } finally {
        await w.dc1.ate.traffic.stop();
        await cfg.restore();
      }
    },
  );

  test(
    'the DP all-reduce over the WAN runs lossless and keeps the training-efficiency loss within the bound',
    req('RTR-5', 'WAN-3', 'WAN-4', 'WAN-5'),
    async ({ lab }) => {
      const w = wanLab(lab);
      const links = await directLinks(w);
      const smf = links.find((l) => l.fibre === 'smf') ?? links[0]!;
      const hcf = links.find((l) => l.fibre === 'hollow-core');
      const rttSmf = median(await pinnedRtts(lab, w, smf));
      const rttHcf = hcf ? median(await pinnedRtts(lab, w, hcf)) : NaN;
      const cfg = new ConfigSession();
      try {
        await pfcOn(cfg, w, 'auto');
        // the exchange on the standard-fibre link, both ways
        for (const [a, b] of w.direct) {
          if (a === smf.pe1Port) continue;
          await cfg.set(w.dc1.pe, `/routing/interfaces/interface[name=${a}]/config`, { metric: 1000 });
          await cfg.set(w.dc2.pe, `/routing/interfaces/interface[name=${b}]/config`, { metric: 1000 });
        }
        if (w.transit) await cfg.set(w.dc1.pe, `/routing/interfaces/interface[name=${w.transit.pe1Port}]/config`, { metric: 1000 });
        if (w.transit) await cfg.set(w.dc2.pe, `/routing/interfaces/interface[name=${w.transit.pe2Port}]/config`, { metric: 1000 });
        // both DCs send their share at once; each side's two senders fan in on one receiving port
        const share = 20 * MB;
        const flows = (from: Wan['dc1'], to: Wan['dc1'], tag: string): FlowDef[] =>
          [1, 2].map((i) => ({
            name: `${tag}${i}`,
            txPort: from.atePorts[i]!,
            rxPort: `${to.ate.id}:${to.atePorts[0]}`,
            bytes: share,
            frameBytes: 4096,
            transport: 'roce' as const,
          }));
        await w.dc2.ate.traffic.setFlows(flows(w.dc2, w.dc1, 'dc2-'));
        await w.dc2.ate.traffic.start();
        const m1 = await runFlows(lab, w.dc1.ate, flows(w.dc1, w.dc2, 'dc1-'), 100);
        const m2 = await lab.until(async () => {
          const m = await w.dc2.ate.traffic.metrics();
          return m.every((f) => f.done) ? m : undefined;
        }, { timeoutMs: 100, what: 'DC2 share delivered' });
        const exchangeS = Math.max(...[...m1, ...m2].map((f) => (f.fctPs ?? 0) / 1e12));
        const retx = [...m1, ...m2].reduce((s, f) => s + f.retransmissions, 0);
        lab.metric({ name: 'DP exchange retransmissions', unit: 'packets', value: retx });
        expect(retx, 'retransmissions in the DP exchange (the WAN must be lossless)').toBe(0);
        // ideal: each receiving port takes 2 shares at its line rate, plus one round trip
        const portBps = 400e9;
        const idealS = (2 * share * 8) / portBps + rttSmf;
        const efficiency = Math.min(1, idealS / exchangeS);
        const inputs: WanInputs = { rttPerKmS: (rttSmf - 2e-6) / smf.lengthKm, rttFixedS: 2e-6, efficiency };
        const hcfInputs: WanInputs = { ...inputs, rttPerKmS: hcf ? (rttHcf - 2e-6) / hcf.lengthKm : inputs.rttPerKmS * 0.66 };
        const loss = dpLoss(smf.lengthKm, 2, inputs) * 100;
        const bound = ((await w.dc1.pe.state.get('/sla/state/training-efficiency-loss-bound-pct')) as number | undefined) ?? 5;
        const f = wan3Figures();
        lab.metric({ name: 'DP exchange time (2 x 20 MB each way)', unit: 'ms', value: exchangeS * 1e3 });
        lab.metric({ name: 'WAN transfer efficiency (measured)', unit: 'ratio', value: efficiency });
        lab.metric({
          name: 'WAN-3 worked figures',
          unit: '',
          table: {
            columns: ['figure', 'value'],
            rows: [
              ['T_batch (s)', f.tBatchS.toFixed(2)],
              ['T_DP,cal (s)', f.tDpS.toFixed(2)],
              ['D_DP per GPU per step (GB)', (f.dDpBytes / 1e9).toFixed(2)],
              ['BW per GPU at 5 % / 1 % comm (GB/s)', `${(f.perGpuBps(0.05) / 1e9).toFixed(2)} / ${(f.perGpuBps(0.01) / 1e9).toFixed(2)}`],
              ['line side at 5 % / 1 % (Tb/s)', `${(f.lineSideBps(0.05) / 1e12).toFixed(1)} / ${(f.lineSideBps(0.01) / 1e12).toFixed(1)}`],
              ['chosen line side', '16 x 800G = 12.8 Tb/s'],
              [`measured RTT, ${smf.lengthKm} km standard fibre (ms)`, (rttSmf * 1e3).toFixed(4)],
              [`TE loss at ${smf.lengthKm} km (DP, 2 DCs, %)`, loss.toFixed(3)],
              ['bound (testbed, %)', bound],
            ],
          },
        });
        const series = (label: string, fn: (km: number) => number) => ({ label, points: DISTANCES_KM.map((km) => [km, fn(km) * 100] as [number, number]) });
        lab.metric({
          name: 'TE loss vs distance (WAN-3 model on measured figures; field: WAN-4/5)',
          unit: '%',
          x: { name: 'distance', unit: 'km' },
          series: [
            series('DP, 2 DCs, standard fibre', (km) => dpLoss(km, 2, inputs)),
            series('DP, 2 DCs, hollow-core', (km) => dpLoss(km, 2, hcfInputs)),
            series('DP, 3 DCs, standard fibre', (km) => dpLoss(km, 3, inputs)),
            series('DP, 3 DCs, hollow-core', (km) => dpLoss(km, 3, hcfInputs)),
            series('PP, 2 DCs, standard fibre', (km) => ppLoss(km, 2, inputs)),
            series('PP, 3 DCs, standard fibre', (km) => ppLoss(km, 3, inputs)),
            ...Object.entries(FIELD).map(([label, points]) => ({ label, points })),
          ],
        });
        lab.metric({ name: `TE loss at the testbed distance (${smf.lengthKm} km, DP, 2 DCs)`, unit: '%', value: loss });
        expect(loss, `TE loss at ${smf.lengthKm} km (%) within the testbed bound`).toBeLessThanOrEqual(bound);
      } finally {
        await w.dc1.ate.traffic.stop();
        await w.dc2.ate.traffic.stop();
        await cfg.restore();
      }
    },
  );
});

