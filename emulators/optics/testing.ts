// Test helpers for the optics models: build modules on a fresh event list, and read them as a host does (through protocols/cmis).
import {
  CMIS_PAGE11,
  CmisLowerView,
  CmisPage01View,
  CmisPage11View,
  CmisUpper00View,
} from '../../protocols/cmis/index.ts';
import '../registry.ts';
import { buildTwin } from '../build.ts';
import type { TwinFlowMetrics, TwinNode } from '../twin.ts';
import { EventList, timeFromMs } from '../sim/eventlist.ts';
import { Rng } from '../sim/rng.ts';
import { ExternalLaserSource } from './els.ts';
import { OpticalModule } from './module.ts';
import { opticsProfile } from './profiles.ts';

export interface OpticsBench {
  events: EventList;
  rng: Rng;
  module(id: string, profileId?: string, defects?: string[], more?: { ambientC?: number; lpMode?: boolean; warm?: boolean }): OpticalModule;
  /** Runs the event list up to `ms` after time zero. */
  at(ms: number): void;
}

export function opticsBench(seed = 1): OpticsBench {
  const events = new EventList();
  const rng = new Rng(seed);
  return {
    events,
    rng,
    module: (id, profileId = 'conventional-400g-fr4', defects = [], more = {}) =>
      new OpticalModule({ id, profile: opticsProfile(profileId), events, rng: rng.fork(id), defects, ...more }),
    at: (ms) => events.runUntil(timeFromMs(ms)),
  };
}

/** Host reads: these have the side effects of a real read (monitors refreshed, latched flags cleared). */
export const host = {
  lower: (m: OpticalModule) => CmisLowerView.checked(m.memory.read(0, 0, 0, 128)),
  upper00: (m: OpticalModule) => CmisUpper00View.checked(m.memory.read(0, 0, 128, 128)),
  page01: (m: OpticalModule) => CmisPage01View.checked(m.memory.read(0, 0x01, 128, 128)),
  page11: (m: OpticalModule) => CmisPage11View.checked(m.memory.read(0, 0x11, 128, 128)),
  write: (m: OpticalModule, page: number, at: number, ...bytes: number[]) => m.memory.write(0, page, at, bytes),
  /** Module state without side effects. */
  moduleState: (m: OpticalModule) => CmisLowerView.checked(m.memory.peek(0, 0, 0, 128)).moduleState,
  /** Data-path state of host lanes 1..8 without side effects. */
  dpStates: (m: OpticalModule) => {
    const v = CmisPage11View.checked(m.memory.peek(0, 0x11, 128, 128));
    return [1, 2, 3, 4, 5, 6, 7, 8].map((l) => v.dpState(l));
  },
  configStatus: (m: OpticalModule) => {
    const v = CmisPage11View.checked(m.memory.peek(0, 0x11, 128, 128));
    return [1, 2, 3, 4, 5, 6, 7, 8].map((l) => v.configStatus(l));
  },
};

/**
 * Two CPO engines of four ports, lit by ELS A (with `elsDefects`) and ELS B on lanes 1-4, each
 * port linked over 500 m to a far CPO port lit by ELS C; run until all are up, far flags cleared.
 */
export function cpoFabric(elsDefects: string[] = []) {
  const b = opticsBench(3);
  const cpo = opticsProfile('cpo-800g-dr4');
  const els = (id: string, defects: string[] = []) => new ExternalLaserSource({ id, rng: b.rng.fork(id), defects });
  const A = els('elsA', elsDefects);
  const B = els('elsB');
  const C = els('elsC');
  const ports = (prefix: string) => [1, 2, 3, 4].map((i) => b.module(`${prefix}${i}`, cpo.id));
  const a = ports('a');
  const bb = ports('b');
  const far = ports('fa').concat(ports('fb'));
  a.forEach((p, i) => A.feed(i + 1, p));
  bb.forEach((p, i) => B.feed(i + 1, p));
  far.forEach((p, i) => C.feed(i + 1, p));
  [...a, ...bb].forEach((p, i) => p.connect(far[i], 500));
  b.at(cpo.timing.pwrUpMs + cpo.timing.dpInitMs + cpo.timing.txTurnOnMs);
  for (const p of far) host.page11(p);
  const lit = (ps: OpticalModule[]) => ps.map((p) => p.txOutputMw(1) > 0);
  const los = (ps: OpticalModule[]) => ps.map((p) => host.page11(p).flags(CMIS_PAGE11.RX_LOS));
  return { b, A, B, C, a, bb, far, lit, los };
}

/** Port profiles and fibre lengths (m) of the two-device optics twin. */
export interface OpticsTwinPort {
  profile: string;
  lengthM: number;
}

/**
 * A twin of one switch `sw` and one host `h`, their ports `port1..` cabled pairwise with the
 * modules and fibres given (link rate = the module's rate); `swDefects` switch the switch into
 * defect profiles; `els` goes to both devices' optics params.
 */
export function opticsTwin(ports: OpticsTwinPort[], o: { seed?: number; swDefects?: string[]; els?: { lanes?: number; portsPerLane?: number } } = {}) {
  const names = ports.map((_, i) => `port${i + 1}`);
  const optics = { ports: Object.fromEntries(ports.map((p, i) => [names[i], p.profile])), ...(o.els ? { els: o.els } : {}) };
  const twin = buildTwin(
    {
      devices: [
        { id: 'sw', kind: 'switch', ports: names, params: { optics }, defects: o.swDefects ?? [] },
        { id: 'h', kind: 'host', ports: names, params: { optics } },
      ],
      links: ports.map((p, i) => ({
        a: { device: 'sw', port: names[i] },
        b: { device: 'h', port: names[i] },
        rateBps: opticsProfile(p.profile).rateGbps * 1e9,
        lengthKm: p.lengthM / 1000,
      })),
    },
    { seed: o.seed ?? 1 },
  );
  const sw = twin.node('sw') as TwinNode;
  const h = twin.node('h') as TwinNode;
  return {
    twin,
    sw,
    h,
    names,
    oper: (node: TwinNode, port: string) => node.state?.get(`/interfaces/interface[name=${port}]/oper-status`),
    /** Sends `frames` frames of 1500 B from h:`from` to h:`to` at 25 Gb/s and runs 2 ms. */
    burst(from: string, to: string, frames = 1000) {
      h.traffic?.setFlows([{ name: 'burst', txPort: from, rxPort: `h:${to}`, bytes: frames * 1500, frameBytes: 1500, rateBps: 25e9 }]);
      h.traffic?.start();
      twin.runFor(timeFromMs(2));
      return h.traffic?.metrics()[0] as TwinFlowMetrics;
    },
  };
}
