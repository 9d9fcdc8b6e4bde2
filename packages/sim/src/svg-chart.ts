/**
 * Line charts as inline SVG strings, for the HTML reports: no script, no
 * network, nothing to load. A chart has named series of (x, y) points, linear
 * or logarithmic axes with tick labels, and a legend. The same input gives the
 * same markup, character for character.
 */

export type ChartSeries = { readonly name: string; readonly points: readonly (readonly [number, number])[] };

export type ChartOptions = {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly xLog?: boolean;
  /** Formats a tick value of each axis. */
  readonly xFormat?: (value: number) => string;
  readonly yFormat?: (value: number) => string;
  /** Draws a marker at every point (for charts of few points, e.g. a sweep). */
  readonly markers?: boolean;
  readonly yMin?: number;
};

const WIDTH = 720;
const HEIGHT = 320;
const MARGIN = { left: 70, right: 170, top: 34, bottom: 46 } as const;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const TICKS = 5;

export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function round(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

export function numberShort(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${round(value / 1e9)}G`;
  if (magnitude >= 1e6) return `${round(value / 1e6)}M`;
  if (magnitude >= 1e3) return `${round(value / 1e3)}k`;
  return round(value);
}

export function durationShort(ns: number): string {
  if (ns >= 1e9) return `${round(ns / 1e9)}s`;
  if (ns >= 1e6) return `${round(ns / 1e6)}ms`;
  if (ns >= 1e3) return `${round(ns / 1e3)}us`;
  return `${round(ns)}ns`;
}

type Scale = { readonly at: (value: number) => number; readonly ticks: readonly number[] };

/**
 * A linear scale whose ticks are round: a step of 1, 2 or 5 times a power of
 * ten, about TICKS of them, and an axis from the multiple of the step at or
 * below `min` to the one at or above `max` (ticks 0, 200k, 400k, not 0,
 * 222.7k, 445.4k).
 */
function scaleLinear(min: number, max: number, from: number, to: number): Scale {
  const step = stepRound((max > min ? max - min : Math.abs(max) || TICKS) / TICKS);
  const first = Math.floor(min / step);
  const last = Math.max(Math.ceil(max / step), first + 1);
  const ticks = Array.from({ length: last - first + 1 }, (_, index) => tickValue(first + index, step));
  const low = tickValue(first, step);
  const span = tickValue(last, step) - low;
  return { at: (value) => from + ((value - low) / span) * (to - from), ticks };
}

/** The smallest step of 1, 2 or 5 times a power of ten that is at least `raw`. */
export function stepRound(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
}

/** `multiple` steps, without the float error of multiplying a step such as 0.2 (3 * 0.2 = 0.6000000000000001). */
function tickValue(multiple: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Number((multiple * step).toFixed(decimals));
}

function scaleLog(min: number, max: number, from: number, to: number): Scale {
  const low = Math.log10(Math.max(min, 1));
  const high = Math.max(Math.log10(Math.max(max, 1)), low + 1);
  const ticks: number[] = [];
  for (let exponent = Math.floor(low); exponent <= Math.ceil(high); exponent++) ticks.push(10 ** exponent);
  const lowTick = Math.floor(low);
  const highTick = Math.ceil(high);
  return { at: (value) => from + ((Math.log10(Math.max(value, 1)) - lowTick) / (highTick - lowTick)) * (to - from), ticks };
}

/** The SVG of a line chart; an empty chart says so instead of drawing axes over nothing. */
export function lineChart(options: ChartOptions): string {
  const points = options.series.flatMap((series) => series.points);
  const title = `<text x="${WIDTH / 2}" y="20" text-anchor="middle" class="chart-title">${htmlEscape(options.title)}</text>`;
  if (points.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-empty" viewBox="0 0 ${WIDTH} 80" width="${WIDTH}" height="80">${title}<text x="${WIDTH / 2}" y="55" text-anchor="middle">no data</text></svg>`;
  }
  const xs = points.map((point) => point[0]);
  const ys = points.map((point) => point[1]);
  const plotLeft = MARGIN.left;
  const plotRight = WIDTH - MARGIN.right;
  const plotTop = MARGIN.top;
  const plotBottom = HEIGHT - MARGIN.bottom;
  const x = options.xLog === true
    ? scaleLog(Math.min(...xs), Math.max(...xs), plotLeft, plotRight)
    : scaleLinear(Math.min(...xs), Math.max(...xs), plotLeft, plotRight);
  const y = scaleLinear(options.yMin ?? Math.min(0, ...ys), Math.max(...ys), plotBottom, plotTop);
  const xFormat = options.xFormat ?? numberShort;
  const yFormat = options.yFormat ?? numberShort;
  const parts: string[] = [title];
  parts.push(`<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#999"/>`);
  for (const tick of x.ticks) {
    const at = round(x.at(tick));
    parts.push(`<line x1="${at}" y1="${plotBottom}" x2="${at}" y2="${plotTop}" stroke="#eee"/>`);
    parts.push(`<text x="${at}" y="${plotBottom + 16}" text-anchor="middle" class="tick" data-axis="x">${htmlEscape(xFormat(tick))}</text>`);
  }
  for (const tick of y.ticks) {
    const at = round(y.at(tick));
    parts.push(`<line x1="${plotLeft}" y1="${at}" x2="${plotRight}" y2="${at}" stroke="#eee"/>`);
    parts.push(`<text x="${plotLeft - 6}" y="${at}" text-anchor="end" dominant-baseline="middle" class="tick" data-axis="y">${htmlEscape(yFormat(tick))}</text>`);
  }
  parts.push(`<text x="${(plotLeft + plotRight) / 2}" y="${HEIGHT - 8}" text-anchor="middle" class="axis">${htmlEscape(options.xLabel)}</text>`);
  parts.push(`<text x="14" y="${(plotTop + plotBottom) / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${(plotTop + plotBottom) / 2})">${htmlEscape(options.yLabel)}</text>`);
  options.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length] as string;
    if (series.points.length > 0) {
      const path = series.points.map((point, at) => `${at === 0 ? 'M' : 'L'}${round(x.at(point[0]))},${round(y.at(point[1]))}`).join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.6" data-series="${htmlEscape(series.name)}" data-points="${series.points.length}"/>`);
      if (options.markers === true) {
        for (const point of series.points) parts.push(`<circle cx="${round(x.at(point[0]))}" cy="${round(y.at(point[1]))}" r="3" fill="${colour}"/>`);
      }
    }
    const legendY = plotTop + 6 + index * 16;
    parts.push(`<line x1="${plotRight + 10}" y1="${legendY}" x2="${plotRight + 26}" y2="${legendY}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(`<text x="${plotRight + 30}" y="${legendY}" dominant-baseline="middle" class="legend">${htmlEscape(series.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">${parts.join('')}</svg>`;
}

/** The style sheet every HTML report shares. */
export const REPORT_STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:28px}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}
td.name,th.name{text-align:left}.ok{color:#2a7d2a}.bad{color:#b00020;font-weight:bold}
.chart{display:block;margin:8px 0;font-size:11px}.chart-title{font-size:13px;font-weight:600}.tick{fill:#555}.axis{fill:#333}.legend{fill:#333}
.topology{display:block;margin:8px 0;font-size:11px}.group-title{font-size:12px;font-weight:600;fill:#333}.node-name{font-size:12px;font-weight:600;fill:#222}
.node-detail{font-size:10px;fill:#555}.edge-label{font-size:10px;fill:#1f4f7f}.note{color:#555;fill:#555}`;
