// Aligns allure-results with the harness's verdicts: statuses (blocked, broken), requirement labels.
//
// allure-vitest knows only vitest's passed/failed/skipped; the harness classifies further. Each
// result file is matched to its test by full name and rewritten in place; secrets were already
// kept out of messages by the recorder, and the same redacted message replaces Allure's.
import fs from 'node:fs';
import path from 'node:path';
import type { RunResults, TestStatus } from './results.ts';

const ALLURE_STATUS: Record<TestStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  broken: 'broken',
  blocked: 'skipped',
  skipped: 'skipped',
};

interface AllureResult {
  name?: string;
  fullName?: string;
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  labels?: Array<{ name: string; value: string }>;
  links?: Array<{ name?: string; url: string; type?: string }>;
}

export function postProcessAllure(dir: string, results: RunResults): number {
  if (!fs.existsSync(dir)) return 0;
  // allure-vitest names a result `<package>:<file>#<suite and test names joined by spaces>`.
  const byKey = new Map<string, RunResults['tests'][number]>();
  for (const t of results.tests) byKey.set(`${t.file}#${t.fullName.replace(/ > /g, ' ')}`, t);
  let changed = 0;
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('-result.json')) continue;
    const file = path.join(dir, f);
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as AllureResult;
    const t = byKey.get((r.fullName ?? '').replace(/^[^:]*:/, ''));
    if (!t) continue;
    r.status = ALLURE_STATUS[t.status];
    r.statusDetails = t.message !== undefined || t.stack !== undefined
      ? { message: t.status === 'blocked' ? `blocked: ${t.message ?? ''}` : t.message, trace: t.stack }
      : {};
    const labels = (r.labels ?? []).filter((l) => !['requirement', 'epic', 'tag'].includes(l.name));
    labels.push({ name: 'epic', value: t.suite });
    for (const req of t.requirements) labels.push({ name: 'requirement', value: req }, { name: 'tag', value: req });
    if (t.status === 'blocked') labels.push({ name: 'tag', value: 'blocked' });
    for (const d of t.devices) labels.push({ name: 'tag', value: `device:${d}` });
    r.labels = labels;
    fs.writeFileSync(file, JSON.stringify(r));
    changed++;
  }
  return changed;
}
