// Checks workloads with dependencies (ring all-reduce), link utilisation sampling and per-flow
// metrics of the raw generator.
import { describe, expect, it } from 'vitest';
import { Network } from '../fabric/network.ts';
import { fatTree, TopologyBuilder } from '../fabric/topology.ts';
import { FlowManager } from './flows.ts';
import { allToAll, ringAllReduce, startWorkload } from './generators.ts';
import '../uec/register.ts';

describe('workloads', () => {
  it('runs a ring all-reduce step by step', () => {
    const net = new Network(fatTree(4), { seed: 4, switchQueue: { maxBytes: 178_450, ecnMinBytes: 37_350, ecnMaxBytes: 145_250, trimming: true } });
    const m = new FlowManager(net);
    const hosts = [0, 5, 10, 15];
    const wl = ringAllReduce(hosts, 400_000);
    let all = false;
    m.onAllDone = () => {
      all = true;
      net.events.stop();
    };
    const flows = startWorkload(m, wl, { transport: 'uet' });
    net.events.runUntilIdle(1e12);
    expect(all).toBe(true);
    const ms = flows.map((f) => f.metrics());
    expect(ms.every((x) => x.done)).toBe(true);
    wl.forEach((f, i) => {
      for (const d of f.dependsOn ?? []) expect(ms[i].startPs).toBeGreaterThanOrEqual(ms[d].finishPs!);
    });
  });

  it('runs an all-to-all to completion', () => {
    const net = new Network(fatTree(4), { seed: 4, switchQueue: { maxBytes: 178_450, ecnMinBytes: 37_350, ecnMaxBytes: 145_250, trimming: true } });
    const m = new FlowManager(net);
    m.onAllDone = () => net.events.stop();
    const flows = startWorkload(m, allToAll([0, 1, 2, 3, 4, 5, 6, 7], 50_000), { transport: 'uet' });
    net.events.runUntilIdle(1e12);
    expect(flows.every((f) => f.done)).toBe(true);
  });

  it('samples link utilisation over time', () => {
    const b = new TopologyBuilder();
    b.addNode('a', 'endpoint', 1);
    b.addNode('b', 'endpoint', 1);
    b.addLink({ node: 0, port: 0 }, { node: 1, port: 0 }, { rateBps: 100e9, delayPs: 1000 });
    const net = new Network(b.build(), { seed: 1 });
    const m = new FlowManager(net);
    const f = m.add({ src: 0, dst: 1, bytes: 500 * 1000, frameBytes: 1000, rateBps: 50e9 });
    const ts = net.utilisation(0, 0, 10_000_000);
    m.startFlow(f);
    net.events.runUntil(100_000_000);
    ts.stop();
    const { values } = ts.samples();
    const mid = values.slice(1, 7);
    for (const v of mid) {
      expect(v).toBeGreaterThan(0.45);
      expect(v).toBeLessThan(0.55);
    }
    expect(f.metrics()).toMatchObject({ done: true, rxFrames: 500, lostFrames: 0, outOfOrder: 0 });
  });
});
