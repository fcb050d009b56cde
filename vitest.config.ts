// Two projects: `unit` (tests beside the code) and `conformance` (suites/, run against a testbed).
//
// The conformance project gets its testbed, seed and run folder from FABRIC_HIL_* variables (set by
// `fabric-hil run`); without them it runs against the default emulator testbed with seed 1.
import { defineConfig } from 'vitest/config';
import { runContextFromEnv } from './harness/context.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{harness,drivers,protocols,emulators,reports}/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['suites/**/*.test.ts'],
          testTimeout: 60_000,
          provide: { fabricHil: runContextFromEnv() },
        },
      },
    ],
  },
});
