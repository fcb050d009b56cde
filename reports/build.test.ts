// buildReports over run folders: summary, single-file Allure, merged JUnit and results.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { summarise, type RunResults } from '../harness/results.ts';
import { findOutsideReferences } from './allure.ts';
import { buildReports } from './build.ts';
import { sampleResults, writeAllureResults } from './fixtures.ts';
import { loadResultsDir } from './load.ts';

const junit = (name: string, tests: number): string =>
  `<?xml version="1.0" encoding="UTF-8" ?>\n<testsuites name="vitest tests" tests="${tests}" failures="0" errors="0" time="1">\n<testsuite name="${name}" tests="${tests}" failures="0" errors="0" skipped="0" time="1"></testsuite>\n</testsuites>\n`;

function runFolder(dir: string, r: RunResults, parts: { allure?: boolean; junit?: boolean } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r));
  if (parts.allure ?? true) writeAllureResults(path.join(dir, 'allure-results'), r);
  if (parts.junit ?? true) fs.writeFileSync(path.join(dir, 'junit.xml'), junit(r.runId, r.tests.length));
  return dir;
}

describe('buildReports', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-build-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('merges two shards into a folder of its own', async () => {
    const all = sampleResults();
    const part = (i: number, tests: RunResults['tests']): RunResults => ({ ...all, runId: `r-${i}of2`, shard: { index: i, count: 2 }, tests, summary: summarise(tests) });
    const a = runFolder(path.join(tmp, 'shard1'), part(1, all.tests.slice(0, 3)));
    const b = runFolder(path.join(tmp, 'shard2'), part(2, all.tests.slice(3)));
    const out = path.join(tmp, 'merged');
    const built = await buildReports([a, b], out);
    expect(built).toEqual({ indexHtml: path.join(out, 'index.html'), allureHtml: path.join(out, 'allure-report.html'), junitXml: path.join(out, 'junit.xml') });
    expect(fs.readdirSync(out).sort()).toEqual(['allure-report.html', 'index.html', 'junit.xml', 'results.json']);
    expect(loadResultsDir(out).summary).toEqual(all.summary);
    const index = fs.readFileSync(built.indexHtml, 'utf8');
    expect(index).toContain(`data-testid="count-failed">${all.summary.failed}<`);
    expect(index).toContain('r-1of2+r-2of2');
    expect(fs.readFileSync(built.junitXml!, 'utf8').match(/<testsuite /g)).toHaveLength(2);
    expect(findOutsideReferences(fs.readFileSync(built.allureHtml!, 'utf8'))).toEqual([]);
  });

  it('writes beside a single run without touching its files, and says why Allure is missing', async () => {
    const r = sampleResults();
    const dir = runFolder(path.join(tmp, 'single'), r, { allure: false });
    const before = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const built = await buildReports(dir, dir);
      expect(built.allureHtml).toBeUndefined();
      expect(built.allureError).toMatch(/no allure-results folder/);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^fabric-hil: no Allure report: no allure-results folder/));
    } finally {
      stderr.mockRestore();
    }
    expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toBe(before);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'))).toEqual(r);
    expect(fs.readdirSync(dir).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
  });

  it('skips Allure when asked and fails clearly on a folder without results', async () => {
    const dir = runFolder(path.join(tmp, 'noallure'), sampleResults(), { junit: false });
    const built = await buildReports(dir, path.join(tmp, 'noallure-out'), { allure: false });
    expect(built).toEqual({ indexHtml: path.join(tmp, 'noallure-out', 'index.html') });
    await expect(buildReports(path.join(tmp, 'empty'), path.join(tmp, 'x'))).rejects.toThrow(/empty\/results\.json: cannot read/);
  });
});
