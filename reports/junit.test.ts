// Merging JUnit files: every testsuite kept verbatim, totals summed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeJunit } from './junit.ts';

const VITEST_JUNIT = (file: string, failures: number): string => `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="3" failures="${failures}" errors="0" time="0.5">
    <testsuite name="${file}" timestamp="2026-11-21T02:59:00.934Z" hostname="vm" tests="3" failures="${failures}" errors="0" skipped="1" time="0.25">
        <testcase classname="${file}" name="grp &gt; ok" time="0.001"></testcase>
        <testcase classname="${file}" name="grp &gt; bad &lt;x&gt;" time="0.004"><failure message="expected 1 to be 2" type="AssertionError">boom</failure></testcase>
        <testcase classname="${file}" name="grp &gt; sk" time="0"><skipped/></testcase>
    </testsuite>
    <testsuite name="empty.test.ts" tests="0" failures="0" errors="0" skipped="0" time="0"/>
</testsuites>
`;

describe('mergeJunit', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-junit-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('concatenates the testsuites of several files under one root with summed totals', () => {
    const a = path.join(tmp, 'a.xml');
    const b = path.join(tmp, 'b.xml');
    fs.writeFileSync(a, VITEST_JUNIT('suites/gse/a.test.ts', 1));
    fs.writeFileSync(b, VITEST_JUNIT('suites/uec/b.test.ts', 0));
    const out = path.join(tmp, 'out', 'junit.xml');
    expect(mergeJunit([a, b], out)).toEqual({ suites: 4, tests: 6, failures: 1, errors: 0, skipped: 2, time: 0.5 });
    const xml = fs.readFileSync(out, 'utf8');
    expect(xml.match(/<testsuites /g)).toHaveLength(1);
    expect(xml).toContain('<testsuites name="fabric-hil" tests="6" failures="1" errors="0" skipped="2" time="0.5">');
    expect(xml.match(/<testsuite /g)).toHaveLength(4);
    expect(xml).toContain('name="grp &gt; bad &lt;x&gt;"');
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
  });

  it('accepts a file whose root is a single testsuite', () => {
    const c = path.join(tmp, 'c.xml');
    fs.writeFileSync(c, '<?xml version="1.0"?>\n<testsuite name="x" tests="2" failures="0" errors="1" time="1.5"><testcase name="t"/><testcase name="u"><error/></testcase></testsuite>\n');
    expect(mergeJunit([c], path.join(tmp, 'c-out.xml'))).toMatchObject({ suites: 1, tests: 2, errors: 1, time: 1.5 });
  });
});
