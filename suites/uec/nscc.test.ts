// Ultra Ethernet congestion control: NSCC shrinks the window on ECN and queueing delay and opens it again when they clear.
//
// Test plan (requirement IDs):
// 1. UE1.0-CMS-NSCC: two flows from NICs on one leaf into one NIC on the other (a 2:1 congestion at
//    the last hop), A of 4 MB and B of 1.5 MB. A's window (/uet/flows/flow[name=A]/state) is sampled
//    every 5 us: while B runs, after the first four base RTTs, it stays below 0.75 of its maximum
//    (it shrank at least to that) and the bottleneck port trims nothing (the queue is held by ECN
//    and delay, not by losses); within 100 us of B's end A's window is back above 0.9 of its
//    maximum. The window over time is drawn in the report.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { FRAME_BYTES, nicsOn, uecFabric } from './lib.ts';

interface WindowState {
  'cwnd-bytes': number;
  'max-cwnd-bytes': number;
  'base-rtt-ps': number;
  done: boolean;
}

const SAMPLE_MS = 0.005;

describe('NSCC', () => {
  test('the window shrinks under ECN and delay, without losses, and recovers when the congestion ends', req('UE1.0-CMS-NSCC'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2 });
    const dst = nicsOn(f, f.leaves[0])[0];
    const [sa, sb] = nicsOn(f, f.leaves[1]);
    const a = lab.requireDevice(sa.nic, ['traffic', 'state']);
    const b = lab.requireDevice(sb.nic, ['traffic']);
    const leaf = lab.requireDevice(dst.leaf, ['counters']);
    lab.requireDevice(dst.nic, ['traffic']);
    await a.traffic.setFlows([{ name: 'A', txPort: sa.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: 4_000_000, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    await b.traffic.setFlows([{ name: 'B', txPort: sb.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: 1_500_000, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    const windowOf = async (): Promise<WindowState> => {
      const s = (await a.state.get('/uet/flows/flow[name=A]/state')) as WindowState | undefined;
      if (s === undefined || typeof s['cwnd-bytes'] !== 'number') return lab.block(`device ${a.id} reports no congestion window (/uet/flows/flow[name=A]/state)`);
      return s;
    };
    const t0 = await lab.nowPs();
    await a.traffic.start();
    await b.traffic.start();
    const first = await windowOf();
    const max = first['max-cwnd-bytes'];
    const warmupPs = 4 * first['base-rtt-ps'];
    const samples: Array<[number, number]> = [];
    let bDonePs = -1;
    let congestedMax = 0;
    let congestedMin = Infinity;
    let recoveredAt = -1;
    let trimsAtWarmup: bigint | null = null;
    let trimsAtBDone: bigint | null = null;
    for (let guard = 0; guard < 2000; guard++) {
      await lab.advance(SAMPLE_MS);
      const t = (await lab.nowPs()) - t0;
      const w = await windowOf();
      samples.push([t / 1e6, w['cwnd-bytes'] / 1000]);
      const bDone = (await b.traffic.metrics())[0]?.done ?? false;
      if (trimsAtWarmup === null && t >= warmupPs) trimsAtWarmup = (await leaf.counters.port(dst.leafPort)).trims ?? 0n;
      if (!bDone && t >= warmupPs) {
        congestedMax = Math.max(congestedMax, w['cwnd-bytes']);
        congestedMin = Math.min(congestedMin, w['cwnd-bytes']);
      }
      if (bDone && bDonePs < 0) {
        bDonePs = t;
        trimsAtBDone = (await leaf.counters.port(dst.leafPort)).trims ?? 0n;
      }
      if (bDonePs >= 0 && recoveredAt < 0 && w['cwnd-bytes'] >= 0.9 * max) recoveredAt = t;
      if (w.done || (bDonePs >= 0 && t > bDonePs + 100e6)) break;
    }
    lab.metric({ name: 'NSCC window of flow A (B joins at 0, leaves at the mark)', unit: 'KB', x: { name: 'time', unit: 'us' }, series: [{ label: 'cwnd A', points: samples }] });
    expect(bDonePs, 'flow B finished').toBeGreaterThan(0);
    expect(trimsAtWarmup, 'the congested phase outlasted the warm-up').not.toBeNull();
    expect(congestedMin / max, 'smallest window while both flows run / maximum').toBeLessThan(0.75);
    expect(congestedMax / max, 'largest window while both flows run (after 4 base RTTs) / maximum').toBeLessThan(0.75);
    expect(Number(trimsAtBDone! - trimsAtWarmup!), 'packets trimmed at the bottleneck while the windows held the queue').toBe(0);
    expect(recoveredAt, 'A\'s window back above 0.9 of its maximum after B ended').toBeGreaterThan(0);
    expect((recoveredAt - bDonePs) / 1e6, 'recovery time, us').toBeLessThan(100);
    lab.metric({ name: 'NSCC window recovery after the congestion ended', unit: 'us', value: (recoveredAt - bDonePs) / 1e6 });
    lab.metric({ name: 'NSCC window while congested / maximum', unit: 'ratio', table: { columns: ['min', 'max'], rows: [[congestedMin / max, congestedMax / max]] } });
  });
});
