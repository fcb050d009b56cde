// Live progress: a suite is reported done only once every one of its files has ended, even when files run one at a time.
import { describe, expect, it } from 'vitest';
import type { TestModule, TestSpecification } from 'vitest/node';
import { ProgressReporter } from './progress.ts';

function sink() {
  const lines: string[] = [];
  const out = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  return { out, lines };
}

const mod = (file: string, tests = 2) => ({ moduleId: file, children: { allTests: () => Array.from({ length: tests }) } }) as unknown as TestModule;

describe('progress reporter', () => {
  it('waits for every planned file of a suite before printing it done', () => {
    const { out, lines } = sink();
    let now = 0;
    const p = new ProgressReporter(out, (f) => f.split('/')[1]!, () => now);
    const files = ['suites/gse/a.test.ts', 'suites/gse/b.test.ts', 'suites/uec/c.test.ts'];
    p.onTestRunStart(files.map((moduleId) => ({ moduleId }) as unknown as TestSpecification));
    // One file at a time: queued, collected and ended before the next is queued.
    for (const f of files) {
      p.onTestModuleQueued(mod(f));
      p.onTestModuleCollected(mod(f));
      now += 1000;
      p.onTestModuleEnd(mod(f));
      if (f.endsWith('a.test.ts')) expect(lines).toEqual([]);
    }
    p.stop();
    expect(lines).toEqual([
      expect.stringMatching(/^suite gse\s+0\/4\s+no failures\s+2\.0 s\s+done\n$/),
      expect.stringMatching(/^suite uec\s+0\/2\s+no failures\s+3\.0 s\s+done\n$/),
    ]);
  });
});
