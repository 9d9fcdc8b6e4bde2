/**
 * The `load` section of a report: what a fault-load experiment reads. Latency
 * per hop and end to end (summaries and CDFs), per space, and figures over
 * time. Bounded in size whatever the length of the run: a CDF has a fixed
 * list of quantiles and a series a fixed number of buckets.
 */
import { HOPS, HopBook, type HopHistograms, type HopName } from './hops.js';
import { latencyAtPercentile, latencySummary, type LatencyHistogram } from './latency.js';
import type { LatencySummary } from './report.js';
import { SeriesBook, type SeriesReport } from './series.js';

/** The quantiles (in percent) at which a CDF is sampled. */
export const CDF_PERCENTILES: readonly number[] = [
  0, 1, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 92, 94, 95, 96, 97, 98, 99, 99.5, 99.9,
  99.95, 99.99, 100,
];

/** One point of a CDF: the latency in nanoseconds at or under which `fraction` of the groups completed. */
export type CdfPoint = readonly [latencyNs: number, fraction: number];

export type LoadReport = {
  readonly hopsNs: Readonly<Record<HopName, LatencySummary>>;
  readonly cdf: { readonly endToEnd: readonly CdfPoint[] } & Readonly<Record<HopName, readonly CdfPoint[]>>;
  /** End to end and per hop, per space; hops for the first HOP_BREAKDOWN_MAX spaces only (else null). */
  readonly perIoasid: readonly {
    readonly host: string;
    readonly ioasid: string;
    readonly latencyNs: LatencySummary;
    readonly hopsNs: Readonly<Record<HopName, LatencySummary>> | null;
  }[];
  /** Per hop, per device, for the first HOP_BREAKDOWN_MAX devices (end to end per device is in the report's perDevice). */
  readonly perDevice: readonly { readonly host: string; readonly device: string; readonly hopsNs: Readonly<Record<HopName, LatencySummary>> }[];
  /** Group records whose device or space had no hop histograms of its own (beyond HOP_BREAKDOWN_MAX). */
  readonly hopBreakdownOmitted: number;
  readonly series: SeriesReport;
};

export function cdfOf(histogram: LatencyHistogram): CdfPoint[] {
  if (histogram.totalCount === 0) return [];
  return CDF_PERCENTILES.map((percentile) => [latencyAtPercentile(histogram, percentile), percentile / 100] as const);
}

function hopSummaries(hops: HopHistograms): Record<HopName, LatencySummary> {
  const summaries = {} as Record<HopName, LatencySummary>;
  for (const hop of HOPS) summaries[hop] = latencySummary(hops[hop]);
  return summaries;
}

export function loadReport(hops: HopBook | undefined, series: SeriesBook | undefined, endToEnd: LatencyHistogram): LoadReport {
  const book = hops ?? new HopBook();
  const hopsNs = {} as Record<HopName, LatencySummary>;
  const cdf = { endToEnd: cdfOf(endToEnd) } as { endToEnd: CdfPoint[] } & Record<HopName, CdfPoint[]>;
  for (const hop of HOPS) {
    hopsNs[hop] = latencySummary(book.hops[hop]);
    cdf[hop] = cdfOf(book.hops[hop]);
  }
  const perIoasid = book.perSpace.sorted().map(({ host, name, value }) => {
    const hops = book.perSpaceHops.get(host, name);
    return { host, ioasid: name, latencyNs: latencySummary(value), hopsNs: hops === undefined ? null : hopSummaries(hops) };
  });
  const perDevice = book.perDeviceHops.sorted().map(({ host, name, value }) => ({ host, device: name, hopsNs: hopSummaries(value) }));
  return {
    hopsNs,
    cdf,
    perIoasid,
    perDevice,
    hopBreakdownOmitted: book.breakdownOmitted,
    series: (series ?? new SeriesBook()).report(),
  };
}
