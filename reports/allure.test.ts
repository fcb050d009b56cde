// The single-file Allure report: generated from allure-results, with nothing left that refers outside.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAllureReport, findOutsideReferences, stripOutsideReferences } from './allure.ts';
import { sampleResults, writeAllureResults } from './fixtures.ts';

/** The shape of what Allure 3.18 writes into its single file, cut down. */
const bundle = Buffer.from('x=(0,F.FD)("a",{href:"https://allurereport.org",target:"_blank"});const ns="http://www.w3.org/2000/svg";').toString('base64');
const ALLURE_LIKE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>r</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E"></head><body>
<svg xmlns="http://www.w3.org/2000/svg"></svg>
<script src="data:text/javascript;base64,${bundle}"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('config', 'G-X');
</script>
<script>window.allure = {};</script>
</body></html>`;

describe('findOutsideReferences', () => {
  it('lists loads and links to hosts, also inside inlined bundles, not namespaces or text', () => {
    expect(findOutsideReferences(ALLURE_LIKE)).toEqual(['attr src https://www.googletagmanager.com/gtag/js?id=G-X', 'prop href https://allurereport.org']);
    const html = `<img src='//cdn.example/x.png'><p>see https://example.com</p><style>a{background:url("https://h/i.png")}@import 'http://h/s.css';</style>
<script>fetch("https://api.example/v1");navigator.sendBeacon('https://b.example');img.src="http://i.example/p";</script><a href="#top">top</a><a href="data:text/plain,x">d</a>`;
    expect(findOutsideReferences(html).sort()).toEqual([
      'attr src //cdn.example/x.png',
      'attr src http://i.example/p',
      'call fetch https://api.example/v1',
      'call sendBeacon https://b.example',
      'css @import http://h/s.css',
      'css url https://h/i.png',
    ]);
  });
});

describe('stripOutsideReferences', () => {
  it('removes the analytics loader and bootstrap, blanks the bundle link, adds a CSP', () => {
    const { html, removed } = stripOutsideReferences(ALLURE_LIKE);
    expect(removed).toEqual(['script src=https://www.googletagmanager.com/gtag/js?id=G-X', 'inline gtag() analytics bootstrap', 'bundle href: https://allurereport.org']);
    expect(findOutsideReferences(html)).toEqual([]);
    expect(html).not.toMatch(/gtag|googletagmanager/);
    expect(html).toContain('<script>window.allure = {};</script>');
    expect(html).toMatch(/<head>\s*<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' data: blob:;/);
    const js = Buffer.from(html.match(/base64,([A-Za-z0-9+/=]+)/)![1]!, 'base64').toString('utf8');
    expect(js).toBe('x=(0,F.FD)("a",{href:void 0,target:"_blank"});const ns="http://www.w3.org/2000/svg";');
  });
});

describe('buildAllureReport', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-allure-test-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes one self-contained file from several results folders', async () => {
    const r = sampleResults();
    writeAllureResults(path.join(tmp, 'a'), { ...r, tests: r.tests.slice(0, 3) });
    writeAllureResults(path.join(tmp, 'b'), { ...r, tests: r.tests.slice(3) });
    const out = path.join(tmp, 'report', 'allure-report.html');
    const { removed } = await buildAllureReport([path.join(tmp, 'a'), path.join(tmp, 'b'), path.join(tmp, 'missing')], out);
    expect(removed.some((x) => x.includes('googletagmanager'))).toBe(true);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['allure-report.html']);
    const html = fs.readFileSync(out, 'utf8');
    expect(findOutsideReferences(html)).toEqual([]);
    // Every remaining http(s) string in the file is an XML namespace.
    expect(new Set(html.match(/https?:\/\/[^\s"'<>]*/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain('Content-Security-Policy');
    // The seven results are in the embedded data.
    const stat = html.match(/d\("widgets\/statistic\.json","([A-Za-z0-9+/=]+)"\)/)![1]!;
    expect(JSON.parse(Buffer.from(stat, 'base64').toString('utf8'))).toMatchObject({ total: 7, passed: 3, failed: 1, broken: 1, skipped: 2 });
  });

  it('says when there is no results folder', async () => {
    await expect(buildAllureReport([path.join(tmp, 'nope')], path.join(tmp, 'x.html'))).rejects.toThrow(/no allure-results folder found/);
  });
});
