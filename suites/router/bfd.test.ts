// Router suite, BFD (RFC 5880/5881) on the WAN links: timer negotiation, detection, diagnostics, fast switchover.
//
// Test plan (requirement IDs in brackets):
// 1. Negotiation [RFC5880-6.8.7, RFC5880-6.8.3, RFC5880-4.1, RFC5881-5]: PE1 asks 10 ms / 10 ms
//    x3, PE2 asks 10 ms TX but 20 ms RX x4 on a direct link; once Up, PE1 reports a 20 ms
//    transmit interval and PE2 a 10 ms one, detection times 4 x 10 ms at PE1 and 3 x 20 ms at PE2;
//    PE1's captured control packets are UDP 3784 with hop limit 255, state Up, its discriminators
//    and intervals, and leave 15-20 ms apart (the 20 ms interval less 0-25 % jitter).
// 2. Detection [RFC5880-6.8.4, RTR-3]: with 3 x 10 ms on both ends, a silent failure (all frames
//    lost, the port stays up) takes the session Down between 20 and 30 ms after the failure
//    (the last packet arrived at most one interval before it), with diagnostic 1, which the
//    Down packets carry, advertising a Desired Min TX of at least 1 s [RFC5880-6.8.3].
// 3. Switchover [RTR-3, RFC5880-6.8.6]: traffic on a primary link with BFD 3 x 10 ms; after a
//    silent failure the backup link carries the traffic within 50 ms (the measured failover time
//    is reported); once the failure is repaired the session is Up again (Down -> Init -> Up).
// Devices: wan-lab.ts (the two PEs, their first two direct links, the DC1 and DC2 test ports).
import { test, expect, req, describe } from '../../harness/suite.ts';
import { BFD_DIAG, BFD_STATE, BFD_UDP_PORT_SINGLE_HOP, BfdControlHeader, BfdControlView } from '../../protocols/bfd/control.ts';
import { ConfigSession, PS_PER_MS, decode, metricPath, wanLab, type Router } from './wan-lab.ts';

const bfdPath = (port: string) => `/bfd/interfaces/interface[id=${port}]/config`;
const statePath = (port: string, leaf: string) => `/bfd/interfaces/interface[id=${port}]/state/${leaf}`;
const timers = (txUs: number, rxUs: number, mult: number) => ({
  enabled: true,
  'desired-minimum-tx-interval': txUs,
  'required-minimum-receive': rxUs,
  'detection-multiplier': mult,
});

/** Waits until both ends are Up and their detection times reflect the peer's fast timers. */
async function waitUp(lab: Parameters<typeof wanLab>[0], ends: Array<[Router, string, number]>): Promise<void> {
  await lab.until(
    async () => {
      for (const [r, p, detectUs] of ends) {
        if ((await r.state.get(statePath(p, 'session-state'))) !== 'UP') return false;
        if ((await r.state.get(statePath(p, 'detection-time'))) !== detectUs) return false;
      }
      return true;
    },
    { timeoutMs: 10_000, pollMs: 20, what: `BFD sessions Up with their negotiated detection times on ${ends.map(([r, p]) => `${r.id}:${p}`).join(', ')}` },
  );
}

describe('router BFD', () => {
  test(
    'BFD negotiates its intervals and sends them in its control packets',
    req('RFC5880-6.8.7', 'RFC5880-6.8.3', 'RFC5880-4.1', 'RFC5881-5'),
    async ({ lab }) => {
      const w = wanLab(lab);
      const [p1, p2] = w.direct[0]!;
      const cfg = new ConfigSession();
      try {
        await cfg.set(w.dc1.pe, bfdPath(p1), timers(10_000, 10_000, 3));
        await cfg.set(w.dc2.pe, bfdPath(p2), timers(10_000, 20_000, 4));
        await waitUp(lab, [
          [w.dc1.pe, p1, 40_000],
          [w.dc2.pe, p2, 60_000],
        ]);
        expect(await w.dc1.pe.state.get(statePath(p1, 'negotiated-transmit-interval')), `${w.dc1.pe.id} transmit interval (us)`).toBe(20_000);
        expect(await w.dc2.pe.state.get(statePath(p2, 'negotiated-transmit-interval')), `${w.dc2.pe.id} transmit interval (us)`).toBe(10_000);
        const myDisc = (await w.dc1.pe.state.get(statePath(p1, 'local-discriminator'))) as number;
        const yourDisc = (await w.dc1.pe.state.get(statePath(p1, 'remote-discriminator'))) as number;
        await w.dc1.pe.capture.start(p1);
        await lab.advance(500);
        const sent = decode(await w.dc1.pe.capture.stop(p1), 'tx').filter(({ f }) => f.udp?.dstPort === BFD_UDP_PORT_SINGLE_HOP);
        expect(sent.length, 'BFD control packets in 500 ms').toBeGreaterThanOrEqual(24);
        const gaps: number[] = [];
        sent.forEach(({ timePs, f }, i) => {
          const h = BfdControlHeader.parse(BfdControlView.checked(f.payload));
          expect(f.ip!.version === 6 ? (f.ip as { hopLimit: number }).hopLimit : (f.ip as { ttl: number }).ttl, 'TTL / hop limit').toBe(255);
          expect(h.state, 'state').toBe(BFD_STATE.UP);
          expect(h.myDiscriminator, 'My Discriminator').toBe(myDisc);
          expect(h.yourDiscriminator, 'Your Discriminator').toBe(yourDisc);
          expect(h.detectMult, 'Detect Mult').toBe(3);
          expect(h.desiredMinTxUs, 'Desired Min TX').toBe(10_000);
          expect(h.requiredMinRxUs, 'Required Min RX').toBe(10_000);
          if (i > 0) gaps.push((timePs - sent[i - 1]!.timePs) / PS_PER_MS);
        });
        lab.metric({ name: 'BFD transmit gaps (min)', unit: 'ms', value: Math.min(...gaps) });
        lab.metric({ name: 'BFD transmit gaps (max)', unit: 'ms', value: Math.max(...gaps) });
        for (const g of gaps) {
          expect(g, 'gap between control packets (20 ms interval, 75-100 %)').toBeGreaterThanOrEqual(15 - 0.01);
          expect(g, 'gap between control packets (20 ms interval, 75-100 %)').toBeLessThanOrEqual(20 + 0.01);
        }
      } finally {
        await cfg.restore();
      }
    },
  );

  test('BFD detects a silent failure in multiplier x interval and goes Down with diagnostic 1', req('RFC5880-6.8.4', 'RFC5880-6.8.3', 'RTR-3'), async ({ lab }) => {
    const w = wanLab(lab);
    const [p1, p2] = w.direct[0]!;
    const cfg = new ConfigSession();
    let fault: string | undefined;
    try {
      await cfg.set(w.dc1.pe, bfdPath(p1), timers(10_000, 10_000, 3));
      await cfg.set(w.dc2.pe, bfdPath(p2), timers(10_000, 10_000, 3));
      await waitUp(lab, [
        [w.dc1.pe, p1, 30_000],
        [w.dc2.pe, p2, 30_000],
      ]);
      await w.dc1.pe.capture.start(p1);
      const t0 = await lab.nowPs();
      fault = await w.dc1.pe.faults.inject({ kind: 'loss', port: p1, rate: 1 });
      await lab.until(async () => (await w.dc1.pe.state.get(statePath(p1, 'session-state'))) === 'DOWN', {
        timeoutMs: 200,
        pollMs: 0.25,
        what: `${w.dc1.pe.id}:${p1} BFD Down`,
      });
      const detectMs = ((await lab.nowPs()) - t0) / PS_PER_MS;
      lab.metric({ name: 'BFD detection time (3 x 10 ms)', unit: 'ms', value: detectMs });
      expect(detectMs, 'detection after the failure (ms)').toBeGreaterThanOrEqual(20 - 0.5);
      expect(detectMs, 'detection after the failure (ms)').toBeLessThanOrEqual(30 + 0.5);
      expect(await w.dc1.pe.state.get(statePath(p1, 'local-diagnostic-code')), 'local diagnostic').toBe('DETECTION_TIMEOUT');
      await lab.advance(2);
      const down = decode(await w.dc1.pe.capture.stop(p1), 'tx')
        .filter(({ f }) => f.udp?.dstPort === BFD_UDP_PORT_SINGLE_HOP)
        .map(({ f }) => BfdControlHeader.parse(BfdControlView.checked(f.payload)))
        .filter((h) => h.state === BFD_STATE.DOWN);
      expect(down.length, 'Down packets sent after the expiry').toBeGreaterThan(0);
      expect(down[0]!.diag, 'diagnostic in the Down packet').toBe(BFD_DIAG.CONTROL_DETECTION_TIME_EXPIRED);
      expect(down[0]!.desiredMinTxUs, 'Desired Min TX while not Up (at least 1 s)').toBeGreaterThanOrEqual(1_000_000);
    } finally {
      if (fault !== undefined) await w.dc1.pe.faults.clear(fault);
      await cfg.restore();
    }
  });

  test('BFD Down moves traffic to the backup path within 50 ms; the session comes back Up after repair', req('RTR-3', 'RFC5880-6.8.6'), async ({ lab }) => {
    const w = wanLab(lab);
    const [[prim1, prim2], [back1, back2]] = w.direct as [[string, string], [string, string]];
    const cfg = new ConfigSession();
    let fault: string | undefined;
    try {
      // primary: the first direct link; backup: the second; the transit path last
      await cfg.set(w.dc1.pe, metricPath(prim1), { metric: 10 });
      await cfg.set(w.dc1.pe, metricPath(back1), { metric: 50 });
      if (w.transit) await cfg.set(w.dc1.pe, metricPath(w.transit.pe1Port), { metric: 1000 });
      for (const [r, p] of [
        [w.dc1.pe, prim1],
        [w.dc2.pe, prim2],
        [w.dc1.pe, back1],
        [w.dc2.pe, back2],
      ] as const) {
        await cfg.set(r, bfdPath(p), timers(10_000, 10_000, 3));
      }
      await waitUp(lab, [
        [w.dc1.pe, prim1, 30_000],
        [w.dc2.pe, prim2, 30_000],
        [w.dc1.pe, back1, 30_000],
        [w.dc2.pe, back2, 30_000],
      ]);
      const upsBefore = (await w.dc1.pe.state.get(statePath(prim1, 'up-transitions'))) as number;
      // 1 Gb/s of 1500-byte frames: one every 12 us
      await w.dc1.ate.traffic.setFlows([
        { name: 'protected', txPort: w.dc1.atePorts[0]!, rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[0]}`, bytes: 1500 * 20_000, frameBytes: 1500, rateBps: 1e9 },
      ]);
      await w.dc1.ate.traffic.start();
      await lab.advance(5);
      const onPrimary = (await w.dc1.pe.counters.port(prim1)).outPkts;
      expect(onPrimary, `traffic on the primary ${prim1} before the failure`).toBeGreaterThan(300n);
      const base = (await w.dc1.pe.counters.port(back1)).outPkts;
      const t0 = await lab.nowPs();
      fault = await w.dc1.pe.faults.inject({ kind: 'loss', port: prim1, rate: 1 });
      // data frames, not BFD (at most one every 7.5 ms), show the switch: 10 frames = 120 us of traffic
      await lab.until(async () => (await w.dc1.pe.counters.port(back1)).outPkts - base >= 10n, {
        timeoutMs: 50,
        pollMs: 0.25,
        what: `traffic on the backup ${back1} within 50 ms of the failure`,
      });
      const failoverMs = ((await lab.nowPs()) - t0) / PS_PER_MS;
      lab.metric({ name: 'failover time (BFD 3 x 10 ms)', unit: 'ms', value: failoverMs });
      const rx0 = (await w.dc1.ate.traffic.metrics())[0]!.rxFrames;
      await lab.advance(2);
      expect((await w.dc1.ate.traffic.metrics())[0]!.rxFrames, 'frames delivered over the backup').toBeGreaterThan(rx0 + 100);
      await w.dc1.ate.traffic.stop();
      await w.dc1.pe.faults.clear(fault);
      fault = undefined;
      await lab.until(async () => (await w.dc1.pe.state.get(statePath(prim1, 'session-state'))) === 'UP', {
        timeoutMs: 10_000,
        pollMs: 10,
        what: `${w.dc1.pe.id}:${prim1} BFD Up again after the repair`,
      });
      expect(await w.dc1.pe.state.get(statePath(prim1, 'up-transitions')), 'Up transitions').toBe(upsBefore + 1);
      expect(await w.dc2.pe.state.get(statePath(prim2, 'session-state')), `${w.dc2.pe.id}:${prim2} state`).toBe('UP');
    } finally {
      if (fault !== undefined) await w.dc1.pe.faults.clear(fault);
      await w.dc1.ate.traffic.stop();
      await cfg.restore();
    }
  });
});
