// Checks the topology builder, routes (all equal-cost next hops), fat tree and leaf-spine shapes,
// switch selectors, and PFC with enough headroom never dropping.
import { describe, expect, it } from 'vitest';
import { Network } from './network.ts';
import { fatTree, fatTreeKFor, leafSpine, TopologyBuilder, TopologyError } from './topology.ts';
import { FlowManager } from '../traffic/flows.ts';
import { Switch } from './switch.ts';

describe('TopologyBuilder', () => {
  it('builds nodes, ports and links and refuses mistakes', () => {
    const b = new TopologyBuilder();
    b.addNode('a', 'endpoint', ['x']);
    b.addNode('s', 'switch', 2);
    b.addNode('c', 'endpoint', 1);
    b.addLink({ node: 'a', port: 'x' }, { node: 's', port: 'p0' }, { rateBps: 1e9, lengthKm: 1 });
    b.connect('s', 'c', { rateBps: 1e9, lengthKm: 2, fibre: 'hollow-core' });
    const spec = b.build();
    expect(spec.links.map((l) => l.delayPs)).toEqual([5_000_000, 6_600_000]);
    expect(spec.addresses).toEqual([
      { node: 0, port: 0 },
      { node: 2, port: 0 },
    ]);
    expect(() => b.addNode('a', 'switch')).toThrow(TopologyError);
    expect(() => b.addLink({ node: 'a', port: 'x' }, { node: 's', port: 0 }, { rateBps: 1e9 })).toThrow(/cabled twice/);
    expect(() => b.addLink({ node: 'a', port: 'nope' }, { node: 's', port: 0 }, { rateBps: 1e9 })).toThrow(/no port/);
    expect(() => b.nodeIndex('zzz')).toThrow(/no node/);
  });
});

describe('fatTree', () => {
  it('k=16: 1024 hosts, 320 switches, host h under ToR floor(h/8) of pod floor(h/64)', () => {
    const spec = fatTree(16);
    expect(spec.addresses.length).toBe(1024);
    expect(spec.nodes.filter((n) => n.role === 'switch').length).toBe(128 + 128 + 64);
    expect(spec.links.length).toBe(1024 + 16 * 64 + 16 * 64);
    for (const h of [0, 7, 8, 63, 64, 1023]) {
      const l = spec.links[h];
      expect(spec.nodes[l.b.node].name).toBe(`tor${Math.floor(h / 8)}`);
      expect(spec.nodes[l.b.node].params?.pod).toBe(Math.floor(h / 64));
    }
    expect(fatTreeKFor(1024)).toBe(16);
    expect(fatTreeKFor(16)).toBe(4);
  });

  it('routes with every equal-cost next hop', () => {
    const spec = fatTree(4);
    const net = new Network(spec, { seed: 1 });
    const tor0 = net.nodeByName('tor0') as Switch;
    const route = (sw: Switch, dst: number) => {
      const r = net.routes[sw.index];
      const s = r.setOf[dst];
      return s < 0 ? [] : Array.from(r.sets[s]);
    };
    expect(route(tor0, 1)).toEqual([1]); // same ToR: the host port
    expect(route(tor0, 2)).toEqual([2, 3]); // same pod: both aggregation switches
    expect(route(tor0, 15)).toEqual([2, 3]); // other pod: both up
    const agg0 = net.nodeByName('agg0') as Switch;
    expect(route(agg0, 15)).toEqual([2, 3]); // two cores
    expect(route(agg0, 3)).toEqual([1]);
    const core0 = net.nodeByName('core0') as Switch;
    expect(route(core0, 15)).toEqual([3]);
  });
});

describe('leafSpine', () => {
  it('sets uplink rates from the oversubscription', () => {
    const spec = leafSpine(4, 2, 8, 2, { rateBps: 100e9 });
    expect(spec.addresses.length).toBe(32);
    const up = spec.links.filter((l) => spec.nodes[l.a.node].name.startsWith('leaf'));
    expect(up.length).toBe(8);
    expect(up[0].rateBps).toBe((8 * 100e9) / (2 * 2));
  });
});

describe('Switch selectors', () => {
  it('UCMP splits by link rate', () => {
    // a -- s -- (1x fast, 1x slow) -- t -- b
    const b = new TopologyBuilder();
    b.addNode('a', 'endpoint', 1);
    b.addNode('s', 'switch', 3);
    b.addNode('t', 'switch', 3);
    b.addNode('b', 'endpoint', 1);
    b.addLink({ node: 'a', port: 0 }, { node: 's', port: 0 }, { rateBps: 400e9 });
    b.addLink({ node: 's', port: 1 }, { node: 't', port: 1 }, { rateBps: 300e9 });
    b.addLink({ node: 's', port: 2 }, { node: 't', port: 2 }, { rateBps: 100e9 });
    b.addLink({ node: 't', port: 0 }, { node: 'b', port: 0 }, { rateBps: 400e9 });
    const net = new Network(b.build(), { seed: 3, selector: 'ucmp' });
    const flows = new FlowManager(net);
    const f = flows.add({ src: 0, dst: 1, bytes: 4000 * 1000, frameBytes: 1000, entropies: 4000 });
    flows.startFlow(f);
    net.events.runUntilIdle();
    const s = net.nodeByName('s') as Switch;
    const fast = s.stats[1].outPkts;
    const slow = s.stats[2].outPkts;
    expect(fast + slow).toBe(4000);
    expect(fast / 4000).toBeGreaterThan(0.7);
    expect(fast / 4000).toBeLessThan(0.8);
  });
});

describe('PFC', () => {
  it('with enough headroom never drops, and pauses the senders', () => {
    // Two hosts blast one receiver through a switch at line rate; the switch pauses its ingress
    // ports above xoff. Headroom per port covers one round trip at line rate plus two frames.
    const b = new TopologyBuilder();
    for (const h of ['h0', 'h1', 'h2']) b.addNode(h, 'endpoint', 1);
    b.addNode('s', 'switch', 3);
    const rate = 100e9;
    const delayPs = 1_000_000;
    for (let i = 0; i < 3; i++) b.addLink({ node: i, port: 0 }, { node: 's', port: i }, { rateBps: rate, delayPs });
    const rttBytes = (rate * 2 * delayPs) / 8e12; // 25 kB
    // xon high enough that the bottleneck still holds more than a round trip of data at resume
    const xoff = 30_000;
    const headroom = rttBytes + 2 * 1500 + 1500;
    const net = new Network(b.build(), {
      seed: 1,
      switchQueue: { maxBytes: 2 * (xoff + headroom) },
      pfc: { xoffBytes: xoff, xonBytes: 25_000, headroomBytes: headroom },
    });
    const flows = new FlowManager(net);
    const f0 = flows.add({ src: 0, dst: 2, bytes: 1500 * 2000, frameBytes: 1500 });
    const f1 = flows.add({ src: 1, dst: 2, bytes: 1500 * 2000, frameBytes: 1500 });
    flows.startFlow(f0);
    flows.startFlow(f1);
    net.events.runUntilIdle();
    expect(net.pool.dropped).toBe(0);
    expect(f0.metrics().rxFrames + f1.metrics().rxFrames).toBe(4000);
    const s = net.nodeByName('s') as Switch;
    expect(s.stats[0].pfcPauseTx).toBeGreaterThan(0);
    expect(net.stats(0, 0).pfcPauseRx).toBeGreaterThan(0);
    // the bottleneck stayed busy: 4000 frames at line rate take 480 us
    expect(Math.max(f0.metrics().finishPs!, f1.metrics().finishPs!)).toBeLessThan(485e6);
    // and without PFC the same buffer overflows
    const net2 = new Network(b.build(), { seed: 1, switchQueue: { maxBytes: 2 * (xoff + headroom) } });
    const flows2 = new FlowManager(net2);
    flows2.startFlow(flows2.add({ src: 0, dst: 2, bytes: 1500 * 2000, frameBytes: 1500 }));
    flows2.startFlow(flows2.add({ src: 1, dst: 2, bytes: 1500 * 2000, frameBytes: 1500 }));
    net2.events.runUntilIdle();
    expect(net2.pool.dropped).toBeGreaterThan(0);
    // and with too little headroom for the round trip, the ingress port drops what the pause
    // could not stop in time
    const net3 = new Network(b.build(), {
      seed: 1,
      switchQueue: { maxBytes: 1e7 },
      pfc: { xoffBytes: xoff, xonBytes: 25_000, headroomBytes: 3000 },
    });
    const flows3 = new FlowManager(net3);
    flows3.startFlow(flows3.add({ src: 0, dst: 2, bytes: 1500 * 2000, frameBytes: 1500 }));
    flows3.startFlow(flows3.add({ src: 1, dst: 2, bytes: 1500 * 2000, frameBytes: 1500 }));
    net3.events.runUntilIdle();
    const s3 = net3.nodeByName('s') as Switch;
    expect(s3.headroomDrops).toBeGreaterThan(0);
    expect(s3.stats[0].inDiscards + s3.stats[1].inDiscards).toBe(s3.headroomDrops);
  });
});
