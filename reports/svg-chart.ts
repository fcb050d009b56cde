// Inline SVG charts for the summary page: line charts and grouped bars, with axes, ticks and legend.
//
// Guarantees: the output is a plain `<svg>` element (no xmlns needed inline in HTML, no script, no
// outside reference); every text is HTML-escaped; each series is exactly one `<path class="series">`
// (bars are sub-paths of their series' path), so a reader can count series. Degenerate data is
// drawn, not refused: a single point, equal values, negative values, empty series.

export interface ChartSeries {
  label: string;
  points: ReadonlyArray<readonly [number, number]>;
}

export interface ChartSpec {
  /** Axis titles, already formatted (`offered load (%)`). */
  xTitle: string;
  yTitle: string;
  series: readonly ChartSeries[];
  kind?: 'line' | 'bar';
  width?: number;
  height?: number;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];

/** Distinct colours: a ten-colour palette, then hues spread by the golden angle. */
export function seriesColour(i: number): string {
  return i < PALETTE.length ? PALETTE[i]! : `hsl(${Math.round((i * 137.508) % 360)} 65% 45%)`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Ticks {
  lo: number;
  hi: number;
  step: number;
  values: number[];
}

/** 1, 2, 2.5 or 5 times a power of ten, the smallest at least `rough`. */
function niceStep(rough: number): number {
  const p = 10 ** Math.floor(Math.log10(rough) + 1e-9);
  const f = rough / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/**
 * Round tick values covering [min, max] with about `count` intervals. An empty range (one value)
 * is widened around the value, so a single point or a flat line sits mid-axis.
 */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    [min, max] = [min - pad, max + pad];
  }
  const step = niceStep((max - min) / count);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const values = Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
  return { lo, hi, step, values };
}

const SI: Array<[number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/**
 * Labels for one axis: one SI prefix for the whole axis (from its largest tick, from 10k up), and
 * as many decimals as the step needs (2.5 steps need one more).
 */
export function tickFormat(t: Ticks): (v: number) => string {
  const big = Math.max(Math.abs(t.lo), Math.abs(t.hi));
  const [scale, prefix] = SI.find(([s]) => big >= s * 10) ?? [1, ''];
  const step = t.step / scale;
  const exp = Math.floor(Math.log10(step) + 1e-9);
  const quarter = Math.abs(step / 10 ** exp - 2.5) < 1e-9 ? 1 : 0;
  const decimals = Math.max(0, Math.min(12, quarter - exp));
  return (v) => (Math.abs(v) < t.step * 1e-9 ? '0' : `${(v / scale).toFixed(decimals)}${prefix}`);
}

/** A bar chart's category label: the x value itself, shortened. */
function categoryLabel(v: number): string {
  const [scale, prefix] = SI.find(([s]) => Math.abs(v) >= s * 10) ?? [1, ''];
  return `${Number((v / scale).toPrecision(4))}${prefix}`;
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

/** Legend items laid out in rows that fit `width`; returns the SVG and the height it takes. */
function legend(series: readonly ChartSeries[], x0: number, y0: number, width: number): { svg: string; height: number } {
  const rowH = 18;
  let x = x0;
  let y = y0;
  const items = series.map((s, i) => {
    const w = 22 + Math.min(s.label.length, 40) * 6.6 + 14;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += rowH;
    }
    const item = `<g class="legend-item"><rect x="${r1(x)}" y="${y - 9}" width="14" height="10" rx="2" fill="${seriesColour(i)}"/><text x="${r1(x + 20)}" y="${y}">${escapeHtml(s.label.slice(0, 40))}</text></g>`;
    x += w;
    return item;
  });
  return { svg: `<g class="legend">${items.join('')}</g>`, height: series.length ? y - y0 + rowH : 0 };
}

/** One chart as an inline `<svg>`. Lines join points in x order; bars group by distinct x. */
export function svgChart(spec: ChartSpec): string {
  const width = spec.width ?? 640;
  const kind = spec.kind ?? 'line';
  const series = spec.series.map((s) => ({
    label: s.label,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]),
  }));
  const all = series.flatMap((s) => s.points);
  const m = { left: 64, right: 16, top: 12, bottom: 48 };
  const leg = legend(series, m.left, m.top + 10, width - m.left - m.right);
  const top = m.top + leg.height + 6;
  const height = Math.max(spec.height ?? 320, top + 160);
  const plotW = width - m.left - m.right;
  const plotH = height - top - m.bottom;
  const bottom = top + plotH;

  const ys = all.map((p) => p[1]);
  // Bars grow from zero, so zero is always on their axis.
  const yTicks = niceTicks(Math.min(...ys, ...(kind === 'bar' ? [0] : [])), Math.max(...ys, ...(kind === 'bar' ? [0] : [])));
  const sy = (v: number): number => bottom - ((v - yTicks.lo) / (yTicks.hi - yTicks.lo)) * plotH;

  const parts: string[] = [];
  const fy = tickFormat(yTicks);
  for (const v of yTicks.values) {
    const y = r1(sy(v));
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}"/>`, `<text class="tick" x="${m.left - 6}" y="${y}" dy="0.32em" text-anchor="end">${fy(v)}</text>`);
  }

  let seriesSvg: string[];
  if (kind === 'bar') {
    const cats = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);
    const groupW = plotW / Math.max(cats.length, 1);
    const barW = (groupW * 0.8) / Math.max(series.length, 1);
    // Label every k-th group only, when groups are too narrow for their labels.
    const every = Math.ceil(36 / groupW);
    cats.forEach((c, i) => {
      const x = r1(m.left + groupW * (i + 0.5));
      parts.push(`<line class="tick-mark" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}"/>`);
      if (i % every === 0) parts.push(`<text class="tick" x="${x}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(categoryLabel(c))}</text>`);
    });
    const y0 = sy(0);
    seriesSvg = series.map((s, si) => {
      const d = s.points.map(([x, y]) => {
        const bx = m.left + groupW * cats.indexOf(x) + groupW * 0.1 + barW * si;
        const by = Math.min(sy(y), y0);
        return `M${r1(bx)} ${r1(by)}h${r1(barW - 1)}v${r1(Math.max(Math.abs(sy(y) - y0), 0.5))}h${r1(1 - barW)}Z`;
      });
      const tips = s.points.map(([x, y]) => `${x}: ${y}`).join(', ');
      return `<path class="series" data-series="${escapeHtml(s.label)}" fill="${seriesColour(si)}" d="${d.join('')}"><title>${escapeHtml(`${s.label} — ${tips}`)}</title></path>`;
    });
  } else {
    const xs = all.map((p) => p[0]);
    const xTicks = niceTicks(Math.min(...xs), Math.max(...xs), Math.max(2, Math.floor(plotW / 90)));
    const sx = (v: number): number => m.left + ((v - xTicks.lo) / (xTicks.hi - xTicks.lo)) * plotW;
    const fx = tickFormat(xTicks);
    for (const v of xTicks.values) {
      const x = r1(sx(v));
      parts.push(`<line class="tick-mark" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}"/>`, `<text class="tick" x="${x}" y="${bottom + 16}" text-anchor="middle">${fx(v)}</text>`);
    }
    seriesSvg = series.map((s, si) => {
      const c = seriesColour(si);
      const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${r1(sx(x))} ${r1(sy(y))}`).join('');
      const dots = s.points.map(([x, y]) => `<circle cx="${r1(sx(x))}" cy="${r1(sy(y))}" r="3" fill="${c}"><title>${escapeHtml(`${s.label}: (${x}, ${y})`)}</title></circle>`);
      return `<g><path class="series" data-series="${escapeHtml(s.label)}" stroke="${c}" d="${d}"/>${dots.join('')}</g>`;
    });
  }
  if (yTicks.lo < 0 && yTicks.hi > 0) parts.push(`<line class="zero" x1="${m.left}" x2="${m.left + plotW}" y1="${r1(sy(0))}" y2="${r1(sy(0))}"/>`);

  const empty = all.length === 0 ? `<text class="empty" x="${m.left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle">no data</text>` : '';
  const label = `${spec.yTitle} vs ${spec.xTitle}`;
  return [
    `<svg class="chart ${kind}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">`,
    leg.svg,
    ...parts,
    `<line class="axis" x1="${m.left}" x2="${m.left}" y1="${top}" y2="${bottom}"/>`,
    `<line class="axis" x1="${m.left}" x2="${m.left + plotW}" y1="${bottom}" y2="${bottom}"/>`,
    ...seriesSvg,
    empty,
    `<text class="axis-title" x="${m.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(spec.xTitle)}</text>`,
    yAxisTitle(spec.yTitle, top + plotH / 2, plotH),
    '</svg>',
  ].join('');
}

/** Average width of a character of the axis titles (11 px, bold), for fitting them. */
const TITLE_CHAR_PX = 6.6;

/**
 * The y-axis title, rotated along the axis: one line when it fits the plot's height, else two
 * lines broken at the space nearest the middle; a line still too long is condensed to fit.
 */
function yAxisTitle(title: string, centreY: number, maxPx: number): string {
  const fits = (t: string): boolean => t.length * TITLE_CHAR_PX <= maxPx;
  let lines = [title];
  if (!fits(title)) {
    const spaces = [...title.matchAll(/ /g)].map((m) => m.index!);
    if (spaces.length > 0) {
      const mid = spaces.reduce((best, i) => (Math.abs(i - title.length / 2) < Math.abs(best - title.length / 2) ? i : best));
      lines = [title.slice(0, mid), title.slice(mid + 1)];
    }
  }
  if (lines.length === 1 && fits(title)) {
    return `<text class="axis-title" transform="translate(14 ${r1(centreY)}) rotate(-90)" text-anchor="middle">${escapeHtml(title)}</text>`;
  }
  const x = lines.length === 1 ? 14 : 9;
  const spans = lines.map((l, i) => {
    const squeeze = fits(l) ? '' : ` textLength="${r1(maxPx)}" lengthAdjust="spacingAndGlyphs"`;
    return `<tspan x="0" dy="${i === 0 ? 0 : 12}"${squeeze}>${escapeHtml(l)}</tspan>`;
  });
  return `<text class="axis-title" transform="translate(${x} ${r1(centreY)}) rotate(-90)" text-anchor="middle">${spans.join('')}</text>`;
}

/** Styles the charts rely on; the summary page includes them once. */
export const CHART_CSS = `
svg.chart{max-width:100%;height:auto;font:11px system-ui,sans-serif;fill:#334155}
svg.chart .grid{stroke:#e2e8f0}svg.chart .axis{stroke:#64748b}svg.chart .tick-mark{stroke:#64748b}
svg.chart .zero{stroke:#94a3b8;stroke-dasharray:3 3}svg.chart .axis-title{font-weight:600}
svg.chart.line .series{fill:none;stroke-width:2;stroke-linejoin:round}
svg.chart .empty{fill:#94a3b8;font-size:14px}`;
