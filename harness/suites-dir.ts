// The suites folder and its suite names (kept light: the CLI reads it for --help).
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './context.ts';

export const SUITES_DIR = path.join(PROJECT_ROOT, 'suites');

/** Suite names = folders of suites/ that hold tests. */
export function availableSuites(): string[] {
  return fs
    .readdirSync(SUITES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.readdirSync(path.join(SUITES_DIR, e.name)).some((f) => f.endsWith('.test.ts')))
    .map((e) => e.name)
    .sort();
}
