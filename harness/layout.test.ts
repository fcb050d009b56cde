// Keeps the import directions of DESIGN.md: protocols <- emulators <- drivers <- harness; suites
// use harness fixtures and protocol codecs only; reports read the harness's result types.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './context.ts';

const FOLDERS = ['protocols', 'emulators', 'drivers', 'harness', 'reports', 'suites'] as const;

/** What files of each folder may import (folder prefixes or exact files). */
const ALLOWED: Record<(typeof FOLDERS)[number], string[]> = {
  protocols: ['protocols/'],
  emulators: ['protocols/', 'emulators/'],
  drivers: ['protocols/', 'emulators/', 'drivers/'],
  harness: ['protocols/', 'emulators/', 'drivers/', 'harness/', 'reports/', 'suites/requirements.ts'],
  reports: ['reports/', 'harness/results.ts', 'harness/results-schema.ts', 'harness/context.ts'],
  suites: ['suites/', 'harness/suite.ts', 'harness/results.ts', 'protocols/'],
};

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'out' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

export function importViolations(): string[] {
  const bad: string[] = [];
  for (const folder of FOLDERS) {
    for (const file of tsFiles(path.join(PROJECT_ROOT, folder))) {
      if (file.endsWith('.test.ts') && folder !== 'suites') continue; // tests may reach across to set up
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2]!;
        const target = path.relative(PROJECT_ROOT, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
        if (!ALLOWED[folder].some((a) => target === a || (a.endsWith('/') && target.startsWith(a)))) {
          bad.push(`${path.relative(PROJECT_ROOT, file)} imports ${target}`);
        }
      }
    }
  }
  return bad;
}

describe('layout', () => {
  it('keeps the import directions of DESIGN.md', () => {
    expect(importViolations()).toEqual([]);
  });
});
