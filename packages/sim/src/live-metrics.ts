/**
 * Live metrics of a run in Prometheus text exposition format (version
 * 0.0.4), for `ioasim run --metrics-listen`: a trace observer that keeps a
 * few counters, gauges and one latency histogram up to date as the run goes
 * on, and renders them on demand (a scrape).
 *
 * Every series carries a `run` label (the run id), so that the series of
 * two runs scraped into one Prometheus stay apart. Counts are counters
 * (`_total`), never rates: Prometheus derives rates (`rate(...[1m])`) and
 * a gauge of a rate computed here would be an average since the start. The
 * latency buckets fit the clock: 100 ns to 1 s in simulated time (modeled
 * round trips are microseconds), 10 µs to 20 s on the wall clock of a
 * distributed run (NATS round trips are milliseconds, and reach seconds
 * under load).
 *
 * Memory is bounded by the topology (gauges per host and per space), never by
 * the length of the run. Rendering never changes the run: the exporter only
 * reads the trace the runner hands it.
 */
import type { BusStats } from '@ioasim/bus';
import { AUTO_RESPONSE_CAUSES, DROP_CAUSES, type AutoResponseCause, type DropCause, type TraceEvent } from '@ioasim/protocol';

/** 1, 2, 5 times each power of ten from `from` up to `to` inclusive, in seconds. */
function bucketsFrom(from: number, to: number): readonly number[] {
  const bounds: number[] = [];
  for (let decade = Math.round(Math.log10(from)); ; decade++) {
    for (const step of [1, 2, 5]) {
      const bound = Number(`${step}e${decade}`);
      if (bound > to * (1 + 1e-9)) return bounds;
      if (bound >= from * (1 - 1e-9)) bounds.push(bound);
    }
  }
}

/** Upper bounds of the latency histogram's buckets, in seconds (+Inf is added), by the clock the latencies are on. */
export const LIVE_LATENCY_BUCKETS_SECONDS = {
  simulated: bucketsFrom(1e-7, 1),
  wall: bucketsFrom(1e-5, 20),
} as const;

export type LiveClock = keyof typeof LIVE_LATENCY_BUCKETS_SECONDS;

export type LiveMetricsOptions = {
  /** The run id: the `run` label of every series. */
  readonly run: string;
  /** What the trace's times are: simulated (an embedded run) or the wall clock (a distributed run). Default simulated. */
  readonly clock?: LiveClock;
};

/** The metric names a scrape always carries. */
export const LIVE_METRIC_NAMES = [
  'ioasim_simulated_seconds',
  'ioasim_wall_seconds',
  'ioasim_fault_groups_raised_total',
  'ioasim_fault_groups_completed_total',
  'ioasim_fault_groups_auto_responded_total',
  'ioasim_fault_groups_abandoned_total',
  'ioasim_accesses_abandoned_total',
  'ioasim_fault_latency_seconds',
  'ioasim_pending_groups',
  'ioasim_pri_queue_depth',
  'ioasim_handler_queue_depth',
  'ioasim_records_dropped_total',
  'ioasim_bus_dropped_total',
  'ioasim_run_finished',
] as const;

export class LiveMetrics {
  private simulatedNs = 0;
  private raised = 0;
  private completed = 0;
  private abandoned = 0;
  private accessesAbandoned = 0;
  private readonly autoByCause = new Map<AutoResponseCause, number>(AUTO_RESPONSE_CAUSES.map((cause) => [cause, 0]));
  private readonly droppedByCause = new Map<DropCause, number>(DROP_CAUSES.map((cause) => [cause, 0]));
  private readonly buckets: readonly number[];
  private readonly bucketCounts: number[];
  private readonly run: string;
  private readonly clock: LiveClock;
  private latencyCount = 0;
  private latencySumSeconds = 0;
  private readonly pendingByHost = new Map<string, number>();
  private readonly priQueueByHost = new Map<string, number>();
  private readonly handlerQueueBySpace = new Map<string, { host: string; ioasid: string; depth: number }>();
  private finished = false;

  /**
   * @param wallNowNs wall-clock nanoseconds since the run began (for faults per second)
   * @param busStats the run's bus counters, when the runner exposes its bus
   */
  constructor(
    private readonly wallNowNs: () => number,
    options: LiveMetricsOptions,
    private busStats: () => Readonly<BusStats> | null = () => null,
  ) {
    this.run = options.run;
    this.clock = options.clock ?? 'simulated';
    this.buckets = LIVE_LATENCY_BUCKETS_SECONDS[this.clock];
    this.bucketCounts = this.buckets.map(() => 0);
  }

  /** Where the bus counters come from once the run has built its bus. */
  busStatsFrom(busStats: () => Readonly<BusStats> | null): void {
    this.busStats = busStats;
  }

  /** The run ended: scrapes from now on say so (`ioasim_run_finished 1`). */
  finish(): void {
    this.finished = true;
  }

  observe(event: TraceEvent): void {
    if (event.t > this.simulatedNs) this.simulatedNs = event.t;
    switch (event.kind) {
      case 'groupRaised':
        this.raised++;
        return;
      case 'groupCompleted':
        this.completed++;
        this.latencyRecord(event.latencyNs);
        return;
      case 'groupAbandoned':
        this.abandoned++;
        return;
      case 'accessAbandoned':
        this.accessesAbandoned += event.accesses;
        return;
      case 'faultRouted':
        this.pendingAdd(event.host, 1);
        if (event.priQueueDepth !== undefined) this.priQueueByHost.set(event.host, event.priQueueDepth);
        return;
      case 'faultDelivered':
        if (event.handlerQueueDepth !== undefined) this.handlerQueueBySpace.set(`${event.host}/${event.ioasid}`, { host: event.host, ioasid: event.ioasid, depth: event.handlerQueueDepth });
        return;
      case 'groupAnswered':
        this.pendingAdd(event.host, -1);
        return;
      case 'groupAutoResponded':
        this.autoByCause.set(event.cause, (this.autoByCause.get(event.cause) ?? 0) + 1);
        if (event.cookie !== 0) this.pendingAdd(event.host, -1);
        return;
      case 'recordDropped':
        this.droppedByCause.set(event.cause, (this.droppedByCause.get(event.cause) ?? 0) + 1);
        return;
      default:
        return;
    }
  }

  /** The scrape: every metric of LIVE_METRIC_NAMES, in Prometheus text format, each series labelled with the run. */
  render(): string {
    const lines: string[] = [];
    const run = `run="${label(this.run)}"`;
    /** A sample line: `name{run="...",<labels>} value`. */
    const sample = (name: string, value: number | string, labels: Readonly<Record<string, string>> = {}): string => {
      const rest = Object.entries(labels).map(([key, text]) => `,${key}="${label(text)}"`).join('');
      return `${name}{${run}${rest}} ${typeof value === 'number' ? number(value) : value}`;
    };
    const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: readonly string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    const wallSeconds = this.wallNowNs() / 1e9;
    const simulatedHelp = this.clock === 'wall' ? 'Time reached by the run on its wall clock (a distributed run has no simulated time).' : 'Simulated time reached by the run.';
    metric('ioasim_simulated_seconds', 'gauge', simulatedHelp, [sample('ioasim_simulated_seconds', this.simulatedNs / 1e9)]);
    metric('ioasim_wall_seconds', 'gauge', 'Wall-clock time since the run began.', [sample('ioasim_wall_seconds', wallSeconds)]);
    metric('ioasim_fault_groups_raised_total', 'counter', 'Page request groups raised by devices.', [sample('ioasim_fault_groups_raised_total', this.raised)]);
    metric('ioasim_fault_groups_completed_total', 'counter', 'Page request groups whose PRG response reached the device.', [
      sample('ioasim_fault_groups_completed_total', this.completed),
    ]);
    metric(
      'ioasim_fault_groups_auto_responded_total',
      'counter',
      'Page request groups the manager answered by itself, by cause.',
      [...this.autoByCause].map(([cause, count]) => sample('ioasim_fault_groups_auto_responded_total', count, { cause })),
    );
    metric('ioasim_fault_groups_abandoned_total', 'counter', 'Page request groups a device gave up after its retries.', [sample('ioasim_fault_groups_abandoned_total', this.abandoned)]);
    metric('ioasim_accesses_abandoned_total', 'counter', 'DMA accesses a device gave up with their translation request, unanswered after its retries.', [
      sample('ioasim_accesses_abandoned_total', this.accessesAbandoned),
    ]);
    let cumulative = 0;
    const buckets = this.buckets.map((bound, index) => {
      cumulative += this.bucketCounts[index] ?? 0;
      return sample('ioasim_fault_latency_seconds_bucket', cumulative, { le: number(bound) });
    });
    const latencyHelp = this.clock === 'wall' ? 'Wall-clock latency from page request to PRG response.' : 'Simulated latency from page request to PRG response.';
    metric('ioasim_fault_latency_seconds', 'histogram', latencyHelp, [
      ...buckets,
      sample('ioasim_fault_latency_seconds_bucket', this.latencyCount, { le: '+Inf' }),
      sample('ioasim_fault_latency_seconds_sum', this.latencySumSeconds),
      sample('ioasim_fault_latency_seconds_count', this.latencyCount),
    ]);
    metric('ioasim_pending_groups', 'gauge', 'Fault groups routed by the manager and not yet answered, per host.', [...this.pendingByHost].map(([host, count]) => sample('ioasim_pending_groups', count, { host })));
    metric('ioasim_pri_queue_depth', 'gauge', 'PRI queue records as the last page request arrived, per host.', [...this.priQueueByHost].map(([host, depth]) => sample('ioasim_pri_queue_depth', depth, { host })));
    metric(
      'ioasim_handler_queue_depth',
      'gauge',
      'Fault groups at a handler as the last one arrived, per space.',
      [...this.handlerQueueBySpace.values()].map((entry) => sample('ioasim_handler_queue_depth', entry.depth, { host: entry.host, ioasid: entry.ioasid })),
    );
    metric('ioasim_records_dropped_total', 'counter', 'Records lost, by cause.', [...this.droppedByCause].map(([cause, count]) => sample('ioasim_records_dropped_total', count, { cause })));
    const bus = this.busStats();
    metric('ioasim_bus_dropped_total', 'counter', 'Messages the bus lost (transport drops) or could not route.', [
      sample('ioasim_bus_dropped_total', bus?.dropped ?? 0, { reason: 'transport' }),
      sample('ioasim_bus_dropped_total', bus?.unrouted ?? 0, { reason: 'unrouted' }),
    ]);
    metric('ioasim_run_finished', 'gauge', 'Whether the run has ended: 0 while it goes on, then 1.', [sample('ioasim_run_finished', this.finished ? 1 : 0)]);
    return `${lines.join('\n')}\n`;
  }

  private latencyRecord(latencyNs: number): void {
    const seconds = latencyNs / 1e9;
    this.latencyCount++;
    this.latencySumSeconds += seconds;
    const index = this.buckets.findIndex((bound) => seconds <= bound);
    if (index >= 0) this.bucketCounts[index] = (this.bucketCounts[index] ?? 0) + 1;
  }

  private pendingAdd(host: string, delta: number): void {
    this.pendingByHost.set(host, (this.pendingByHost.get(host) ?? 0) + delta);
  }
}

/** A sample value: finite numbers as JavaScript prints them, which Prometheus parses. */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NaN';
}

/** A label value, escaped as the exposition format requires. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
