// GSE request/grant scheduling (DGSQ): no loss at full offered load, grants never above the egress capacity.
//
// Test plan (requirement IDs):
// - GSE-CON-3: a permutation of every server of the fabric at line rate (RoCEv2, 1 MiB per flow)
//   completes with no frame lost, reordered or retransmitted and no discard on any port of the
//   GSE switches.
// - GSE-CON-3: the same for an all-to-all among the servers of the fabric.
// - GSE-CON-3: an incast of several servers onto one completes without loss or discard, and in
//   every 5 us of device time the destination GSP grants no more bytes for the receiver's port
//   than the port can send in that time plus two containers (one straddling the window's start,
//   one of catch-up after an idle moment), from the egress's `/gse/scheduler` state sampled while
//   the incast runs.
import { describe, expect, req, test } from '../../harness/suite.ts';
import {
  derangement,
  discards,
  expectCleanDelivery,
  requireDomain,
  runFlows,
  snapshotCounters,
  waitConverged,
  type GseDomain,
  type Server,
} from './gse-lab.ts';

const MiB = 1024 * 1024;
const anyDomain = (d: GseDomain): boolean => d.servers.length >= 4 && d.gsps.length >= 2;

interface SchedulerEntry {
  port: string;
  rateBps: number;
  grantedBytes: number;
  grants: number;
}

describe('GSE request/grant scheduling', () => {
  test('permutation at full load: no loss, no discard', req('GSE-CON-3'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'four servers', anyDomain);
    await waitConverged(lab, dom);
    const s = dom.servers;
    const order = derangement(s.length, 11);
    const c0 = await snapshotCounters(lab, dom.switches.map((x) => x.id));
    const r = await runFlows(lab, s.map((from, i) => ({ from, to: s[order[i]], bytes: MiB })));
    const c1 = await snapshotCounters(lab, dom.switches.map((x) => x.id));
    expectCleanDelivery(r);
    expect(discards(c0, c1), 'discards on GSE switch ports').toEqual([]);
  });

  test('all-to-all at full load: no loss, no discard', req('GSE-CON-3'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'four servers', anyDomain);
    await waitConverged(lab, dom);
    const s = dom.servers;
    const c0 = await snapshotCounters(lab, dom.switches.map((x) => x.id));
    const flows = s.flatMap((from) => s.filter((to) => to !== from).map((to) => ({ from, to, bytes: Math.floor(MiB / (s.length - 1)) })));
    const r = await runFlows(lab, flows);
    const c1 = await snapshotCounters(lab, dom.switches.map((x) => x.id));
    expectCleanDelivery(r);
    expect(discards(c0, c1), 'discards on GSE switch ports').toEqual([]);
  });

  test('incast: no loss, and grants for the receiver\'s port never exceed what the port can send', req('GSE-CON-3'), async ({ lab }) => {
    const dom = await requireDomain(lab, 'four servers', anyDomain);
    await waitConverged(lab, dom);
    const receiver = dom.servers[0];
    // Senders on other GSPs (their traffic is scheduled by the receiver's GSP).
    const senders: Server[] = dom.servers.filter((s) => s.gsp !== receiver.gsp).slice(0, 6);
    const gsp = lab.requireDevice(receiver.gsp, ['state']);
    const entry = async (): Promise<SchedulerEntry> => {
      const all = (await gsp.state.get('/gse/scheduler')) as SchedulerEntry[];
      const e = all.find((x) => x.port === receiver.gspPort);
      expect(e, `${receiver.gsp} has a scheduler for ${receiver.gspPort}`).toBeDefined();
      return e!;
    };
    const containerBytes = ((await gsp.state.get('/gse/config')) as { containerBytes: number }).containerBytes;
    const windowMs = 0.005;
    const samples: Array<{ t: number; granted: number }> = [];
    const sample = async (): Promise<void> => {
      samples.push({ t: await lab.nowPs(), granted: (await entry()).grantedBytes });
    };
    const c0 = await snapshotCounters(lab, dom.switches.map((x) => x.id));
    await sample();
    const r = await runFlows(lab, senders.map((from) => ({ from, to: receiver, bytes: MiB })), { tickMs: windowMs, onTick: sample });
    await sample();
    const c1 = await snapshotCounters(lab, dom.switches.map((x) => x.id));
    const rateBps = (await entry()).rateBps;
    const excess: string[] = [];
    const points: Array<[number, number]> = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = samples[i].t - samples[i - 1].t;
      if (dt <= 0) continue;
      const granted = samples[i].granted - samples[i - 1].granted;
      const capacity = (rateBps * dt) / 8e12;
      points.push([(samples[i].t - samples[0].t) / 1e6, (granted * 8e12) / dt / 1e9]);
      if (granted > capacity + 2 * containerBytes) excess.push(`${Math.round(granted)} B granted in ${dt / 1e6} us (capacity ${Math.round(capacity)} B)`);
    }
    lab.metric({ name: `grant rate for ${receiver.gsp}:${receiver.gspPort}`, unit: 'Gb/s', x: { name: 'time', unit: 'us' }, series: [{ label: 'granted', points }, { label: 'port rate', points: points.map(([t]) => [t, rateBps / 1e9]) }] });
    expectCleanDelivery(r);
    expect(discards(c0, c1), 'discards on GSE switch ports').toEqual([]);
    expect(excess, 'windows where grants exceeded the egress capacity').toEqual([]);
  });
});
