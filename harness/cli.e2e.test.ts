// The fabric-hil command end to end, as a user runs it: exit codes, files written, report contents.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './context.ts';
import { validateResults } from './results-schema.ts';
import type { RunResults } from './results.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'fabric-hil.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, ...args], { cwd: PROJECT_ROOT, reject: false, env: { ...env, CI: '' }, timeout: 240_000 });
}

function runDirOf(stdout: string): string {
  const m = /^Report: (.+)index\.html$/m.exec(stdout);
  expect(m, `no "Report:" line in:\n${stdout}`).not.toBeNull();
  return m![1]!;
}

/** Hosts the page refers to, other than inert XML namespace names. */
function outsideHosts(html: string): string[] {
  return [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('http://www.w3.org/'));
}

describe('fabric-hil run', () => {
  it('runs the demo suite on the default testbed: exit 0, all four outputs, nothing outside', async () => {
    const r = await cli(['run', '--suite', 'demo', '--out', path.join(tmp, 'ok')]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const dir = runDirOf(r.stdout);
    for (const f of ['index.html', 'allure-report.html', 'junit.xml', 'results.json']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResults;
    expect(validateResults(results)).toEqual({ ok: true });
    expect(results.complete).toBe(true);
    expect(results.summary.failed + results.summary.broken).toBe(0);
    expect(results.summary.passed).toBeGreaterThanOrEqual(3);
    expect(results.tiers.dut1).toBe('conformant');
    expect(r.stdout).toMatch(/demo\s+\d+\s+0\s+0/);
    expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(outsideHosts(fs.readFileSync(path.join(dir, 'index.html'), 'utf8'))).toEqual([]);
    expect(outsideHosts(fs.readFileSync(path.join(dir, 'allure-report.html'), 'utf8'))).toEqual([]);
    expect(fs.realpathSync(path.join(tmp, 'ok', 'latest'))).toBe(fs.realpathSync(dir));
  });

  it('fails (exit 1) against the defective switch and the report shows each failure', async () => {
    const r = await cli(['run', '--suite', 'demo', '--testbed', 'config/testbeds/demo-defective.yaml', '--out', path.join(tmp, 'bad'), '--no-allure']);
    expect(r.exitCode, r.stderr).toBe(1);
    const dir = runDirOf(r.stdout);
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResults;
    const failed = results.tests.filter((t) => t.status === 'failed');
    expect(failed.map((t) => t.name).sort()).toEqual([
      'a link-down fault takes the port down and stops delivery; clearing it restores both',
      'counters count every frame and octet of a flow',
    ]);
    expect(results.tiers.dut1).toBe('non-conformant');
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    for (const t of failed) expect(html).toContain(t.message!.slice(0, 40).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  });

  it('refuses a broken testbed before running anything (exit 2, file and line named)', async () => {
    const r = await cli(['run', '--testbed', 'harness/fixtures/testbeds/bad-links.yaml', '--out', path.join(tmp, 'never')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad-links\.yaml:12:\d+: topology\.links\[0\]\.b: /);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('rejects bad arguments with exit 2', async () => {
    expect((await cli(['run', '--suite', 'nosuch'])).exitCode).toBe(2);
    expect((await cli(['run', '--shard', '3/2'])).exitCode).toBe(2);
    expect((await cli(['frobnicate'])).exitCode).toBe(2);
    for (const args of [['--clock', 'fast'], ['--time-scale', '0.5']]) {
      const r = await cli(['lab', 'up', '--dir', path.join(tmp, 'lab-never'), ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(args[0] === '--clock' ? /expected stepped or paced/ : /needs --clock paced/);
    }
    expect(fs.existsSync(path.join(tmp, 'lab-never'))).toBe(false);
    const help = await cli(['run', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--testbed');
  });
});

describe('robustness', () => {
  const UNRESPONSIVE = 'harness/fixtures/testbeds/unresponsive.yaml';

  it('a device that stops answering makes its tests broken, bounded by the driver timeout, and the run goes on', async () => {
    const r = await cli(['run', '--suite', 'demo', '--testbed', UNRESPONSIVE, '--driver-timeout', '300', '--no-allure', '--out', path.join(tmp, 'hang')]);
    expect(r.exitCode, r.stderr).toBe(1);
    const results = JSON.parse(fs.readFileSync(path.join(runDirOf(r.stdout), 'results.json'), 'utf8')) as RunResults;
    expect(results.complete).toBe(true);
    expect(results.tests).toHaveLength(3);
    for (const t of results.tests) {
      expect(t.status, t.name).toBe('broken');
      expect(t.message).toMatch(/device "dut1": \w+\.\w+ did not answer within 300 ms/);
    }
    expect(results.tiers.dut1).toBe('not-assessed');
  });

  it('Ctrl-C leaves a valid partial results.json that `report` renders', async () => {
    const out = path.join(tmp, 'interrupted');
    const child = execa('node', [BIN, 'run', '--suite', 'demo', '--testbed', UNRESPONSIVE, '--driver-timeout', '2000', '--no-allure', '--out', out], {
      cwd: PROJECT_ROOT,
      reject: false,
      env: { CI: '' },
    });
    // Wait (bounded) until the first test is on disk, then interrupt as a user would.
    let dir = '';
    for (let i = 0; i < 300 && !dir; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const runs = fs.existsSync(out) ? fs.readdirSync(out).filter((d) => d !== 'latest') : [];
      const file = runs[0] ? path.join(out, runs[0], 'results.json') : '';
      if (file && fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as RunResults).tests.length >= 1) dir = path.join(out, runs[0]!);
    }
    expect(dir, 'no test was recorded within 30 s').not.toBe('');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).not.toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResults;
    expect(validateResults(results)).toEqual({ ok: true });
    expect(results.complete).toBe(false);
    expect(results.tests.length).toBeGreaterThanOrEqual(1);
    fs.rmSync(path.join(dir, 'index.html'), { force: true });
    const rep = await cli(['report', dir, '--no-allure']);
    expect(rep.exitCode, rep.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'index.html'), 'utf8')).toMatch(/PARTIAL/);
  });

  it('report refuses a folder without valid results (exit 2, file named)', async () => {
    const r = await cli(['report', tmp]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(path.join(tmp, 'results.json'));
  });
});

describe('fabric-hil audit and bench', () => {
  it('bench --help shows the same defaults the benchmark uses', async () => {
    const { BENCH_DEFAULTS } = await import('../emulators/bench.ts');
    const { BENCH_HELP_DEFAULTS } = await import('./cli.ts');
    for (const [k, v] of Object.entries(BENCH_HELP_DEFAULTS)) expect(BENCH_DEFAULTS[k as keyof typeof BENCH_DEFAULTS], k).toBe(v);
  });

  it('audit: every demo defect profile is caught; JSON as documented', async () => {
    const r = await cli(['audit', '--suite', 'demo', '--json', '--out', path.join(tmp, 'audit')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout) as { suite: string; defects: Array<{ id: string; caught: boolean; failedTests: string[] }>; caught: number; total: number };
    expect(a.suite).toBe('demo');
    expect(a.defects.map((d) => d.id).sort()).toEqual(['counters-frozen', 'link-down-ignored']);
    for (const d of a.defects) {
      expect(d.caught, d.id).toBe(true);
      expect(d.failedTests.length, d.id).toBeGreaterThan(0);
    }
    expect([a.caught, a.total]).toEqual([2, 2]);
  });

  it('bench: a connection matrix runs to completion and prints the documented JSON', async () => {
    const cm = path.join(tmp, 'perm16.cm');
    const lines = Array.from({ length: 16 }, (_, i) => `${i}->${(i + 5) % 16} id ${i} start 0 size 200000`);
    fs.writeFileSync(cm, `Nodes 16\nConnections 16\n${lines.join('\n')}\n`);
    const r = await cli(['bench', '--cm', cm, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, number>;
    for (const k of ['wallSeconds', 'simulatedSeconds', 'events', 'eventsPerSecond', 'peakRssMB', 'flows', 'flowsCompleted', 'tailFctUs', 'medianFctUs', 'makespanUs', 'dataPackets', 'retransmissions', 'acks', 'nacks']) {
      expect(typeof j[k], k).toBe('number');
    }
    expect(j.flows).toBe(16);
    expect(j.flowsCompleted).toBe(16);
    // 200 kB at 100 Gb/s takes at least 16 us on the wire
    expect(j.tailFctUs).toBeGreaterThan(16);
    const bad = await cli(['bench', '--cm', path.join(tmp, 'nosuch.cm')]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('nosuch.cm');
  });
});

describe('fabric-hil validate and list', () => {
  it('validate: a summary line for a good file, every problem with FILE:LINE:COL for bad ones', async () => {
    const ok = await cli(['validate', 'config/testbeds/emulator.yaml']);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/emulator\.yaml: OK emulator-default: \d+ devices \(.*\d+ switch/);
    const bad = await cli(['validate', 'config/testbeds/emulator.yaml', 'harness/fixtures/testbeds/many-problems.yaml']);
    expect(bad.exitCode).toBe(2);
    const lines = bad.stdout.split('\n').filter((l) => l.includes('many-problems.yaml:'));
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/^\S*many-problems\.yaml:\d+:\d+: /);
  });

  it('list: suites, tests and requirement IDs', async () => {
    const r = await cli(['list', '--suite', 'demo']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('suite demo (3 tests)');
    expect(r.stdout).toContain('[RFC2863-ifOperStatus, RFC8343-oper-status]');
  });
});
