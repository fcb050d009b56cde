// The plain-text run summary: few judged devices listed one per line, many grouped by tier with every non-conformant one named.
import { describe, expect, it } from 'vitest';
import type { RunResults } from './results.ts';
import { formatSummaryTable } from './summary-table.ts';

function run(tiers: Record<string, string>): RunResults {
  return { tests: [], summary: { passed: 0, failed: 0, broken: 0, blocked: 0, skipped: 0, total: 0 }, tiers, complete: true } as unknown as RunResults;
}

describe('summary table', () => {
  it('lists a few judged devices one per line and counts the rest', () => {
    const text = formatSummaryTable(run({ dut1: 'conformant', ate1: 'not-assessed' }));
    expect(text).toContain('Devices:\n  dut1: conformant\n  (1 other device not assessed)');
  });

  it('groups many by tier, naming every non-conformant and deviating device', () => {
    const tiers: Record<string, string> = {};
    for (let i = 0; i < 40; i++) tiers[`acc${i}`] = 'conformant';
    tiers.gsp3 = 'non-conformant';
    tiers.nic7 = 'conformant-with-deviations';
    const text = formatSummaryTable(run(tiers));
    expect(text).toContain('Devices:\n  non-conformant (1): gsp3\n  conformant-with-deviations (1): nic7\n  conformant (40): acc0, acc1, acc2, acc3, acc4, acc5, ... acc39');
  });
});
