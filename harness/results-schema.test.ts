// The results schema accepts what the harness writes and rejects wrong, missing and extra fields.
import { describe, expect, it } from 'vitest';
import { sampleResults } from '../reports/fixtures.ts';
import { assertValidResults, validateResults } from './results-schema.ts';

function errorsOf(value: unknown): string[] {
  const r = validateResults(value);
  return r.ok ? [] : r.errors;
}

describe('results schema', () => {
  it('accepts a full sample, a running one and a shard', () => {
    const r = sampleResults();
    expect(validateResults(r)).toEqual({ ok: true });
    expect(validateResults({ ...r, complete: false, finishedAt: null, tests: [], shard: { index: 1, count: 2 } })).toEqual({ ok: true });
    expect(() => assertValidResults(r)).not.toThrow();
  });

  it('rejects a wrong status and names where it is', () => {
    const r = sampleResults() as unknown as { tests: Array<{ status: string }> };
    r.tests[1]!.status = 'error';
    expect(errorsOf(r)).toEqual([expect.stringMatching(/^\/tests\/1\/status: .*passed, failed, broken, blocked, skipped/)]);
  });

  it('rejects a missing field', () => {
    const r = sampleResults() as unknown as Record<string, unknown>;
    delete r.seed;
    expect(errorsOf(r)).toEqual(["(root): required field 'seed' is missing"]);
  });

  it('rejects extra fields, at any depth', () => {
    const r = sampleResults() as unknown as Record<string, unknown> & { devices: Array<Record<string, unknown>> };
    r.verdict = 'ok';
    r.devices[0]!.password = 'x';
    expect(errorsOf(r).sort()).toEqual(["(root): unexpected field 'verdict'", "/devices/0: unexpected field 'password'"]);
  });

  it('rejects bad shapes: dates, points, tiers, schema version', () => {
    const r = sampleResults();
    const bad = {
      ...r,
      schemaVersion: 2,
      startedAt: 'yesterday',
      tiers: { gsp1: 'fine' },
      tests: [{ ...r.tests[0]!, metrics: [{ name: 'm', unit: 'u', series: [{ label: 'a', points: [[1, 2, 3]] }] }] }],
    };
    const errors = errorsOf(bad);
    expect(errors).toHaveLength(4);
    expect(errors.join('\n')).toMatch(/\/schemaVersion/);
    expect(errors.join('\n')).toMatch(/\/startedAt: must match format "date-time"/);
    expect(errors.join('\n')).toMatch(/\/tiers\/gsp1/);
    expect(errors.join('\n')).toMatch(/\/tests\/0\/metrics\/0\/series\/0\/points\/0/);
  });

  it('assertValidResults lists every error in one message', () => {
    expect(() => assertValidResults({ schemaVersion: 1 }, 'x/results.json')).toThrow(/x\/results\.json do not match .*results\.schema\.json:\n {2}\(root\): required field 'runId' is missing\n/);
  });
});
