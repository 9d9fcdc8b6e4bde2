/**
 * Latency histograms (HDR, 3 significant digits) and their summaries.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './report.js';

/** An hour of simulated time in nanoseconds: the largest latency a histogram keeps exactly. */
const LATENCY_NS_MAX = 3_600_000_000_000;

export type LatencyHistogram = hdr.Histogram;

export function latencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: LATENCY_NS_MAX,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function latencyRecord(histogram: LatencyHistogram, latencyNs: number): void {
  histogram.recordValue(Math.max(1, Math.min(LATENCY_NS_MAX, Math.round(latencyNs))));
}

export function latencySummary(histogram: LatencyHistogram): LatencySummary {
  if (histogram.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: histogram.totalCount,
    mean: Math.round(histogram.mean),
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
  };
}

/** End-to-end latency in total and per device. */
export class LatencyBook {
  readonly total = latencyHistogram();
  readonly perDevice = new Map<string, LatencyHistogram>();

  record(host: string, device: string, latencyNs: number): void {
    latencyRecord(this.total, latencyNs);
    const key = `${host}/${device}`;
    let histogram = this.perDevice.get(key);
    if (histogram === undefined) {
      histogram = latencyHistogram();
      this.perDevice.set(key, histogram);
    }
    latencyRecord(histogram, latencyNs);
  }
}
