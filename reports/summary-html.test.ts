// The summary page is self-contained, escapes what it shows and reports every verdict (string checks).
import { describe, expect, it } from 'vitest';
import { findOutsideReferences } from './allure.ts';
import { DEVIATION_LINK, sampleResults } from './fixtures.ts';
import { renderSummaryHtml, SUMMARY_CSP, worstStatus } from './summary-html.ts';

describe('renderSummaryHtml', () => {
  const r = sampleResults();
  const html = renderSummaryHtml(r);

  it('loads and links nothing: no script, no href/src, a strict CSP', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${SUMMARY_CSP}">`);
    expect(SUMMARY_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<a\s/i);
    expect(html).not.toMatch(/\s(href|src)\s*=/i);
    expect(findOutsideReferences(html)).toEqual([]);
  });

  it('holds no URL but the escaped deviation link, shown as text', () => {
    const urls = html.match(/https?:\/\/[^\s<"]*/g) ?? [];
    expect(urls).toEqual(['https://bugs.example.com/vendor/4711?q=a&#38;b=&#60;x&#62;']);
    expect(DEVIATION_LINK).toContain('<x>');
    expect(html).toMatch(/<code class="link">https:\/\/bugs\.example\.com/);
  });

  it('escapes results text', () => {
    expect(html).toContain('got data at t=1200 ps &#38; &#60;no grant&#62;');
    expect(html).toContain('emulator &#60;default&#62;');
    expect(html).not.toContain('<no grant>');
  });

  it('shows counts, tiers, suites and problems', () => {
    for (const s of ['total', 'passed', 'failed', 'broken', 'blocked', 'skipped'] as const) {
      expect(html).toContain(`data-testid="count-${s}">${r.summary[s]}<`);
    }
    expect(html).toContain('data-testid="tier-gsp1">non-conformant<');
    expect(html).toContain('data-testid="tier-gsf1">conformant with deviations<');
    expect(html).toContain('data-testid="tier-nic1">conformant<');
    expect(html).toContain('data-testid="tier-osfp1">not assessed<');
    expect(html.match(/data-testid="problem"/g)).toHaveLength(2);
    expect(html).toContain('<details><summary>Stack</summary><pre>AssertionError: expected grant');
    expect(html).toContain("device osfp1 lacks capability &#39;cmis&#39;");
    expect(html).toContain('data-testid="run-state">Complete run<');
  });

  it('fills the coverage matrix with the worst status', () => {
    const row = html.match(/<tr data-requirement="GSE-FWD-2">.*?<\/tr>/)![0];
    expect(row).toContain('data-status="failed"');
    const cmis = html.match(/<tr data-requirement="CMIS-PAGE-11">.*?<\/tr>/)![0];
    expect(cmis.match(/data-status="(\w+)"/)![1]).toBe('blocked');
    expect(worstStatus(['skipped', 'passed', 'blocked'])).toBe('blocked');
    expect(worstStatus(['passed', 'failed', 'broken'])).toBe('failed');
    expect(worstStatus([])).toBeUndefined();
  });

  it('says PARTIAL for an interrupted run and names the shard', () => {
    const partial = renderSummaryHtml({ ...r, complete: false, finishedAt: null, shard: { index: 2, count: 3 } });
    expect(partial).toContain('PARTIAL (run interrupted)');
    expect(partial).toContain('data-testid="fact-shard">2 of 3<');
    expect(partial).toContain('data-testid="fact-finished">not finished<');
  });

  it('draws a chart per series metric and tables for table and scalar metrics', () => {
    expect(html.match(/<figure class="chart-box"/g)).toHaveLength(2);
    expect(html).toContain('<svg class="chart bar"');
    expect(html).toContain('<svg class="chart line"');
    expect(html).toContain('>offered load (%)</text>');
    expect(html).toContain('>flow completion time (us)</text>');
    expect(html).toContain('<caption>retransmissions per flow (packets)</caption>');
    expect(html).toMatch(/<td>p99 latency<\/td><td class="num">14.7<\/td><td>us<\/td>/);
  });

  it('with many devices keeps those that need attention in view and folds the others, under a line of counts per tier', () => {
    const many = sampleResults();
    const base = many.devices[0]!;
    for (let i = 0; i < 30; i++) {
      many.devices.push({ ...base, id: `acc${i}`, deviations: [] });
      many.tiers[`acc${i}`] = 'conformant';
    }
    const page = renderSummaryHtml(many);
    const section = page.slice(page.indexOf('<section id="devices">'), page.indexOf('</section>', page.indexOf('<section id="devices">')));
    const folded = section.slice(section.indexOf('<details>'));
    const open = section.slice(0, section.indexOf('<details>'));
    expect(open).toContain('data-testid="tier-gsp1">non-conformant<');
    expect(open).toContain('data-testid="tier-gsf1">conformant with deviations<');
    expect(open).not.toContain('data-testid="tier-acc0"');
    expect(folded).toMatch(/^<details><summary>The other \d+ devices<\/summary>/);
    expect(folded).toContain('data-testid="tier-acc29">conformant<');
    for (const d of many.devices) expect(section.split(`data-testid="tier-${d.id}"`).length - 1, d.id).toBe(1);
    expect(section).toMatch(/data-testid="tier-counts"><span class="tier tier-conformant">\d+ conformant<\/span>/);
  });
});

