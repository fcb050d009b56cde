// The result model: what a run records and what reports read (results.json, schema in config/schema).
//
// Guarantees: a RunResults value is valid against config/schema/results.schema.json whenever the
// harness writes it, including mid-run (`complete: false`); nothing in it is a secret (the
// recorder redacts every resolved `${env:...}` value before it is stored).

export const RESULT_STATUSES = ['passed', 'failed', 'broken', 'blocked', 'skipped'] as const;
export type TestStatus = (typeof RESULT_STATUSES)[number];

export const TIERS = ['conformant', 'conformant-with-deviations', 'non-conformant', 'not-assessed'] as const;
export type Tier = (typeof TIERS)[number];

/** A figure a test measured: one value, or series of (x, y) points drawn as a chart. */
export interface Metric {
  name: string;
  /** Unit of the value / of y. */
  unit: string;
  value?: number;
  /** The x axis of the series, when there are series. */
  x?: { name: string; unit: string };
  series?: Array<{ label: string; points: Array<[number, number]> }>;
  /** How the report draws series: lines (default) or grouped bars. */
  chart?: 'line' | 'bar';
  /** A table the report shows beside or instead of a chart. */
  table?: { columns: string[]; rows: Array<Array<string | number>> };
}

export interface Attachment {
  name: string;
  /** Path relative to the run folder. */
  path: string;
  contentType: string;
}

export interface DeviationRecord {
  id: string;
  reason: string;
  link: string;
}

export interface DeviceRecord {
  id: string;
  kind: string;
  driver: string;
  deviations: DeviationRecord[];
  defects: string[];
}

export interface RequirementRecord {
  id: string;
  title: string;
  source: string;
}

export interface TestRecord {
  /** Stable id: `<file>::<full name>`. */
  id: string;
  /** Suite folder name under suites/ (`demo`, `gse`, ...). */
  suite: string;
  file: string;
  name: string;
  fullName: string;
  status: TestStatus;
  requirements: string[];
  devices: string[];
  /** Deviations the test relied on (device id + deviation id). */
  deviationsUsed: Array<{ device: string; id: string }>;
  durationMs: number;
  message?: string;
  stack?: string;
  metrics: Metric[];
  attachments: Attachment[];
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  broken: number;
  blocked: number;
  skipped: number;
}

export interface RunResults {
  schemaVersion: 1;
  runId: string;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string | null;
  /** False while running, or when the run was cut short (crash, Ctrl-C). */
  complete: boolean;
  testbed: { file: string; name: string };
  seed: number;
  shard: { index: number; count: number } | null;
  devices: DeviceRecord[];
  requirements: RequirementRecord[];
  tests: TestRecord[];
  summary: RunSummary;
  tiers: Record<string, Tier>;
}

export function summarise(tests: readonly TestRecord[]): RunSummary {
  const s: RunSummary = { total: tests.length, passed: 0, failed: 0, broken: 0, blocked: 0, skipped: 0 };
  for (const t of tests) s[t.status]++;
  return s;
}

/**
 * A device's tier: non-conformant if any test of it failed; conformant with deviations if it
 * passed tests only by relying on declared deviations; conformant if it passed tests plainly;
 * not assessed if no test of it passed or failed. Broken and blocked tests say nothing of it.
 */
export function tierOf(deviceId: string, tests: readonly TestRecord[]): Tier {
  let passed = false;
  let withDeviation = false;
  for (const t of tests) {
    if (!t.devices.includes(deviceId)) continue;
    if (t.status === 'failed') return 'non-conformant';
    if (t.status === 'passed') {
      passed = true;
      if (t.deviationsUsed.some((d) => d.device === deviceId)) withDeviation = true;
    }
  }
  if (!passed) return 'not-assessed';
  return withDeviation ? 'conformant-with-deviations' : 'conformant';
}

/** Kinds that are test equipment, not devices under test: they get no conformance verdict. */
export const TEST_EQUIPMENT_KINDS: readonly string[] = ['traffic-generator'];

export function tiers(devices: readonly DeviceRecord[], tests: readonly TestRecord[]): Record<string, Tier> {
  const out: Record<string, Tier> = {};
  for (const d of devices) out[d.id] = TEST_EQUIPMENT_KINDS.includes(d.kind) ? 'not-assessed' : tierOf(d.id, tests);
  return out;
}
