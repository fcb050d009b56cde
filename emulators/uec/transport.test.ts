// Checks the transports on small fabrics against analytic results: window-limited throughput over
// distance (window / RTT, 5 us/km smf, 3.3 us/km hollow core), flow-hash ECMP path usage
// (1 - (1 - 1/n)^n), spraying a permutation on a non-blocking k=4 fat tree near line rate, selective
// repeat vs go-back-N under random loss, incast recovered by trimming + NACK without timeouts,
// and the bench: determinism, ACK cadence, the high class holding a wide incast's headers.
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../fabric/network.ts';
import { fatTree, leafSpine, TopologyBuilder, type FabricSpec } from '../fabric/topology.ts';
import { FlowManager, type FlowSpec, type SimFlow } from '../traffic/flows.ts';
import { permutation } from '../traffic/generators.ts';
import { Rng } from '../sim/rng.ts';
import { propagationPs } from '../sim/pipe.ts';
import { runBench, BENCH_WALL_FIELDS } from '../bench.ts';
import './register.ts';

const LINE = 100e9;
const MTU = 4150;
const MSS = 4086;

function star(hosts: number, delayPs: number, rateBps = LINE): FabricSpec {
  const b = new TopologyBuilder();
  for (let h = 0; h < hosts; h++) b.addNode(`h${h}`, 'endpoint', 1);
  b.addNode('s', 'switch', hosts);
  for (let h = 0; h < hosts; h++) b.addLink({ node: h, port: 0 }, { node: 's', port: h }, { rateBps, delayPs });
  return b.build();
}

function run(spec: FabricSpec, flows: FlowSpec[], netOpts: NetworkOptions, transportOptions: Record<string, unknown> = {}) {
  const net = new Network(spec, netOpts);
  const m = new FlowManager(net, transportOptions);
  const fs: SimFlow[] = flows.map((f) => m.add(f));
  m.onAllDone = () => net.events.stop();
  for (const f of fs) m.startFlow(f, 0);
  net.events.runUntilIdle(1e12);
  return { net, flows: fs, metrics: fs.map((f) => f.metrics()) };
}

/**
 * Ideal FCT over actual: the ideal sends every packet back to back at line rate and waits one
 * unloaded RTT for the last ACK.
 */
function efficiency(bytes: number, fctPs: number, rttPs: number, rateBps = LINE): number {
  const wire = Math.ceil(bytes / MSS) * MTU;
  return ((wire * 8) / rateBps * 1e12 + rttPs) / fctPs;
}

describe('UET', () => {
  it('a window-limited flow gets window / RTT over distance (smf and hollow core)', () => {
    for (const fibre of ['smf', 'hollow-core'] as const) {
      const delayPs = propagationPs(2, fibre); // 2 km per link, two links each way
      const windowPkts = 20;
      const r = run(
        star(2, delayPs),
        [{ src: 0, dst: 1, bytes: 400 * MSS, transport: 'uet', entropies: 1 }],
        { seed: 1, switchQueue: { maxBytes: 1e7 } },
        { congestionControl: false, initialCwndBytes: windowPkts * MTU, maxCwndBytes: windowPkts * MTU },
      );
      const m = r.metrics[0];
      expect(m.done).toBe(true);
      const rttPs = 4 * delayPs + 2 * (MTU * 80) + 2 * (64 * 80);
      const expectedBps = (windowPkts * MSS * 8) / (rttPs / 1e12);
      const gotBps = (400 * MSS * 8) / (m.fctPs! / 1e12);
      expect(gotBps / expectedBps).toBeGreaterThan(0.95);
      expect(gotBps / expectedBps).toBeLessThan(1.05);
    }
  });

  it('sprays a permutation on a non-blocking k=4 fat tree near line rate; ECMP does worse', () => {
    const flows = permutation(16, 1_000_000, new Rng(5));
    const opts: NetworkOptions = { seed: 2, switchQueue: { maxBytes: 178_450, ecnMinBytes: 37_350, ecnMaxBytes: 145_250, trimming: true } };
    const sprayed = run(fatTree(4), flows.map((f) => ({ ...f, transport: 'uet' as const, entropies: 128 })), opts);
    const ecmp = run(fatTree(4), flows.map((f) => ({ ...f, transport: 'uet' as const, entropies: 1 })), opts);
    const effSpray = sprayed.metrics.map((m) => efficiency(1_000_000, m.fctPs!, 14e6));
    expect(sprayed.metrics.every((m) => m.done)).toBe(true);
    expect(Math.min(...effSpray)).toBeGreaterThan(0.85);
    const tail = (ms: typeof sprayed.metrics) => Math.max(...ms.map((m) => m.fctPs!));
    expect(tail(ecmp.metrics)).toBeGreaterThan(1.3 * tail(sprayed.metrics));
  });

  it('selective repeat keeps goodput near 1 - p under random loss; go-back-N falls as (1 - p) / (1 + (W - 1) p)', () => {
    const delayPs = 5_000_000; // 5 us per link: RTT about 20.7 us, BDP about 62 packets
    const W = 64;
    const bytes = 10_000 * MSS;
    const rtt = 20.7e6;
    for (const p of [0.001, 0.01]) {
      const lossy = (net: Network) => {
        const l = net.egressLink(0, 0);
        if (l !== null) l.lossRate = p;
      };
      // selective repeat (UET, fixed window so that only the retransmission strategy differs)
      const netS = new Network(star(2, delayPs), { seed: 11, switchQueue: { maxBytes: 1e7 } });
      lossy(netS);
      const mS = new FlowManager(netS, { congestionControl: false, initialCwndBytes: 1.5 * W * MTU, maxCwndBytes: 1.5 * W * MTU, minRtoPs: 100e6 });
      const fS = mS.add({ src: 0, dst: 1, bytes, transport: 'uet', entropies: 1 });
      mS.startFlow(fS, 0);
      netS.events.runUntilIdle(1e12);
      const effS = efficiency(bytes, fS.metrics().fctPs!, rtt);
      expect(fS.metrics().retransmissions).toBeGreaterThan(0);
      expect(effS).toBeGreaterThan(0.9 * (1 - p));
      // go-back-N (RoCE baseline, window W, no rate control)
      const netG = new Network(star(2, delayPs), { seed: 11, switchQueue: { maxBytes: 1e7 } });
      lossy(netG);
      const mG = new FlowManager(netG, { roceWindowBytes: W * MTU, dcqcn: false, minRtoPs: 100e6 });
      const fG = mG.add({ src: 0, dst: 1, bytes, transport: 'roce' });
      mG.startFlow(fG, 0);
      netG.events.runUntilIdle(1e12);
      const effG = efficiency(bytes, fG.metrics().fctPs!, rtt);
      const predicted = (1 - p) / (1 + (W - 1) * p);
      expect(effG / predicted).toBeGreaterThan(0.75);
      expect(effG / predicted).toBeLessThan(1.25);
      expect(effS).toBeGreaterThan(effG);
    }
  });

  it('recovers an incast by trimming and NACKs, without timeouts, close to the ideal', () => {
    const n = 8;
    const bytes = 1_000_000;
    const flows = Array.from({ length: n }, (_, i) => ({ src: i, dst: n, bytes, transport: 'uet' as const, entropies: 16 }));
    const r = run(star(n + 1, 1_000_000), flows, {
      seed: 3,
      switchQueue: { maxBytes: 178_450, ecnMinBytes: 37_350, ecnMaxBytes: 145_250, trimming: true },
    });
    const ms = r.metrics;
    expect(ms.every((m) => m.done && m.rxBytes === bytes)).toBe(true);
    expect(ms.reduce((a, m) => a + m.nacks, 0)).toBeGreaterThan(0);
    expect(ms.reduce((a, m) => a + m.rtoFired, 0)).toBe(0);
    const ideal = ((n * Math.ceil(bytes / MSS) * MTU * 8) / LINE) * 1e12;
    const tail = Math.max(...ms.map((m) => m.fctPs!));
    expect(tail / ideal).toBeLessThan(1.1);
  });
});

describe('RoCE baseline', () => {
  it('DCQCN slows the senders of an incast on ECN marks, so nothing is lost', () => {
    const net = new Network(star(3, 1_000_000), { seed: 7, switchQueue: { maxBytes: 4e6, ecnMinBytes: 20_000, ecnMaxBytes: 200_000 } });
    const m = new FlowManager(net);
    const fs = [0, 1].map((src) => m.add({ src, dst: 2, bytes: 20_000_000, transport: 'roce' }));
    for (const f of fs) m.startFlow(f, 0);
    net.events.runUntil(300_000_000);
    const rates = fs.map((f) => (f as unknown as { rateBps: number }).rateBps);
    for (const r of rates) expect(r).toBeLessThan(LINE);
    m.onAllDone = () => net.events.stop();
    net.events.runUntilIdle(1e12);
    for (const f of fs) expect(f.metrics()).toMatchObject({ done: true, retransmissions: 0, lostFrames: 0 });
    expect(net.pool.dropped).toBe(0);
    // the bottleneck stayed reasonably busy: 40 MB at 100 Gb/s take 3.25 ms on the wire
    const tail = Math.max(...fs.map((f) => f.metrics().fctPs!));
    expect(tail).toBeLessThan(1.5 * 3.25e9);
  });
});

describe('flow-hash ECMP', () => {
  it('n flows over n equal paths use about 1 - (1 - 1/n)^n of them', () => {
    const n = 32;
    const expected = 1 - Math.pow(1 - 1 / n, n);
    let used = 0;
    const seeds = 12;
    for (let seed = 1; seed <= seeds; seed++) {
      const spec = leafSpine(2, n, n, 1);
      const net = new Network(spec, { seed, selector: 'ecmp' });
      const m = new FlowManager(net);
      for (let h = 0; h < n; h++) m.startFlow(m.add({ src: h, dst: n + h, bytes: 3000, frameBytes: 1500 }), 0);
      net.events.runUntilIdle();
      const leaf0 = 2 * n; // node index of leaf0
      for (let s = 0; s < n; s++) if (net.stats(leaf0, n + s).outPkts > 0) used++;
    }
    const share = used / (seeds * n);
    expect(share).toBeGreaterThan(expected - 0.04);
    expect(share).toBeLessThan(expected + 0.04);
  });
});

describe('bench', () => {
  const matrix = {
    nodes: 16,
    connections: permutation(16, 300_000, new Rng(9)).map((f, i) => ({ src: f.src, dst: f.dst, startUs: 0, sizeBytes: f.bytes, line: i + 3 })),
  };
  const strip = (r: object) => JSON.stringify(r, (k, v) => ((BENCH_WALL_FIELDS as readonly string[]).includes(k) ? undefined : v));

  it('is deterministic for a seed; another seed changes the ECMP result', () => {
    const a = runBench({ cmFile: 'generated', matrix, paths: 1, seed: 1 });
    const b = runBench({ cmFile: 'generated', matrix, paths: 1, seed: 1 });
    const c = runBench({ cmFile: 'generated', matrix, paths: 1, seed: 2 });
    expect(strip(a)).toBe(strip(b));
    expect(strip(c)).not.toBe(strip(a));
    expect(a.flowsCompleted).toBe(16);
    expect(a.scenario.k).toBe(4);
  });

  it('reports the reference single-flow FCT on the reference fabric; one ACK per 16 KiB received', () => {
    const r = runBench({ cmFile: 'generated', matrix: { nodes: 16, connections: [{ src: 0, dst: 13, startUs: 0, sizeBytes: 2_000_000, line: 3 }] } });
    expect(Math.abs(r.tailFctUs - 176.2) / 176.2).toBeLessThan(0.05);
    expect(r.dataPackets).toBe(490);
    expect(r.retransmissions).toBe(0);
    // the receiver ACKs every 16,384 B (4 packets of 4150 B) plus the first and the last packet
    expect(r.acks).toBe(Math.ceil(490 / 4) + 1);
  });

  it('a wide incast: headers held by the high class, so NACKs recover what was trimmed, not timeouts', () => {
    // 127 -> 1 on k = 8, 50-packet initial windows, 2-packet data queues: thousands of packets
    // are trimmed within microseconds and their headers converge on the receiver's last hop.
    const incast = {
      nodes: 128,
      connections: Array.from({ length: 127 }, (_, i) => ({ src: i + 1, dst: 0, startUs: 0, sizeBytes: 40_000, line: i + 3 })),
    };
    const common = { cmFile: 'generated', matrix: incast, queueBytes: 8_300, cwndPackets: 50 };
    const r = runBench(common);
    expect(r.scenario.headerQueueBytes).toBe(8 * 8_300);
    expect(r.flowsCompleted).toBe(127);
    expect(r.trims).toBeGreaterThan(1000);
    expect(r.nacks).toBe(r.trims);
    expect([r.drops, r.timeouts]).toEqual([0, 0]);
    // with the reference's own bound (2 x the data queue) headers overflow and timeouts recover them
    const tight = runBench({ ...common, headerQueueBytes: 2 * 8_300 });
    expect(tight.drops).toBeGreaterThan(0);
    expect(tight.timeouts).toBeGreaterThan(0);
  });
});
