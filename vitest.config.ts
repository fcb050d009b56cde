// Two projects: `unit` (tests beside the code) and `conformance` (suites/, run against a testbed).
import { defineConfig } from 'vitest/config';

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
        },
      },
    ],
  },
});
