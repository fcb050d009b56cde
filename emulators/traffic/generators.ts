// Workload generators: permutation, incast, all-to-all, ring all-reduce. They return flow lists
// (and connection matrices) drawn from a seeded generator, so a seed names a workload.

import type { Rng } from '../sim/rng.ts';
import type { CmConnection } from './cm.ts';
import type { FlowManager, FlowSpec, SimFlow } from './flows.ts';

export interface WorkloadFlow {
  src: number;
  dst: number;
  bytes: number;
  startPs: number;
  /** Indices (in the same list) of flows that must complete before this one starts. */
  dependsOn?: number[];
}

/** Every host sends to one other host and receives from one: a random derangement. */
export function permutation(hosts: number, bytes: number, rng: Rng, startPs = 0): WorkloadFlow[] {
  if (hosts < 2) throw new RangeError(`a permutation needs at least 2 hosts, got ${hosts}`);
  const dst = Array.from({ length: hosts }, (_, i) => i);
  // Sattolo's algorithm: a single cycle, so nobody sends to itself.
  for (let i = hosts - 1; i > 0; i--) {
    const j = rng.int(i);
    const t = dst[i];
    dst[i] = dst[j];
    dst[j] = t;
  }
  return dst.map((d, s) => ({ src: s, dst: d, bytes, startPs }));
}

/** `senders` all send `bytes` to `receiver`. */
export function incast(senders: number[], receiver: number, bytes: number, startPs = 0): WorkloadFlow[] {
  return senders.filter((s) => s !== receiver).map((s) => ({ src: s, dst: receiver, bytes, startPs }));
}

/** Every host of `hosts` sends `bytes` to every other one. */
export function allToAll(hosts: number[], bytes: number, startPs = 0): WorkloadFlow[] {
  const out: WorkloadFlow[] = [];
  for (const s of hosts) for (const d of hosts) if (s !== d) out.push({ src: s, dst: d, bytes, startPs });
  return out;
}

/**
 * Ring all-reduce of a `bytes` buffer over `hosts` (in ring order): 2 (n - 1) steps; in each step
 * every host sends bytes / n to its successor, and step k + 1 of a host starts when it has
 * received step k from its predecessor.
 */
export function ringAllReduce(hosts: number[], bytes: number, startPs = 0): WorkloadFlow[] {
  const n = hosts.length;
  if (n < 2) throw new RangeError(`a ring needs at least 2 hosts, got ${n}`);
  const chunk = Math.ceil(bytes / n);
  const out: WorkloadFlow[] = [];
  const steps = 2 * (n - 1);
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < n; i++) {
      const f: WorkloadFlow = { src: hosts[i], dst: hosts[(i + 1) % n], bytes: chunk, startPs: step === 0 ? startPs : 0 };
      if (step > 0) {
        // host i forwards in step k what it received from host i-1 in step k-1
        const prev = (i - 1 + n) % n;
        f.dependsOn = [(step - 1) * n + prev];
      }
      out.push(f);
    }
  }
  return out;
}

/** As connection-matrix entries (dependencies are dropped: the format has no triggers here). */
export function toConnections(flows: WorkloadFlow[]): Omit<CmConnection, 'line'>[] {
  return flows.map((f, i) => ({ src: f.src, dst: f.dst, id: i + 1, startUs: f.startPs / 1e6, sizeBytes: f.bytes }));
}

/**
 * Adds a workload to a flow manager and starts it: flows without dependencies start at their
 * startPs (relative to now), dependent flows when all their dependencies have completed.
 */
export function startWorkload(
  manager: FlowManager,
  flows: WorkloadFlow[],
  common: Omit<FlowSpec, 'src' | 'dst' | 'bytes' | 'startPs'> = {},
): SimFlow[] {
  const sims = flows.map((f, i) =>
    manager.add({ name: `w${i}:${f.src}->${f.dst}`, ...common, src: f.src, dst: f.dst, bytes: f.bytes, startPs: f.startPs }),
  );
  flows.forEach((f, i) => {
    const deps = f.dependsOn ?? [];
    for (const d of deps) {
      if (!(d >= 0 && d < flows.length) || d === i) throw new RangeError(`workload flow ${i} depends on unknown flow ${d}`);
    }
    if (deps.length === 0) manager.startFlow(sims[i]);
    else manager.startAfter(sims[i], deps.map((d) => sims[d]));
  });
  return sims;
}
