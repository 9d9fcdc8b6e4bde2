/**
 * The HTML report of a run: one self-contained file (inline style and SVG, no
 * script, no network) with the topology (a picture and tables), the fault
 * counts, chaos when the run had it, latency per hop and end to end (a table
 * and CDFs), throughput, queue depths, overflows and auto-responses over
 * time, and the invariants. Every figure in it comes from the JSON report,
 * so the two always agree; the topology, when given, adds the picture and
 * the text of the chaos rules.
 */
import type { Topology } from '@ioasim/protocol';
import { HOPS, HOP_DESCRIPTIONS } from './hops.js';
import type { CdfPoint } from './load-report.js';
import type { LatencySummary, Report } from './report.js';
import { chaosSection, reportHadChaos } from './report-html-chaos.js';
import { REPORT_STYLE, durationShort, htmlEscape, lineChart, type ChartSeries } from './svg-chart.js';
import { topologySvg } from './topology-svg.js';

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[], nameColumns = 1): string {
  const head = headers.map((header, index) => `<th${index < nameColumns ? ' class="name"' : ''}>${htmlEscape(header)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell, index) => `<td${index < nameColumns ? ' class="name"' : ''}>${htmlEscape(String(cell))}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function latencyCells(summary: LatencySummary): string[] {
  return [summary.count, summary.p50, summary.p90, summary.p99, summary.p999, summary.max, summary.mean].map((value, index) =>
    index === 0 ? String(value) : durationShort(value),
  );
}

const LATENCY_HEADERS = ['count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'];

/**
 * The CDF of a hop or of end to end on the log axis, which has no place for
 * 0 ns: the points at 0 ns are left out, and the name says up to which
 * fraction the latency was 0 (null when every point is 0 ns: nothing to draw).
 */
function cdfSeries(name: string, points: readonly CdfPoint[]): ChartSeries | null {
  const drawn = points.filter(([latencyNs]) => latencyNs > 0);
  if (drawn.length === 0) return null;
  const zeroUpTo = points.reduce((fraction, [latencyNs, at]) => (latencyNs > 0 ? fraction : Math.max(fraction, at)), 0);
  const zeroNote = zeroUpTo === 0 ? '' : ` (0 ns to ${Math.round(zeroUpTo * 1000) / 10}%)`;
  return { name: `${name}${zeroNote}`, points: drawn };
}

/** The CDF chart: end to end and every hop; the hops of 0 ns throughout are named under it, not drawn at the axis's edge. */
function cdfChart(load: Report['load']): string {
  const drawn: ChartSeries[] = [];
  const zero: string[] = [];
  for (const [name, points] of [['end to end', load.cdf.endToEnd], ...HOPS.map((hop) => [hop, load.cdf[hop]] as const)] as const) {
    if (points.length === 0) continue;
    const series = cdfSeries(name, points);
    if (series === null) zero.push(name);
    else drawn.push(series);
  }
  const chart = lineChart({
    title: 'Latency CDF, end to end and per hop',
    xLabel: 'latency (log scale)',
    yLabel: 'fraction of fault groups',
    xLog: true,
    xFormat: durationShort,
    yFormat: (value) => value.toFixed(1),
    series: drawn,
  });
  return zero.length === 0 ? chart : `${chart}\n<p class="note">0 ns for every fault group, not drawn on the log scale: ${htmlEscape(zero.join(', '))}</p>`;
}

function timeSeries(name: string, values: readonly number[], bucketNs: number, scale = 1): ChartSeries {
  return { name, points: values.map((value, index) => [(index + 1) * bucketNs, value * scale] as const) };
}

/** The page of `report`; with its `topology`, the page draws it and quotes its chaos rules. */
export function reportHtml(report: Report, topology?: Topology): string {
  const load = report.load;
  const series = load.series;
  const perSecond = 1e9 / series.bucketNs;
  const sections: string[] = [];
  sections.push(`<h1>ioasim report: ${htmlEscape(report.topology.name)}</h1>`);
  sections.push(
    `<p>seed ${report.seed}, ${htmlEscape(report.transport)}, ioasim ${htmlEscape(report.ioasim)}; simulated ${htmlEscape(durationShort(report.simulatedNs))}</p>`,
  );
  sections.push('<h2>Topology</h2>');
  if (topology !== undefined) sections.push(topologySvg(topology));
  sections.push(table(['hosts', 'devices', 'ioasids'], [[report.topology.hosts, report.topology.devices, report.topology.ioasids]], 0));
  sections.push(
    table(
      ['host', 'device', 'state', 'accesses', 'completed', 'failed', 'abandoned', 'in flight', 'p50', 'p99', 'max'],
      report.perDevice.map((device) => [
        device.host,
        device.device,
        device.state,
        device.accessesIssued,
        device.accessesCompleted,
        device.accessesFailed,
        device.accessesAbandoned,
        device.accessesInFlight,
        durationShort(device.latencyNs.p50),
        durationShort(device.latencyNs.p99),
        durationShort(device.latencyNs.max),
      ]),
      3,
    ),
  );
  const spaceLatency = new Map(load.perIoasid.map((entry) => [`${entry.host}/${entry.ioasid}`, entry.latencyNs]));
  sections.push(
    table(
      ['host', 'ioasid', 'owner', 'delivered', 'responded', 'p50', 'p99', 'max'],
      report.perIoasid.map((space) => {
        const latency = spaceLatency.get(`${space.host}/${space.name}`);
        return [
          space.host,
          space.name,
          space.owner,
          space.delivered,
          space.responded,
          latency === undefined ? '-' : durationShort(latency.p50),
          latency === undefined ? '-' : durationShort(latency.p99),
          latency === undefined ? '-' : durationShort(latency.max),
        ];
      }),
      3,
    ),
  );
  const faults = report.faults;
  sections.push('<h2>Fault groups</h2>');
  sections.push(
    table(
      ['raised', 'delivered', 'responded', 'auto-responded', 'abandoned', 'success', 'invalid', 'failure', 'dropped', 'PRI overflows'],
      [[faults.raised, faults.delivered, faults.responded, faults.autoResponded, faults.abandoned, faults.success, faults.invalid, faults.failure, faults.dropped, report.overflows.priQueue]],
      0,
    ),
  );
  if (reportHadChaos(report)) sections.push(chaosSection(report, topology, table));
  sections.push('<h2>Latency, page request to PRG response</h2>');
  sections.push(
    table(
      ['hop', ...LATENCY_HEADERS],
      [
        ['end to end', ...latencyCells(report.latencyNs)],
        ...HOPS.map((hop) => [`${hop}: ${HOP_DESCRIPTIONS[hop]}`, ...latencyCells(load.hopsNs[hop])]),
      ],
    ),
  );
  if (load.perDevice.length > 0) {
    sections.push('<p>p99 per hop and device</p>');
    sections.push(
      table(
        ['host', 'device', ...HOPS],
        load.perDevice.map((device) => [device.host, device.device, ...HOPS.map((hop) => durationShort(device.hopsNs[hop].p99))]),
        2,
      ),
    );
  }
  sections.push(cdfChart(load));
  sections.push('<h2>Over time</h2>');
  sections.push(
    lineChart({
      title: 'Throughput: fault groups per second',
      xLabel: 'simulated time',
      yLabel: 'groups / s',
      xFormat: durationShort,
      series: [timeSeries('completed', series.counts.completed, series.bucketNs, perSecond), timeSeries('raised', series.counts.raised, series.bucketNs, perSecond)],
    }),
  );
  sections.push(
    lineChart({
      title: 'Queue depth seen by arrivals (largest per interval)',
      xLabel: 'simulated time',
      yLabel: 'entries',
      xFormat: durationShort,
      series: [
        timeSeries('PRI queue', series.depthMax.priQueue, series.bucketNs),
        timeSeries('manager dispatch', series.depthMax.dispatchQueue, series.bucketNs),
        timeSeries('handler queue', series.depthMax.handlerQueue, series.bucketNs),
      ],
    }),
  );
  sections.push(
    lineChart({
      title: 'PRI queue overflows and auto-responses per interval',
      xLabel: 'simulated time',
      yLabel: 'per interval',
      xFormat: durationShort,
      series: [timeSeries('PRI overflows', series.counts.overflows, series.bucketNs), timeSeries('auto-responses', series.counts.autoResponded, series.bucketNs)],
    }),
  );
  sections.push(`<p>interval ${htmlEscape(durationShort(series.bucketNs))}, ${series.buckets} intervals</p>`);
  sections.push('<h2>Invariants</h2>');
  sections.push(
    `<ul>${report.invariants
      .map((invariant) => `<li class="${invariant.violations === 0 ? 'ok' : 'bad'}">${invariant.id} ${htmlEscape(invariant.name)}: ${invariant.violations === 0 ? 'ok' : `${invariant.violations} violations`} &mdash; ${htmlEscape(invariant.description)}</li>`)
      .join('')}</ul>`,
  );
  return htmlPage(`ioasim ${report.topology.name}`, sections.join('\n'));
}

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${htmlEscape(title)}</title><style>${REPORT_STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

