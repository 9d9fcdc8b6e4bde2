export { Checker, INVARIANTS, type CheckerCounts, type InvariantName, type Violation } from './checker.js';
export { LatencyBook, latencyHistogram, latencySummary } from './latency.js';
export { reportDeterministicJson, reportViolations, type LatencySummary, type Report, type TimelineOutcome } from './report.js';
export { hostServicesStart, type HostServices } from './host-services.js';
export { run, runSeed, type RunOptions } from './run.js';
export { wireInject, wireRecords, wireWatch, type Simulation, type WireRecord } from './wire-probe.js';
export { IOASIM_VERSION } from './version.js';
export { PERFETTO_DEFAULTS, PerfettoExporter, type PerfettoOptions } from './perfetto.js';
export {
  GRAPH_FORMATS,
  parseDuration,
  parseRate,
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
