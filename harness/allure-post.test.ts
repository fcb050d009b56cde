// Allure results take the harness's verdicts (blocked, broken) and requirement labels.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { postProcessAllure } from './allure-post.ts';
import type { RunResults, TestRecord } from './results.ts';

function record(name: string, status: TestRecord['status'], message?: string): TestRecord {
  return {
    id: `suites/demo/x.test.ts::g > ${name}`, suite: 'demo', file: 'suites/demo/x.test.ts', name, fullName: `g > ${name}`, status,
    requirements: ['RFC8343-speed'], devices: ['dut1'], deviationsUsed: [], durationMs: 1, metrics: [], attachments: [],
    ...(message ? { message } : {}),
  };
}

describe('postProcessAllure', () => {
  it('rewrites statuses and adds requirement, suite and device labels by matching full names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-allure-'));
    const write = (uuid: string, name: string, status: string): void =>
      fs.writeFileSync(path.join(dir, `${uuid}-result.json`), JSON.stringify({ uuid, name, status, fullName: `fabric-hil:suites/demo/x.test.ts#g ${name}`, labels: [{ name: 'framework', value: 'vitest' }] }));
    write('a', 'blocked one', 'skipped');
    write('b', 'broken one', 'failed');
    write('c', 'unknown one', 'passed');
    const results = { tests: [record('blocked one', 'blocked', 'lacks cmis'), record('broken one', 'broken', 'DeviceError: no answer')] } as RunResults;
    expect(postProcessAllure(dir, results)).toBe(2);
    const read = (u: string) => JSON.parse(fs.readFileSync(path.join(dir, `${u}-result.json`), 'utf8'));
    expect(read('a')).toMatchObject({ status: 'skipped', statusDetails: { message: 'blocked: lacks cmis' } });
    expect(read('b')).toMatchObject({ status: 'broken', statusDetails: { message: 'DeviceError: no answer' } });
    expect(read('b').labels).toEqual(expect.arrayContaining([{ name: 'requirement', value: 'RFC8343-speed' }, { name: 'epic', value: 'demo' }, { name: 'tag', value: 'device:dut1' }]));
    expect(read('c').status).toBe('passed');
    fs.rmSync(dir, { recursive: true });
  });
});
