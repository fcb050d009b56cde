// Goodput versus random loss, 0 to 2%: UET with selective retransmission against the RoCEv2 go-back-N baseline (UEC-8 measured).
//
// Test plan (requirement IDs):
// 1. UEC-8, UEC-6: a 16 MB flow between NICs on two leaves, once as UET (RUD, sprayed) and once as
//    RoCEv2 (one path, go-back-N), at random loss rates of 0, 0.1, 0.25, 0.5, 1, 1.5 and 2% on the
//    sender's link. Both curves are drawn in the report, with the figures at 0.1, 1 and 2% in a
//    table. UET keeps at least 80% of its loss-free goodput at 2% and 90% at 0.1%; go-back-N loses
//    more than 20% of its own at 2% (it resends a window per loss), so UET is ahead at 1% and 2%.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { FRAME_BYTES, goodputBps, nicsOn, runToCompletion, uecFabric } from './lib.ts';

const LOSS = [0, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02];
const BYTES = 16_000_000;

describe('loss sensitivity', () => {
  test('goodput vs loss 0-2%: UET selective retransmission holds, RoCEv2 go-back-N falls', req('UEC-8', 'UEC-6'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2 });
    const src = nicsOn(f, f.leaves[0])[1];
    const dst = nicsOn(f, f.leaves[1])[1];
    const tx = lab.requireDevice(src.nic, ['traffic', 'faults']);
    lab.requireDevice(dst.nic, ['traffic']);
    const curves: Record<'uet' | 'roce', Array<[number, number]>> = { uet: [], roce: [] };
    const resent: Record<'uet' | 'roce', number[]> = { uet: [], roce: [] };
    for (const transport of ['uet', 'roce'] as const) {
      for (const p of LOSS) {
        const fault = p > 0 ? await tx.faults.inject({ kind: 'loss', port: src.nicPort, rate: p }) : null;
        try {
          await tx.traffic.setFlows([
            { name: `${transport}-${p}`, txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: BYTES, frameBytes: FRAME_BYTES, transport, ...(transport === 'uet' ? { entropies: 64 } : {}) },
          ]);
          const [m] = await runToCompletion(lab, [tx], 100, `${transport} flow at ${p * 100}% loss completing`);
          expect(m.rxBytes, `${transport} at ${p * 100}%: bytes delivered`).toBe(BYTES);
          curves[transport].push([p * 100, goodputBps(m) / 1e9]);
          resent[transport].push(m.retransmissions);
        } finally {
          if (fault !== null) await tx.faults.clear(fault);
        }
      }
    }
    lab.metric({
      name: 'goodput vs random loss (16 MB flow, 100 Gb/s links)',
      unit: 'Gb/s',
      x: { name: 'loss', unit: '%' },
      series: [
        { label: 'UET (RUD, selective retransmission)', points: curves.uet },
        { label: 'RoCEv2 (go-back-N)', points: curves.roce },
      ],
    });
    const at = (t: 'uet' | 'roce', p: number) => curves[t][LOSS.indexOf(p)][1];
    lab.metric({
      name: 'goodput at 0.1%, 1% and 2% loss',
      unit: 'Gb/s',
      table: {
        columns: ['loss %', 'UET Gb/s', 'RoCEv2 Gb/s', 'UET resent', 'RoCEv2 resent'],
        rows: [0.001, 0.01, 0.02].map((p) => [p * 100, at('uet', p), at('roce', p), resent.uet[LOSS.indexOf(p)], resent.roce[LOSS.indexOf(p)]]),
      },
    });
    expect(at('uet', 0.001) / at('uet', 0), 'UET goodput at 0.1% / loss-free').toBeGreaterThanOrEqual(0.9);
    expect(at('uet', 0.02) / at('uet', 0), 'UET goodput at 2% / loss-free').toBeGreaterThanOrEqual(0.8);
    expect(at('roce', 0.02) / at('roce', 0), 'RoCEv2 go-back-N goodput at 2% / loss-free').toBeLessThan(0.8);
    expect(at('uet', 0.01), 'UET ahead of go-back-N at 1%').toBeGreaterThan(at('roce', 0.01));
    expect(at('uet', 0.02), 'UET ahead of go-back-N at 2%').toBeGreaterThan(at('roce', 0.02));
  });
});
