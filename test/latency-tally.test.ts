/**
 * Goal: a LatencyTally (the per-device and per-space latency histogram) gives
 * the same summary, to the bit, as a full HDR histogram of the same values:
 * reports keep their numbers whichever of the two a run keeps.
 */
import { LatencyTally, latencyHistogram, latencySummary } from '@ioasim/sim';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';

/** A deterministic stream of latencies from 0 ns to beyond an hour, most of them around microseconds. */
function latencies(seed: number, count: number): number[] {
  let state = seed;
  const values: number[] = [];
  for (let index = 0; index < count; index++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const magnitude = state % 44;
    values.push(Math.floor((state / 2 ** 31) * 2 ** magnitude));
  }
  return values;
}

describe('LatencyTally', () => {
  it('summarises as a full HDR histogram of the same values', () => {
    for (const [seed, count] of [
      [1, 1],
      [2, 2],
      [3, 7],
      [4, 100],
      [5, 5_000],
    ] as const) {
      const tally = new LatencyTally();
      const full = latencyHistogram();
      for (const value of latencies(seed, count)) {
        tally.recordValue(value);
        full.recordValue(value);
      }
      expect(latencySummary(tally)).toEqual(latencySummary(full));
      for (const percentile of [0, 1, 25, 50, 90, 99, 99.9, 99.99, 100]) {
        expect(tally.getValueAtPercentile(percentile)).toBe(full.getValueAtPercentile(percentile));
      }
      expect(tally.mean).toBe(full.mean);
    }
  });

  it('keeps summarising as a full histogram when read in the middle of a run, before and after it spreads over many buckets', () => {
    const tally = new LatencyTally();
    const full = latencyHistogram();
    const values = latencies(6, 20_000);
    values.forEach((value, index) => {
      tally.recordValue(value);
      full.recordValue(value);
      if (index % 997 === 0) expect(latencySummary(tally), `after ${index + 1} values`).toEqual(latencySummary(full));
    });
    expect(latencySummary(tally)).toEqual(latencySummary(full));
  });

  it('summarises no values as zeros', () => {
    expect(latencySummary(new LatencyTally())).toEqual(latencySummary(latencyHistogram()));
  });

  it('puts every value in the bucket hdr-histogram-js itself would, at each power of two and between', () => {
    // latencyHistogram and LatencyTally compute a value's bucket themselves (integer arithmetic, not log2 and pow).
    const library = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3 });
    const values: number[] = [];
    for (let value = 0; value <= 4096; value++) values.push(value);
    for (let power = 12; power <= 41; power++) for (const offset of [-2, -1, 0, 1, 2, 3]) values.push(2 ** power + offset);
    values.push(2 ** 32 - 1, 2 ** 32, 3_600_000_000_000, ...latencies(7, 10_000));
    for (const value of values) {
      const one = latencyHistogram();
      const oneTally = new LatencyTally();
      const expected = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3 });
      one.recordValue(value);
      oneTally.recordValue(value);
      expected.recordValue(value);
      library.recordValue(value);
      // One value: its bucket is what the percentiles report (the bucket's lowest and highest equivalent value).
      for (const percentile of [0, 100]) {
        expect(one.getValueAtPercentile(percentile), `value ${value}`).toBe(expected.getValueAtPercentile(percentile));
        expect(oneTally.getValueAtPercentile(percentile), `value ${value}`).toBe(expected.getValueAtPercentile(percentile));
      }
    }
    const all = latencyHistogram();
    for (const value of values) all.recordValue(value);
    expect(latencySummary(all)).toEqual(latencySummary(library));
  });

  it('never reports a percentile or a mean above the largest value recorded', () => {
    // 14,030,900 ns sits in a bucket 8,192 ns wide whose highest value is 14,032,895.
    for (const histogram of [latencyHistogram(), new LatencyTally()]) {
      histogram.recordValue(14_030_900);
      expect(latencySummary(histogram)).toMatchObject({ count: 1, p50: 14_030_900, p90: 14_030_900, p99: 14_030_900, p999: 14_030_900, max: 14_030_900 });
      for (const value of latencies(8, 2_000)) histogram.recordValue(value);
      const summary = latencySummary(histogram);
      expect(Math.max(summary.mean, summary.p50, summary.p90, summary.p99, summary.p999)).toBeLessThanOrEqual(summary.max);
    }
  });
});

