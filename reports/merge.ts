// Merges the results of several shards or runs into one RunResults, recomputing summary and tiers.
//
// Tests are de-duplicated by id, the later run winning (a re-run replaces its earlier verdict, in
// the earlier one's place); devices and requirements are unions by id, a device's deviations and
// defects unions too. The merged run is complete only if every part was.
import { summarise, tiers, type DeviceRecord, type RequirementRecord, type RunResults, type TestRecord } from '../harness/results.ts';

function unionBy<T>(items: Iterable<T>, key: (t: T) => string, merge: (a: T, b: T) => T = (_a, b) => b): T[] {
  const out = new Map<string, T>();
  for (const it of items) {
    const k = key(it);
    const had = out.get(k);
    out.set(k, had === undefined ? it : merge(had, it));
  }
  return [...out.values()];
}

function mergeDevice(a: DeviceRecord, b: DeviceRecord): DeviceRecord {
  return {
    ...b,
    deviations: unionBy([...a.deviations, ...b.deviations], (d) => d.id),
    defects: [...new Set([...a.defects, ...b.defects])],
  };
}

export function mergeResults(list: readonly RunResults[]): RunResults {
  if (list.length === 0) throw new Error('mergeResults: nothing to merge');
  if (list.length === 1) return { ...list[0]!, summary: summarise(list[0]!.tests), tiers: tiers(list[0]!.devices, list[0]!.tests) };
  const first = list[0]!;
  const tests: TestRecord[] = unionBy(list.flatMap((r) => r.tests), (t) => t.id);
  const devices = unionBy(list.flatMap((r) => r.devices), (d) => d.id, mergeDevice);
  const requirements: RequirementRecord[] = unionBy(list.flatMap((r) => r.requirements), (q) => q.id);
  const finished = list.map((r) => r.finishedAt);
  const testbeds = [...new Set(list.map((r) => r.testbed.name))];
  return {
    schemaVersion: 1,
    runId: [...new Set(list.map((r) => r.runId))].join('+'),
    tool: first.tool,
    startedAt: list.map((r) => r.startedAt).sort()[0]!,
    // ISO-8601 UTC strings sort as times do.
    finishedAt: finished.includes(null) ? null : (finished as string[]).sort().at(-1)!,
    complete: list.every((r) => r.complete),
    testbed: testbeds.length === 1 ? first.testbed : { file: [...new Set(list.map((r) => r.testbed.file))].join(', '), name: testbeds.join(' + ') },
    seed: first.seed,
    shard: null,
    devices,
    requirements,
    tests,
    summary: summarise(tests),
    tiers: tiers(devices, tests),
  };
}
