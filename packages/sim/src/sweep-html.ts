/**
 * The HTML page of a sweep: the metric against the first parameter, one line
 * per combination of the other parameters, and the table of every point.
 * Self-contained like the run report: inline SVG, no script, no network.
 */
import { htmlPage } from './report-html.js';
import { durationShort, htmlEscape, lineChart, numberShort, type ChartSeries } from './svg-chart.js';
import { sweepValueNumber, sweepValueRead, type SweepParameter, type SweepResult, type SweepValueKind } from './sweep.js';

/** The x axis of a sweep: its label with the unit of the first parameter's values, and how a tick reads. */
function sweepAxis(parameter: SweepParameter | undefined): { readonly label: string; readonly format: (value: number) => string } {
  const path = parameter?.path ?? '';
  const kinds = new Set<SweepValueKind | undefined>((parameter?.values ?? []).map((value) => sweepValueRead(value)?.kind));
  const kind = kinds.size === 1 ? [...kinds][0] : undefined;
  switch (kind) {
    case 'rate':
      return { label: `${path} (per second)`, format: numberShort };
    case 'duration':
      return { label: `${path} (duration)`, format: durationShort };
    case 'number':
    case undefined:
      return { label: kind === undefined ? `${path} (point number)` : path, format: numberShort };
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

export function sweepHtml(title: string, parameters: readonly SweepParameter[], metric: string, results: readonly SweepResult[]): string {
  const lines = new Map<string, [number, number][]>();
  for (const result of results) {
    const x = sweepValueNumber(result.values[0] ?? '') ?? result.index;
    const rest = parameters.slice(1).map((parameter, index) => `${parameter.path}=${result.values[index + 1] ?? ''}`).join(' ');
    const line = lines.get(rest) ?? [];
    line.push([x, result.metric]);
    lines.set(rest, line);
  }
  const series: ChartSeries[] = [...lines].map(([name, points]) => ({ name: name === '' ? metric : name, points: points.sort((a, b) => a[0] - b[0]) }));
  const isLatency = /latency|Ns\b|Ns\./.test(metric);
  const axis = sweepAxis(parameters[0]);
  const chart = lineChart({
    title: `${metric} against ${parameters[0]?.path ?? ''}`,
    xLabel: axis.label,
    xFormat: axis.format,
    yLabel: metric,
    series,
    markers: true,
    yFormat: isLatency ? durationShort : numberShort,
  });
  const headers = [...parameters.map((parameter) => parameter.path), metric, 'faults', 'groups/s', 'p50', 'p99', 'max', 'overflows', 'auto', 'violations'];
  const rows = results.map((result) => [
    ...result.values,
    isLatency ? durationShort(result.metric) : String(result.metric),
    String(result.faultsRaised),
    numberShort(result.throughputPerSecond),
    durationShort(result.latencyNs.p50),
    durationShort(result.latencyNs.p99),
    durationShort(result.latencyNs.max),
    String(result.overflows),
    String(result.autoResponded),
    String(result.violations),
  ]);
  const table = `<table><thead><tr>${headers.map((header) => `<th>${htmlEscape(header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${htmlEscape(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  return htmlPage(`ioasim sweep ${title}`, `<h1>ioasim sweep: ${htmlEscape(title)}</h1>\n${chart}\n${table}`);
}
