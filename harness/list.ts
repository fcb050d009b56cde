// `fabric-hil list`: collects the conformance tests (without running them) with their requirement IDs.
import path from 'node:path';
import { conformanceVitest, RunConfigError, availableSuites } from './run.ts';
import { suiteOf } from './recorder.ts';
import { PROJECT_ROOT } from './context.ts';

export interface ListedTest {
  suite: string;
  file: string;
  fullName: string;
  requirements: string[];
}

export async function listTests(suites?: string[]): Promise<ListedTest[]> {
  const known = availableSuites();
  const unknown = (suites ?? []).filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new RunConfigError(`unknown suite(s) ${unknown.join(', ')} (suites: ${known.join(', ')})`);
  const filters = (suites ?? []).map((s) => path.join('suites', s) + path.sep);
  const vitest = await conformanceVitest({ filters, reporters: [] });
  try {
    const { testModules } = await vitest.collect(filters);
    const out: ListedTest[] = [];
    for (const m of testModules) {
      const errors = m.errors();
      if (errors.length > 0) {
        throw new RunConfigError(`${path.relative(PROJECT_ROOT, m.moduleId)}: ${errors.map((e) => e.message).join('; ')}`);
      }
      for (const t of m.children.allTests()) {
        out.push({
          suite: suiteOf(m.moduleId),
          file: path.relative(PROJECT_ROOT, m.moduleId),
          fullName: t.fullName,
          requirements: (t.meta() as { requirements?: string[] }).requirements ?? [],
        });
      }
    }
    return out.sort((a, b) => a.suite.localeCompare(b.suite) || a.file.localeCompare(b.file));
  } finally {
    await vitest.close();
  }
}

export function formatList(tests: readonly ListedTest[]): string {
  let text = '';
  let suite = '';
  for (const t of tests) {
    if (t.suite !== suite) {
      suite = t.suite;
      const n = tests.filter((x) => x.suite === suite).length;
      text += `${text ? '\n' : ''}suite ${suite} (${n} test${n === 1 ? '' : 's'})\n`;
    }
    text += `  ${t.fullName}  [${t.requirements.join(', ') || 'NO REQUIREMENT'}]\n`;
  }
  const reqs = new Set(tests.flatMap((t) => t.requirements));
  return `${text}\n${tests.length} tests, ${reqs.size} requirements\n`;
}
