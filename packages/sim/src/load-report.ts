/**
 * The `load` section of a report: what a fault-load experiment reads. Latency
 * per hop and end to end (summaries and CDFs), per space, and figures over
 * time. Bounded in size whatever the length of the run: a CDF has a fixed
 * list of quantiles and a series a fixed number of buckets.
 */
import { HOPS, HopBook, type HopName } from './hops.js';
import { latencyHistogram, latencySummary, type LatencyHistogram } from './latency.js';
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
  readonly perIoasid: readonly { readonly host: string; readonly ioasid: string; readonly latencyNs: LatencySummary }[];
  readonly series: SeriesReport;
};

export function cdfOf(histogram: LatencyHistogram): CdfPoint[] {
  if (histogram.totalCount === 0) return [];
  return CDF_PERCENTILES.map((percentile) => [histogram.getValueAtPercentile(percentile), percentile / 100] as const);
}

export function loadReport(hops: HopBook | undefined, series: SeriesBook | undefined, endToEnd: LatencyHistogram): LoadReport {
  const book = hops ?? new HopBook();
  const hopsNs = {} as Record<HopName, LatencySummary>;
  const cdf = { endToEnd: cdfOf(endToEnd) } as { endToEnd: CdfPoint[] } & Record<HopName, CdfPoint[]>;
  for (const hop of HOPS) {
    hopsNs[hop] = latencySummary(book.hops[hop]);
    cdf[hop] = cdfOf(book.hops[hop]);
  }
  const perIoasid = [...book.perSpace.keys()].sort().map((key) => {
    const slash = key.indexOf('/');
    return {
      host: key.slice(0, slash),
      ioasid: key.slice(slash + 1),
      latencyNs: latencySummary(book.perSpace.get(key) ?? latencyHistogram()),
    };
  });
  return { hopsNs, cdf, perIoasid, series: (series ?? new SeriesBook()).report() };
}
