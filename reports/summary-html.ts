// The project's summary page: one self-contained HTML file (verdicts, tiers, coverage, failures, charts).
//
// Guarantees: the page loads nothing and links nowhere: no script, no external style, font or
// image, no href or src at all; a CSP meta tag forbids anything else. Every text that comes from
// results is HTML-escaped; deviation links are shown as text, never as links. Elements a browser
// test reads carry `data-testid` (count-<status>, tier-<device>, coverage, chart, suites).
import { RESULT_STATUSES, type Metric, type RunResults, type TestRecord, type TestStatus, type Tier } from '../harness/results.ts';
import { CHART_CSS, escapeHtml as esc, svgChart } from './svg-chart.ts';

export interface SummaryOptions {
  /** Page title; defaults to `fabric-hil run <runId>`. */
  title?: string;
}

export const SUMMARY_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Worst first: a requirement cell shows the worst status among the tests citing it. */
const SEVERITY: Record<TestStatus, number> = { failed: 4, broken: 3, blocked: 2, passed: 1, skipped: 0 };

const TIER_LABEL: Record<Tier, string> = {
  conformant: 'conformant',
  'conformant-with-deviations': 'conformant with deviations',
  'non-conformant': 'non-conformant',
  'not-assessed': 'not assessed',
};

export function worstStatus(statuses: Iterable<TestStatus>): TestStatus | undefined {
  let worst: TestStatus | undefined;
  for (const s of statuses) if (worst === undefined || SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

const badge = (s: TestStatus): string => `<span class="badge st-${s}">${s}</span>`;
/** Integers as they are; other values to six significant digits (no 0.30000000000000004). */
const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
const list = (xs: readonly string[]): string => (xs.length ? xs.map(esc).join(', ') : '—');

function counts(tests: readonly TestRecord[]): Record<TestStatus, number> {
  const c = { passed: 0, failed: 0, broken: 0, blocked: 0, skipped: 0 };
  for (const t of tests) c[t.status]++;
  return c;
}

function header(r: RunResults, title: string): string {
  const shard = r.shard ? `${r.shard.index} of ${r.shard.count}` : 'none (whole run)';
  const state = r.complete
    ? '<p class="banner complete" data-testid="run-state">Complete run</p>'
    : '<p class="banner partial" data-testid="run-state">PARTIAL (run interrupted)</p>';
  const facts: Array<[string, string]> = [
    ['Run', r.runId],
    ['Testbed', `${r.testbed.name} (${r.testbed.file})`],
    ['Seed', String(r.seed)],
    ['Started', r.startedAt],
    ['Finished', r.finishedAt ?? 'not finished'],
    ['Shard', shard],
    ['Tool', `${r.tool.name} ${r.tool.version}`],
  ];
  return `<header><h1>${esc(title)}</h1>${state}<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd data-testid="fact-${k.toLowerCase()}">${esc(v)}</dd></div>`).join('')}</dl></header>`;
}

function totals(r: RunResults): string {
  const cards = [`<div class="card"><span class="n" data-testid="count-total">${r.summary.total}</span>total</div>`];
  for (const s of RESULT_STATUSES) cards.push(`<div class="card st-${s}"><span class="n" data-testid="count-${s}">${r.summary[s]}</span>${s}</div>`);
  return `<section id="totals"><h2>Totals</h2><div class="cards">${cards.join('')}</div></section>`;
}

/** Up to this many devices are shown in one open table; more are split (see devicesSection). */
const DEVICES_OPEN = 20;

/**
 * One row per device. With many devices (a generated fabric), those that need attention
 * (non-conformant, or conformant only with deviations) stay in view and the others are folded
 * into a <details>; a line of counts per tier comes first either way.
 */
function devicesSection(r: RunResults): string {
  const tierOf = (id: string) => r.tiers[id] ?? 'not-assessed';
  const row = (d: RunResults['devices'][number]): string => {
    const tier = tierOf(d.id);
    const devs = d.deviations.length
      ? `<ul class="deviations">${d.deviations.map((x) => `<li><b>${esc(x.id)}</b>: ${esc(x.reason)} <code class="link">${esc(x.link)}</code></li>`).join('')}</ul>`
      : '—';
    return `<tr><th scope="row">${esc(d.id)}</th><td>${esc(d.kind)}</td><td>${esc(d.driver)}</td><td><span class="tier tier-${tier}" data-testid="tier-${esc(d.id)}">${TIER_LABEL[tier]}</span></td><td>${devs}</td><td>${list(d.defects)}</td></tr>`;
  };
  const table = (ds: RunResults['devices']): string =>
    `<table><thead><tr><th>Device</th><th>Kind</th><th>Driver</th><th>Tier</th><th>Declared deviations</th><th>Defect profiles</th></tr></thead><tbody>${ds.map(row).join('')}</tbody></table>`;
  const counts = (Object.keys(TIER_LABEL) as Array<keyof typeof TIER_LABEL>)
    .map((t) => [t, r.devices.filter((d) => tierOf(d.id) === t).length] as const)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `<span class="tier tier-${t}">${n} ${TIER_LABEL[t]}</span>`)
    .join(' ');
  const head = `<section id="devices"><h2>Devices and conformance</h2><p class="tier-counts" data-testid="tier-counts">${counts}</p>`;
  if (r.devices.length <= DEVICES_OPEN) return `${head}${table(r.devices)}</section>`;
  const attention = r.devices.filter((d) => tierOf(d.id) === 'non-conformant' || tierOf(d.id) === 'conformant-with-deviations');
  const rest = r.devices.filter((d) => !attention.includes(d));
  return `${head}${attention.length > 0 ? table(attention) : ''}<details><summary>${attention.length > 0 ? 'The other' : 'All'} ${rest.length} devices</summary>${table(rest)}</details></section>`;
}

function suitesSection(r: RunResults): string {
  const suites = [...new Set(r.tests.map((t) => t.suite))].sort();
  const rows = suites.map((s) => {
    const c = counts(r.tests.filter((t) => t.suite === s));
    return `<tr data-suite="${esc(s)}"><th scope="row">${esc(s)}</th>${RESULT_STATUSES.map((k) => `<td class="num${c[k] && k !== 'passed' && k !== 'skipped' ? ` st-${k}` : ''}">${c[k]}</td>`).join('')}</tr>`;
  });
  return `<section id="suites"><h2>Suites</h2><table data-testid="suites"><thead><tr><th>Suite</th>${RESULT_STATUSES.map((k) => `<th class="num">${k}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function coverageSection(r: RunResults): string {
  const devices = [...new Set([...r.devices.map((d) => d.id), ...r.tests.flatMap((t) => t.devices)])];
  const titles = new Map(r.requirements.map((q) => [q.id, q.title]));
  for (const t of r.tests) for (const q of t.requirements) if (!titles.has(q)) titles.set(q, '(not in the registry)');
  const rows = [...titles].map(([id, title]) => {
    const cells = devices.map((d) => {
      const s = worstStatus(r.tests.filter((t) => t.devices.includes(d) && t.requirements.includes(id)).map((t) => t.status));
      return s ? `<td class="cell st-${s}" data-status="${s}">${s}</td>` : '<td class="cell none"></td>';
    });
    return `<tr data-requirement="${esc(id)}"><th scope="row"><span class="req">${esc(id)}</span> <span class="title">${esc(title)}</span></th>${cells.join('')}</tr>`;
  });
  return `<section id="coverage"><h2>Requirement coverage</h2><p class="note">Worst status of the tests citing each requirement on each device (failed &gt; broken &gt; blocked &gt; passed &gt; skipped); empty: not tested there.</p><div class="scroll"><table class="coverage" data-testid="coverage"><thead><tr><th>Requirement</th>${devices.map((d) => `<th>${esc(d)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function problemsSection(r: RunResults): string {
  const bad = r.tests.filter((t) => t.status === 'failed' || t.status === 'broken');
  const blocked = r.tests.filter((t) => t.status === 'blocked');
  const items = bad.map((t) => {
    const stack = t.stack ? `<details><summary>Stack</summary><pre>${esc(t.stack)}</pre></details>` : '';
    return `<article class="problem st-${t.status}" data-testid="problem"><h3>${badge(t.status)} ${esc(t.fullName)}</h3><p class="where">${esc(t.file)} · devices ${list(t.devices)} · requirements ${list(t.requirements)}</p><pre class="message">${esc(t.message ?? '(no message)')}</pre>${stack}</article>`;
  });
  const blockedList = blocked.length
    ? `<h3>Blocked</h3><ul class="blocked">${blocked.map((t) => `<li>${esc(t.fullName)}: <span class="reason">${esc(t.message ?? 'no reason given')}</span></li>`).join('')}</ul>`
    : '';
  const body = items.length || blockedList ? items.join('') + blockedList : '<p class="note">No failed, broken or blocked test.</p>';
  return `<section id="problems"><h2>Failures, broken and blocked tests</h2>${body}</section>`;
}

function metricTable(m: Metric): string {
  const t = m.table!;
  const cell = (v: string | number): string => `<td${typeof v === 'number' ? ' class="num"' : ''}>${esc(String(v))}</td>`;
  return `<table class="metric-table"><caption>${esc(m.name)}${m.unit ? ` (${esc(m.unit)})` : ''}</caption><thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

function metricsSection(r: RunResults): string {
  const scalars: string[] = [];
  const blocks: string[] = [];
  for (const t of r.tests) {
    const figures: string[] = [];
    for (const m of t.metrics) {
      if (m.value !== undefined) scalars.push(`<tr><td>${esc(t.fullName)}</td><td>${esc(m.name)}</td><td class="num">${num(m.value)}</td><td>${esc(m.unit)}</td></tr>`);
      if (m.series?.length) {
        const x = m.x ? `${m.x.name} (${m.x.unit})` : 'x';
        const chart = svgChart({ xTitle: x, yTitle: `${m.name} (${m.unit})`, series: m.series, kind: m.chart ?? 'line' });
        figures.push(`<figure class="chart-box" data-testid="chart" data-metric="${esc(m.name)}" data-series-count="${m.series.length}"><figcaption>${esc(m.name)}</figcaption>${chart}</figure>`);
      }
      if (m.table) figures.push(metricTable(m));
    }
    if (figures.length) blocks.push(`<div class="metric-block"><h3>${badge(t.status)} ${esc(t.fullName)}</h3><div class="figures">${figures.join('')}</div></div>`);
  }
  if (!scalars.length && !blocks.length) return '';
  const scalarTable = scalars.length ? `<table data-testid="scalars"><thead><tr><th>Test</th><th>Metric</th><th class="num">Value</th><th>Unit</th></tr></thead><tbody>${scalars.join('')}</tbody></table>` : '';
  return `<section id="metrics"><h2>Measurements</h2>${scalarTable}${blocks.join('')}</section>`;
}

/** Every test, filterable by status with radio buttons and CSS :has() (no script needed). */
function testsSection(r: RunResults): string {
  const filters = ['all', ...RESULT_STATUSES].map((s, i) => `<label><input type="radio" name="status-filter" id="show-${s}"${i ? '' : ' checked'}> ${s}</label>`).join('');
  const rows = r.tests.map((t) => `<tr class="t st-${t.status}"><td>${badge(t.status)}</td><td>${esc(t.suite)}</td><td>${esc(t.fullName)}</td><td>${list(t.devices)}</td><td>${list(t.requirements)}</td><td class="num">${t.durationMs.toFixed(1)}</td></tr>`);
  return `<section id="tests"><h2>All tests</h2><div class="filters">Show: ${filters}</div><table data-testid="tests"><thead><tr><th>Status</th><th>Suite</th><th>Test</th><th>Devices</th><th>Requirements</th><th class="num">ms</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const FILTER_CSS = RESULT_STATUSES.map((s) => `body:has(#show-${s}:checked) tr.t:not(.st-${s})`).join(',') + '{display:none}';

const CSS = `
:root{--fg:#1e293b;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--passed:#15803d;--failed:#b91c1c;--broken:#c2410c;--blocked:#7e22ce;--skipped:#64748b}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:14px;margin:14px 0 6px}
header{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:6px 20px;margin:10px 0 0}.facts div{min-width:0}.facts dt{color:var(--muted);font-size:12px}.facts dd{margin:0;overflow-wrap:anywhere}
.banner{display:inline-block;margin:0;padding:3px 10px;border-radius:4px;font-weight:600}.banner.complete{background:#dcfce7;color:var(--passed)}.banner.partial{background:#fef3c7;color:#92400e;border:1px solid #f59e0b}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fff;border:1px solid var(--line);border-top:4px solid var(--fg);border-radius:6px;padding:8px 16px;min-width:110px;color:var(--muted)}.card .n{display:block;font-size:26px;font-weight:700;color:var(--fg)}
${['passed', 'failed', 'broken', 'blocked', 'skipped'].map((s) => `.card.st-${s}{border-top-color:var(--${s})}.badge.st-${s}{background:var(--${s})}.cell.st-${s}{background:color-mix(in srgb,var(--${s}) 18%,#fff);color:var(--${s})}td.st-${s}{color:var(--${s});font-weight:600}.problem.st-${s}{border-left-color:var(--${s})}`).join('')}
table{border-collapse:collapse;background:#fff;border:1px solid var(--line);margin:6px 0 12px}th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}thead th{background:#f1f5f9;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}.coverage td.cell{text-align:center;font-size:12px;font-weight:600;min-width:80px}.coverage .req{font-family:ui-monospace,monospace}.coverage .title{color:var(--muted);font-weight:400}
.badge{display:inline-block;color:#fff;border-radius:3px;padding:0 6px;font-size:11px;font-weight:600;text-transform:uppercase}
.tier{display:inline-block;border-radius:3px;padding:1px 8px;font-weight:600;white-space:nowrap}.tier-conformant{background:#dcfce7;color:var(--passed)}.tier-conformant-with-deviations{background:#fef9c3;color:#854d0e}.tier-non-conformant{background:#fee2e2;color:var(--failed)}.tier-not-assessed{background:#f1f5f9;color:var(--muted)}
.deviations{margin:0;padding-left:18px}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}code.link{color:var(--muted);overflow-wrap:anywhere}
.problem{background:#fff;border:1px solid var(--line);border-left:4px solid;border-radius:6px;padding:4px 14px 10px;margin:8px 0}.problem .where{color:var(--muted);margin:0 0 6px;font-size:12px}
pre{background:#f1f5f9;padding:8px 10px;border-radius:4px;overflow-x:auto;white-space:pre-wrap;margin:4px 0}details summary{cursor:pointer;color:var(--muted)}
.note{color:var(--muted)}.blocked .reason{color:var(--blocked)}
.metric-block{background:#fff;border:1px solid var(--line);border-radius:6px;padding:4px 14px 10px;margin:10px 0}.figures{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
figure.chart-box{margin:0;flex:1 1 520px;max-width:680px}figcaption{font-weight:600;margin-bottom:4px}.metric-table caption{text-align:left;font-weight:600;padding:4px 0}
.filters{margin:6px 0}.filters label{margin-right:12px;cursor:pointer}
footer{color:var(--muted);font-size:12px;margin:32px 0 8px}
${FILTER_CSS}
${CHART_CSS}`;

export function renderSummaryHtml(results: RunResults, opts: SummaryOptions = {}): string {
  const title = opts.title ?? `fabric-hil run ${results.runId}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${SUMMARY_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body><main>
${header(results, title)}
${totals(results)}
${devicesSection(results)}
${suitesSection(results)}
${coverageSection(results)}
${problemsSection(results)}
${metricsSection(results)}
${testsSection(results)}
<footer>Generated by ${esc(results.tool.name)} ${esc(results.tool.version)} from results.json (schema version ${results.schemaVersion}).</footer>
</main></body></html>
`;
}
