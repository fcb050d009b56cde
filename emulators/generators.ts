// Topology generators: named recipes that expand a few parameters into devices and links.
//
// A testbed names a generator under `topology.fabrics` instead of listing hundreds of devices;
// the harness expands it when the testbed is loaded, so generated devices are ordinary devices
// afterwards (bound, validated, reported). A generator is pure: the same parameters give the same
// devices, ports and links in the same order. Bad parameters throw GeneratorError with the
// parameter's name and what was expected. Protocol issues add their own generators (GSE, scale-up,
// WAN) with `registerGenerator`.
import { fatTree, leafSpine, type FabricSpec } from './fabric/topology.ts';
import type { TwinDeviceSpec, TwinLinkSpec } from './twin.ts';

export interface GeneratedTopology {
  devices: Array<Omit<TwinDeviceSpec, 'defects'>>;
  links: TwinLinkSpec[];
}

export interface TopologyGenerator {
  description: string;
  /** Parameter names with a one-line description each (for errors and documentation). */
  params: Record<string, string>;
  /** `prefix` is the fabric id: every generated device id starts with `<prefix>-`. */
  generate(prefix: string, params: Record<string, unknown>): GeneratedTopology;
}

export class GeneratorError extends Error {
  constructor(
    readonly param: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'GeneratorError';
  }
}

const generators = new Map<string, TopologyGenerator>();

export function registerGenerator(name: string, generator: TopologyGenerator): void {
  if (generators.has(name)) throw new Error(`topology generator '${name}' is already registered`);
  generators.set(name, generator);
}

export function topologyGenerator(name: string): TopologyGenerator | undefined {
  return generators.get(name);
}

export function generatorNames(): string[] {
  return [...generators.keys()].sort();
}

/** Runs a generator after checking that only its declared parameters are given. */
export function generateTopology(name: string, prefix: string, params: Record<string, unknown>): GeneratedTopology {
  const g = generators.get(name);
  if (!g) throw new GeneratorError(null, `unknown generator '${name}' (generators: ${generatorNames().join(', ')})`);
  for (const key of Object.keys(params)) {
    if (!(key in g.params)) throw new GeneratorError(key, `unknown parameter '${key}' (parameters of ${name}: ${Object.keys(g.params).join(', ')})`);
  }
  return g.generate(prefix, params);
}

/** An integer parameter within bounds, or its default. */
export function intParam(params: Record<string, unknown>, name: string, dflt: number, min: number, max: number): number {
  const v = params[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new GeneratorError(name, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function numberParam(params: Record<string, unknown>, name: string, dflt: number, min: number): number {
  const v = params[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new GeneratorError(name, `expected a number >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export function kindParam(params: Record<string, unknown>, name: string, dflt: string, allowed: readonly string[]): string {
  const v = params[name] ?? dflt;
  if (typeof v !== 'string' || !allowed.includes(v)) throw new GeneratorError(name, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

/** Devices and links of a FabricSpec, node names prefixed, ports named `p<i>`. */
function fromFabricSpec(prefix: string, spec: FabricSpec, endpointKind: string, switchKind: string, switchParams: Record<string, unknown>): GeneratedTopology {
  const id = (node: number): string => `${prefix}-${spec.nodes[node]!.name}`;
  const devices = spec.nodes.map((n) => ({
    id: `${prefix}-${n.name}`,
    kind: n.role === 'switch' ? switchKind : endpointKind,
    ports: n.ports.map((_, i) => `p${i}`),
    params: n.role === 'switch' ? { ...n.params, ...switchParams } : { ...n.params },
  }));
  const links = spec.links.map((l) => ({
    a: { device: id(l.a.node), port: `p${l.a.port}` },
    b: { device: id(l.b.node), port: `p${l.b.port}` },
    rateBps: l.rateBps,
    lengthKm: l.lengthKm ?? l.delayPs / 5e6,
    fibre: l.fibre ?? 'smf',
  }));
  return { devices, links };
}

const ENDPOINT_KINDS = ['traffic-generator', 'host'] as const;

registerGenerator('fat-tree', {
  description: 'three-tier k-ary fat tree: k pods of k/2 ToR and k/2 aggregation switches, (k/2)^2 cores, k^3/4 hosts',
  params: {
    k: 'even number of ports per switch (default 4)',
    hosts: 'hosts to attach, at most k^3/4 (default all)',
    rateBps: 'link rate (default 100e9)',
    lengthKm: 'fibre length of every link (default 0.2 km = 1 us)',
    hostKind: 'traffic-generator (default) or host',
    switchParams: 'model parameters for every switch (queueBytes, ecnMinBytes, selector...)',
  },
  generate(prefix, p) {
    const k = intParam(p, 'k', 4, 2, 64);
    if (k % 2 !== 0) throw new GeneratorError('k', `expected an even number, got ${k}`);
    const hosts = intParam(p, 'hosts', (k * k * k) / 4, 1, (k * k * k) / 4);
    const rateBps = numberParam(p, 'rateBps', 100e9, 1);
    const lengthKm = numberParam(p, 'lengthKm', 0.2, 0);
    const hostKind = kindParam(p, 'hostKind', 'traffic-generator', ENDPOINT_KINDS);
    const spec = fatTree(k, { hosts, rateBps, delayPs: Math.round(lengthKm * 5e6) });
    return fromFabricSpec(prefix, spec, hostKind, 'switch', objectParam(p, 'switchParams'));
  },
});

registerGenerator('leaf-spine', {
  description: 'two-tier leaf-spine; uplink rates set for the given oversubscription (1 = non-blocking)',
  params: {
    leaves: 'leaf switches (default 2)',
    spines: 'spine switches (default 2)',
    hostsPerLeaf: 'hosts under each leaf (default 2)',
    oversubscription: 'leaf downlink over uplink capacity (default 1)',
    rateBps: 'host link rate (default 100e9)',
    lengthKm: 'fibre length of every link (default 0.2 km = 1 us)',
    hostKind: 'traffic-generator (default) or host',
    switchParams: 'model parameters for every switch',
  },
  generate(prefix, p) {
    const spec = leafSpine(
      intParam(p, 'leaves', 2, 1, 4096),
      intParam(p, 'spines', 2, 1, 4096),
      intParam(p, 'hostsPerLeaf', 2, 1, 4096),
      numberParam(p, 'oversubscription', 1, 1e-6),
      { rateBps: numberParam(p, 'rateBps', 100e9, 1), delayPs: Math.round(numberParam(p, 'lengthKm', 0.2, 0) * 5e6) },
    );
    return fromFabricSpec(prefix, spec, kindParam(p, 'hostKind', 'traffic-generator', ENDPOINT_KINDS), 'switch', objectParam(p, 'switchParams'));
  },
});

function objectParam(p: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = p[name] ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GeneratorError(name, 'expected a mapping of parameter names to values');
  return v as Record<string, unknown>;
}
