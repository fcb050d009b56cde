// Reads a run folder's results.json and checks it against the results schema.
import fs from 'node:fs';
import path from 'node:path';
import { validateResults } from '../harness/results-schema.ts';
import type { RunResults } from '../harness/results.ts';

/** A run folder that cannot be read as results: names the file and what is wrong. */
export class ResultsLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsLoadError';
  }
}

/** `dir` is a run folder holding results.json (a path to the JSON file itself is accepted too). */
export function loadResultsDir(dir: string): RunResults {
  const file = dir.endsWith('.json') ? dir : path.join(dir, 'results.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ResultsLoadError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file: is this a run folder?' : code ?? String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ResultsLoadError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const v = validateResults(value);
  if (!v.ok) throw new ResultsLoadError(`${file}: does not match the results schema (config/schema/results.schema.json):\n  ${v.errors.join('\n  ')}`);
  return value as RunResults;
}
