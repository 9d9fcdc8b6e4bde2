/**
 * Chaos testing: the wiring of one run (ChaosBus, at-least-once, crashes,
 * heal), the verdict of a run, campaigns over many seeds in worker
 * processes, their report, replay and shrinking.
 */
export { CHAOS_EXIT, CHAOS_VERDICTS, OUTCOME_EXAMPLES_MAX, chaosExitCode, chaosOutcome, outcomeLine, type ChaosOutcome, type ChaosVerdict } from './outcome.js';
export { accessesMost, scheduleTopology, seedRun, seedSchedule, seedsParse, topologyWithChaos, type ChaosSchedule, type SeedJob, type SeedResult, type TopologyWithChaos } from './campaign.js';
export { seedsRun, workerPath } from './pool.js';
export { CHAOS_REPORT_KIND, chaosReportBuild, chaosReportParse, outcomeSignature, type ChaosFailure, type ChaosReport } from './chaos-report.js';
export { SHRINK_RUNS_MAX, shrink, type ShrinkResult } from './shrink.js';
export { CRASHABLE_ACTORS, HEAL_POLL_NS, chaosRulesCheck, type ChaosRunOptions } from './wiring.js';
