// The chart module: nice ticks, tick labels, and charts drawn from degenerate data.
import { describe, expect, it } from 'vitest';
import { escapeHtml, niceTicks, seriesColour, svgChart, tickFormat } from './svg-chart.ts';

const seriesPaths = (svg: string): string[] => [...svg.matchAll(/<path class="series"[^>]*>/g)].map((m) => m[0]);

describe('niceTicks', () => {
  it('picks 1-2-2.5-5 steps that cover the range', () => {
    expect(niceTicks(0, 100)).toMatchObject({ lo: 0, hi: 100, step: 20, values: [0, 20, 40, 60, 80, 100] });
    expect(niceTicks(4.1, 61)).toMatchObject({ lo: 0, hi: 80, step: 20 });
    expect(niceTicks(4.1, 61, 8)).toMatchObject({ lo: 0, hi: 70, step: 10 });
    expect(niceTicks(0, 1.1).step).toBe(0.25);
    expect(niceTicks(-37, 12)).toMatchObject({ lo: -40, hi: 20, step: 10 });
  });

  it('widens an empty range around the value', () => {
    const t = niceTicks(5, 5);
    expect(t.lo).toBeLessThan(5);
    expect(t.hi).toBeGreaterThan(5);
    expect(niceTicks(0, 0)).toMatchObject({ lo: -1, hi: 1 });
  });

  it('survives non-finite input', () => {
    expect(niceTicks(Number.NaN, Infinity)).toMatchObject({ lo: 0, hi: 1 });
  });
});

describe('tickFormat', () => {
  it('uses as many decimals as the step and one SI prefix per axis', () => {
    const f = tickFormat(niceTicks(0, 1.1));
    expect([0, 0.25, 0.5].map(f)).toEqual(['0', '0.25', '0.50']);
    const g = tickFormat(niceTicks(0, 8e11));
    expect(g(2e11)).toBe('200G');
    expect(tickFormat(niceTicks(0, 800))(400)).toBe('400');
    const h = tickFormat(niceTicks(0.1 + 0.2, 0.9));
    expect(h(0.30000000000000004)).toBe('0.3');
  });
});

describe('svgChart', () => {
  it('draws one series path per series, with axis titles and legend', () => {
    const svg = svgChart({
      xTitle: 'offered load (%)',
      yTitle: 'fct (us)',
      series: [
        { label: 'a', points: [[30, 2], [10, 1], [20, 4]] },
        { label: 'b', points: [[10, 3]] },
      ],
    });
    expect(svg.startsWith('<svg class="chart line"')).toBe(true);
    expect(seriesPaths(svg)).toHaveLength(2);
    expect(svg).toContain('>offered load (%)</text>');
    expect(svg).toContain('>fct (us)</text>');
    expect(svg.match(/class="legend-item"/g)).toHaveLength(2);
    // Points are joined in x order.
    const d = seriesPaths(svg)[0]!.match(/ d="([^"]+)"/)![1]!;
    const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('handles a single point, equal values and no data without NaN', () => {
    for (const points of [[[3, 7]], [[1, 5], [2, 5], [3, 5]], []] as Array<Array<[number, number]>>) {
      const svg = svgChart({ xTitle: 'x', yTitle: 'y', series: [{ label: 's', points }] });
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
    expect(svgChart({ xTitle: 'x', yTitle: 'y', series: [{ label: 's', points: [] }] })).toContain('no data');
  });

  it('draws negative values with a zero line, bars growing from zero', () => {
    const svg = svgChart({ kind: 'bar', xTitle: 'x', yTitle: 'y', series: [{ label: 's', points: [[1, -5], [2, 10]] }, { label: 't', points: [[1, 3]] }] });
    expect(svg).toContain('class="zero"');
    const paths = seriesPaths(svg);
    expect(paths).toHaveLength(2);
    expect(paths[0]!.match(/M/g)).toHaveLength(2);
    expect(svg).toContain('>-5</text>');
  });

  it('gives many series distinct colours', () => {
    const colours = Array.from({ length: 30 }, (_, i) => seriesColour(i));
    expect(new Set(colours).size).toBe(30);
    const svg = svgChart({ xTitle: 'x', yTitle: 'y', series: Array.from({ length: 14 }, (_, i) => ({ label: `s${i}`, points: [[0, i], [1, i + 1]] as Array<[number, number]> })) });
    expect(new Set(seriesPaths(svg).map((p) => p.match(/stroke="([^"]+)"/)![1])).size).toBe(14);
  });

  it('escapes every text', () => {
    const svg = svgChart({ xTitle: '<x>', yTitle: 'a&b', series: [{ label: '"><script>', points: [[1, 1]] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;x&#62;');
    expect(escapeHtml(`<a href='x'>&"`)).toBe('&#60;a href=&#39;x&#39;&#62;&#38;&#34;');
  });

  it('fits a long y-axis title along the plot: two lines broken at a space, a line still too long condensed', () => {
    const short = svgChart({ xTitle: 'x', yTitle: 'fct (us)', series: [{ label: 's', points: [[1, 1]] }] });
    expect(short).toContain('rotate(-90)" text-anchor="middle">fct (us)</text>');
    expect(short).not.toContain('<tspan');
    const long = 'training-efficiency loss of the data-parallel all-reduce over the WAN (%)';
    const svg = svgChart({ xTitle: 'x', yTitle: long, series: [{ label: 's', points: [[1, 1]] }] });
    const lines = [...svg.matchAll(/<tspan x="0" dy="(\d+)"([^>]*)>([^<]*)<\/tspan>/g)];
    expect(lines.map((l) => l[3]).join(' ')).toBe(long);
    expect(lines.map((l) => l[1])).toEqual(['0', '12']);
    expect(lines.every((l) => l[2] === '' || /textLength="[\d.]+" lengthAdjust="spacingAndGlyphs"/.test(l[2]!))).toBe(true);
    const unbreakable = svgChart({ xTitle: 'x', yTitle: 'x'.repeat(200), series: [{ label: 's', points: [[1, 1]] }] });
    expect(unbreakable).toMatch(/<tspan x="0" dy="0" textLength="[\d.]+" lengthAdjust="spacingAndGlyphs">x{200}<\/tspan>/);
  });
});

