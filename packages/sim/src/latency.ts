/**
 * Latency histograms (HDR, 3 significant digits) and their summaries.
 *
 * A run keeps a latency histogram per device and per space: a fleet of a
 * million devices cannot give each a full HDR histogram (its counts array
 * covers an hour in 3 digits, about 270 KB), so those are LatencyTally: the
 * same buckets, only the ones that have a count, and the same percentiles,
 * mean and maximum as a full histogram of the same values.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './report.js';
import { HostMap } from './trace-keys.js';

/** An hour of simulated time in nanoseconds: the largest latency a histogram keeps exactly. */
const LATENCY_NS_MAX = 3_600_000_000_000;
const LATENCY_NS_MIN = 1;
const SIGNIFICANT_DIGITS = 3;

/** What a latency summary reads of a histogram, full (HDR) or LatencyTally. */
export type LatencyHistogram = Pick<hdr.Histogram, 'recordValue' | 'totalCount' | 'maxValue' | 'mean' | 'getValueAtPercentile'>;

/**
 * hdr-histogram-js's 64-bit histogram with the bucket of a value computed in
 * integer arithmetic (latencyCountsIndex): the same buckets, counts and
 * percentiles, without a Math.log2 and a Math.pow per value.
 */
class LatencyHdrHistogram extends hdr.Float64Histogram {
  override countsArrayIndex(value: number): number {
    return latencyCountsIndex(value);
  }
}

/** A full HDR histogram: for the totals, whose counts cover many buckets. */
export function latencyHistogram(): hdr.Histogram {
  const histogram = new LatencyHdrHistogram(LATENCY_NS_MIN, LATENCY_NS_MAX, SIGNIFICANT_DIGITS);
  histogram.autoResize = true;
  return histogram;
}

let layoutShared: hdr.JsHistogram | null = null;

/** The bucket layout of latencyHistogram(): bucket of a value, values of a bucket (its counts are never used). */
function layout(): hdr.JsHistogram {
  layoutShared ??= new hdr.Int8Histogram(LATENCY_NS_MIN, LATENCY_NS_MAX, SIGNIFICANT_DIGITS);
  return layoutShared;
}

/** log2 of half the sub-buckets of a bucket at SIGNIFICANT_DIGITS (1024 for 3 digits), as hdr-histogram-js sizes them. */
const SUB_BUCKET_HALF_MAGNITUDE = Math.ceil(Math.log2(2 * 10 ** SIGNIFICANT_DIGITS)) - 1;

/**
 * The index in an HDR counts array of `value`, as hdr-histogram-js's
 * `countsArrayIndex` computes it for the latency layout (lowest value 1, so
 * a unit magnitude of 0): bucket = max(floor(log2 value) - half magnitude, 0),
 * sub-bucket = floor(value / 2^bucket). Here with clz32 and a shift, for the
 * integers a latency is (below 2^32 ns, 4.3 s); any other value is hdr's own
 * computation. A test compares the two over the whole range.
 */
function latencyCountsIndex(value: number): number {
  if (value >>> 0 !== value) return layout().countsArrayIndex(value);
  const bucket = Math.max(31 - Math.clz32(value) - SUB_BUCKET_HALF_MAGNITUDE, 0);
  return (bucket << SUB_BUCKET_HALF_MAGNITUDE) + (value >>> bucket);
}

/**
 * A latency histogram of the buckets that have a count: bucket index and
 * count pairs, sorted by index, in one small array (a device of a large fleet
 * has a few samples in a few buckets). Percentiles and mean are computed as
 * hdr-histogram-js computes them over its counts array, in the same order, so
 * they are the same numbers to the bit.
 */
export class LatencyTally implements LatencyHistogram {
  /** [index0, count0, index1, count1, ...], index ascending, of exactly their size; rebuilt from `wide` when it is in use. */
  private buckets: number[] = [];
  /**
   * Past SORTED_BUCKETS_MAX buckets (a wide spread, such as wall-clock
   * latencies of a NATS run) the counts move to a map by bucket index: each
   * new bucket in the sorted array costs a copy of the array.
   */
  private wide: Map<number, number> | null = null;
  private wideSorted = true;
  totalCount = 0;
  maxValue = 0;

  recordValue(value: number): void {
    const index = latencyCountsIndex(value);
    this.totalCount++;
    if (value > this.maxValue) this.maxValue = value;
    const wide = this.wide;
    if (wide !== null) {
      const count = wide.get(index);
      if (count === undefined) this.wideSorted = false;
      wide.set(index, (count ?? 0) + 1);
      return;
    }
    const buckets = this.buckets;
    let low = 0;
    let high = buckets.length / 2;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((buckets[2 * middle] as number) < index) low = middle + 1;
      else high = middle;
    }
    if (buckets[2 * low] === index) {
      buckets[2 * low + 1] = (buckets[2 * low + 1] as number) + 1;
      return;
    }
    this.buckets = bucketsInsert(buckets, 2 * low, index);
    if (this.buckets.length > 2 * SORTED_BUCKETS_MAX) {
      this.wide = new Map();
      for (let entry = 0; entry < this.buckets.length; entry += 2) this.wide.set(this.buckets[entry] as number, this.buckets[entry + 1] as number);
    }
  }

  /** The buckets in index order, as pairs: the sorted array, or the map's entries sorted once after a new bucket. */
  private sortedBuckets(): readonly number[] {
    const wide = this.wide;
    if (wide === null) return this.buckets;
    if (!this.wideSorted) {
      const indices = [...wide.keys()].sort((a, b) => a - b);
      const buckets = new Array<number>(2 * indices.length);
      indices.forEach((index, at) => {
        buckets[2 * at] = index;
        buckets[2 * at + 1] = 0;
      });
      this.buckets = buckets;
      this.wideSorted = true;
    }
    const buckets = this.buckets;
    for (let entry = 0; entry < buckets.length; entry += 2) buckets[entry + 1] = wide.get(buckets[entry] as number) as number;
    return buckets;
  }

  get mean(): number {
    if (this.totalCount === 0) return 0;
    const histogram = layout();
    const buckets = this.sortedBuckets();
    let total = 0;
    for (let entry = 0; entry < buckets.length; entry += 2) {
      const valueIteratedTo = histogram.highestEquivalentValue(histogram.valueFromIndex(buckets[entry] as number));
      total += histogram.medianEquivalentValue(valueIteratedTo) * (buckets[entry + 1] as number);
    }
    return total / this.totalCount;
  }

  getValueAtPercentile(percentile: number): number {
    const histogram = layout();
    const countAtPercentileFp = (Math.min(percentile, 100) / 100.0) * this.totalCount;
    const countAtPercentile = Math.max(Math.ceil(countAtPercentileFp - ulp(countAtPercentileFp)), 1);
    const buckets = this.sortedBuckets();
    let countToIndex = 0;
    for (let entry = 0; entry < buckets.length; entry += 2) {
      countToIndex += buckets[entry + 1] as number;
      if (countToIndex >= countAtPercentile) {
        const valueAtIndex = histogram.valueFromIndex(buckets[entry] as number);
        return percentile === 0.0 ? histogram.lowestEquivalentValue(valueAtIndex) : histogram.highestEquivalentValue(valueAtIndex);
      }
    }
    return 0;
  }
}

/** The most buckets a LatencyTally keeps in its sorted array. */
const SORTED_BUCKETS_MAX = 128;

/** A copy of `buckets` with [index, 1] at `at`: a splice or a push would leave 16 spare slots in each device's tally. */
function bucketsInsert(buckets: readonly number[], at: number, index: number): number[] {
  const grown = new Array<number>(buckets.length + 2);
  for (let slot = 0; slot < at; slot++) grown[slot] = buckets[slot] as number;
  grown[at] = index;
  grown[at + 1] = 1;
  for (let slot = at; slot < buckets.length; slot++) grown[slot + 2] = buckets[slot] as number;
  return grown;
}

/** The unit in the last place of a double, as hdr-histogram-js rounds a percentile's count with it. */
function ulp(value: number): number {
  return Math.pow(2, Math.floor(Math.log2(value)) - 52);
}

export function latencyTallyNew(): LatencyTally {
  return new LatencyTally();
}

/**
 * Records a latency as every histogram of a run records it, end to end and
 * per hop alike, so that no hop can come out above the whole: rounded to the
 * nanosecond, 0 (a hop of no modeled cost) kept as 0, at most an hour. End to
 * end used to lift a 0 to 1 ns where a hop kept it.
 */
export function latencyRecord(histogram: LatencyHistogram, latencyNs: number): void {
  histogram.recordValue(Math.min(LATENCY_NS_MAX, Math.max(0, Math.round(latencyNs))));
}

/**
 * The latency at `percentile`, never above the largest value recorded. An
 * HDR histogram answers with the highest value of the percentile's bucket
 * (up to 0.1% above what was recorded at 3 digits); for the top bucket that
 * would put a p99 above the max, which no sample reached.
 */
export function latencyAtPercentile(histogram: LatencyHistogram, percentile: number): number {
  return Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue);
}

export function latencySummary(histogram: LatencyHistogram): LatencySummary {
  if (histogram.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: histogram.totalCount,
    // The mean is HDR's too (each bucket at its middle value), so it is held under the max as well.
    mean: Math.min(Math.round(histogram.mean), histogram.maxValue),
    p50: latencyAtPercentile(histogram, 50),
    p90: latencyAtPercentile(histogram, 90),
    p99: latencyAtPercentile(histogram, 99),
    p999: latencyAtPercentile(histogram, 99.9),
    max: histogram.maxValue,
  };
}

/** End-to-end latency in total and per device (`host/device`). */
export class LatencyBook {
  readonly total = latencyHistogram();
  readonly perDevice = new HostMap<LatencyTally>();

  record(host: string, device: string, latencyNs: number): void {
    latencyRecord(this.total, latencyNs);
    latencyRecord(this.perDevice.ensure(host, device, latencyTallyNew), latencyNs);
  }
}
