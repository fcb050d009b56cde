// Builds the single-file Allure 3 report and strips what it would load or link from outside hosts.
//
// Allure 3.18's awesome plugin with `singleFile: true` inlines its bundle and data as data: URLs,
// but hard-codes a Google Analytics loader (`<script async src="https://www.googletagmanager.com/
// gtag/js?...">` plus an inline `gtag(...)` bootstrap): the awesome plugin sets `analyticsEnable:
// true` unconditionally (ALLURE_NO_ANALYTICS is read by the allure2 plugin only). Its bundle also
// renders a "Powered by" link to https://allurereport.org. We remove the loader and its bootstrap,
// blank the static link, add a CSP that lets the page load only inline and data:/blob: content,
// and refuse to write a file in which findOutsideReferences still finds something.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ALLURE_BIN = fileURLToPath(new URL('../node_modules/.bin/allure', import.meta.url));

/** What the report may load: its own inline code and data:/blob: URLs, nothing from a host. */
export const ALLURE_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' data: blob:",
  "style-src 'unsafe-inline' data: blob:",
  'img-src data: blob:',
  'font-src data:',
  'media-src data: blob:',
  'connect-src data: blob:',
  'frame-src data: blob:',
  'worker-src data: blob:',
].join('; ');

const OUTSIDE = String.raw`(?:(?:https?|wss?|ftp):)?//[^\s"'\x60<>()\\]+`;
const PATTERNS: Array<[string, RegExp]> = [
  // HTML attributes: <script src>, <link href>, <img src>, <a href>, <form action>, SVG xlink:href ...
  ['attr', new RegExp(String.raw`(?:^|[^\w-])(src|href|xlink:href|action|formaction|poster|background|srcset)\s*=\s*["']?\s*(${OUTSIDE})`, 'gi')],
  // The same as JS object properties, as JSX compiles them: ("a", {href: "https://..."}).
  ['prop', new RegExp(String.raw`\b(src|href|action)\s*:\s*["'\x60](${OUTSIDE})`, 'g')],
  ['css', new RegExp(String.raw`(url)\(\s*["']?\s*(${OUTSIDE})`, 'gi')],
  ['css', new RegExp(String.raw`(@import)\s+["'](${OUTSIDE})`, 'gi')],
  ['call', new RegExp(String.raw`\b(fetch|sendBeacon|importScripts|EventSource|WebSocket|open)\s*\(\s*(?:["'][A-Z]+["']\s*,\s*)?["'\x60](${OUTSIDE})`, 'g')],
];

/** Text-like data: URLs (inlined bundles, styles, SVG), decoded so their contents are checked too. */
const DATA_URL = /data:((?:text|application|image)\/(?:javascript|ecmascript|css|html|svg\+xml|json))((?:;[\w-]+=[^;,"']*)*)(;base64)?,([^"'\s)]*)/gi;

function decodeDataUrls(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(DATA_URL)) {
    try {
      out.push(m[3] ? Buffer.from(m[4]!, 'base64').toString('utf8') : decodeURIComponent(m[4]!));
    } catch {
      /* not decodable: nothing it could load */
    }
  }
  return out;
}

/**
 * Everything in `html` that points outside the file: `<kind> <name> <url>` per unique reference,
 * e.g. `attr src https://www.googletagmanager.com/gtag/js?id=X`. Looks into text-like data: URLs
 * (one level deep, which is where Allure puts its bundle). Namespace strings such as
 * `xmlns="http://www.w3.org/2000/svg"` load nothing and are not listed; nor is plain text.
 */
export function findOutsideReferences(html: string): string[] {
  const found = new Set<string>();
  for (const text of [html, ...decodeDataUrls(html)]) {
    for (const [kind, re] of PATTERNS) {
      for (const m of text.matchAll(re)) found.add(`${kind} ${m[1]} ${m[2]}`);
    }
  }
  return [...found];
}

/** Removes outside loaders and links from Allure's single file; returns the new HTML and what went. */
export function stripOutsideReferences(html: string): { html: string; removed: string[] } {
  const removed: string[] = [];
  // External scripts, and inline scripts that only bootstrap analytics (gtag/dataLayer).
  html = html.replace(/<script\b([^>]*)>([\s\S]*?)<\/script>\s*/gi, (tag, attrs: string, body: string) => {
    const src = attrs.match(/\bsrc\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/i);
    if (src) removed.push(`script src=${src[1]}`);
    else if (/\bgtag\s*\(|googletagmanager|google-analytics/.test(body)) removed.push('inline gtag() analytics bootstrap');
    else return tag;
    return '';
  });
  html = html.replace(/<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?\/\/[^>]*>\s*/gi, (tag) => {
    removed.push(tag);
    return '';
  });
  // Static links inside the inlined bundle ("Powered by" -> allurereport.org): drop the href.
  html = html.replace(/(data:text\/javascript;base64,)([A-Za-z0-9+/=]+)/g, (whole, head: string, b64: string) => {
    const js = Buffer.from(b64, 'base64').toString('utf8');
    const patched = js.replace(/\b(href|src)\s*:\s*"((?:https?:)?\/\/[^"]*)"/g, (_m, name: string, url: string) => {
      removed.push(`bundle ${name}: ${url}`);
      return `${name}:void 0`;
    });
    return patched === js ? whole : head + Buffer.from(patched, 'utf8').toString('base64');
  });
  html = html.replace(/<head>/i, `<head>\n    <meta http-equiv="Content-Security-Policy" content="${ALLURE_CSP}">`);
  return { html, removed };
}

export interface AllureBuild {
  /** What stripOutsideReferences removed, for the log. */
  removed: string[];
}

/**
 * Runs `allure generate` (awesome plugin, single file) over `resultsDirs` and writes one
 * self-contained HTML file at `outFile`. Throws if Allure fails, if no results folder exists, or
 * if the cleaned file still refers outside.
 */
export async function buildAllureReport(resultsDirs: string[], outFile: string, opts: { name?: string } = {}): Promise<AllureBuild> {
  const dirs = resultsDirs.map((d) => path.resolve(d)).filter((d) => fs.existsSync(d));
  if (dirs.length === 0) throw new Error(`no allure-results folder found (looked for ${resultsDirs.join(', ')})`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-allure-'));
  try {
    const output = path.join(tmp, 'report');
    const config = {
      name: opts.name ?? 'fabric-hil',
      output,
      plugins: { awesome: { options: { singleFile: true, reportName: opts.name ?? 'fabric-hil', reportLanguage: 'en' } } },
    };
    const rc = path.join(tmp, 'allurerc.mjs');
    fs.writeFileSync(rc, `export default ${JSON.stringify(config, null, 2)};\n`);
    // cwd in the temp folder: whatever else Allure writes (history, caches) goes away with it.
    const r = await execa(process.execPath, [fs.realpathSync(ALLURE_BIN), 'generate', '--config', rc, ...dirs], {
      cwd: tmp,
      all: true,
      reject: false,
      timeout: 180_000,
      env: { NO_COLOR: '1' },
    });
    const generated = [path.join(output, 'index.html'), path.join(output, 'awesome', 'index.html')].find((f) => fs.existsSync(f));
    if (r.exitCode !== 0 || !generated) {
      throw new Error(`allure generate failed (exit ${r.exitCode ?? r.signal}):\n${r.all ?? ''}`.trim());
    }
    const { html, removed } = stripOutsideReferences(fs.readFileSync(generated, 'utf8'));
    const left = findOutsideReferences(html);
    if (left.length) throw new Error(`the Allure report still refers outside after cleaning:\n  ${left.join('\n  ')}`);
    fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
    fs.writeFileSync(outFile, html);
    return { removed };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
