/**
 * Live metrics of a run in Prometheus text exposition format (version
 * 0.0.4), for `ioasim run --metrics-port`: a trace observer that keeps a few
 * counters, gauges and one latency histogram up to date as the run goes on,
 * and renders them on demand (a scrape).
 *
 * Memory is bounded by the topology (gauges per host and per space), never by
 * the length of the run. Rendering never changes the run: the exporter only
 * reads the trace the runner hands it.
 */
import type { BusStats } from '@ioasim/bus';
import { AUTO_RESPONSE_CAUSES, DROP_CAUSES, type AutoResponseCause, type DropCause, type TraceEvent } from '@ioasim/protocol';

/** Upper bounds of the latency histogram's buckets, in seconds (+Inf is added). */
export const LIVE_LATENCY_BUCKETS_SECONDS = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 1e-1, 1] as const;

/** The metric names a scrape always carries. */
export const LIVE_METRIC_NAMES = [
  'ioasim_simulated_seconds',
  'ioasim_wall_seconds',
  'ioasim_fault_groups_raised_total',
  'ioasim_fault_groups_completed_total',
  'ioasim_fault_groups_auto_responded_total',
  'ioasim_fault_groups_abandoned_total',
  'ioasim_accesses_abandoned_total',
  'ioasim_fault_groups_per_second',
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
  private readonly bucketCounts = LIVE_LATENCY_BUCKETS_SECONDS.map(() => 0);
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
    private busStats: () => Readonly<BusStats> | null = () => null,
  ) {}

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

  /** The scrape: every metric of LIVE_METRIC_NAMES, in Prometheus text format. */
  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: readonly string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    const wallSeconds = this.wallNowNs() / 1e9;
    metric('ioasim_simulated_seconds', 'gauge', 'Simulated time reached by the run.', [`ioasim_simulated_seconds ${number(this.simulatedNs / 1e9)}`]);
    metric('ioasim_wall_seconds', 'gauge', 'Wall-clock time since the run began.', [`ioasim_wall_seconds ${number(wallSeconds)}`]);
    metric('ioasim_fault_groups_raised_total', 'counter', 'Page request groups raised by devices.', [`ioasim_fault_groups_raised_total ${this.raised}`]);
    metric('ioasim_fault_groups_completed_total', 'counter', 'Page request groups whose PRG response reached the device.', [`ioasim_fault_groups_completed_total ${this.completed}`]);
    metric(
      'ioasim_fault_groups_auto_responded_total',
      'counter',
      'Page request groups the manager answered by itself, by cause.',
      [...this.autoByCause].map(([cause, count]) => `ioasim_fault_groups_auto_responded_total{cause="${cause}"} ${count}`),
    );
    metric('ioasim_fault_groups_abandoned_total', 'counter', 'Page request groups a device gave up after its retries.', [`ioasim_fault_groups_abandoned_total ${this.abandoned}`]);
    metric('ioasim_accesses_abandoned_total', 'counter', 'DMA accesses a device gave up with their translation request, unanswered after its retries.', [
      `ioasim_accesses_abandoned_total ${this.accessesAbandoned}`,
    ]);
    metric('ioasim_fault_groups_per_second', 'gauge', 'Completed fault groups per second, of wall-clock and of simulated time.', [
      `ioasim_fault_groups_per_second{clock="wall"} ${number(wallSeconds > 0 ? this.completed / wallSeconds : 0)}`,
      `ioasim_fault_groups_per_second{clock="simulated"} ${number(this.simulatedNs > 0 ? this.completed / (this.simulatedNs / 1e9) : 0)}`,
    ]);
    let cumulative = 0;
    const buckets = LIVE_LATENCY_BUCKETS_SECONDS.map((bound, index) => {
      cumulative += this.bucketCounts[index] ?? 0;
      return `ioasim_fault_latency_seconds_bucket{le="${number(bound)}"} ${cumulative}`;
    });
    metric('ioasim_fault_latency_seconds', 'histogram', 'Simulated latency from page request to PRG response.', [
      ...buckets,
      `ioasim_fault_latency_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `ioasim_fault_latency_seconds_sum ${number(this.latencySumSeconds)}`,
      `ioasim_fault_latency_seconds_count ${this.latencyCount}`,
    ]);
    metric('ioasim_pending_groups', 'gauge', 'Fault groups routed by the manager and not yet answered, per host.', [...this.pendingByHost].map(([host, count]) => `ioasim_pending_groups{host="${label(host)}"} ${count}`));
    metric('ioasim_pri_queue_depth', 'gauge', 'PRI queue records as the last page request arrived, per host.', [...this.priQueueByHost].map(([host, depth]) => `ioasim_pri_queue_depth{host="${label(host)}"} ${depth}`));
    metric(
      'ioasim_handler_queue_depth',
      'gauge',
      'Fault groups at a handler as the last one arrived, per space.',
      [...this.handlerQueueBySpace.values()].map((entry) => `ioasim_handler_queue_depth{host="${label(entry.host)}",ioasid="${label(entry.ioasid)}"} ${entry.depth}`),
    );
    metric('ioasim_records_dropped_total', 'counter', 'Records lost, by cause.', [...this.droppedByCause].map(([cause, count]) => `ioasim_records_dropped_total{cause="${cause}"} ${count}`));
    const bus = this.busStats();
    metric('ioasim_bus_dropped_total', 'counter', 'Messages the bus lost (transport drops) or could not route.', [
      `ioasim_bus_dropped_total{reason="transport"} ${bus?.dropped ?? 0}`,
      `ioasim_bus_dropped_total{reason="unrouted"} ${bus?.unrouted ?? 0}`,
    ]);
    metric('ioasim_run_finished', 'gauge', 'Whether the run has ended: 0 while it goes on, then 1.', [`ioasim_run_finished ${this.finished ? 1 : 0}`]);
    return `${lines.join('\n')}\n`;
  }

  private latencyRecord(latencyNs: number): void {
    const seconds = latencyNs / 1e9;
    this.latencyCount++;
    this.latencySumSeconds += seconds;
    const index = LIVE_LATENCY_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
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
