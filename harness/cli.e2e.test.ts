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
    const help = await cli(['run', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--testbed');
  });
});

describe('fabric-hil validate and list', () => {
  it('validate: a summary line for a good file, every problem with FILE:LINE:COL for bad ones', async () => {
    const ok = await cli(['validate', 'config/testbeds/emulator.yaml']);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/emulator\.yaml: OK emulator-default: 2 devices/);
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
