// GSE topology generators: shapes, ids, ports and role params of small fabrics, a full 4096-GPU PoD, bad parameters, testbed use.
import { describe, expect, it } from 'vitest';
import { GeneratorError, generateTopology, topologyGenerator, type GeneratedTopology } from '../generators.ts';
import { parseTestbed } from '../../harness/testbed.ts';
import { bindTestbed } from '../../harness/bind.ts';
import { GSE_GENERATOR_PARAMS } from './generators.ts';

const kinds = (t: GeneratedTopology) => t.devices.reduce<Record<string, number>>((m, d) => ((m[d.kind] = (m[d.kind] ?? 0) + 1), m), {});
const dev = (t: GeneratedTopology, id: string) => t.devices.find((d) => d.id === id)!;
/** Peers of a device, in port order. */
const peers = (t: GeneratedTopology, id: string) =>
  t.links
    .flatMap((l) => (l.a.device === id ? [[l.a.port, l.b.device]] : l.b.device === id ? [[l.b.port, l.a.device]] : []))
    .sort((x, y) => Number(x[0].slice(1)) - Number(y[0].slice(1)))
    .map((x) => x[1]);
const error = (f: () => unknown): GeneratorError => {
  try {
    f();
  } catch (e) {
    if (e instanceof GeneratorError) return e;
    throw e;
  }
  throw new Error('expected a GeneratorError');
};

/** Every link's ports exist on their devices and each port is used once. */
function expectWellFormed(t: GeneratedTopology): void {
  const used = new Set<string>();
  for (const l of t.links) {
    for (const e of [l.a, l.b]) {
      expect(dev(t, e.device).ports).toContain(e.port);
      const key = `${e.device}:${e.port}`;
      expect(used.has(key)).toBe(false);
      used.add(key);
    }
  }
  for (const d of t.devices) expect(d.ports.length).toBe(d.ports.filter((p) => used.has(`${d.id}:${p}`)).length);
}

describe('gse-three-tier', () => {
  it('defaults: 2 PoDs x 4 GSPs x 2 servers, 2 GSF-T2 per PoD, one GSF-T1 per plane', () => {
    const t = generateTopology('gse-three-tier', 'g', {});
    expect(kinds(t)).toEqual({ 'gse-gsp': 8, 'gse-gsf': 4 + 2, host: 16 });
    expect(t.links).toHaveLength(16 + 8 * 2 + 4 * 1);
    expectWellFormed(t);
    expect(peers(t, 'g-gsp1-2')).toEqual(['g-srv1-4', 'g-srv1-5', 'g-gsf1-0', 'g-gsf1-1']);
    expect(peers(t, 'g-gsf0-1')).toEqual(['g-gsp0-0', 'g-gsp0-1', 'g-gsp0-2', 'g-gsp0-3', 'g-gsft11-0']);
    expect(peers(t, 'g-gsft11-0')).toEqual(['g-gsf0-1', 'g-gsf1-1']);
    expect(dev(t, 'g-gsp1-2').params).toEqual({ design: 'three-tier', role: 'gsp', pod: 1, index: 2, gspId: 6, su: 2, rail: 0 });
    expect(dev(t, 'g-gsf0-1').params).toMatchObject({ role: 'gsf', tier: 'T2', pod: 0, index: 1, plane: 1 });
    expect(dev(t, 'g-gsft11-0').params).toMatchObject({ role: 'gsf', tier: 'T1', plane: 1, index: 0 });
    expect(dev(t, 'g-srv1-4')).toMatchObject({ kind: 'host', ports: ['p0'], params: { role: 'server', pod: 1, index: 4, gsps: [2] } });
    expect(t.links[0]).toEqual({ a: { device: 'g-gsp0-0', port: 'p0' }, b: { device: 'g-srv0-0', port: 'p0' }, rateBps: 400e9, lengthKm: 0.1, fibre: 'smf' });
    expect(generateTopology('gse-three-tier', 'g', {})).toEqual(t);
  });

  it('rail attachment and rail-optimised GSF-T2: GSP r of every SU joins only the GSF-T2s of rail r', () => {
    const t = generateTopology('gse-three-tier', 'r', { pods: 1, gspsPerPod: 4, gsfT2PerPod: 4, nicPorts: 2, attachment: 'rail', railGsfT2: true, gsfT1PerPlane: 0 });
    expectWellFormed(t);
    expect(dev(t, 'r-srv0-0')).toMatchObject({ ports: ['p0', 'p1'], params: { su: 0, gsps: [0, 1] } });
    expect(peers(t, 'r-srv0-0')).toEqual(['r-gsp0-0', 'r-gsp0-1']);
    expect(peers(t, 'r-gsp0-1')).toEqual(['r-srv0-0', 'r-srv0-1', 'r-gsf0-1', 'r-gsf0-3']);
    expect(peers(t, 'r-gsf0-2')).toEqual(['r-gsp0-0', 'r-gsp0-2']);
    expect(dev(t, 'r-gsp0-3').params).toMatchObject({ su: 1, rail: 1 });
    expect(dev(t, 'r-gsf0-3').params).toMatchObject({ rail: 1 });
  });

  it('builds a whole 4096-GPU PoD: 64 GSPs x 64 servers, 64 GSF-T2, every GSP at 128 ports', () => {
    const t = generateTopology('gse-three-tier', 'pod', { pods: 1, gspsPerPod: 64, gsfT2PerPod: 64, serversPerGsp: 64, gsfT1PerPlane: 0 });
    expect(kinds(t)).toEqual({ 'gse-gsp': 64, 'gse-gsf': 64, host: 4096 });
    expect(t.links).toHaveLength(4096 + 4096);
    expect(dev(t, 'pod-gsp0-63').ports).toHaveLength(128);
    expect(dev(t, 'pod-gsf0-63').ports).toHaveLength(64);
    const zero = generateTopology('gse-three-tier', 'pod', { pods: 1, gspsPerPod: 64, gsfT2PerPod: 64, serversPerGsp: 8, nicPorts: 8, gsfT1PerPlane: 0 });
    expect(kinds(zero).host).toBe(512);
    expect(zero.links).toHaveLength(4096 + 4096);
  });
});

describe('gse-border and gse-gsp-direct', () => {
  it('border: GSF and BORDER full mesh per PoD, CORE plane i joins BORDER i of every PoD', () => {
    const t = generateTopology('gse-border', 'b', {});
    expect(kinds(t)).toEqual({ 'gse-gsp': 8, 'gse-gsf': 4, 'gse-border': 4, 'gse-core': 2, host: 16 });
    expectWellFormed(t);
    expect(peers(t, 'b-border1-0')).toEqual(['b-gsf1-0', 'b-gsf1-1', 'b-core0-0']);
    expect(peers(t, 'b-core1-0')).toEqual(['b-border0-1', 'b-border1-1']);
    expect(dev(t, 'b-border1-0').params).toMatchObject({ design: 'border', role: 'border', pod: 1, index: 0, plane: 0 });
    expect(dev(t, 'b-gsf0-0').params).toMatchObject({ role: 'gsf', tier: 'T2' });
  });

  it('gsp-direct: two-tier PoDs, CORE plane i joins GSP i of every PoD', () => {
    const t = generateTopology('gse-gsp-direct', 'd', { coreLinks: 2 });
    expect(kinds(t)).toEqual({ 'gse-gsp': 8, 'gse-gsf': 4, 'gse-core': 4, host: 16 });
    expectWellFormed(t);
    expect(peers(t, 'd-gsp0-3')).toEqual(['d-srv0-6', 'd-srv0-7', 'd-gsf0-0', 'd-gsf0-1', 'd-core3-0', 'd-core3-0']);
    expect(peers(t, 'd-core3-0')).toEqual(['d-gsp0-3', 'd-gsp0-3', 'd-gsp1-3', 'd-gsp1-3']);
    expect(dev(t, 'd-core3-0').params).toEqual({ design: 'gsp-direct', role: 'core', plane: 3, index: 0 });
  });

  it('passes switchParams to switches only', () => {
    const t = generateTopology('gse-border', 'b', { switchParams: { queueBytes: 1e6 } });
    expect(dev(t, 'b-core0-0').params).toMatchObject({ queueBytes: 1e6 });
    expect(dev(t, 'b-srv0-0').params).not.toHaveProperty('queueBytes');
  });
});

describe('parameters', () => {
  it('exports the registry docs', () => {
    for (const [name, params] of Object.entries(GSE_GENERATOR_PARAMS)) expect(topologyGenerator(name)!.params).toBe(params);
    expect(Object.keys(GSE_GENERATOR_PARAMS)).toEqual(['gse-three-tier', 'gse-border', 'gse-gsp-direct']);
    expect(GSE_GENERATOR_PARAMS['gse-three-tier']).toHaveProperty('gsfT1PerPlane');
  });

  it('refuses bad parameters with the parameter and the reason', () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['gse-three-tier', { pods: 0 }, 'pods', /from 1 to 128/],
      ['gse-three-tier', { serversPerGsp: 127 }, 'radix', /g-gsp0-0 needs 129 ports, more than the radix 128/],
      ['gse-three-tier', { attachment: 'rail', nicPorts: 3 }, 'gspsPerPod', /multiple of nicPorts/],
      ['gse-three-tier', { railGsfT2: true }, 'railGsfT2', /attachment: rail/],
      ['gse-three-tier', { railGsfT2: 'yes' }, 'railGsfT2', /true or false/],
      ['gse-three-tier', { attachment: 'rail', nicPorts: 2, railGsfT2: true, gsfT2PerPod: 3 }, 'gsfT2PerPod', /multiple of nicPorts/],
      ['gse-border', { attachment: 'two-rail' }, 'attachment', /zero-rail, rail/],
      ['gse-gsp-direct', { switchParams: [] }, 'switchParams', /mapping/],
    ];
    for (const [gen, params, param, message] of cases) {
      const e = error(() => generateTopology(gen, 'g', params));
      expect([e.param, e.message]).toEqual([param, expect.stringMatching(message)]);
    }
    expect(error(() => generateTopology('gse-border', 'g', { planes: 2 })).param).toBe('planes');
  });

  it('expands in a testbed like any generated fabric', () => {
    const tb = parseTestbed(
      `name: gse
topology:
  fabrics:
    - { id: gse, generator: gse-three-tier, params: { pods: 2, gspsPerPod: 2, serversPerGsp: 1 } }
binding:
  fabrics:
    gse: { driver: emulator }
`,
      'gse.yaml',
    );
    expect(tb.devices.map((d) => d.kind).filter((k) => k !== 'host')).toEqual(['gse-gsp', 'gse-gsp', 'gse-gsp', 'gse-gsp', 'gse-gsf', 'gse-gsf', 'gse-gsf', 'gse-gsf', 'gse-gsf', 'gse-gsf']);
    expect(tb.links).toHaveLength(4 + 8 + 4);
  });
});

describe('a GSE border fabric cabled to a non-GSE edge', () => {
  const text = (defects: string) => `name: dc
topology:
  fabrics:
    - id: g
      generator: gse-border
      params: { gspsPerPod: 1, serversPerGsp: 1 }
      extraPorts: { g-core0-0: [wan] }
  devices:
    - { id: edge, kind: switch, ports: [p1, p2] }
    - { id: outside, kind: host, ports: [p1] }
  links:
    - { a: "g-core0-0:wan", b: "edge:p1", rateBps: 400000000000, lengthKm: 0.1 }
    - { a: "edge:p2", b: "outside:p1", rateBps: 400000000000, lengthKm: 0.1 }
binding:
  fabrics: { g: { driver: emulator } }
  devices: { edge: { driver: emulator }, outside: { driver: emulator }, g-core0-0: { driver: emulator, defects: [${defects}] } }
`;
  /** A RoCE flow from a GSE server to the host behind the edge (its ACKs come back the same way). */
  async function roceOut(defects: string) {
    const bound = await bindTestbed(parseTestbed(text(defects), 'dc.yaml'), { seed: 1, driverTimeoutMs: 5000 });
    try {
      const srv = bound.devices.get('g-srv0-0')!;
      await srv.clock!.advance(1e9); // the control plane converges first
      await srv.traffic!.setFlows([{ name: 'out', txPort: 'p0', rxPort: 'outside:p1', bytes: 150_000, frameBytes: 1500, transport: 'roce' }]);
      await srv.traffic!.start();
      await srv.clock!.advance(1e9);
      return (await srv.traffic!.metrics())[0]!;
    } finally {
      await bound.close();
    }
  }

  it('the CORE announces what lies beyond the edge: a server reaches a host outside, and its ACKs come back', async () => {
    const m = await roceOut('');
    expect(m).toMatchObject({ done: true, rxBytes: 150_000, retransmissions: 0 });
    expect(m.rxFrames).toBe(m.txFrames);
  });

  it('without the announcement (gse-core-no-external-routes) nothing leaves the fabric', async () => {
    const m = await roceOut('gse-core-no-external-routes');
    expect(m.done).toBe(false);
    expect(m.rxFrames).toBe(0);
  });
});
