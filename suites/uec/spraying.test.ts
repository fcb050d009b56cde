// Ultra Ethernet packet spraying: one flow over every equal-cost path; a permutation near line rate.
//
// Test plan (requirement IDs):
// 1. UEC-5, UE1.0-PDS-SPRAY: one 2 MB flow with 64 entropy values between NICs on two leaves: its
//    requests carry at least 32 distinct entropies (UDP source ports), every uplink of the source
//    leaf and every spine port toward the destination leaf carries at least a quarter of the even
//    split (port counters; hashing 64 entropies is not perfectly even), so the flow uses every
//    equal-cost path of the fabric.
// 2. UEC-5, UE1.0-PDS-SPRAY: a permutation across the spines (every NIC sends 2 MB to a NIC on
//    the other leaf, every NIC receives one flow) completes with each flow at 75% or more of the
//    line rate's payload share and the fabric near full bisection (mean >= 80%; a 2 MB flow spends
//    about 5% of its time on the first RTT).
import { test, expect, req, describe } from '../../harness/suite.ts';
import { FRAME_BYTES, LINE_BPS, captureUet, goodputBps, isRequest, nicsOn, runToCompletion, uecFabric } from './lib.ts';

/** Payload share of the line rate for full-size frames (4052 of 4150 bytes carry payload). */
const PAYLOAD_SHARE = (FRAME_BYTES - 98) / FRAME_BYTES;

describe('UET packet spraying', () => {
  test('one flow uses every equal-cost path between two leaves', req('UEC-5', 'UE1.0-PDS-SPRAY'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, spines: 2 });
    const src = nicsOn(f, f.leaves[0])[0];
    const dst = nicsOn(f, f.leaves[1])[0];
    const tx = lab.requireDevice(src.nic, ['traffic', 'capture']);
    lab.requireDevice(dst.nic, ['traffic']);
    const leaf = lab.requireDevice(src.leaf, ['counters']);
    const uplinks = f.uplinks(src.leaf);
    const downlinks = f.spines.flatMap((s) => lab.links(s, dst.leaf).map(([sp]) => [s, sp] as const));
    const spines = new Map(f.spines.map((s) => [s, lab.requireDevice(s, ['counters'])]));
    const count = async () => ({
      up: await Promise.all(uplinks.map(async ([lp]) => (await leaf.counters.port(lp)).outPkts)),
      down: await Promise.all(downlinks.map(async ([s, sp]) => (await spines.get(s)!.counters.port(sp)).outPkts)),
    });
    const before = await count();
    await tx.traffic.setFlows([{ name: 'spray', txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: 2_000_000, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    const frames = await captureUet(tx, src.nicPort, async () => {
      await runToCompletion(lab, [tx], 10, 'the flow completing');
    });
    const after = await count();
    const up = after.up.map((v, i) => Number(v - before.up[i]));
    const down = after.down.map((v, i) => Number(v - before.down[i]));
    const entropies = new Set(frames.filter(isRequest).filter((u) => u.direction === 'tx').map((u) => u.frame.udp!.srcPort));
    lab.metric({
      name: 'packets of one sprayed flow per equal-cost link',
      unit: 'packets',
      chart: 'bar',
      x: { name: 'link', unit: '' },
      series: [
        { label: `${src.leaf} uplinks`, points: up.map((v, i) => [i, v]) },
        { label: `spine ports to ${dst.leaf}`, points: down.map((v, i) => [i, v]) },
      ],
    });
    expect(entropies.size, 'distinct entropies (UDP source ports) of the flow').toBeGreaterThanOrEqual(32);
    const upTotal = up.reduce((a, b) => a + b, 0);
    const downTotal = down.reduce((a, b) => a + b, 0);
    uplinks.forEach(([lp, s, sp], i) => expect(up[i], `${src.leaf}:${lp} -> ${s}:${sp} share of ${upTotal}`).toBeGreaterThanOrEqual((0.25 * upTotal) / uplinks.length));
    downlinks.forEach(([s, sp], i) => expect(down[i], `${s}:${sp} -> ${dst.leaf} share of ${downTotal}`).toBeGreaterThanOrEqual((0.25 * downTotal) / downlinks.length));
  });

  test('a permutation across the spines runs near line rate', req('UEC-5', 'UE1.0-PDS-SPRAY'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2, spines: 2 });
    const left = nicsOn(f, f.leaves[0]);
    const right = nicsOn(f, f.leaves[1]);
    const n = Math.min(left.length, right.length);
    const pairs = [
      ...left.slice(0, n).map((s, i) => [s, right[i]] as const),
      ...right.slice(0, n).map((s, i) => [s, left[(i + 1) % n]] as const),
    ];
    const devs = pairs.map(([s]) => lab.requireDevice(s.nic, ['traffic']));
    const bytes = 2_000_000;
    for (const [i, [s, d]] of pairs.entries()) {
      await devs[i].traffic.setFlows([{ name: `perm-${s.nic}`, txPort: s.nicPort, rxPort: `${d.nic}:${d.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    }
    const all = await runToCompletion(lab, devs, 20, 'the permutation completing');
    const rates = all.map((m) => goodputBps(m));
    const share = rates.map((r) => r / (LINE_BPS * PAYLOAD_SHARE));
    lab.metric({ name: 'permutation goodput per flow / line payload rate', unit: 'ratio', table: { columns: ['flow', 'Gb/s', 'share'], rows: all.map((m, i) => [m.name, rates[i] / 1e9, share[i]]) } });
    const aggregate = share.reduce((a, b) => a + b, 0) / share.length;
    lab.metric({ name: 'permutation: fabric utilisation (mean share of line rate)', unit: 'ratio', value: aggregate });
    for (const [i, m] of all.entries()) expect(share[i], `${m.name}: goodput / line payload rate`).toBeGreaterThanOrEqual(0.75);
    expect(aggregate, 'mean goodput / line payload rate').toBeGreaterThanOrEqual(0.8);
  });
});
