// Test files in parallel only on the in-process emulator: a testbed with lab devices (gear or a lab-in-a-box binding) runs them one at a time.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './context.ts';
import { conformanceVitest, usesLabDevices } from './run.ts';
import { loadTestbed } from './testbed.ts';

const testbed = (...p: string[]) => loadTestbed(path.join(PROJECT_ROOT, ...p));

describe('file parallelism', () => {
  it('is kept for an all-emulator testbed and dropped for one with lab devices', () => {
    expect(usesLabDevices(testbed('config', 'testbeds', 'emulator.yaml'))).toBe(false);
    expect(usesLabDevices(testbed('harness', 'fixtures', 'testbeds', 'demo.yaml'))).toBe(false);
    expect(usesLabDevices(testbed('config', 'testbeds', 'lab-example.yaml'))).toBe(true);
  });

  it('sequential files give the conformance project a single worker', async () => {
    for (const sequentialFiles of [true, false]) {
      const v = await conformanceVitest({ filters: [], reporters: [], sequentialFiles });
      try {
        const project = v.projects.find((p) => p.name === 'conformance')!;
        if (sequentialFiles) expect(project.config.maxWorkers).toBe(1);
        else expect(project.config.maxWorkers).not.toBe(1);
      } finally {
        await v.close();
      }
    }
  });
});
