// What a conformance suite imports: `test` with the `lab` fixture, `req()` for requirement IDs, `expect`.
//
// Suites get devices only through `lab` (never by importing a driver or the emulator), so the same
// file runs on gear and on the twin. The testbed is bound once per test file (worker scope) and
// torn down after it, and the binding resets the devices that offer a lifecycle reset, so each
// file starts from the same state (a fresh twin, in-process or lab-in-a-box); each test gets its
// own `lab` view that records what the test used.
import { test as base, inject } from 'vitest';
import { loadTestbed } from './testbed.ts';
import { bindTestbed } from './bind.ts';
import { Lab } from './lab.ts';
import { REQUIREMENTS, isRequirement } from '../suites/requirements.ts';
import './context.ts';

export { expect, describe } from 'vitest';
export { Lab, TimeoutError } from './lab.ts';
export type { DeviceSelector } from './lab.ts';

/** Test options naming the requirement IDs a test checks; an unknown ID is an error here. */
export function req(...ids: string[]): { meta: { requirements: string[] } } {
  if (ids.length === 0) throw new Error('req(): name at least one requirement ID');
  const unknown = ids.filter((id) => !isRequirement(id));
  if (unknown.length > 0) {
    throw new Error(
      `unknown requirement ID${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: ` +
        'add it to suites/requirements.ts (seed-facts IDs or public spec clauses)',
    );
  }
  return { meta: { requirements: ids } };
}

export { REQUIREMENTS };

export const test = base
  .extend('bound', { scope: 'file' }, async ({}, { onCleanup }) => {
    const ctx = inject('fabricHil');
    const bound = await bindTestbed(loadTestbed(ctx.testbedFile), { seed: ctx.seed, driverTimeoutMs: ctx.driverTimeoutMs, reset: true });
    onCleanup(() => bound.close());
    return bound;
  })
  .extend('lab', async ({ bound, task, skip }) => {
    const requirements = task.meta.requirements;
    if (!requirements || requirements.length === 0) {
      throw new Error(`test "${task.name}" names no requirement: pass req('ID', ...) as its options`);
    }
    return new Lab(bound, task, skip, inject('fabricHil').runDir);
  });
