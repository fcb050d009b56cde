// Optics on the fabric's ports: a CMIS module per configured port, cabled along the twin's links, driving those links, reachable through `cmis` and `/optics/...` state.
//
// Configuration: a device's param `optics` (validated here, errors name the device and field):
//   optics:
//     default: <profile id>            a module of this profile in every port (OPTICS_PROFILES)
//     ports: { <port>: <profile id> | null }   per-port profile, or null for no module
//     els: { lanes: 8, portsPerLane: 1 }       how the device's CPO ports are lit (below)
//     ambientC: 35                             air temperature at the modules
// Both ends of a link either carry modules or not: a module facing a bare port is a TwinBuildError,
// and so is a link whose rateBps differs from the module's rate. The fibre is the link's lengthKm
// (default 2 m).
//
// Guarantees:
// - modules are `warm` (ModuleReady, data paths DPActivated, flags read) at time zero, so a fabric
//   with optics starts like one without; each module draws from its own forked stream;
// - a cable with modules is up only while its optics carry a signal the receivers can lock to
//   (link.ts `cablePhysics`, using the darkest lane of each end), and its frames take the post-FEC
//   bit error rate: Tx disable, LowPwr, a deinitialised data path, a dark ELS lane or a fibre far
//   beyond reach take the link down; a fibre a little beyond reach leaves it up with errors that
//   the receiving port counts as inErrors. A healthy link gets no errors at all (and draws no
//   random numbers), so adding optics to a fabric changes no other result;
// - CPO ports (profiles with needsEls) are lit by the device's external laser sources `els1`,
//   `els2`...: in port order, each lane of each ELS feeds `portsPerLane` ports. A `laser-off` fault
//   on a CPO port fails the ELS lane feeding it (so every port of that lane goes dark, OPT-7); on
//   a port named after an ELS (its cage) it fails the whole ELS; on a pluggable it fails that
//   module's laser. Clearing the fault repairs it;
// - `cmis` reads and writes go through the console line protocol (console.ts) to the module in
//   the port, or to the ELS whose id is the port's name; a port with neither answers err 5;
// - state paths (beside the node's own):
//     /optics/ports            one OpticsPortState per port with a module, in port order
//     /optics/port[name=P]     the same for one port (undefined without a module)
//     /optics/els              one OpticsElsState per ELS, with the ports each lane feeds
import { mwToDbm } from '../../protocols/cmis/index.ts';
import { CONSOLE_ERR } from '../../protocols/console/console.ts';
import { DEFAULT_LINK_LENGTH_KM, DEFAULT_LINK_RATE_BPS, type TwinExtensionContext } from '../build.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import { TwinBuildError, type TwinDeviceSpec, type TwinNode } from '../twin.ts';
import { InProcessCmisClient, ModuleConsoleBridge, ModuleMemoryError, type ModuleMemoryProvider } from './console.ts';
import { OPTICS_DEFECT, OPTICS_DEFECTS } from './defects.ts';
import { ExternalLaserSource } from './els.ts';
import { cablePhysics, type CablePhysics, type OpticalEnd } from './link.ts';
import { OpticalModule } from './module.ts';
import { OPTICS_PROFILES, type OpticsProfile, type OpticsTechnology } from './profiles.ts';

export const OPTICS_PARAM = 'optics';
export const DEFAULT_ELS_LANES = 8;

export interface OpticsParams {
  default?: string;
  ports?: Record<string, string | null>;
  els?: { lanes?: number; portsPerLane?: number };
  ambientC?: number;
}

/** A device's optics as validated: the profile in each port (undefined: no module). */
export interface DeviceOptics {
  profiles: (OpticsProfile | undefined)[];
  elsLanes: number;
  portsPerLane: number;
  ambientC: number | undefined;
}

/** What `/optics/port[name=P]` answers. */
export interface OpticsPortState {
  name: string;
  profile: string;
  technology: OpticsTechnology;
  rateGbps: number;
  /** The far end (`device:port`) and the fibre between, or null when the port is not cabled. */
  peer: string | null;
  lengthM: number | null;
  /** Electrical draw of the module now, W. */
  powerDrawW: number;
  /** CPO: the ELS lane that lights the port. */
  els: { id: string; lane: number } | null;
}

/** What `/optics/els` answers for one external laser source. */
export interface OpticsElsState {
  id: string;
  lanes: Array<{ lane: number; ports: string[] }>;
}

const PARAM_KEYS = ['default', 'ports', 'els', 'ambientC'];

function profileOf(deviceId: string, field: string, id: unknown): OpticsProfile {
  const p = typeof id === 'string' ? OPTICS_PROFILES[id] : undefined;
  if (!p) {
    throw new TwinBuildError(
      `device '${deviceId}': param 'optics.${field}' must be an optics profile (${Object.keys(OPTICS_PROFILES).join(', ')}), got ${JSON.stringify(id)}`,
    );
  }
  return p;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a device's `optics` param; undefined when the device has none. */
export function parseOpticsParams(spec: TwinDeviceSpec): DeviceOptics | undefined {
  const raw = spec.params?.[OPTICS_PARAM];
  if (raw === undefined) return undefined;
  const fail = (field: string, expected: string): never => {
    throw new TwinBuildError(`device '${spec.id}': param 'optics${field ? `.${field}` : ''}' must be ${expected}`);
  };
  if (!isObject(raw)) return fail('', `a mapping with ${PARAM_KEYS.join(', ')}`);
  for (const k of Object.keys(raw)) if (!PARAM_KEYS.includes(k)) fail(k, `one of ${PARAM_KEYS.join(', ')} (unknown key)`);
  const fallback = raw.default === undefined ? undefined : profileOf(spec.id, 'default', raw.default);
  const profiles: (OpticsProfile | undefined)[] = spec.ports.map(() => fallback);
  if (raw.ports !== undefined) {
    if (!isObject(raw.ports)) fail('ports', 'a mapping of port to profile id (or null)');
    for (const [port, id] of Object.entries(raw.ports as Record<string, unknown>)) {
      const i = spec.ports.indexOf(port);
      if (i < 0) fail(`ports.${port}`, `a port of the device (${spec.ports.join(', ')})`);
      profiles[i] = id === null ? undefined : profileOf(spec.id, `ports.${port}`, id);
    }
  }
  let elsLanes = DEFAULT_ELS_LANES;
  let portsPerLane = 1;
  if (raw.els !== undefined) {
    if (!isObject(raw.els)) fail('els', 'a mapping { lanes, portsPerLane }');
    const els = raw.els as Record<string, unknown>;
    for (const k of Object.keys(els)) if (k !== 'lanes' && k !== 'portsPerLane') fail(`els.${k}`, 'lanes or portsPerLane (unknown key)');
    if (els.lanes !== undefined) {
      if (!Number.isInteger(els.lanes) || (els.lanes as number) < 1 || (els.lanes as number) > 8) fail('els.lanes', 'an integer 1..8');
      elsLanes = els.lanes as number;
    }
    if (els.portsPerLane !== undefined) {
      if (!Number.isInteger(els.portsPerLane) || (els.portsPerLane as number) < 1) fail('els.portsPerLane', 'an integer >= 1');
      portsPerLane = els.portsPerLane as number;
    }
  }
  if (raw.ambientC !== undefined && (typeof raw.ambientC !== 'number' || !Number.isFinite(raw.ambientC))) fail('ambientC', 'a number (degC)');
  return { profiles, elsLanes, portsPerLane, ambientC: raw.ambientC as number | undefined };
}

interface PortRef {
  node: number;
  port: number;
}

interface Cable {
  a: PortRef;
  b: PortRef;
  ma: OpticalModule;
  mb: OpticalModule;
  lengthM: number;
  physics: CablePhysics | undefined;
}

interface ElsFeed {
  els: ExternalLaserSource;
  lane: number;
}

interface DeviceOpticsState {
  spec: TwinDeviceSpec;
  modules: (OpticalModule | undefined)[];
  /** CPO port -> the ELS lane lighting it. */
  feeds: Map<number, ElsFeed>;
  els: ExternalLaserSource[];
  /** ELS lanes failed by faults, per ELS id. */
  failedLanes: Map<string, Set<number>>;
  peers: (string | null)[];
  lengths: (number | null)[];
}

const defectsFor = (kind: 'optical-module' | 'els' | 'device', all: readonly string[]) =>
  all.filter((id) => OPTICS_DEFECTS.some((d) => d.id === id && d.appliesTo === kind));

/** The end of a cable as the link budget sees it: its darkest lane. */
function darkestLane(m: OpticalModule): OpticalEnd {
  return {
    profile: m.profile,
    launchPowerDbm: () => {
      let min = Infinity;
      for (let l = 1; l <= m.profile.mediaLanes; l++) min = Math.min(min, m.txOutputMw(l));
      return mwToDbm(min);
    },
  };
}

/** The optics of one twin (created by the `optics` twin extension when a device has the param). */
export class FabricOptics {
  private readonly devices = new Map<number, DeviceOpticsState>();
  private readonly cables: Cable[] = [];

  constructor(private readonly ctx: TwinExtensionContext) {
    const { topology, runtime } = ctx;
    const rng = runtime.network.rng.fork('optics');
    const events = runtime.network.events;
    topology.devices.forEach((spec, node) => {
      const optics = parseOpticsParams(spec);
      if (optics === undefined) return;
      const defects = ctx.defects[node];
      const modules = optics.profiles.map((profile, port) =>
        profile === undefined
          ? undefined
          : new OpticalModule({
              id: `${spec.id}:${spec.ports[port]}`,
              profile,
              events,
              rng: rng.fork(`${spec.id}:${spec.ports[port]}`),
              defects: defectsFor('optical-module', defects),
              warm: true,
              ...(optics.ambientC !== undefined ? { ambientC: optics.ambientC } : {}),
            }),
      );
      const state: DeviceOpticsState = {
        spec,
        modules,
        feeds: new Map(),
        els: [],
        failedLanes: new Map(),
        peers: spec.ports.map(() => null),
        lengths: spec.ports.map(() => null),
      };
      const cpo = modules.map((m, port) => (m?.profile.needsEls ? port : -1)).filter((p) => p >= 0);
      const perEls = optics.elsLanes * optics.portsPerLane;
      for (let i = 0; i < cpo.length; i++) {
        const k = Math.floor(i / perEls);
        if (state.els.length <= k) {
          const id = `els${k + 1}`;
          state.els.push(new ExternalLaserSource({ id: `${spec.id}:${id}`, rng: rng.fork(`${spec.id}:${id}`), lanes: optics.elsLanes, defects: defectsFor('els', defects) }));
          state.failedLanes.set(id, new Set());
        }
        const els = state.els[k];
        const lane = Math.floor((i % perEls) / optics.portsPerLane) + 1;
        els.feed(lane, modules[cpo[i]] as OpticalModule);
        state.feeds.set(cpo[i], { els, lane });
      }
      this.devices.set(node, state);
    });
    if (this.devices.size === 0) return;

    topology.links.forEach((l, i) => {
      const ends = [l.a, l.b].map((e) => {
        const node = runtime.deviceIndex.get(e.device) as number;
        const port = topology.devices[node].ports.indexOf(e.port);
        return { ref: { node, port }, module: this.devices.get(node)?.modules[port], name: `${e.device}:${e.port}` };
      });
      const [a, b] = ends;
      if (a.module === undefined && b.module === undefined) return;
      const where = `link ${i} (${a.name} - ${b.name})`;
      const bare = a.module === undefined ? a : b.module === undefined ? b : undefined;
      if (bare !== undefined) {
        const other = bare === a ? b : a;
        throw new TwinBuildError(
          `${where}: ${other.name} carries a ${other.module?.profile.id} module but ${bare.name} has none; give ${bare.name.split(':')[0]} param 'optics' for that port`,
        );
      }
      const ma = a.module as OpticalModule;
      const mb = b.module as OpticalModule;
      const rateBps = l.rateBps ?? DEFAULT_LINK_RATE_BPS;
      for (const m of [ma, mb]) {
        if (m.profile.rateGbps * 1e9 !== rateBps) {
          throw new TwinBuildError(
            `${where}: module ${m.id} (${m.profile.id}) runs at ${m.profile.rateGbps} Gb/s but the link's rateBps is ${rateBps}; set rateBps: ${m.profile.rateGbps * 1e9}`,
          );
        }
      }
      const lengthM = (l.lengthKm ?? DEFAULT_LINK_LENGTH_KM) * 1000;
      ma.connect(mb, lengthM);
      const cable: Cable = { a: a.ref, b: b.ref, ma, mb, lengthM, physics: undefined };
      this.cables.push(cable);
      for (const [me, peer] of [
        [a, b],
        [b, a],
      ] as const) {
        const st = this.devices.get(me.ref.node) as DeviceOpticsState;
        st.peers[me.ref.port] = peer.name;
        st.lengths[me.ref.port] = lengthM;
      }
    });

    for (const st of this.devices.values()) for (const m of st.modules) m?.clearLatchedFlags();
    for (const cable of this.cables) {
      const update = () => this.updateCable(cable);
      cable.ma.onOutputsChanged = update;
      cable.mb.onOutputsChanged = update;
      update();
    }
    runtime.addFaultListener((node, port) => this.onFaults(node, port));
    ctx.nodes.forEach((node, i) => {
      const st = this.devices.get(i);
      if (st !== undefined) this.extendNode(node, i, st);
    });
  }

  private get runtime(): TwinRuntime {
    return this.ctx.runtime;
  }

  /** The module in (node, port), if any. */
  module(node: number, port: number): OpticalModule | undefined {
    return this.devices.get(node)?.modules[port];
  }

  private updateCable(c: Cable): void {
    c.physics = cablePhysics(darkestLane(c.ma), darkestLane(c.mb), c.lengthM);
    this.runtime.setPhysical(c.a.node, c.a.port, c.physics.up, c.physics.ber);
  }

  /** Laser faults: a CPO port fails its ELS lane, an ELS cage the whole ELS, a pluggable its own laser. */
  private onFaults(node: number, port: number): void {
    const st = this.devices.get(node);
    if (st === undefined) return;
    const laserOff = (p: number) => this.runtime.faultsOf(node, p).some((f) => f.kind === 'laser-off');
    const m = st.modules[port];
    if (m !== undefined && !m.profile.needsEls) m.setLaserFailed(laserOff(port));
    for (const [k, els] of st.els.entries()) {
      const id = `els${k + 1}`;
      const cage = st.spec.ports.indexOf(id);
      const whole = cage >= 0 && laserOff(cage);
      const want = new Set<number>();
      for (const [p, feed] of st.feeds) if (feed.els === els && (whole || laserOff(p))) want.add(feed.lane);
      const failed = st.failedLanes.get(id) as Set<number>;
      for (let lane = 1; lane <= els.lanes; lane++) {
        if (want.has(lane) && !failed.has(lane)) {
          failed.add(lane);
          els.fail(lane);
        } else if (!want.has(lane) && failed.has(lane)) {
          failed.delete(lane);
          els.repair(lane);
        }
      }
    }
  }

  private memoryAt(st: DeviceOpticsState, portId: string): ModuleMemoryProvider {
    const port = st.spec.ports.indexOf(portId);
    const m = port >= 0 ? st.modules[port] : undefined;
    const elsIndex = st.els.findIndex((_, k) => `els${k + 1}` === portId);
    const memory = m?.memory ?? (elsIndex >= 0 ? st.els[elsIndex].memory : undefined);
    if (memory === undefined) {
      const none = (): never => {
        throw new ModuleMemoryError(CONSOLE_ERR.NO_MODULE, `no module in ${st.spec.id}:${portId}`);
      };
      return { read: none, write: none };
    }
    return {
      read: (bank, page, offset, len) => memory.read(bank, page, offset, len),
      write: (bank, page, offset, data) => memory.write(bank, page, offset, data),
    };
  }

  private portState(st: DeviceOpticsState, port: number): OpticsPortState | undefined {
    const m = st.modules[port];
    if (m === undefined) return undefined;
    const feed = st.feeds.get(port);
    return {
      name: st.spec.ports[port],
      profile: m.profile.id,
      technology: m.profile.technology,
      rateGbps: m.profile.rateGbps,
      peer: st.peers[port],
      lengthM: st.lengths[port],
      powerDrawW: m.powerDrawW(),
      els: feed === undefined ? null : { id: `els${st.els.indexOf(feed.els) + 1}`, lane: feed.lane },
    };
  }

  private elsState(st: DeviceOpticsState): OpticsElsState[] {
    return st.els.map((els, k) => ({
      id: `els${k + 1}`,
      lanes: Array.from({ length: els.lanes }, (_, i) => ({
        lane: i + 1,
        ports: [...st.feeds].filter(([, f]) => f.els === els && f.lane === i + 1).map(([p]) => st.spec.ports[p]),
      })),
    }));
  }

  private extendNode(node: TwinNode, index: number, st: DeviceOpticsState): void {
    const consoles = new Map<string, InProcessCmisClient>();
    const client = (portId: string): InProcessCmisClient => {
      let c = consoles.get(portId);
      if (c === undefined) {
        c = new InProcessCmisClient(new ModuleConsoleBridge(this.memoryAt(st, portId), `fabric-hil module console ${st.spec.id}:${portId}`));
        consoles.set(portId, c);
      }
      return c;
    };
    node.cmis = {
      read: (portId, bank, page, offset, length) => client(portId).read(bank, page, offset, length),
      write: (portId, bank, page, offset, data) => client(portId).write(bank, page, offset, data),
    };
    const base = node.state;
    const portPath = /^\/optics\/port\[name=([^\]]+)\]$/;
    node.state = {
      get: (path) => {
        if (path === '/optics/ports') return st.modules.map((_, p) => this.portState(st, p)).filter((s) => s !== undefined);
        if (path === '/optics/els') return this.elsState(st);
        const m = portPath.exec(path);
        if (m !== null) {
          const p = st.spec.ports.indexOf(m[1]);
          return p < 0 ? undefined : this.portState(st, p);
        }
        return base?.get(path);
      },
    };
    if (this.ctx.defects[index].includes(OPTICS_DEFECT.LINK_ERRORS_UNCOUNTED) && node.counters !== undefined) {
      const counters = node.counters;
      const network = this.runtime.network;
      node.counters = {
        port: (portId) => {
          const c = counters.port(portId);
          const inLink = network.ingressLink(index, this.runtime.portIndex(index, portId));
          return inLink === null ? c : { ...c, inErrors: Math.max(0, c.inErrors - inLink.crcErrors) };
        },
      };
    }
  }
}

/** The `optics` twin extension: builds FabricOptics when some device has the param. */
export function attachOptics(ctx: TwinExtensionContext): void {
  if (!ctx.topology.devices.some((d) => d.params?.[OPTICS_PARAM] !== undefined)) return;
  new FabricOptics(ctx);
}
