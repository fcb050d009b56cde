// What the router suite finds in a testbed: two provider-edge routers with a traffic generator each, their links, a transit router.
//
// Expected shape (config/testbeds/emulator.yaml has it; a lab testbed can be cabled the same way):
// two `router` devices ("PEs") each cabled to a `traffic-generator` by at least six ports, joined
// by at least two direct links, and optionally a third router ("P") cabled to both PEs. Ports are
// taken in testbed order. A testbed without this shape blocks the tests (they say nothing of the
// device). Also small helpers every file uses: configuration with undo, flows run to completion,
// captured frame decoding.
import type { Lab } from '../../harness/suite.ts';
import { parseFrame, type ParsedFrame } from '../../protocols/frame.ts';

export type Router = ReturnType<typeof requireRouter>;
export type Ate = ReturnType<typeof requireAte>;

function requireRouter(lab: Lab, id: string) {
  return lab.requireDevice(id, ['config', 'state', 'counters', 'capture', 'faults']);
}
function requireAte(lab: Lab, id: string) {
  return lab.requireDevice(id, ['traffic', 'capture', 'counters']);
}

/** A PE with its traffic generator: port i of `atePorts` faces port i of `pePorts`. */
export interface Edge {
  pe: Router;
  ate: Ate;
  atePorts: string[];
  pePorts: string[];
}

export interface WanLab {
  dc1: Edge;
  dc2: Edge;
  /** Direct PE1-PE2 links as [PE1 port, PE2 port]. */
  direct: Array<[string, string]>;
  /** The transit path, when the testbed has one. */
  transit?: { p: Router; pe1Port: string; pFromPe1: string; pToPe2: string; pe2Port: string };
}

const MIN_ATE_PORTS = 6;

export function wanLab(lab: Lab): WanLab {
  const routers = lab.devices('router').map((d) => d.id);
  const tgs = lab.devices('traffic-generator').map((d) => d.id);
  const edges: Array<{ pe: string; ate: string; pairs: Array<[string, string]> }> = [];
  for (const r of routers) {
    for (const t of tgs) {
      const pairs = lab.links(t, r);
      if (pairs.length >= MIN_ATE_PORTS && !edges.some((e) => e.ate === t || e.pe === r)) edges.push({ pe: r, ate: t, pairs });
    }
  }
  if (edges.length < 2) {
    lab.block(`the router suite needs two routers each cabled to a traffic generator by ${MIN_ATE_PORTS}+ ports; testbed ${lab.testbedName} has ${edges.length}`);
  }
  const [e1, e2] = edges as [(typeof edges)[0], (typeof edges)[0]];
  const direct = lab.links(e1.pe, e2.pe);
  if (direct.length < 2) lab.block(`the router suite needs two direct links between ${e1.pe} and ${e2.pe}; the testbed has ${direct.length}`);
  const edge = (e: (typeof edges)[0]): Edge => ({
    pe: requireRouter(lab, e.pe),
    ate: requireAte(lab, e.ate),
    atePorts: e.pairs.map((p) => p[0]),
    pePorts: e.pairs.map((p) => p[1]),
  });
  const out: WanLab = { dc1: edge(e1), dc2: edge(e2), direct };
  for (const r of routers) {
    if (r === e1.pe || r === e2.pe) continue;
    const a = lab.links(e1.pe, r);
    const b = lab.links(r, e2.pe);
    if (a.length > 0 && b.length > 0) {
      out.transit = { p: requireRouter(lab, r), pe1Port: a[0][0], pFromPe1: a[0][1], pToPe2: b[0][0], pe2Port: b[0][1] };
      break;
    }
  }
  return out;
}

/** An endpoint a router serves: the device, its port toward the router, and how many devices lie between. */
export interface ServedEndpoint {
  device: string;
  port: string;
  hops: number;
}

/**
 * The traffic endpoint farthest behind `pe` (breadth first through devices that are not routers,
 * leaving out the PE's ports in `skipPorts`): the deepest server of the data centre's fabric.
 */
export function deepestEndpoint(lab: Lab, pe: string, skipPorts: readonly string[]): ServedEndpoint | undefined {
  const routers = new Set(lab.devices('router').map((d) => d.id));
  const traffic = new Set(lab.devices().filter((d) => d.traffic !== undefined).map((d) => d.id));
  const seen = new Set<string>([pe]);
  let frontier = lab.neighbours(pe).filter((n) => !skipPorts.includes(n.port) && !routers.has(n.device));
  let best: ServedEndpoint | undefined;
  for (let hops = 1; frontier.length > 0; hops++) {
    const next: typeof frontier = [];
    for (const n of frontier) {
      if (seen.has(n.device)) continue;
      seen.add(n.device);
      if (traffic.has(n.device)) {
        if (best === undefined || best.hops < hops) best = { device: n.device, port: n.peerPort, hops };
        continue;
      }
      for (const m of lab.neighbours(n.device)) if (!seen.has(m.device) && !routers.has(m.device)) next.push(m);
    }
    frontier = next;
  }
  return best;
}

/** Edits configuration and remembers how to undo it (delete what was added). */
export class ConfigSession {
  private readonly undo: Array<() => Promise<void>> = [];

  async set(dev: Router, path: string, value: unknown): Promise<void> {
    await dev.config.edit(path, value, 'replace');
    this.undo.push(() => dev.config.edit(path, null, 'delete'));
  }

  /** Restores everything set, last first; errors are collected, not thrown half way. */
  async restore(): Promise<void> {
    const errors: unknown[] = [];
    while (this.undo.length > 0) {
      try {
        await this.undo.pop()!();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** Interface metric so that the path through `port` is preferred (low) or avoided (high). */
export function metricPath(port: string): string {
  return `/routing/interfaces/interface[name=${port}]/config`;
}

export interface FlowDef {
  name: string;
  txPort: string;
  rxPort: string;
  bytes: number;
  frameBytes?: number;
  rateBps?: number;
  transport?: 'raw' | 'uet' | 'roce';
  multicastGroup?: string;
}

/** Sets and starts flows, then waits until every one is done (bounded on device time). */
export async function runFlows(lab: Lab, ate: Ate, flows: FlowDef[], timeoutMs: number) {
  await ate.traffic.setFlows(flows);
  await ate.traffic.start();
  return lab.until(
    async () => {
      const m = await ate.traffic.metrics();
      return m.every((f) => f.done) ? m : undefined;
    },
    { timeoutMs, pollMs: Math.max(0.05, timeoutMs / 100), what: `flows ${flows.map((f) => f.name).join(', ')} completing` },
  );
}

/** Decodes captured frames (checksums not verified: some encapsulations zero them). */
export function decode(frames: ReadonlyArray<{ bytes: Uint8Array; direction: 'rx' | 'tx'; timePs: number }>, direction: 'rx' | 'tx') {
  const out: Array<{ timePs: number; f: ParsedFrame }> = [];
  for (const fr of frames) {
    if (fr.direction !== direction) continue;
    try {
      out.push({ timePs: fr.timePs, f: parseFrame(fr.bytes, { checksums: 'ignore' }) });
    } catch {
      // not a frame this suite reads (left out)
    }
  }
  return out;
}

/** The 5-tuple key a router hashes (source and destination address, UDP source port). */
export function flowKey(f: ParsedFrame): string | undefined {
  if (f.ip === undefined || f.udp === undefined) return undefined;
  return `${f.ip.src}>${f.ip.dst}:${f.udp.srcPort}`;
}

export const PS_PER_MS = 1e9;
