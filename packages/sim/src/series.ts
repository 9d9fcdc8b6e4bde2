/**
 * Figures over simulated time, in a fixed number of buckets whatever the
 * length of the run: the bucket width starts at one microsecond and doubles
 * (merging neighbours) whenever an event falls past the last bucket. So the
 * report stays the same size for a millisecond and for an hour, and the
 * result depends only on the events, never on the wall clock.
 *
 * Counts per bucket: fault groups raised and completed (throughput), PRI
 * queue overflows, auto-responses. Queue depths per bucket, as seen by the
 * arrivals (Poisson arrivals see time averages): the largest and the mean
 * depth of the IOMMUs' PRI queues, the managers' dispatch queues and the
 * handlers' queues.
 */
import type { TraceEvent } from '@ioasim/protocol';

export const SERIES_BUCKETS = 100;
const BUCKET_NS_INITIAL = 1_000;

export const SERIES_COUNTS = ['raised', 'completed', 'overflows', 'autoResponded'] as const;
export type SeriesCount = (typeof SERIES_COUNTS)[number];
export const SERIES_DEPTHS = ['priQueue', 'dispatchQueue', 'handlerQueue'] as const;
export type SeriesDepth = (typeof SERIES_DEPTHS)[number];

export type SeriesReport = {
  readonly bucketNs: number;
  readonly buckets: number;
  /** Per bucket, from time 0; the last bucket holds the end of the run. */
  readonly counts: Readonly<Record<SeriesCount, readonly number[]>>;
  readonly depthMax: Readonly<Record<SeriesDepth, readonly number[]>>;
  /** Mean depth seen by the arrivals of the bucket, to two decimals (0 when none arrived). */
  readonly depthMean: Readonly<Record<SeriesDepth, readonly number[]>>;
};

type DepthBuckets = { max: number[]; sum: number[]; samples: number[] };

function zeros(): number[] {
  return new Array<number>(SERIES_BUCKETS).fill(0);
}

function depthBuckets(): DepthBuckets {
  return { max: zeros(), sum: zeros(), samples: zeros() };
}

export class SeriesBook {
  private bucketNs = BUCKET_NS_INITIAL;
  private lastBucket = 0;
  private readonly counts: Record<SeriesCount, number[]> = {
    raised: zeros(),
    completed: zeros(),
    overflows: zeros(),
    autoResponded: zeros(),
  };
  private readonly depths: Record<SeriesDepth, DepthBuckets> = {
    priQueue: depthBuckets(),
    dispatchQueue: depthBuckets(),
    handlerQueue: depthBuckets(),
  };

  observe(event: TraceEvent): void {
    switch (event.kind) {
      case 'groupRaised':
        this.count('raised', event.t);
        return;
      case 'groupCompleted':
        this.count('completed', event.t);
        return;
      case 'groupAutoResponded':
        this.count('autoResponded', event.t);
        return;
      case 'recordDropped':
        if (event.cause === 'priQueueFull') this.count('overflows', event.t);
        return;
      case 'faultRouted':
        if (event.priQueueDepth !== undefined) this.depth('priQueue', event.iommuInNs ?? event.t, event.priQueueDepth);
        if (event.dispatchQueueDepth !== undefined) this.depth('dispatchQueue', event.t, event.dispatchQueueDepth);
        return;
      case 'faultDelivered':
        if (event.handlerQueueDepth !== undefined) this.depth('handlerQueue', event.t, event.handlerQueueDepth);
        return;
      default:
        return;
    }
  }

  report(): SeriesReport {
    const buckets = this.lastBucket + 1;
    const counts = {} as Record<SeriesCount, readonly number[]>;
    for (const name of SERIES_COUNTS) counts[name] = this.counts[name].slice(0, buckets);
    const depthMax = {} as Record<SeriesDepth, readonly number[]>;
    const depthMean = {} as Record<SeriesDepth, readonly number[]>;
    for (const name of SERIES_DEPTHS) {
      const depth = this.depths[name];
      depthMax[name] = depth.max.slice(0, buckets);
      depthMean[name] = depth.sum.slice(0, buckets).map((sum, index) => {
        const samples = depth.samples[index] as number;
        return samples === 0 ? 0 : Math.round((sum / samples) * 100) / 100;
      });
    }
    return { bucketNs: this.bucketNs, buckets, counts, depthMax, depthMean };
  }

  private count(name: SeriesCount, t: number): void {
    const bucket = this.bucketOf(t);
    const counts = this.counts[name];
    counts[bucket] = (counts[bucket] as number) + 1;
  }

  private depth(name: SeriesDepth, t: number, depth: number): void {
    const bucket = this.bucketOf(t);
    const buckets = this.depths[name];
    if (depth > (buckets.max[bucket] as number)) buckets.max[bucket] = depth;
    buckets.sum[bucket] = (buckets.sum[bucket] as number) + depth;
    buckets.samples[bucket] = (buckets.samples[bucket] as number) + 1;
  }

  private bucketOf(t: number): number {
    while (t >= this.bucketNs * SERIES_BUCKETS) this.widen();
    const bucket = Math.floor(Math.max(0, t) / this.bucketNs);
    if (bucket > this.lastBucket) this.lastBucket = bucket;
    return bucket;
  }

  /** Doubles the bucket width: bucket i of the new width is buckets 2i and 2i+1 of the old. */
  private widen(): void {
    this.bucketNs *= 2;
    for (const name of SERIES_COUNTS) mergePairs(this.counts[name], (a, b) => a + b);
    for (const name of SERIES_DEPTHS) {
      const depth = this.depths[name];
      mergePairs(depth.max, Math.max);
      mergePairs(depth.sum, (a, b) => a + b);
      mergePairs(depth.samples, (a, b) => a + b);
    }
    this.lastBucket = Math.floor(this.lastBucket / 2);
  }
}

function mergePairs(values: number[], merge: (a: number, b: number) => number): void {
  for (let index = 0; index < SERIES_BUCKETS / 2; index++) {
    values[index] = merge(values[2 * index] as number, values[2 * index + 1] as number);
  }
  values.fill(0, SERIES_BUCKETS / 2);
}
