// The results recorder: a vitest reporter that writes results.json as each test finishes.
//
// Guarantees: results.json on disk is always complete JSON valid against the results schema
// (written to a temporary file, validated, then renamed), so a crash or Ctrl-C leaves a valid
// partial file (`complete: false`) that `fabric-hil report` can render; every message, stack and
// metric passes through redaction of the run's secrets first.
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { classify } from './classify.ts';
import type { ConformanceMeta } from './lab.ts';
import { summarise, tiers, type DeviceRecord, type RequirementRecord, type RunResults, type TestRecord } from './results.ts';
import { assertValidResults } from './results-schema.ts';
import { redact } from './secrets.ts';
import { REQUIREMENTS } from '../suites/requirements.ts';
import { PROJECT_ROOT } from './context.ts';

export interface RecorderOptions {
  runDir: string;
  runId: string;
  toolVersion: string;
  testbed: { file: string; name: string };
  seed: number;
  shard: { index: number; count: number } | null;
  devices: DeviceRecord[];
  secrets: readonly string[];
  /** Called after each test is recorded (progress display). */
  onRecord?: (t: TestRecord) => void;
}

/** Suite = first folder under suites/ (`suites/gse/fwd.test.ts` -> `gse`). */
export function suiteOf(file: string): string {
  const rel = path.relative(path.join(PROJECT_ROOT, 'suites'), file).split(path.sep);
  return rel.length > 1 ? rel[0]! : path.basename(file).replace(/\.test\.ts$/, '');
}

export class ResultsRecorder implements Reporter {
  private readonly results: RunResults;
  private readonly file: string;

  constructor(private readonly opts: RecorderOptions) {
    this.file = path.join(opts.runDir, 'results.json');
    this.results = {
      schemaVersion: 1,
      runId: opts.runId,
      tool: { name: 'fabric-hil', version: opts.toolVersion },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      complete: false,
      testbed: opts.testbed,
      seed: opts.seed,
      shard: opts.shard,
      devices: opts.devices,
      requirements: [],
      tests: [],
      summary: summarise([]),
      tiers: tiers(opts.devices, []),
    };
    fs.mkdirSync(opts.runDir, { recursive: true });
    this.write();
  }

  get current(): RunResults {
    return this.results;
  }

  onTestCaseResult(testCase: TestCase): void {
    this.record(testCase);
    this.write();
  }

  /** Tests that never ran (a module that failed to load, or a run cut short) are recorded too. */
  onTestModuleEnd(module: TestModule): void {
    const seen = new Set(this.results.tests.map((t) => t.id));
    let added = false;
    for (const tc of module.children.allTests()) {
      if (!seen.has(this.idOf(tc))) {
        this.record(tc);
        added = true;
      }
    }
    const errors = module.errors();
    if (errors.length > 0) {
      const file = path.relative(PROJECT_ROOT, module.moduleId);
      this.push({
        id: `${file}::(module)`,
        suite: suiteOf(module.moduleId),
        file,
        name: '(module failed to load)',
        fullName: `${file} (module)`,
        status: 'broken',
        requirements: [],
        devices: [],
        deviationsUsed: [],
        durationMs: 0,
        message: this.redact(errors.map((e) => `${e.name ?? 'Error'}: ${e.message}`).join('\n')),
        stack: this.redact(errors[0]?.stack ?? ''),
        metrics: [],
        attachments: [],
      });
      added = true;
    }
    if (added) this.write();
  }

  onTestRunEnd(): void {
    this.finish(true);
  }

  /** Marks the run finished; `complete` false when it was interrupted. */
  finish(complete: boolean): void {
    this.results.finishedAt = new Date().toISOString();
    this.results.complete = complete;
    this.write();
  }

  private idOf(tc: TestCase): string {
    return `${path.relative(PROJECT_ROOT, tc.module.moduleId)}::${tc.fullName}`;
  }

  private redact(text: string): string {
    return redact(text, [...this.opts.secrets]);
  }

  private record(tc: TestCase): void {
    const meta = tc.meta() as ConformanceMeta;
    const result = tc.result();
    const verdict = classify(result.state, result.errors, meta.blocked);
    const file = path.relative(PROJECT_ROOT, tc.module.moduleId);
    this.push({
      id: this.idOf(tc),
      suite: suiteOf(tc.module.moduleId),
      file,
      name: tc.name,
      fullName: tc.fullName,
      status: verdict.status,
      requirements: meta.requirements ?? [],
      devices: meta.devices ?? [],
      deviationsUsed: meta.deviationsUsed ?? [],
      durationMs: Math.round((tc.diagnostic()?.duration ?? 0) * 1000) / 1000,
      ...(verdict.message !== undefined ? { message: this.redact(verdict.message) } : {}),
      ...(verdict.stack ? { stack: this.redact(verdict.stack) } : {}),
      metrics: JSON.parse(this.redact(JSON.stringify(meta.metrics ?? []))),
      attachments: meta.attachments ?? [],
    });
  }

  private push(t: TestRecord): void {
    const i = this.results.tests.findIndex((x) => x.id === t.id);
    if (i >= 0) this.results.tests[i] = t;
    else this.results.tests.push(t);
    const known = new Set(this.results.requirements.map((r) => r.id));
    for (const id of t.requirements) {
      if (known.has(id)) continue;
      known.add(id);
      const r = REQUIREMENTS[id];
      const rec: RequirementRecord = { id, title: r?.title ?? '(not in the registry)', source: r?.source ?? 'unknown' };
      this.results.requirements.push(rec);
    }
    this.opts.onRecord?.(t);
  }

  private write(): void {
    this.results.summary = summarise(this.results.tests);
    this.results.tiers = tiers(this.results.devices, this.results.tests);
    assertValidResults(this.results);
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.results, null, 2));
    fs.renameSync(tmp, this.file);
  }
}
