// Ultra Ethernet Link Layer Retry: bit errors repaired on the link, FLUSH when the link cannot repair them.
//
// Test plan (requirement IDs); LLR is enabled on both ends of one NIC-leaf link
// (/interfaces/interface[name=P]/llr/config/enabled), bit errors are injected on that link:
// 1. UEC-3, UEC-2, UE1.0-LLR: at a BER of 1e-6 (about 3% of 4 KB frames corrupted) a 2 MB flow
//    across the fabric completes without a single end-to-end retransmission or loss: the leaf
//    counts the CRC errors and NACKs them, the NIC replays (its LLR counters move), so every
//    repair happened on that link.
// 2. UE1.0-LLR-FLUSH: a burst of bit errors (BER 1e-4 for 50 us: almost every frame corrupted)
//    during a flow makes replays keep failing: the transmitter FLUSHes (replay count over
//    REPLAY_COUNT_MAX or data older than DATA_AGE_TIMEOUT) and the flushed frames are recovered
//    end to end once the burst is over (the flow completes, resending them).
// 3. UE1.0-LLR-FLUSH: the link down for 100 us during a flow (longer than PCS_LOST_TIMEOUT,
//    50 us) FLUSHes on PCS lost; the flow completes after the link comes back.
import { test, expect, req, describe } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { FRAME_BYTES, nicsOn, runToCompletion, uecFabric } from './lib.ts';

interface LlrState {
  enabled: boolean;
  active: boolean;
  'tx-state': string;
  'replay-count-max'?: number;
  counters: Record<string, number>;
}

/** LLR on the first NIC-leaf link of leaf 0, a flow across the spines; returns what tests need. */
async function llrLink(lab: Lab, nicIndex: number) {
  const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: nicIndex + 1 });
  const src = nicsOn(f, f.leaves[0])[nicIndex];
  const dst = nicsOn(f, f.leaves[1])[nicIndex];
  const nic = lab.requireDevice(src.nic, ['traffic', 'config', 'state', 'faults']);
  const leaf = lab.requireDevice(src.leaf, ['config', 'state', 'counters']);
  lab.requireDevice(dst.nic, ['traffic']);
  const nicPath = `/interfaces/interface[name=${src.nicPort}]/llr`;
  const leafPath = `/interfaces/interface[name=${src.leafPort}]/llr`;
  if ((await nic.state.get(`${nicPath}/state`)) === undefined) lab.block(`device ${nic.id} has no LLR (${nicPath})`);
  await nic.config.edit(`${nicPath}/config/enabled`, true);
  await leaf.config.edit(`${leafPath}/config/enabled`, true);
  const state = async () => ({ nic: (await nic.state.get(`${nicPath}/state`)) as LlrState, leaf: (await leaf.state.get(`${leafPath}/state`)) as LlrState });
  const off = async () => {
    await nic.faults.clearAll();
    await nic.config.edit(`${nicPath}/config/enabled`, false);
    await leaf.config.edit(`${leafPath}/config/enabled`, false);
  };
  const flow = async (name: string, bytes: number) =>
    nic.traffic.setFlows([{ name, txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
  return { f, src, dst, nic, leaf, state, off, flow };
}

describe('LLR', () => {
  test('bit errors on one link are repaired on that link: no end-to-end retransmission', req('UEC-3', 'UEC-2', 'UE1.0-LLR'), async ({ lab }) => {
    const l = await llrLink(lab, 0);
    try {
      const s0 = await l.state();
      expect(s0.nic.active && s0.leaf.active, 'LLR running at both ends').toBe(true);
      const errorsBefore = (await l.leaf.counters.port(l.src.leafPort)).inErrors;
      await l.nic.faults.inject({ kind: 'bit-errors', port: l.src.nicPort, ber: 1e-6 });
      await l.flow('llr-repair', 2_000_000);
      const [m] = await runToCompletion(lab, [l.nic], 20, 'the flow completing over the lossy link');
      const s = await l.state();
      const errors = Number((await l.leaf.counters.port(l.src.leafPort)).inErrors - errorsBefore);
      expect(errors, `CRC errors counted at ${l.src.leaf}:${l.src.leafPort}`).toBeGreaterThan(0);
      expect(s.leaf.counters.nacksTx, 'LLR NACKs sent by the leaf').toBeGreaterThan(0);
      expect(s.nic.counters.replays, 'LLR replays by the NIC').toBeGreaterThan(0);
      expect(m.retransmissions, 'end-to-end retransmissions').toBe(0);
      expect(m.lostFrames, 'frames lost end to end').toBe(0);
      expect(m.rxBytes, 'bytes delivered').toBe(2_000_000);
      lab.metric({
        name: 'LLR repair at BER 1e-6',
        unit: 'frames',
        table: {
          columns: ['CRC errors', 'LLR NACKs', 'replays', 'frames replayed', 'e2e retransmissions'],
          rows: [[errors, s.leaf.counters.nacksTx, s.nic.counters.replays, s.nic.counters.replayedFrames, m.retransmissions]],
        },
      });
    } finally {
      await l.off();
    }
  });

  test('replays that keep failing FLUSH the replay buffer; end-to-end recovery takes over', req('UE1.0-LLR-FLUSH'), async ({ lab }) => {
    const l = await llrLink(lab, 1);
    try {
      await l.flow('llr-flush', 2_000_000);
      await l.nic.traffic.start();
      await lab.advance(0.02);
      const burst = await l.nic.faults.inject({ kind: 'bit-errors', port: l.src.nicPort, ber: 1e-4 });
      await lab.advance(0.05);
      await l.nic.faults.clear(burst);
      const m = await lab.until(async () => (await l.nic.traffic.metrics()).find((x) => x.done), { timeoutMs: 50, what: 'the flow completing after the error burst' });
      const c = (await l.state()).nic.counters;
      expect(c.flushes, 'LLR FLUSHes').toBeGreaterThan(0);
      expect(c.flushesReplayCount + c.flushesDataAge, 'FLUSHes on the replay count or the data age').toBe(c.flushes);
      expect(c.flushedFrames, 'frames flushed').toBeGreaterThan(0);
      expect(m.rxBytes, 'bytes delivered end to end').toBe(2_000_000);
      expect(m.retransmissions, 'end-to-end retransmissions (the flushed frames)').toBeGreaterThan(0);
      lab.metric({
        name: 'LLR FLUSH in a 50 us burst at BER 1e-4',
        unit: 'frames',
        table: {
          columns: ['FLUSHes (replay count)', 'FLUSHes (data age)', 'frames flushed', 'e2e retransmissions'],
          rows: [[c.flushesReplayCount, c.flushesDataAge, c.flushedFrames, m.retransmissions]],
        },
      });
    } finally {
      await l.off();
    }
  });

  test('a PCS lost longer than PCS_LOST_TIMEOUT FLUSHes; the flow resumes when the link returns', req('UE1.0-LLR-FLUSH'), async ({ lab }) => {
    const l = await llrLink(lab, 2);
    try {
      await l.flow('llr-pcs', 4_000_000);
      await l.nic.traffic.start();
      await lab.advance(0.05);
      const down = await l.nic.faults.inject({ kind: 'link-down', port: l.src.nicPort });
      await lab.advance(0.1);
      await l.nic.faults.clear(down);
      const m = await lab.until(async () => (await l.nic.traffic.metrics()).find((x) => x.done), { timeoutMs: 50, what: 'the flow completing after the link came back' });
      const c = (await l.state()).nic.counters;
      expect(c.flushesPcsLost, 'FLUSHes on PCS lost').toBeGreaterThan(0);
      expect(m.rxBytes, 'bytes delivered').toBe(4_000_000);
    } finally {
      await l.off();
    }
  });
});
