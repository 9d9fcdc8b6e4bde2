/**
 * @ioasim/sim: an embedded run (a topology's actors on the in-process bus in
 * virtual time), its checker, report and outputs, and the topology format.
 * What a run does not need has an entry of its own in src/entries/, so that
 * `ioasim run` loads none of it: @ioasim/sim/distributed (NATS), /chaos and
 * /sweep (campaigns over worker processes), /report-html; and, for what
 * runs nothing, /topology and /version.
 */
export { Checker, INVARIANTS, type CheckerCounts, type InvariantName, type Violation } from './checker.js';
export { abandonedAccessLine, accessName, deviceAccessesOf, type AbandonedAccess, type DeviceAccesses } from './access-account.js';
export { LatencyBook, LatencyTally, latencyHistogram, latencySummary } from './latency.js';
export { reportDeterministicJson, reportViolations, type DistributedReport, type LatencySummary, type Report, type TimelineOutcome } from './report.js';
export { hostServicesStart, type HostServices } from './host-services.js';
export { run, runSeed, runStart, type RunOptions, type RunSettled, type RunStarted } from './run.js';
export { HeapLimitError } from './heap-guard.js';
export { LIVE_SLICE_MS_DEFAULT, runLive, type LiveRunOptions } from './live-run.js';
export { LIVE_LATENCY_BUCKETS_SECONDS, LIVE_METRIC_NAMES, LiveMetrics, type LiveClock, type LiveMetricsOptions } from './live-metrics.js';
export { wireInject, wireRecords, wireWatch, type Simulation, type WireRecord } from './wire-probe.js';
export { IOASIM_VERSION } from './entries/version.js';
export { PERFETTO_DEFAULTS, PERFETTO_LANES_MAX, PerfettoExporter, type PerfettoClock, type PerfettoOptions } from './perfetto.js';
export { TraceFile } from './trace-file.js';
export { REPLAY_COLUMNS, workloadReplayLoad, workloadReplayParse, type ReplayResult } from './workload-replay.js';
export { HOPS, HOP_DESCRIPTIONS, HopBook, type HopName } from './hops.js';
export { CDF_PERCENTILES, type CdfPoint, type LoadReport } from './load-report.js';
export { runExpectedNs, type RunProgress } from './progress.js';
export { SERIES_BUCKETS, type SeriesReport } from './series.js';
export * from './entries/topology.js';
