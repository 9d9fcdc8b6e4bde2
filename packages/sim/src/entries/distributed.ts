/**
 * @ioasim/sim/distributed: distributed mode over NATS (DESIGN.md,
 * "Distributed mode"): the coordinator of `ioasim run --transport nats`,
 * the service processes of `ioasim serve`, starting them and nats-server,
 * and the real-clock pieces they share. Apart from the index, so that an
 * embedded run does not load it and the NATS client it brings.
 */
export { ProcessGroup, STOP_GRACE_MS, type Child } from '../distributed/processes.js';
export {
  NatsConnectError,
  natsSecurityDescribe,
  natsUrlCredentials,
  natsUrlRedact,
  type NatsConnectFailure,
  type NatsSecurity,
} from '@ioasim/bus/nats';
export {
  NATS_CLUSTER_NAME,
  loopbackPortFree,
  natsServerFind,
  natsServersStart,
  type NatsNode,
  type NatsServers,
  type NatsServersOptions,
} from '../distributed/nats-server.js';
export {
  CoordinationError,
  READY_TIMEOUT_MS,
  READY_SETTLE_MS,
  RUN_TIMEOUT_MS,
  clockCorrectionMs,
  coordinate,
  natsConnectionCheck,
  type CoordinateOptions,
} from '../distributed/coordinate.js';
export { ProcessRoster, coverageCheck, processLabel } from '../distributed/roster.js';
export { ClockBook, DEFAULT_MAX_SKEW_NS, clockSample, skewText, type ClockSample } from '../distributed/clock-skew.js';
export { topologyHash } from '../distributed/topology-identity.js';
export { SERVE_METRIC_NAMES, serveMetricsRender } from '../distributed/serve-metrics.js';
export { ANNOUNCE_REPEAT_MS, processName, serve, serveKindIs, shardHosts, type ServeHandle, type ServeOptions } from '../distributed/serve.js';
export {
  NATS_SECRET_ENVIRONMENT,
  distributedSpawn,
  serversFrom,
  natsSecretEnvironment,
  natsSecurityArguments,
  serveArguments,
  type SpawnOptions,
  type Spawned,
} from '../distributed/spawn.js';
export { REAL_TIMEOUT_MIN_NS, modeledRoundTripNs, topologyForRealClock } from '../distributed/time-mode.js';
export { DISCOVERY_WAIT_MS, SERVICE_NAME, readyFromInfo, serveMetadata, servesFind, type ServeIdentity } from '../distributed/serve-discovery.js';
export { RunChaos, type NatsNodes } from '../distributed/run-chaos.js';
export { natsCampaign, type NatsCampaignOptions } from '../distributed/nats-campaign.js';
export { TRACE_HOLD_NS, TraceOrder } from '../distributed/trace-order.js';
export { RunEnd, type RunEndState, type RunEndVerdict } from '../distributed/run-end.js';
export { SERVICE_KINDS, TIME_MODES, isSubjectToken, type ServeKind, type ServiceKind, type TimeMode } from '@ioasim/protocol';
