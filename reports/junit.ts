// Merges several JUnit XML files (one per shard or run) into one <testsuites> document.
//
// Each file's <testsuite> elements are copied verbatim; the root's totals are the sums of theirs.
// This is text surgery, not an XML parser: it relies on what JUnit writers (vitest among them)
// emit, namely escaped attribute values and no <testsuite> nested in another.
import fs from 'node:fs';
import path from 'node:path';

const SUITE = /<testsuite\b(?!s)([^>]*?)(?:\/>|>[\s\S]*?<\/testsuite>)/g;
const TOTALS = ['tests', 'failures', 'errors', 'skipped', 'time'] as const;

export interface JunitTotals {
  suites: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

function attr(attrs: string, name: string): number {
  const m = attrs.match(new RegExp(`\\s${name}="([^"]*)"`));
  const v = m ? Number(m[1]) : 0;
  return Number.isFinite(v) ? v : 0;
}

/** Writes `outFile` holding every testsuite of `files`; returns the totals it wrote. */
export function mergeJunit(files: readonly string[], outFile: string, name = 'fabric-hil'): JunitTotals {
  const suites: string[] = [];
  const sum: JunitTotals = { suites: 0, tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const file of files) {
    const xml = fs.readFileSync(file, 'utf8');
    for (const m of xml.matchAll(SUITE)) {
      suites.push(m[0]);
      sum.suites++;
      for (const k of TOTALS) sum[k] += attr(m[1]!, k);
    }
  }
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const root = `<testsuites name="${esc(name)}" tests="${sum.tests}" failures="${sum.failures}" errors="${sum.errors}" skipped="${sum.skipped}" time="${Number(sum.time.toFixed(6))}">`;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `<?xml version="1.0" encoding="UTF-8" ?>\n${root}\n${suites.map((s) => `    ${s}`).join('\n')}\n</testsuites>\n`);
  return sum;
}
