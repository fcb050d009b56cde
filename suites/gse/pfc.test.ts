// GSE PFC toward the servers: a pause when the (ingress port, priority) buffer crosses the threshold, and never below it.
//
// Test plan (requirement IDs):
// - GSE-ROLE-3: an incast (several servers on other GSPs onto one) fills the senders' ingress
//   buffers on their GSPs (waiting for grants); every server-facing port whose buffer use passed
//   the threshold (`/gse/pfc` peak above xoff) sent PFC pause to its server, the server's NIC port
//   received it, each pause left at a buffer use at or above the threshold, every paused port was
//   resumed (no port is left paused) and the flows complete without loss.
// - GSE-ROLE-3: a single flow between two GSPs keeps every server-facing buffer below the
//   threshold: no PFC pause is sent to, or received by, any server.
import { describe, expect, req, test } from '../../harness/suite.ts';
import { delta, expectCleanDelivery, requireDomain, runFlows, snapshotCounters, waitConverged, type GseDomain } from './gse-lab.ts';

interface PfcEntry {
  port: string;
  priority: number;
  xoffBytes: number;
  xonBytes: number;
  bufferBytes: number;
  peakBytes: number;
  bytesAtLastPause: number | null;
  pausesSent: number;
  resumesSent: number;
  paused: boolean;
}

const MiB = 1024 * 1024;
const anyDomain = (d: GseDomain): boolean => d.servers.length >= 4 && d.gsps.length >= 2;

async function pfcTable(lab: Parameters<typeof waitConverged>[0], gsp: string): Promise<PfcEntry[]> {
  return ((await lab.requireDevice(gsp, ['state']).state.get('/gse/pfc')) ?? []) as PfcEntry[];
}

describe('GSE PFC to servers', () => {
  test('incast: PFC pause reaches every sender whose port buffer crossed the threshold, sent at or above it, then resumed', req('GSE-ROLE-3'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'four servers', anyDomain);
    await waitConverged(lab, dom);
    const receiver = dom.servers[0];
    const senders = dom.servers.filter((s) => s.gsp !== receiver.gsp).slice(0, 6);
    const gsps = [...new Set(senders.map((s) => s.gsp))];
    const before = new Map<string, PfcEntry[]>();
    for (const g of gsps) before.set(g, await pfcTable(lab, g));
    const c0 = await snapshotCounters(lab, [...gsps, ...senders.map((s) => s.id)]);
    const r = await runFlows(lab, senders.map((from) => ({ from, to: receiver, bytes: 2 * MiB })), { timeoutMs: 5 });
    const c1 = await snapshotCounters(lab, [...gsps, ...senders.map((s) => s.id)]);
    expectCleanDelivery(r);
    const rows: Array<Array<string | number>> = [];
    let crossed = 0;
    for (const s of senders) {
      const e = (await pfcTable(lab, s.gsp)).find((x) => x.port === s.gspPort);
      expect(e, `${s.gsp} reports PFC state of ${s.gspPort}`).toBeDefined();
      const b = before.get(s.gsp)!.find((x) => x.port === s.gspPort)!;
      const pauses = e!.pausesSent - b.pausesSent;
      const rx = delta(c0, c1, s.id, s.port, 'pfcPauseRx');
      rows.push([`${s.gsp}:${s.gspPort}`, e!.xoffBytes, e!.peakBytes, e!.bytesAtLastPause ?? '-', pauses, rx]);
      if (e!.peakBytes > e!.xoffBytes) {
        crossed++;
        expect(pauses, `${s.gsp}:${s.gspPort} buffer peaked at ${e!.peakBytes} B over xoff ${e!.xoffBytes} B: pauses sent`).toBeGreaterThan(0);
        expect(rx, `${s.id}:${s.port} PFC pauses received`).toBeGreaterThan(0);
      }
      if (pauses > 0) expect(e!.bytesAtLastPause!, `${s.gsp}:${s.gspPort} buffer use when it last paused`).toBeGreaterThanOrEqual(e!.xoffBytes);
      expect(e!.paused, `${s.gsp}:${s.gspPort} still pauses its server after the incast`).toBe(false);
    }
    lab.metric({ name: 'PFC on the senders\' ports', unit: 'bytes / frames', table: { columns: ['port', 'xoff B', 'peak B', 'buffer at last pause B', 'pauses sent', 'pauses received by NIC'], rows } });
    expect(crossed, 'sender ports whose buffer crossed the threshold').toBeGreaterThan(0);
  });

  test('a single flow keeps the buffers below the threshold: no pause is sent to any server', req('GSE-ROLE-3'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'four servers', anyDomain);
    await waitConverged(lab, dom);
    const a = dom.servers[0];
    const b = dom.servers.find((s) => s.gsp !== a.gsp)!;
    const c0 = await snapshotCounters(lab, [...dom.gsps.map((g) => g.id), ...dom.servers.map((s) => s.id)]);
    const r = await runFlows(lab, [{ from: a, to: b, bytes: 2 * MiB }]);
    const c1 = await snapshotCounters(lab, [...dom.gsps.map((g) => g.id), ...dom.servers.map((s) => s.id)]);
    expectCleanDelivery(r);
    for (const s of dom.servers) {
      expect(delta(c0, c1, s.gsp, s.gspPort, 'pfcPauseTx'), `pauses sent by ${s.gsp}:${s.gspPort}`).toBe(0);
      expect(delta(c0, c1, s.id, s.port, 'pfcPauseRx'), `pauses received by ${s.id}:${s.port}`).toBe(0);
    }
  });
});
