// Builds a run's reports: summary HTML, single-file Allure report, merged JUnit (and merged results).
//
// Input: one or more run folders, each with results.json and, when the run got that far,
// allure-results/ and junit.xml. Output in `outDir`: index.html, allure-report.html, junit.xml,
// and results.json when several runs were merged into a folder of its own. An input's own files
// are never overwritten, so `outDir` may be the (single) run folder itself.
import fs from 'node:fs';
import path from 'node:path';
import { buildAllureReport } from './allure.ts';
import { mergeJunit } from './junit.ts';
import { loadResultsDir } from './load.ts';
import { mergeResults } from './merge.ts';
import { renderSummaryHtml } from './summary-html.ts';

export interface BuildOptions {
  /** Build the Allure report (default true). */
  allure?: boolean;
}

export interface BuiltReports {
  indexHtml: string;
  allureHtml?: string;
  junitXml?: string;
  /** Why there is no Allure report although one was asked for (also printed on stderr). */
  allureError?: string;
}

export async function buildReports(runDir: string | string[], outDir: string, opts: BuildOptions = {}): Promise<BuiltReports> {
  const dirs = (Array.isArray(runDir) ? runDir : [runDir]).map((d) => path.resolve(d));
  if (dirs.length === 0) throw new Error('buildReports: no run folder given');
  const out = path.resolve(outDir);
  const outIsInput = dirs.includes(out);
  const results = mergeResults(dirs.map(loadResultsDir));
  fs.mkdirSync(out, { recursive: true });

  const built: BuiltReports = { indexHtml: path.join(out, 'index.html') };
  fs.writeFileSync(built.indexHtml, renderSummaryHtml(results));
  if (dirs.length > 1 && !outIsInput) fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));

  const junits = dirs.map((d) => path.join(d, 'junit.xml')).filter((f) => fs.existsSync(f));
  const junitOut = path.join(out, 'junit.xml');
  if (junits.length === 1 && junits[0] === junitOut) built.junitXml = junitOut;
  else if (junits.length) {
    mergeJunit(junits, junitOut);
    built.junitXml = junitOut;
  }

  if (opts.allure ?? true) {
    const allureDirs = dirs.map((d) => path.join(d, 'allure-results')).filter((d) => fs.existsSync(d));
    const allureOut = path.join(out, 'allure-report.html');
    try {
      if (!allureDirs.length) throw new Error(`no allure-results folder in ${dirs.join(', ')}`);
      await buildAllureReport(allureDirs, allureOut, { name: `fabric-hil ${results.runId}` });
      built.allureHtml = allureOut;
    } catch (e) {
      // The summary page is the primary report; a missing Allure report is said, not fatal.
      built.allureError = (e as Error).message;
      process.stderr.write(`fabric-hil: no Allure report: ${built.allureError}\n`);
    }
  }
  return built;
}
