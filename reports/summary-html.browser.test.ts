// Opens the summary page and the single-file Allure report in headless Chromium: they render, show
// the right verdicts, and make no request but for the file itself.
//
// Needs Debian's /usr/bin/chromium (or FABRIC_HIL_CHROMIUM): skipped with a message when it is
// missing, failed when CI=true.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAllureReport } from './allure.ts';
import { sampleResults, writeAllureResults } from './fixtures.ts';
import { renderSummaryHtml } from './summary-html.ts';

const CHROMIUM = process.env.FABRIC_HIL_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// The page's globals used in evaluate() callbacks, typed just enough (tsconfig has no DOM lib).
declare const document: { querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }> };
declare function getComputedStyle(el: unknown): { color: string; backgroundColor: string };

/** What a page did while loading: every request, console error and uncaught error. */
interface Watch {
  page: Page;
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

if (!HAVE_CHROMIUM && !IN_CI) console.warn(`reports/summary-html.browser.test.ts: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium)`);
if (!HAVE_CHROMIUM && IN_CI) {
  it(`needs ${CHROMIUM} in CI (apt-get install chromium)`, () => {
    throw new Error(`${CHROMIUM} is missing: the browser tests of reports/ cannot run`);
  });
}

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'reports in headless Chromium' : `reports in headless Chromium: SKIPPED, ${CHROMIUM} is not installed`, () => {
  const results = sampleResults();
  let tmp: string;
  let summaryFile: string;
  let allureFile: string;
  let browser: Browser;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-browser-'));
    summaryFile = path.join(tmp, 'index.html');
    allureFile = path.join(tmp, 'allure-report.html');
    fs.writeFileSync(summaryFile, renderSummaryHtml(results));
    writeAllureResults(path.join(tmp, 'allure-results'), results);
    // launch() gives each browser a fresh temporary profile (user data dir).
    [browser] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: ARGS }), buildAllureReport([path.join(tmp, 'allure-results')], allureFile)]);
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Watch> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const w: Watch = { page, requests: [], consoleErrors: [], pageErrors: [] };
    page.on('request', (r) => w.requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && w.consoleErrors.push(m.text()));
    page.on('pageerror', (e) => w.pageErrors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return w;
  }

  describe('summary page', () => {
    let w: Watch;
    beforeAll(async () => {
      w = await open(summaryFile);
    });

    it('renders its title and sections', async () => {
      expect(await w.page.title()).toBe(`fabric-hil run ${results.runId}`);
      expect(await w.page.locator('h1').textContent()).toBe(`fabric-hil run ${results.runId}`);
      expect(await w.page.locator('h2').allTextContents()).toEqual([
        'Totals',
        'Devices and conformance',
        'Suites',
        'Requirement coverage',
        'Failures, broken and blocked tests',
        'Measurements',
        'All tests',
      ]);
      expect(await w.page.getByTestId('run-state').textContent()).toBe('Complete run');
    });

    it('shows the counts of the summary', async () => {
      for (const s of ['total', 'passed', 'failed', 'broken', 'blocked', 'skipped'] as const) {
        expect(await w.page.getByTestId(`count-${s}`).textContent(), s).toBe(String(results.summary[s]));
      }
      expect(await w.page.getByTestId('tier-gsf1').textContent()).toBe('conformant with deviations');
    });

    it('has a coverage matrix of requirements by devices, the failed cell red', async () => {
      const table = w.page.getByTestId('coverage');
      expect(await table.locator('tbody tr').count()).toBe(results.requirements.length);
      expect(await table.locator('thead th').allTextContents()).toEqual(['Requirement', ...results.devices.map((d) => d.id)]);
      const gsp1 = results.devices.findIndex((d) => d.id === 'gsp1');
      const cell = table.locator('tr[data-requirement="GSE-FWD-2"] td').nth(gsp1);
      expect(await cell.textContent()).toBe('failed');
      const passed = table.locator('tr[data-requirement="GSE-FWD-1"] td').nth(gsp1);
      const style = (el: unknown): string[] => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor];
      const [failedFg, failedBg] = await cell.evaluate(style);
      const [, passedBg] = await passed.evaluate(style);
      expect(failedFg).toBe('rgb(185, 28, 28)');
      expect(failedBg).not.toBe(passedBg);
    });

    it('draws each chart as an svg with one path per series', async () => {
      const charts = w.page.getByTestId('chart');
      expect(await charts.count()).toBe(2);
      const expected = results.tests.flatMap((t) => t.metrics.filter((m) => m.series).map((m) => [m.name, m.series!.length]));
      for (const [name, series] of expected) {
        const chart = w.page.locator(`[data-testid="chart"][data-metric="${name}"]`);
        const svg = chart.locator('svg');
        expect(await svg.count()).toBe(1);
        expect(await svg.locator('path.series').count(), String(name)).toBe(series);
        expect((await svg.boundingBox())!.width).toBeGreaterThan(300);
      }
      expect(await w.page.locator('svg.chart.bar').count()).toBe(1);
    });

    it('filters the test list by status without script, and folds stacks', async () => {
      const rows = w.page.getByTestId('tests').locator('tbody tr');
      const visible = async (): Promise<number> => (await rows.evaluateAll((trs) => trs.filter((tr) => (tr as { offsetParent: unknown }).offsetParent !== null).length));
      expect(await visible()).toBe(results.tests.length);
      await w.page.locator('#show-failed').check();
      expect(await visible()).toBe(results.summary.failed);
      await w.page.locator('#show-all').check();
      const stack = w.page.locator('[data-testid="problem"] details pre').first();
      expect(await stack.isVisible()).toBe(false);
      await w.page.locator('[data-testid="problem"] details summary').first().click();
      expect(await stack.isVisible()).toBe(true);
    });

    it('made no request but for the file, and logged no error', () => {
      expect(w.requests).toEqual([pathToFileURL(summaryFile).href]);
      expect(w.consoleErrors).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    });
  });

  describe('single-file Allure report', () => {
    let w: Watch;
    beforeAll(async () => {
      w = await open(allureFile);
      await w.page.getByText('grants before sending').first().waitFor({ timeout: 15_000 });
    });

    it('renders the results and opens a failed test', async () => {
      const failed = results.tests.find((t) => t.status === 'failed')!;
      await w.page.getByText(failed.name).first().click();
      await w.page.getByText(failed.message!).first().waitFor({ timeout: 10_000 });
      // Nothing on the rendered page links or loads from a host (the "Powered by" href is gone).
      const outside = await w.page.evaluate(() => [...document.querySelectorAll('[href],[src]')].map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? '').filter((u) => /^(https?:)?\/\//i.test(u)));
      expect(outside).toEqual([]);
    });

    it('loaded only file:, data: and blob: URLs, with no page error and no console error', () => {
      expect(w.requests.filter((u) => !/^(file|data|blob):/.test(u))).toEqual([]);
      expect(w.pageErrors).toEqual([]);
      // Allure 3.18 logs no console error here; a network or CSP one would mean an outside load.
      expect(w.consoleErrors).toEqual([]);
    });
  });
});
