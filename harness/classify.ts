// Turns vitest's verdict on a test into the harness's five statuses.
//
// passed -> passed; skipped with a blocked reason -> blocked, else skipped; failed -> failed when
// the device was wrong (an assertion, or a bounded wait that never held), blocked when a driver
// turned out not to implement a capability, broken for everything else (driver error, device
// not answering, test timeout, harness bug).
import type { TestStatus } from './results.ts';

export interface ErrorLike {
  name?: string;
  message?: string;
  stack?: string;
}

const DEVICE_WRONG = new Set(['AssertionError', 'TimeoutError']);

export function classify(
  state: 'passed' | 'failed' | 'skipped' | 'pending',
  errors: readonly ErrorLike[] | undefined,
  blockedReason: string | undefined,
): { status: TestStatus; message?: string; stack?: string } {
  if (state === 'passed') return { status: 'passed' };
  if (state === 'skipped' || state === 'pending') {
    return blockedReason ? { status: 'blocked', message: blockedReason } : { status: 'skipped' };
  }
  const first = errors?.[0];
  const message = first ? `${first.name && first.name !== 'Error' ? `${first.name}: ` : ''}${first.message ?? ''}`.trim() : 'failed without an error';
  const stack = first?.stack;
  if (first?.name === 'NotImplementedError') return { status: 'blocked', message: first.message };
  if (first && DEVICE_WRONG.has(first.name ?? '')) return { status: 'failed', message, stack };
  return { status: 'broken', message, stack };
}
