// buildTwin: turns a TwinTopology into a running twin, with a registry of device models.
//
// Guarantees: a topology is checked before anything runs (unknown kinds, duplicate ids, links to
// unknown devices or ports, ports cabled twice, unknown or inapplicable defects all throw a
// TwinBuildError naming the device or link); one event list and one seeded generator per twin;
// the same topology and seed give the same behaviour to the last bit. Link defaults: 100 Gb/s,
// 2 m of standard fibre (10 ns) when the link spec gives no rate or length. Switch queue
// parameters come from the device's params (`queueBytes` default 1 MiB, `headerQueueBytes` (the
// high class: control packets and trimmed headers; default 2 x queueBytes), `ecnMinBytes`,
// `ecnMaxBytes`, `trimming`, `pfcXoffBytes` / `pfcXonBytes` / `pfcHeadroomBytes`, `selector`).

import { TwinBuildError, type Twin, type TwinDeviceSpec, type TwinNode, type TwinOptions, type TwinTopology } from './twin.ts';
import { checkDefects } from './defects/registry.ts';
import { Network } from './fabric/network.ts';
import { Switch, type SelectorKind } from './fabric/switch.ts';
import { TopologyBuilder, TopologyError, type NodeRole } from './fabric/topology.ts';
import { TwinRuntime } from './fabric/twin-runtime.ts';
import { SwitchModel, TrafficModel } from './fabric/twin-models.ts';
import { FlowManager } from './traffic/flows.ts';
import { Rng } from './sim/rng.ts';
import { propagationPs } from './sim/pipe.ts';
import './uec/register.ts';

/** What a model factory gets to build one device's node. */
export interface TwinModelContext {
  readonly spec: TwinDeviceSpec;
  /** Validated defect ids. */
  readonly defects: readonly string[];
  readonly runtime: TwinRuntime;
  /** The device's index in the fabric (same as in the topology's device list). */
  readonly nodeIndex: number;
}

export interface TwinModelFactory {
  /** How the device sits in the fabric: it forwards ('switch') or it sends and sinks ('endpoint'). */
  readonly role: NodeRole;
  create(ctx: TwinModelContext): TwinNode;
}

const models = new Map<string, TwinModelFactory>();

/** Registers (or replaces) the model serving a device kind. */
export function registerModel(kind: string, factory: TwinModelFactory): void {
  models.set(kind, factory);
}

export function modelKinds(): string[] {
  return [...models.keys()].sort();
}

/** What a twin extension gets once every node is built. */
export interface TwinExtensionContext {
  readonly topology: TwinTopology;
  readonly runtime: TwinRuntime;
  /** The nodes in topology order; an extension may add optional capabilities to them. */
  readonly nodes: readonly TwinNode[];
  /** Validated defect ids per device, in topology order. */
  readonly defects: readonly (readonly string[])[];
}

/** Adds behaviour across devices after the nodes are built (e.g. optical modules on ports); may throw TwinBuildError. */
export type TwinExtension = (ctx: TwinExtensionContext) => void;

const extensions = new Map<string, TwinExtension>();

/** Registers (or replaces) a twin extension; extensions run in registration order. */
export function registerTwinExtension(name: string, extension: TwinExtension): void {
  extensions.set(name, extension);
}

export const DEFAULT_LINK_RATE_BPS = 100e9;
export const DEFAULT_LINK_LENGTH_KM = 0.002;
export const DEFAULT_SWITCH_QUEUE_BYTES = 1 << 20;

function numParam(spec: TwinDeviceSpec, name: string): number | undefined {
  const v = spec.params?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TwinBuildError(`device '${spec.id}': param '${name}' must be a number`);
  return v;
}

export function buildTwin(topology: TwinTopology, options: TwinOptions): Twin {
  const seed = options.seed;
  if (!Number.isFinite(seed)) throw new TwinBuildError(`seed must be a finite number, got ${seed}`);
  const devices = topology.devices;
  const ids = new Set<string>();
  const defects: string[][] = [];
  const factories: TwinModelFactory[] = [];
  for (const d of devices) {
    if (ids.has(d.id)) throw new TwinBuildError(`device '${d.id}' is defined twice`);
    ids.add(d.id);
    const f = models.get(d.kind);
    if (f === undefined) throw new TwinBuildError(`device '${d.id}': no model for kind '${d.kind}' (known kinds: ${modelKinds().join(', ')})`);
    factories.push(f);
    defects.push(checkDefects(d.id, d.kind, d.defects));
  }

  const b = new TopologyBuilder();
  try {
    devices.forEach((d, i) => b.addNode(d.id, factories[i].role, d.ports, d.params));
  } catch (e) {
    throw new TwinBuildError((e as Error).message.replace(/^node/, 'device'));
  }
  topology.links.forEach((l, i) => {
    const name = `link ${i} (${l.a.device}:${l.a.port} - ${l.b.device}:${l.b.port})`;
    for (const end of [l.a, l.b]) {
      if (!ids.has(end.device)) throw new TwinBuildError(`${name}: no device '${end.device}'`);
      const dev = devices.find((d) => d.id === end.device) as TwinDeviceSpec;
      if (!dev.ports.includes(end.port)) throw new TwinBuildError(`${name}: device '${end.device}' has no port '${end.port}'`);
    }
    const rateBps = l.rateBps ?? DEFAULT_LINK_RATE_BPS;
    if (!(rateBps > 0)) throw new TwinBuildError(`${name}: rateBps must be > 0`);
    const lengthKm = l.lengthKm ?? DEFAULT_LINK_LENGTH_KM;
    if (!(lengthKm >= 0)) throw new TwinBuildError(`${name}: lengthKm must be >= 0`);
    try {
      b.addLink(
        { node: l.a.device, port: l.a.port },
        { node: l.b.device, port: l.b.port },
        { rateBps, delayPs: propagationPs(lengthKm, l.fibre ?? 'smf'), lengthKm, ...(l.fibre ? { fibre: l.fibre } : {}) },
      );
    } catch (e) {
      if (e instanceof TopologyError) throw new TwinBuildError(`${name}: ${e.message}`);
      throw e;
    }
  });
  const spec = b.build();
  // Per-device queue params are read by the network from node params; defaults here.
  for (const d of devices) {
    numParam(d, 'queueBytes');
    numParam(d, 'headerQueueBytes');
    numParam(d, 'ecnMinBytes');
    numParam(d, 'ecnMaxBytes');
  }
  const rng = new Rng(seed);
  const network = new Network(spec, {
    rng,
    switchQueue: { maxBytes: DEFAULT_SWITCH_QUEUE_BYTES },
  });
  devices.forEach((d, i) => {
    const node = network.nodes[i];
    if (!(node instanceof Switch)) return;
    const sel = d.params?.selector;
    if (sel !== undefined) {
      if (sel !== 'ecmp' && sel !== 'spray' && sel !== 'ucmp') {
        throw new TwinBuildError(`device '${d.id}': param 'selector' must be ecmp, spray or ucmp`);
      }
      node.setSelector(sel as SelectorKind);
    }
    const xoff = numParam(d, 'pfcXoffBytes');
    if (xoff !== undefined) {
      const headroom = numParam(d, 'pfcHeadroomBytes');
      node.enablePfc({ xoffBytes: xoff, xonBytes: numParam(d, 'pfcXonBytes') ?? xoff / 2, ...(headroom !== undefined ? { headroomBytes: headroom } : {}) });
    }
  });
  const flows = new FlowManager(network);
  const runtime = new TwinRuntime(network, devices, flows);
  const nodes: TwinNode[] = devices.map((d, i) =>
    factories[i].create({ spec: d, defects: defects[i], runtime, nodeIndex: i }),
  );
  for (const extend of extensions.values()) extend({ topology, runtime, nodes, defects });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const events = network.events;

  return {
    seed,
    nowPs: () => events.nowPs,
    runFor(durationPs: number): void {
      if (!(durationPs >= 0)) throw new RangeError(`runFor needs a duration >= 0 ps, got ${durationPs}`);
      events.runUntil(events.nowPs + Math.round(durationPs));
    },
    node: (id) => byId.get(id),
    nodes: () => [...nodes],
    eventsProcessed: () => events.eventsProcessed,
  };
}

registerModel('switch', {
  role: 'switch',
  create(ctx) {
    const model = new SwitchModel(ctx.runtime, ctx.nodeIndex, ctx.spec, ctx.defects, {
      countersFrozen: ctx.defects.includes('counters-frozen'),
    });
    if (ctx.defects.includes('link-down-ignored')) {
      ctx.spec.ports.forEach((_, p) => ctx.runtime.setIgnoreLinkDown(ctx.nodeIndex, p, true));
    }
    if (ctx.defects.includes('ecmp-ignores-entropy')) {
      const sw = ctx.runtime.network.nodes[ctx.nodeIndex];
      if (sw instanceof Switch) sw.setSelector('ecmp');
    }
    return model;
  },
});

const trafficFactory: TwinModelFactory = {
  role: 'endpoint',
  create: (ctx) =>
    new TrafficModel(ctx.runtime, ctx.nodeIndex, ctx.spec, ctx.defects, {
      ...(ctx.defects.includes('uet-go-back-n') ? { flowTransportOptions: { goBackN: true } } : {}),
    }),
};
registerModel('traffic-generator', trafficFactory);
registerModel('host', trafficFactory);
