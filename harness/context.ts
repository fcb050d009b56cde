// What the CLI hands to test workers: the run's testbed, seed and output folder (vitest provide/inject).
//
// The CLI sets FABRIC_HIL_* environment variables before it starts vitest; vitest.config.ts turns
// them into the provided `fabricHil` value, so `npm test` (no CLI) gets the same defaults.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface RunContext {
  /** Absolute path of the testbed YAML. */
  testbedFile: string;
  seed: number;
  /** Run output folder (attachments go under it), or null when no run folder is kept. */
  runDir: string | null;
  /** Bound on any single driver call before the test is reported broken. */
  driverTimeoutMs: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fabricHil: RunContext;
  }
}

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_TESTBED_FILE = path.join(PROJECT_ROOT, 'config', 'testbeds', 'emulator.yaml');
export const DEFAULT_SEED = 1;
export const DEFAULT_DRIVER_TIMEOUT_MS = 30_000;

export const ENV = {
  testbed: 'FABRIC_HIL_TESTBED',
  seed: 'FABRIC_HIL_SEED',
  runDir: 'FABRIC_HIL_RUN_DIR',
  driverTimeoutMs: 'FABRIC_HIL_DRIVER_TIMEOUT_MS',
} as const;

export function runContextFromEnv(env: NodeJS.ProcessEnv = process.env): RunContext {
  const seed = Number(env[ENV.seed] ?? DEFAULT_SEED);
  const timeout = Number(env[ENV.driverTimeoutMs] ?? DEFAULT_DRIVER_TIMEOUT_MS);
  return {
    testbedFile: path.resolve(env[ENV.testbed] ?? DEFAULT_TESTBED_FILE),
    seed: Number.isSafeInteger(seed) ? seed : DEFAULT_SEED,
    runDir: env[ENV.runDir] ? path.resolve(env[ENV.runDir]!) : null,
    driverTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_DRIVER_TIMEOUT_MS,
  };
}
