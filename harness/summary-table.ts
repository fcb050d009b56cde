// The plain-text summary printed at the end of a run: per suite, per device tier, totals.
import type { RunResults, TestStatus } from './results.ts';
import { RESULT_STATUSES } from './results.ts';

/** Up to this many judged devices are listed one per line; more are grouped by tier. */
const LIST_EACH_UP_TO = 12;

/** One line per tier: the count, and the devices by name (all of them unless conformant and many). */
function tierGroups(assessed: ReadonlyArray<[string, string]>): string[] {
  const byTier = new Map<string, string[]>();
  for (const [d, t] of assessed) byTier.set(t, [...(byTier.get(t) ?? []), d]);
  return ['non-conformant', 'conformant-with-deviations', 'conformant']
    .filter((t) => byTier.has(t))
    .map((t) => {
      const ids = byTier.get(t)!;
      const names = t === 'conformant' && ids.length > LIST_EACH_UP_TO ? `${ids.slice(0, 6).join(', ')}, ... ${ids.at(-1)}` : ids.join(', ');
      return `  ${t} (${ids.length}): ${names}`;
    });
}

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
  const tiers = assessed.length <= LIST_EACH_UP_TO ? assessed.map(([d, t]) => `  ${d}: ${t}`) : tierGroups(assessed);
  if (others > 0) tiers.push(`  (${others} other device${others === 1 ? '' : 's'} not assessed)`);
  return `${lines.join('\n')}\n\nDevices:\n${tiers.join('\n')}${r.complete ? '' : '\n\n(partial run: interrupted before the end)'}`;
}
