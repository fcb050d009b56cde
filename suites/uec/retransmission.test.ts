// Ultra Ethernet loss recovery: selective retransmission under random loss, trimming answered by NACKs instead of timeouts.
//
// Test plan (requirement IDs):
// 1. UEC-6, UE1.0-PDS-SACK: a NIC's flow and the lab's UET traffic generator's flow (the reference
//    endpoint must recover selectively too, or its results mean nothing), each 2 MB across the
//    spines with 2% random loss on the sender's link: both complete with retransmissions close to
//    the packets the fabric lost (at most 1.5 x losses + 4: go-back-N resends a window per loss),
//    and every retransmitted PSN was one the target was missing.
// 2. UE1.0-PDS-TRIM, UE1.0-PDS-NACK: a 3-to-1 incast across the spines into one NIC overflows the
//    leaf's port toward it: the leaf trims (its port counts trims), every trimmed packet that
//    reaches the NIC is answered at once by a NACK with code TRIMMED (0x01, or the last-hop and
//    ACK variants 0x02/0x03), the senders resend the NACKed PSNs, and the incast ends within 1.4 x
//    its ideal time (bottleneck bytes / line rate + one RTT): no retransmission timeout.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { FRAME_BYTES, LINE_BPS, captureUet, isNack, isRequest, nicsOn, runToCompletion, uecFabric } from './lib.ts';

const TRIM_CODES: readonly number[] = [UET_NACK_CODE.TRIMMED, UET_NACK_CODE.TRIMMED_LAST_HOP, UET_NACK_CODE.TRIMMED_ACK];

describe('UET loss recovery', () => {
  test('under 2% random loss only the lost packets are resent (selective, not go-back-N)', req('UEC-6', 'UE1.0-PDS-SACK'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2, generators: 1 });
    const nicSrc = nicsOn(f, f.leaves[0])[0];
    const gen = f.generators[0];
    const otherLeaf = f.leaves.find((l) => l !== gen.leaf)!;
    const genDst = nicsOn(f, otherLeaf)[1];
    const nicDst = nicsOn(f, f.leaves.find((l) => l !== nicSrc.leaf)!)[0];
    const nic = lab.requireDevice(nicSrc.nic, ['traffic', 'faults']);
    const tg = lab.requireDevice(gen.nic, ['traffic', 'faults']);
    lab.requireDevice(nicDst.nic, ['traffic']);
    lab.requireDevice(genDst.nic, ['traffic']);
    const bytes = 2_000_000;
    await nic.traffic.setFlows([{ name: 'nic-sr', txPort: nicSrc.nicPort, rxPort: `${nicDst.nic}:${nicDst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    await tg.traffic.setFlows([{ name: 'gen-sr', txPort: gen.nicPort, rxPort: `${genDst.nic}:${genDst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    const faults = [await nic.faults.inject({ kind: 'loss', port: nicSrc.nicPort, rate: 0.02 }), await tg.faults.inject({ kind: 'loss', port: gen.nicPort, rate: 0.02 })];
    let all;
    try {
      all = await runToCompletion(lab, [nic, tg], 20, 'both flows completing under 2% loss');
    } finally {
      await nic.faults.clear(faults[0]);
      await tg.faults.clear(faults[1]);
    }
    const rows: Array<[string, number, number]> = [];
    for (const m of all) {
      expect(m.rxBytes, `${m.name}: bytes delivered`).toBe(bytes);
      expect(m.lostFrames, `${m.name}: packets lost (the loss must cause some)`).toBeGreaterThan(0);
      expect(m.retransmissions, `${m.name}: retransmissions for ${m.lostFrames} packets lost`).toBeLessThanOrEqual(1.5 * m.lostFrames + 4);
      rows.push([m.name, m.lostFrames, m.retransmissions]);
    }
    lab.metric({ name: 'retransmissions vs losses at 2% loss', unit: 'packets', table: { columns: ['flow', 'lost', 'resent'], rows } });
  });

  test('a trimmed packet is NACKed TRIMMED at once and resent: an incast recovers without timeouts', req('UE1.0-PDS-TRIM', 'UE1.0-PDS-NACK'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 3, spines: 1 });
    const dst = nicsOn(f, f.leaves[0])[0];
    const senders = nicsOn(f, f.leaves[1]).slice(0, 3);
    const leaf = lab.requireDevice(dst.leaf, ['counters']);
    const rx = lab.requireDevice(dst.nic, ['traffic', 'capture']);
    const txs = senders.map((s) => lab.requireDevice(s.nic, ['traffic']));
    const bytes = 1_000_000;
    for (const [i, s] of senders.entries()) {
      await txs[i].traffic.setFlows([{ name: `incast${i}`, txPort: s.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes, frameBytes: FRAME_BYTES, transport: 'uet', entropies: 64 }]);
    }
    const before = await leaf.counters.port(dst.leafPort);
    let all: Awaited<ReturnType<typeof runToCompletion>> = [];
    const frames = await captureUet(rx, dst.nicPort, async () => {
      all = await runToCompletion(lab, txs, 20, 'the incast completing');
    });
    const after = await leaf.counters.port(dst.leafPort);
    const trims = Number((after.trims ?? 0n) - (before.trims ?? 0n));
    expect(trims, `packets trimmed by ${dst.leaf}:${dst.leafPort}`).toBeGreaterThan(0);
    const trimmedIn = frames.filter((u) => u.direction === 'rx' && u.trimmed && isRequest(u));
    const nacks = frames.filter(isNack).filter((u) => u.direction === 'tx');
    expect(trimmedIn.length, 'trimmed packets reaching the NIC').toBeGreaterThan(0);
    for (const n of nacks) expect(TRIM_CODES, `NACK of PSN ${n.uet.pds.nackPsn}: code 0x${n.uet.pds.nackCode.toString(16)}`).toContain(n.uet.pds.nackCode);
    // Each trimmed packet gets its NACK, right away.
    for (const t of trimmedIn) {
      const r = t.uet.pds as { psn: number; spdcid: number };
      const n = nacks.find((x) => x.uet.pds.nackPsn === r.psn && x.uet.pds.dpdcid === r.spdcid && x.timePs >= t.timePs);
      expect(n, `NACK for trimmed PSN ${r.psn}`).toBeDefined();
      expect(n!.timePs - t.timePs, `PSN ${r.psn}: NACK delay`).toBeLessThan(1e6);
    }
    // What was NACKed comes back.
    const resent = frames.filter((u) => u.direction === 'rx' && !u.trimmed && isRequest(u) && u.uet.pds.retx);
    for (const n of nacks.slice(0, 50)) {
      const back = resent.find((u) => (u.uet.pds as { psn: number }).psn === n.uet.pds.nackPsn && u.timePs > n.timePs);
      expect(back, `PSN ${n.uet.pds.nackPsn} resent after its NACK`).toBeDefined();
    }
    const tail = Math.max(...all.map((m) => m.fctPs ?? Infinity));
    const idealPs = ((senders.length * bytes * 8) / LINE_BPS) * 1e12 + 10e6;
    expect(tail / idealPs, 'incast tail FCT / ideal').toBeLessThan(1.4);
    lab.metric({ name: 'incast tail FCT / ideal (3 x 1 MB)', unit: 'ratio', value: tail / idealPs });
    lab.metric({ name: 'packets trimmed, NACKs sent', unit: 'packets', table: { columns: ['trimmed at the leaf', 'trimmed seen by the NIC', 'NACKs'], rows: [[trims, trimmedIn.length, nacks.length]] } });
  });
});
