// Ultra Ethernet credit-based flow control: no drop at overload, throughput C / RTT below the bandwidth-delay product.
//
// Test plan (requirement IDs); CBFC is enabled at both ends of NIC-leaf links
// (/interfaces/interface[name=P]/cbfc/config/enabled) and the leaf port's grant set with
// .../cbfc/config/rx-credits (128-byte credits):
// 1. UEC-4, UEC-2, UE1.0-CBFC: two NICs send 2 MB each to a third NIC on the same leaf (2:1 at the
//    leaf's port toward it), each granted 400 credits (51 KB, together less than that port's
//    queue): nothing is trimmed or dropped anywhere on the path, no packet is resent, the senders
//    waited for credit (their CBFC counters say so) and never had more credits in use than granted.
// 2. UEC-4, UE1.0-CBFC: one NIC sends 1 MB to another on its leaf with its link granted C credits:
//    below the bandwidth-delay product the goodput is C / RTT (doubling C doubles it, the credit
//    loop time C / goodput is the same for every C), at a grant above it the link runs at line rate.
//    Goodput versus C is drawn in the report.
import { test, expect, req, describe } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { FRAME_BYTES, LINE_BPS, goodputBps, nicsOn, runToCompletion, uecFabric, type NicAttachment } from './lib.ts';

interface CbfcState {
  enabled: boolean;
  active: boolean;
  'credit-bytes': number;
  tx: { limit: number; 'in-use': number; timesBlocked: number; framesAdmitted: number } | null;
  rx: { granted: number; peakCreditsInUse: number } | null;
}

const PAYLOAD_SHARE = (FRAME_BYTES - 98) / FRAME_BYTES;

/** Enables CBFC on a NIC's link (both ends) with `credits` granted by the leaf; returns state readers and an undo. */
async function cbfcOn(lab: Lab, a: NicAttachment, credits: number | null) {
  const nic = lab.requireDevice(a.nic, ['traffic', 'config', 'state']);
  const leaf = lab.requireDevice(a.leaf, ['config', 'state', 'counters']);
  const nicPath = `/interfaces/interface[name=${a.nicPort}]/cbfc`;
  const leafPath = `/interfaces/interface[name=${a.leafPort}]/cbfc`;
  if ((await leaf.state.get(`${leafPath}/state`)) === undefined) lab.block(`device ${leaf.id} has no CBFC (${leafPath})`);
  await nic.config.edit(`${nicPath}/config/enabled`, true);
  await leaf.config.edit(`${leafPath}/config/enabled`, true);
  if (credits !== null) await leaf.config.edit(`${leafPath}/config/rx-credits`, credits);
  return {
    nic,
    leaf,
    sender: async () => (await nic.state.get(`${nicPath}/state`)) as CbfcState,
    receiver: async () => (await leaf.state.get(`${leafPath}/state`)) as CbfcState,
    grant: async (c: number) => leaf.config.edit(`${leafPath}/config/rx-credits`, c),
    off: async () => {
      await nic.config.edit(`${nicPath}/config/enabled`, false);
      await leaf.config.edit(`${leafPath}/config/enabled`, false);
      await leaf.config.edit(`${leafPath}/config/rx-credits`, undefined, 'delete');
    },
  };
}

describe('CBFC', () => {
  test('at overload no packet is dropped or trimmed: senders wait for credit', req('UEC-4', 'UEC-2', 'UE1.0-CBFC'), async ({ lab }) => {
    const f = uecFabric(lab, { nicsPerLeaf: 4 });
    const [, s1, s2, d] = nicsOn(f, f.leaves[0]);
    const grant = 400;
    const links = [await cbfcOn(lab, s1, grant), await cbfcOn(lab, s2, grant)];
    const rx = await cbfcOn(lab, d, null);
    const leaf = links[0].leaf;
    try {
      const ports = [s1.leafPort, s2.leafPort, d.leafPort];
      const before = await Promise.all(ports.map((p) => leaf.counters.port(p)));
      for (const [i, s] of [s1, s2].entries()) {
        await links[i].nic.traffic.setFlows([{ name: `overload${i}`, txPort: s.nicPort, rxPort: `${d.nic}:${d.nicPort}`, bytes: 2_000_000, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 16 }]);
      }
      const all = await runToCompletion(lab, links.map((l) => l.nic), 20, 'both flows completing');
      const after = await Promise.all(ports.map((p) => leaf.counters.port(p)));
      ports.forEach((p, i) => {
        expect(Number((after[i].trims ?? 0n) - (before[i].trims ?? 0n)), `${leaf.id}:${p} trims`).toBe(0);
        expect(Number(after[i].outDiscards - before[i].outDiscards), `${leaf.id}:${p} discards`).toBe(0);
      });
      for (const m of all) {
        expect(m.retransmissions, `${m.name}: retransmissions`).toBe(0);
        expect(m.rxBytes, `${m.name}: bytes delivered`).toBe(2_000_000);
      }
      const rows: Array<[string, number, number, number]> = [];
      for (const [i, l] of links.entries()) {
        const tx = (await l.sender()).tx;
        const r = (await l.receiver()).rx;
        expect(tx?.limit, `${[s1, s2][i].nic}: credit limit learnt from the leaf`).toBe(grant);
        expect(tx?.timesBlocked ?? 0, `${[s1, s2][i].nic}: times it waited for credit`).toBeGreaterThan(0);
        expect(r?.peakCreditsInUse ?? Infinity, `${[s1, s2][i].leafPort}: most credits in use at the leaf`).toBeLessThanOrEqual(grant);
        rows.push([[s1, s2][i].nic, grant, tx?.timesBlocked ?? 0, r?.peakCreditsInUse ?? 0]);
      }
      lab.metric({ name: 'CBFC at 2:1 overload', unit: 'credits', table: { columns: ['sender', 'granted', 'times blocked', 'peak in use'], rows } });
    } finally {
      for (const l of [...links, rx]) await l.off();
    }
  });

  test('with a credit limit C below rate x RTT the throughput is C / RTT; above it, line rate', req('UEC-4', 'UE1.0-CBFC'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2 });
    const [s, d] = nicsOn(f, f.leaves[1]);
    const link = await cbfcOn(lab, s, null);
    const rx = await cbfcOn(lab, d, null);
    const creditBytes = (await link.receiver())['credit-bytes'];
    const frameCredits = Math.ceil(FRAME_BYTES / creditBytes);
    const grants = [1, 2, 4].map((k) => k * frameCredits);
    const big = 64 * frameCredits;
    const points: Array<[number, number]> = [];
    try {
      for (const c of [...grants, big]) {
        await link.grant(c);
        await link.nic.traffic.setFlows([{ name: `credits-${c}`, txPort: s.nicPort, rxPort: `${d.nic}:${d.nicPort}`, bytes: 1_000_000, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 16 }]);
        const [m] = await runToCompletion(lab, [link.nic], 20, `the flow with ${c} credits completing`);
        points.push([c, goodputBps(m)]);
      }
    } finally {
      await link.off();
      await rx.off();
    }
    const loopPs = points.slice(0, grants.length).map(([c, bps]) => ((c * creditBytes * 8) / bps) * 1e12);
    const bdpCredits = (LINE_BPS * (loopPs[0] / 1e12)) / 8 / creditBytes;
    lab.metric({
      name: 'CBFC: goodput vs credit limit',
      unit: 'Gb/s',
      x: { name: 'credit limit', unit: 'credits' },
      series: [
        { label: 'measured', points: points.map(([c, bps]) => [c, bps / 1e9]) },
        { label: 'C / RTT (RTT from the smallest C)', points: points.map(([c]) => [c, Math.min(LINE_BPS, (c * creditBytes * 8) / (loopPs[0] / 1e12)) / 1e9]) },
      ],
    });
    lab.metric({ name: 'CBFC credit loop (RTT)', unit: 'us', value: loopPs[0] / 1e6 });
    const base = points[0][1];
    expect(points[1][1] / base, 'goodput(2C) / goodput(C)').toBeGreaterThan(1.8);
    expect(points[1][1] / base, 'goodput(2C) / goodput(C)').toBeLessThan(2.2);
    expect(points[2][1] / base, 'goodput(4C) / goodput(C)').toBeGreaterThan(3.6);
    expect(points[2][1] / base, 'goodput(4C) / goodput(C)').toBeLessThan(4.4);
    for (const l of loopPs) expect(l / loopPs[0], 'credit loop time C / goodput, relative to the smallest C').toBeCloseTo(1, 1);
    expect(bdpCredits, 'the small grants were below the bandwidth-delay product').toBeGreaterThan(grants[2]);
    expect(points[3][1] / (LINE_BPS * PAYLOAD_SHARE), `goodput with ${big} credits / line payload rate`).toBeGreaterThan(0.85);
  });
});
