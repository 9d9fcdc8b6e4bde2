export { Checker, INVARIANTS, type CheckerCounts, type InvariantName, type Violation } from './checker.js';
export { LatencyBook, latencyHistogram, latencySummary } from './latency.js';
export { reportDeterministicJson, reportViolations, type LatencySummary, type Report, type TimelineOutcome } from './report.js';
export { hostServicesStart, run, runSeed, type HostServices, type RunOptions } from './run.js';
export { IOASIM_VERSION } from './version.js';
