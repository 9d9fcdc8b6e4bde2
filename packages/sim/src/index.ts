export { Checker, INVARIANTS, type CheckerCounts, type InvariantName, type Violation } from './checker.js';
export { LatencyBook, LatencyTally, latencyHistogram, latencySummary } from './latency.js';
export { reportDeterministicJson, reportViolations, type LatencySummary, type Report, type TimelineOutcome } from './report.js';
export { hostServicesStart, type HostServices } from './host-services.js';
export { run, runSeed, runStart, type RunOptions, type RunStarted } from './run.js';
export { HeapLimitError } from './heap-guard.js';
export { LIVE_SLICE_MS_DEFAULT, runLive, type LiveRunOptions } from './live-run.js';
export { LIVE_LATENCY_BUCKETS_SECONDS, LIVE_METRIC_NAMES, LiveMetrics } from './live-metrics.js';
export { wireInject, wireRecords, wireWatch, type Simulation, type WireRecord } from './wire-probe.js';
export { IOASIM_VERSION } from './version.js';
export { PERFETTO_DEFAULTS, PerfettoExporter, type PerfettoOptions } from './perfetto.js';
export { TraceFile } from './trace-file.js';
export { REPLAY_COLUMNS, workloadReplayLoad, workloadReplayParse, type ReplayResult } from './workload-replay.js';
export { HOPS, HOP_DESCRIPTIONS, HopBook, type HopName } from './hops.js';
export { CDF_PERCENTILES, type CdfPoint, type LoadReport } from './load-report.js';
export { runExpectedNs, type RunProgress } from './progress.js';
export { reportHtml } from './report-html.js';
export {
  SweepError,
  reportMetric,
  sweepInputParse,
  sweepParameterParse,
  sweepPoints,
  sweepSubstitute,
  sweepValueNumber,
  type SweepParameter,
  type SweepPoint,
  type SweepResult,
} from './sweep.js';
export { sweepHtml } from './sweep-html.js';
export { sweepRun, type SweepOptions } from './sweep-pool.js';
export { SERIES_BUCKETS, type SeriesReport } from './series.js';
export {
  GRAPH_FORMATS,
  parseDuration,
  parseRate,
  suggestionFind,
  topology,
  topologyErrorFormat,
  topologyFromObject,
  topologyGraph,
  topologyJsonSchema,
  topologyLoad,
  topologyParse,
  topologyTree,
  type GraphFormat,
  type TopologyError,
  type TopologyResult,
} from '@ioasim/topology';
export type { Topology } from '@ioasim/protocol';
export { ProcessGroup, STOP_GRACE_MS, type Child } from './distributed/processes.js';
export {
  NATS_CLUSTER_NAME,
  loopbackPortFree,
  natsServerFind,
  natsServersStart,
  type NatsNode,
  type NatsServers,
} from './distributed/nats-server.js';
export { CoordinationError, READY_TIMEOUT_MS, RUN_TIMEOUT_MS, coordinate, coverageCheck, type CoordinateOptions } from './distributed/coordinate.js';
export { processName, serve, serveKindIs, shardHosts, type ServeHandle, type ServeOptions } from './distributed/serve.js';
export { distributedSpawn, serveArguments, type SpawnOptions, type Spawned } from './distributed/spawn.js';
export { REAL_TIMEOUT_MIN_NS, modeledRoundTripNs, topologyForRealClock } from './distributed/time-mode.js';
export { TRACE_HOLD_NS, TraceOrder } from './distributed/trace-order.js';
export { RunEnd, type RunEndState, type RunEndVerdict } from './distributed/run-end.js';
export type { DistributedReport } from './report.js';
export { SERVICE_KINDS, TIME_MODES, isSubjectToken, type ServeKind, type ServiceKind, type TimeMode } from '@ioasim/protocol';
export * from './chaos/index.js';
