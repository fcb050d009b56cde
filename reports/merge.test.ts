// Merging shards and loading results.json: unions, de-duplication, recomputed verdicts, clear errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateResults } from '../harness/results-schema.ts';
import { summarise, type RunResults } from '../harness/results.ts';
import { sampleResults, sampleTest } from './fixtures.ts';
import { loadResultsDir } from './load.ts';
import { mergeResults } from './merge.ts';

function shards(): [RunResults, RunResults] {
  const all = sampleResults();
  const a: RunResults = { ...all, runId: 'run-1of2', shard: { index: 1, count: 2 }, tests: all.tests.slice(0, 4), finishedAt: '2026-11-21T02:53:00.000Z' };
  const b: RunResults = {
    ...all,
    runId: 'run-2of2',
    shard: { index: 2, count: 2 },
    startedAt: '2026-11-21T02:50:00.000Z',
    devices: all.devices.map((d) => (d.id === 'gsf1' ? { ...d, deviations: [], defects: ['slow-reorder'] } : d)),
    requirements: [...all.requirements, { id: 'EXTRA-1', title: 'extra', source: 'test' }],
    tests: all.tests.slice(4),
  };
  for (const r of [a, b]) r.summary = summarise(r.tests);
  return [a, b];
}

describe('mergeResults', () => {
  it('puts shards back together: tests, unions, recomputed summary and tiers', () => {
    const [a, b] = shards();
    const m = mergeResults([a, b]);
    const whole = sampleResults();
    expect(m.tests.map((t) => t.id)).toEqual(whole.tests.map((t) => t.id));
    expect(m.summary).toEqual(whole.summary);
    expect(m.tiers).toEqual(whole.tiers);
    expect(m.requirements.map((q) => q.id)).toContain('EXTRA-1');
    expect(m.devices.find((d) => d.id === 'gsf1')).toMatchObject({ deviations: [{ id: 'egress-reorder-window-short' }], defects: ['slow-reorder'] });
    expect(m).toMatchObject({ runId: 'run-1of2+run-2of2', shard: null, complete: true, startedAt: '2026-11-21T02:50:00.000Z', finishedAt: '2026-11-21T02:53:01.250Z' });
    expect(validateResults(m)).toEqual({ ok: true });
  });

  it('keeps the later verdict of a re-run test, and is partial if any part is', () => {
    const [a] = shards();
    const rerun = sampleTest({ suite: 'gse', name: 'grants before sending', status: 'passed', requirements: ['GSE-FWD-2'], devices: ['gsp1'] });
    const b: RunResults = { ...a, runId: 'rerun', complete: false, finishedAt: null, tests: [rerun] };
    const m = mergeResults([a, b]);
    expect(m.tests).toHaveLength(a.tests.length);
    expect(m.tests.find((t) => t.id === rerun.id)!.status).toBe('passed');
    expect(m.tiers.gsp1).toBe('conformant');
    expect(m).toMatchObject({ complete: false, finishedAt: null });
  });

  it('refuses an empty list and recomputes a single one', () => {
    expect(() => mergeResults([])).toThrow(/nothing to merge/);
    const r = { ...sampleResults(), summary: { total: 0, passed: 0, failed: 0, broken: 0, blocked: 0, skipped: 0 } };
    expect(mergeResults([r]).summary.total).toBe(7);
  });
});

describe('loadResultsDir', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-load-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reads and validates a run folder', () => {
    fs.writeFileSync(path.join(tmp, 'results.json'), JSON.stringify(sampleResults()));
    expect(loadResultsDir(tmp).summary.total).toBe(7);
  });

  it('names the file and every schema error', () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ ...sampleResults(), seed: 'x', extra: 1 }));
    const message = (() => {
      try {
        loadResultsDir(dir);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message.startsWith(`${path.join(dir, 'results.json')}: does not match the results schema`)).toBe(true);
    expect(message).toContain('\n  /seed: must be integer');
    expect(message).toContain("\n  (root): unexpected field 'extra'");
  });

  it('says when there is no results.json or it is not JSON', () => {
    expect(() => loadResultsDir(path.join(tmp, 'none'))).toThrow(/none\/results\.json: cannot read \(no such file: is this a run folder\?\)/);
    fs.mkdirSync(path.join(tmp, 'broken'));
    fs.writeFileSync(path.join(tmp, 'broken', 'results.json'), '{"schemaVersion": 1,');
    expect(() => loadResultsDir(path.join(tmp, 'broken'))).toThrow(/broken\/results\.json: not valid JSON/);
  });
});
