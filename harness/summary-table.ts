// The plain-text summary printed at the end of a run: per suite, per device tier, totals.
import type { RunResults, TestStatus } from './results.ts';
import { RESULT_STATUSES } from './results.ts';

export function formatSummaryTable(r: RunResults): string {
  const suites = [...new Set(r.tests.map((t) => t.suite))].sort();
  const head = ['suite', ...RESULT_STATUSES, 'total'];
  const rows: string[][] = suites.map((s) => {
    const ts = r.tests.filter((t) => t.suite === s);
    return [s, ...RESULT_STATUSES.map((st: TestStatus) => String(ts.filter((t) => t.status === st).length)), String(ts.length)];
  });
  rows.push(['all', ...RESULT_STATUSES.map((st) => String(r.summary[st])), String(r.summary.total)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const lines = [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
  // Devices no test judged (test equipment, fabric members the selected suites did not use) are counted, not listed.
  const assessed = Object.entries(r.tiers).filter(([, t]) => t !== 'not-assessed');
  const others = Object.keys(r.tiers).length - assessed.length;
  const tiers = assessed.map(([d, t]) => `  ${d}: ${t}`);
  if (others > 0) tiers.push(`  (${others} other device${others === 1 ? '' : 's'} not assessed)`);
  return `${lines.join('\n')}\n\nDevices:\n${tiers.join('\n')}${r.complete ? '' : '\n\n(partial run: interrupted before the end)'}`;
}
