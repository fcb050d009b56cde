// The recorder and the lab keep secrets out of results and attachments, and write valid results at every step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestCase } from 'vitest/node';
import { ResultsRecorder } from './recorder.ts';
import { Lab } from './lab.ts';
import { validateResults } from './results-schema.ts';
import { PROJECT_ROOT } from './context.ts';
import type { BoundTestbed } from './bind.ts';
import type { RunResults } from './results.ts';

const SECRET = 's3cret-Pa55';

function fakeCase(name: string, state: 'passed' | 'failed', meta: Record<string, unknown>, error?: { name: string; message: string; stack: string }): TestCase {
  return {
    module: { moduleId: path.join(PROJECT_ROOT, 'suites', 'demo', 'x.test.ts') },
    name,
    fullName: `group > ${name}`,
    meta: () => meta,
    result: () => ({ state, errors: error ? [error] : [] }),
    diagnostic: () => ({ duration: 1.5 }),
  } as unknown as TestCase;
}

describe('ResultsRecorder', () => {
  it('writes valid results after each test, with secrets redacted from messages, stacks and metrics', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-rec-'));
    const rec = new ResultsRecorder({
      runDir: dir,
      runId: 'r1',
      toolVersion: '0.0.0',
      testbed: { file: 'tb.yaml', name: 'tb' },
      seed: 1,
      shard: null,
      devices: [{ id: 'dut1', kind: 'switch', driver: 'netconf', deviations: [], defects: [] }],
      secrets: [SECRET],
    });
    const read = (): RunResults => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResults;
    expect(read().tests).toHaveLength(0);
    expect(read().complete).toBe(false);

    rec.onTestCaseResult(fakeCase('ok', 'passed', { requirements: ['RFC8343-speed'], devices: ['dut1'], metrics: [{ name: `m ${SECRET}`, unit: 'us', value: 1 }] }));
    expect(validateResults(read())).toEqual({ ok: true });
    expect(read().tests).toHaveLength(1);

    rec.onTestCaseResult(
      fakeCase('login', 'failed', { requirements: ['RFC8343-oper-status'], devices: ['dut1'] }, {
        name: 'DeviceError',
        message: `device "dut1": authentication failed for admin:${SECRET}`,
        stack: `DeviceError: ... ${SECRET}\n    at x`,
      }),
    );
    rec.finish(true);
    const text = fs.readFileSync(path.join(dir, 'results.json'), 'utf8');
    expect(text).not.toContain(SECRET);
    const r = read();
    expect(validateResults(r)).toEqual({ ok: true });
    expect(r.complete).toBe(true);
    expect(r.summary).toMatchObject({ total: 2, passed: 1, broken: 1 });
    expect(r.tests[1]!.message).toBe('DeviceError: device "dut1": authentication failed for admin:***');
    expect(r.requirements.map((q) => q.id)).toEqual(['RFC8343-speed', 'RFC8343-oper-status']);
    expect(r.tiers.dut1).toBe('conformant');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('Lab.attach', () => {
  it('redacts secrets from text and binary attachments', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-att-'));
    const bound = { secrets: [SECRET], testbed: { name: 'tb', devices: [], links: [] }, devices: new Map() } as unknown as BoundTestbed;
    const task = { meta: {}, id: 't1', name: 'x', file: { filepath: '/p/suites/demo/x.test.ts' } };
    const lab = new Lab(bound, task as never, (() => { throw new Error('skip'); }) as never, dir);
    lab.attach('log.txt', `password=${SECRET}\n`, 'text/plain');
    lab.attach('dump.bin', new TextEncoder().encode(`xx${SECRET}yy`), 'application/octet-stream');
    const meta = task.meta as { attachments: Array<{ path: string }> };
    expect(meta.attachments).toHaveLength(2);
    const [txt, bin] = meta.attachments.map((a) => fs.readFileSync(path.join(dir, a.path), 'utf8'));
    expect(txt).toBe('password=***\n');
    expect(bin).toBe(`xx${'*'.repeat(SECRET.length)}yy`);
    fs.rmSync(dir, { recursive: true });
  });
});
