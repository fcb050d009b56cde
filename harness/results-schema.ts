// Checks a value against config/schema/results.schema.json (the RunResults shape) with ajv.
//
// The recorder calls this on every write, so the validator is compiled once, on first use.
// Error lines read `<json path>: <problem>`, e.g. `/tests/0/status: must be equal to one of the
// allowed values (passed, failed, broken, blocked, skipped)`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { RunResults } from './results.ts';

export const RESULTS_SCHEMA_FILE = fileURLToPath(new URL('../config/schema/results.schema.json', import.meta.url));

export type ResultsValidation = { ok: true } | { ok: false; errors: string[] };

// ajv-formats is CommonJS with a default export; under NodeNext its typings show the namespace.
const addFormats = ((ajvFormats as { default?: unknown }).default ?? ajvFormats) as (ajv: Ajv) => Ajv;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '(root)';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${at}: unexpected field '${String(p.additionalProperty)}'`;
    case 'required':
      return `${at}: required field '${String(p.missingProperty)}' is missing`;
    case 'enum':
      return `${at}: ${e.message} (${(p.allowedValues as unknown[]).join(', ')})`;
    default:
      return `${at}: ${e.message}`;
  }
}

export function validateResults(value: unknown): ResultsValidation {
  const validate = validator();
  if (validate(value)) return { ok: true };
  return { ok: false, errors: (validate.errors ?? []).map(describe) };
}

/** Throws one Error listing every schema problem; narrows `value` to RunResults otherwise. */
export function assertValidResults(value: unknown, what = 'results'): asserts value is RunResults {
  const r = validateResults(value);
  if (!r.ok) throw new Error(`${what} do not match ${RESULTS_SCHEMA_FILE}:\n  ${r.errors.join('\n  ')}`);
}
