// The first twin models: `switch` (forwards toward the destination) and `traffic-generator` /
// `host` (ports that originate and sink flows). Both expose counters, state, config, capture and
// faults per port; the traffic models add traffic.
//
// State paths (OpenConfig-like; a `state/` or `config/` segment before the leaf is accepted):
//   /interfaces/interface[name=P]/oper-status   'up' | 'down'
//   /interfaces/interface[name=P]/admin-status  'up' | 'down'
//   /interfaces/interface[name=P]/enabled       boolean
//   /interfaces/interface[name=P]/speed         bits per second (number)
//   /interfaces/interface[name=P]/counters      TwinPortCounters
//   /system/ports                               port names
// Config: /interfaces/interface[name=P]/enabled (merge/replace a boolean; delete = default true).
// Unknown state paths read as undefined; unknown config paths throw.

import type { TwinDeviceSpec, TwinFlow, TwinFlowMetrics, TwinFrame, TwinFault, TwinNode, TwinPortCounters } from '../twin.ts';
import type { PortStats } from '../sim/stats.ts';
import type { FlowSpec, SimFlow } from '../traffic/flows.ts';
import type { TwinRuntime } from './twin-runtime.ts';

const IFACE_PATH = /^\/interfaces\/interface\[name=([^\]]+)\](?:\/(?:state|config))?\/([a-z-]+)$/;

export interface PortModelOptions {
  /** Counters never move (defect `counters-frozen`). */
  countersFrozen?: boolean;
  /** Transport options every flow of this node gets (defect profiles). */
  flowTransportOptions?: Record<string, unknown>;
}

function countersOf(s: PortStats): TwinPortCounters {
  return s.snapshot();
}

/** Shared per-port behaviour of the fabric models. */
export class PortDeviceModel implements TwinNode {
  readonly id: string;
  readonly kind: string;
  readonly ports: readonly string[];
  readonly defects: readonly string[];
  readonly counters: NonNullable<TwinNode['counters']>;
  readonly state: NonNullable<TwinNode['state']>;
  readonly config: NonNullable<TwinNode['config']>;
  readonly capture: NonNullable<TwinNode['capture']>;
  readonly faults: NonNullable<TwinNode['faults']>;
  private readonly frozen: TwinPortCounters[] | null;

  constructor(
    protected readonly rt: TwinRuntime,
    protected readonly node: number,
    spec: TwinDeviceSpec,
    defects: readonly string[],
    options: PortModelOptions = {},
  ) {
    this.id = spec.id;
    this.kind = spec.kind;
    this.ports = [...spec.ports];
    this.defects = [...defects];
    this.frozen = options.countersFrozen ? spec.ports.map((_, p) => countersOf(rt.network.stats(node, p))) : null;
    this.counters = { port: (portId) => this.portCounters(portId) };
    this.state = { get: (path) => this.stateGet(path) };
    this.config = {
      get: (path) => this.configGet(path),
      edit: (path, value, op) => this.configEdit(path, value, op),
    };
    this.capture = {
      start: (portId) => this.rt.startCapture(this.node, this.port(portId)),
      stop: (portId): TwinFrame[] => this.rt.stopCapture(this.node, this.port(portId)),
    };
    this.faults = {
      inject: (fault: TwinFault) => this.rt.injectFault(this.node, fault),
      clear: (handle) => this.rt.clearFault(this.node, handle),
      clearAll: () => this.rt.clearAllFaults(this.node),
    };
  }

  protected port(portId: string): number {
    return this.rt.portIndex(this.node, portId);
  }

  private portCounters(portId: string): TwinPortCounters {
    const p = this.port(portId);
    if (this.frozen !== null) return { ...this.frozen[p] };
    return countersOf(this.rt.network.stats(this.node, p));
  }

  private speedOf(p: number): number {
    const l = this.rt.network.egressLink(this.node, p);
    return l === null ? 0 : l.rateBps;
  }

  protected stateGet(path: string): unknown {
    if (path === '/system/ports') return [...this.ports];
    if (path === '/interfaces') {
      return this.ports.map((name, p) => ({
        name,
        'oper-status': this.rt.operUp(this.node, p) ? 'up' : 'down',
        'admin-status': this.rt.adminUp(this.node, p) ? 'up' : 'down',
        speed: this.speedOf(p),
      }));
    }
    const m = IFACE_PATH.exec(path);
    if (m === null) return undefined;
    const p = this.ports.indexOf(m[1]);
    if (p < 0) return undefined;
    switch (m[2]) {
      case 'oper-status':
        return this.rt.operUp(this.node, p) ? 'up' : 'down';
      case 'admin-status':
        return this.rt.adminUp(this.node, p) ? 'up' : 'down';
      case 'enabled':
        return this.rt.adminUp(this.node, p);
      case 'speed':
        return this.speedOf(p);
      case 'counters':
        return this.portCounters(m[1]);
      default:
        return undefined;
    }
  }

  protected configGet(path?: string): unknown {
    if (path === undefined || path === '/' || path === '/interfaces') {
      return {
        interfaces: Object.fromEntries(this.ports.map((name, p) => [name, { enabled: this.rt.adminUp(this.node, p) }])),
      };
    }
    const m = IFACE_PATH.exec(path);
    if (m !== null && m[2] === 'enabled' && this.ports.includes(m[1])) return this.rt.adminUp(this.node, this.ports.indexOf(m[1]));
    return undefined;
  }

  protected configEdit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): void {
    const m = IFACE_PATH.exec(path);
    if (m === null || m[2] !== 'enabled') throw new Error(`device '${this.id}': config path '${path}' is not supported`);
    const p = this.port(m[1]);
    if (op === 'delete') {
      this.rt.setAdminUp(this.node, p, true);
      return;
    }
    if (typeof value !== 'boolean') throw new Error(`device '${this.id}': ${path} takes a boolean, got ${JSON.stringify(value)}`);
    this.rt.setAdminUp(this.node, p, value);
  }
}

export class SwitchModel extends PortDeviceModel {}

/** Traffic generator / host: flows leave from its ports. */
export class TrafficModel extends PortDeviceModel {
  readonly traffic: NonNullable<TwinNode['traffic']>;
  private flows: { flow: SimFlow; spec: TwinFlow }[] = [];
  private readonly flowTransportOptions: Record<string, unknown> | undefined;

  constructor(rt: TwinRuntime, node: number, spec: TwinDeviceSpec, defects: readonly string[], options: PortModelOptions = {}) {
    super(rt, node, spec, defects, options);
    this.flowTransportOptions = options.flowTransportOptions;
    this.traffic = {
      setFlows: (flows) => this.setFlows(flows),
      start: () => {
        for (const f of this.flows) this.rt.flows.startFlow(f.flow);
      },
      stop: () => {
        for (const f of this.flows) f.flow.stop();
      },
      metrics: () => this.flows.map((f) => this.metricsOf(f.flow, f.spec)),
    };
  }

  private resolveRx(rxPort: string): number {
    const sep = rxPort.lastIndexOf(':');
    const device = sep < 0 ? this.id : rxPort.slice(0, sep);
    const port = sep < 0 ? rxPort : rxPort.slice(sep + 1);
    const node = this.rt.deviceIndex.get(device);
    if (node === undefined) throw new Error(`device '${this.id}': flow rxPort '${rxPort}' names no device`);
    const p = this.rt.portIndex(node, port);
    const addr = this.rt.addressOf(node, p);
    if (addr === undefined) throw new Error(`device '${this.id}': flow rxPort '${rxPort}' is not a cabled traffic port`);
    return addr;
  }

  private setFlows(flows: TwinFlow[]): void {
    const specs: FlowSpec[] = flows.map((f) => {
      const tx = this.port(f.txPort);
      const src = this.rt.addressOf(this.node, tx);
      if (src === undefined) throw new Error(`device '${this.id}': flow '${f.name}' txPort '${f.txPort}' is not cabled`);
      if (!(f.bytes >= 0)) throw new Error(`device '${this.id}': flow '${f.name}' bytes must be >= 0`);
      if (f.multicastGroup !== undefined && (f.transport ?? 'raw') !== 'raw') {
        throw new Error(`device '${this.id}': flow '${f.name}' is multicast: only raw flows can be`);
      }
      return {
        name: f.name,
        src,
        dst: this.resolveRx(f.rxPort),
        bytes: f.bytes,
        ...(f.startPs !== undefined ? { startPs: f.startPs } : {}),
        transport: f.transport ?? 'raw',
        ...(f.entropies !== undefined ? { entropies: f.entropies } : {}),
        ...(f.frameBytes !== undefined ? { frameBytes: f.frameBytes } : {}),
        ...(f.rateBps !== undefined ? { rateBps: f.rateBps } : {}),
        ...(f.multicastGroup !== undefined ? { multicastGroup: f.multicastGroup } : {}),
        // Reliable transports use the flow's frame size as their MTU (default 1500 B, as raw).
        ...((f.transport ?? 'raw') !== 'raw' || this.flowTransportOptions
          ? { transportOptions: { mtuBytes: f.frameBytes ?? 1500, ...this.flowTransportOptions } }
          : {}),
      };
    });
    for (const f of this.flows) this.rt.flows.remove(f.flow);
    this.flows = specs.map((s, i) => ({ flow: this.rt.flows.add(s), spec: flows[i] }));
  }

  private metricsOf(f: SimFlow, spec: TwinFlow): TwinFlowMetrics {
    const m = f.metrics();
    return {
      name: spec.name,
      txFrames: m.txFrames,
      rxFrames: m.rxFrames,
      txBytes: m.txBytes,
      rxBytes: m.rxBytes,
      done: m.done,
      ...(m.fctPs !== undefined ? { fctPs: m.fctPs } : {}),
      retransmissions: m.retransmissions,
      outOfOrder: m.outOfOrder,
      lostFrames: m.lostFrames,
    };
  }
}
