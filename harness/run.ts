// Run orchestration: load and bind-check the testbed, run the suites through vitest's Node API,
// record results as they come, and build the reports.
//
// Guarantees: configuration problems surface before any test runs (RunConfigError, exit code 2);
// test files run in parallel only against a testbed that is all in-process emulator (each file
// binds its own twin); a testbed with lab devices (gear, or a lab-in-a-box binding: one shared
// fabric) runs its files one at a time, since shared gear cannot take two files at once;
// results.json and allure-results/ are written while tests run, and an interrupted run still gets
// a report built from what was recorded.
import fs from 'node:fs';
import path from 'node:path';
import { createVitest } from 'vitest/node';
import type { Vitest } from 'vitest/node';
import { loadTestbed, TestbedError, formatProblems, type Testbed } from './testbed.ts';
import { bindTestbed, BindError } from './bind.ts';
import { SecretError } from './secrets.ts';
import { TwinBuildError } from '../emulators/twin.ts';
import { EMULATOR_DRIVER } from '../drivers/emulator/emulator-driver.ts';
import { ENV, PROJECT_ROOT, DEFAULT_TESTBED_FILE, DEFAULT_DRIVER_TIMEOUT_MS } from './context.ts';
import { ResultsRecorder, suiteOf } from './recorder.ts';
import { ProgressReporter } from './progress.ts';
import type { DeviceRecord, RunResults } from './results.ts';
import { postProcessAllure } from './allure-post.ts';
import { buildReports } from '../reports/build.ts';
import { TOOL_VERSION } from './version.ts';

export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

export interface RunOptions {
  testbedFile?: string;
  suites?: string[];
  grep?: string;
  outDir?: string;
  seed?: number;
  shard?: { index: number; count: number };
  driverTimeoutMs?: number;
  /** Build the single-file Allure report (slowest part of reporting). */
  allure?: boolean;
  /** Progress output; null for none. */
  progress?: NodeJS.WriteStream | null;
  runId?: string;
}

export interface RunOutcome {
  runDir: string;
  results: RunResults;
  indexHtml: string | null;
  allureHtml: string | null;
  exitCode: 0 | 1;
  interrupted: boolean;
}

export { SUITES_DIR, availableSuites } from './suites-dir.ts';
import { availableSuites } from './suites-dir.ts';

export function loadTestbedOrThrow(file: string): Testbed {
  try {
    return loadTestbed(file);
  } catch (err) {
    if (err instanceof TestbedError) throw new RunConfigError(formatProblems(err.problems));
    throw err;
  }
}

function newRunId(seed: number, shard?: { index: number; count: number }): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-s${seed}${shard ? `-shard${shard.index}of${shard.count}` : ''}`;
}

function suiteFilters(suites: string[] | undefined): string[] {
  if (!suites || suites.length === 0) return [];
  const known = availableSuites();
  const unknown = suites.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new RunConfigError(`unknown suite${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (suites: ${known.join(', ')})`);
  }
  return suites.map((s) => path.join('suites', s) + path.sep);
}

/** Creates the vitest instance for the conformance project with the given reporters. */
export async function conformanceVitest(opts: {
  filters: string[];
  grep?: string;
  shard?: { index: number; count: number };
  reporters: unknown[];
  /** Run test files one at a time (shared lab devices). */
  sequentialFiles?: boolean;
}): Promise<Vitest> {
  return createVitest(
    'test',
    {
      root: PROJECT_ROOT,
      config: path.join(PROJECT_ROOT, 'vitest.config.ts'),
      project: ['conformance'],
      watch: false,
      reporters: opts.reporters as never,
      ...(opts.grep ? { testNamePattern: opts.grep } : {}),
      ...(opts.shard ? { shard: `${opts.shard.index}/${opts.shard.count}` } : {}),
      ...(opts.sequentialFiles ? { fileParallelism: false } : {}),
      passWithNoTests: false,
    },
    {},
    // vitest's own lines ("JUNIT report written to ...") go to stderr, keeping stdout for results
    { stdout: process.stderr, stderr: process.stderr },
  );
}

export async function runSuites(opts: RunOptions): Promise<RunOutcome> {
  const seed = opts.seed ?? 1;
  const testbedFile = path.resolve(opts.testbedFile ?? DEFAULT_TESTBED_FILE);
  const tb = loadTestbedOrThrow(testbedFile);
  const filters = suiteFilters(opts.suites);
  if (opts.grep !== undefined) {
    try {
      new RegExp(opts.grep);
    } catch (err) {
      throw new RunConfigError(`--grep: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const driverTimeoutMs = opts.driverTimeoutMs ?? DEFAULT_DRIVER_TIMEOUT_MS;

  // Bind once here so that a missing variable, an unknown model or defect stops the run before
  // any test starts; workers bind again for themselves.
  let secrets: readonly string[];
  try {
    const bound = await bindTestbed(tb, { seed, driverTimeoutMs });
    secrets = bound.secrets;
    await bound.close();
  } catch (err) {
    if (err instanceof BindError || err instanceof SecretError || err instanceof TwinBuildError) {
      throw new RunConfigError(err instanceof SecretError ? err.message : `${tb.file}: ${(err as Error).message}`);
    }
    throw err;
  }

  const runId = opts.runId ?? newRunId(seed, opts.shard);
  const outDir = path.resolve(opts.outDir ?? path.join(PROJECT_ROOT, 'reports', 'out'));
  const runDir = path.join(outDir, runId);
  fs.mkdirSync(runDir, { recursive: true });

  const devices: DeviceRecord[] = tb.devices.map((d) => ({
    id: d.id,
    kind: d.kind,
    driver: d.drivers.join('+'),
    deviations: d.deviations.map((x) => ({ ...x })),
    defects: [...d.defects],
  }));
  const progress = opts.progress === null ? null : new ProgressReporter(opts.progress ?? process.stderr, suiteOf);
  const recorder = new ResultsRecorder({
    runDir,
    runId,
    toolVersion: TOOL_VERSION,
    testbed: { file: path.relative(process.cwd(), testbedFile) || testbedFile, name: tb.name },
    seed,
    shard: opts.shard ?? null,
    devices,
    secrets,
    onRecord: (t) => progress?.recorded(t),
  });

  const saved = { ...process.env };
  process.env[ENV.testbed] = testbedFile;
  process.env[ENV.seed] = String(seed);
  process.env[ENV.runDir] = runDir;
  process.env[ENV.driverTimeoutMs] = String(driverTimeoutMs);

  const reporters: unknown[] = [
    recorder,
    ...(progress ? [progress] : []),
    ['junit', { outputFile: path.join(runDir, 'junit.xml') }],
    ['allure-vitest/reporter', { resultsDir: path.join(runDir, 'allure-results') }],
  ];
  let interrupted = false;
  let vitest: Vitest | null = null;
  const onSigint = (): void => {
    interrupted = true;
    void vitest?.cancelCurrentRun('keyboard-input');
  };
  process.once('SIGINT', onSigint);
  try {
    vitest = await conformanceVitest({ filters, grep: opts.grep, shard: opts.shard, reporters, sequentialFiles: usesLabDevices(tb) });
    await vitest.start(filters);
  } finally {
    process.off('SIGINT', onSigint);
    progress?.stop();
    await vitest?.close();
    for (const k of Object.values(ENV)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  if (interrupted) recorder.finish(false);
  const results = recorder.current;
  postProcessAllure(path.join(runDir, 'allure-results'), results);
  const built = await buildReports(runDir, runDir, { allure: opts.allure ?? true });
  const bad = results.summary.failed + results.summary.broken;
  // A run that executed nothing is not a pass.
  const exitCode = bad > 0 || results.summary.total === 0 || interrupted ? 1 : 0;
  updateLatest(outDir, runId);
  return { runDir, results, indexHtml: built.indexHtml, allureHtml: built.allureHtml ?? null, exitCode, interrupted };
}

/** Does the testbed bind any device to lab drivers (gear or lab-in-a-box) rather than the in-process emulator? */
export function usesLabDevices(tb: Testbed): boolean {
  return tb.devices.some((d) => !d.drivers.includes(EMULATOR_DRIVER));
}

/** `<out>/latest` always points at the newest run folder. */
function updateLatest(outDir: string, runId: string): void {
  const link = path.join(outDir, 'latest');
  try {
    fs.rmSync(link, { force: true, recursive: false });
  } catch {
    /* a folder named latest: leave it */
  }
  try {
    fs.symlinkSync(runId, link, 'dir');
  } catch {
    fs.writeFileSync(path.join(outDir, 'LATEST'), `${runId}\n`);
  }
}
