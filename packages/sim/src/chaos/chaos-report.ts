/**
 * The report of a chaos campaign, as `ioasim chaos --report FILE` writes it
 * and `ioasim replay` / `ioasim shrink` read it. It records everything a
 * failing seed needs to run again: the topology's path and full text, the
 * delivery, and each failing seed with the exact chaos schedule it ran.
 */
import type { ChaosRule, Delivery } from '@ioasim/protocol';
import type { ChaosSchedule, SeedResult } from './campaign.js';
import { accessName } from '../access-account.js';
import { CHAOS_VERDICTS, type ChaosOutcome } from './outcome.js';

export const CHAOS_REPORT_KIND = 'ioasim-chaos-report';

export type ChaosFailure = { readonly seed: number; readonly schedule: ChaosSchedule; readonly outcome: ChaosOutcome };

export type ChaosReport = {
  readonly kind: typeof CHAOS_REPORT_KIND;
  readonly version: 1;
  readonly topologyPath: string;
  readonly topologyText: string;
  /** The schedule the campaign started from (before swarm draws). */
  readonly schedule: ChaosSchedule;
  readonly swarm: boolean;
  readonly summary: {
    readonly seeds: number;
    readonly passed: number;
    readonly safety: number;
    readonly liveness: number;
    readonly wallMs: number;
  };
  readonly failures: readonly ChaosFailure[];
  /** Set by `ioasim shrink`: the seed and schedule it started from. */
  readonly shrunkFrom?: { readonly seed: number; readonly rules: readonly ChaosRule[] };
};

export function chaosReportBuild(options: {
  topologyPath: string;
  topologyText: string;
  schedule: ChaosSchedule;
  swarm: boolean;
  results: readonly SeedResult[];
  wallMs: number;
}): ChaosReport {
  const failures = options.results.filter((result) => result.outcome.verdict !== 'pass');
  return {
    kind: CHAOS_REPORT_KIND,
    version: 1,
    topologyPath: options.topologyPath,
    topologyText: options.topologyText,
    schedule: options.schedule,
    swarm: options.swarm,
    summary: {
      seeds: options.results.length,
      passed: options.results.length - failures.length,
      safety: failures.filter((result) => result.outcome.verdict === 'safety').length,
      liveness: failures.filter((result) => result.outcome.verdict === 'liveness').length,
      wallMs: options.wallMs,
    },
    failures: failures.map((result) => ({ seed: result.outcome.seed, schedule: result.schedule, outcome: result.outcome })),
  };
}

/** The report in `text`, or why it is not one. */
export function chaosReportParse(text: string): { ok: true; report: ChaosReport } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const report = value as Partial<ChaosReport> | null;
  if (report === null || typeof report !== 'object' || report.kind !== CHAOS_REPORT_KIND) {
    return { ok: false, error: `not a chaos report (expected "kind": "${CHAOS_REPORT_KIND}", as ioasim chaos --report writes)` };
  }
  if (typeof report.topologyText !== 'string' || !Array.isArray(report.failures)) {
    return { ok: false, error: 'a chaos report without its topology text or its failures' };
  }
  for (const failure of report.failures) {
    if (typeof failure?.seed !== 'number' || !Array.isArray(failure.schedule?.rules) || !isDelivery(failure.schedule.delivery)) {
      return { ok: false, error: 'a failure without its seed or its chaos schedule' };
    }
    if (!CHAOS_VERDICTS.includes(failure.outcome?.verdict)) return { ok: false, error: `seed ${failure.seed}: no verdict` };
  }
  return { ok: true, report: report as ChaosReport };
}

function isDelivery(value: unknown): value is Delivery {
  return value === 'at-least-once' || value === 'at-most-once';
}

/** What must match for a replay to reproduce a failure: the verdict, each violation, and the unanswered groups and accesses. */
export function outcomeSignature(outcome: ChaosOutcome): string {
  return JSON.stringify({
    verdict: outcome.verdict,
    safetyViolations: outcome.safetyViolations,
    violations: outcome.violations.map((violation) => `${violation.invariant} ${violation.t} ${violation.message}`),
    stuck: outcome.stuck,
    abandoned: outcome.abandoned,
    unanswered: outcome.unanswered.map((group) => `${group.host}/${group.device}/${group.group} ${group.state} ${group.ageNs}`),
    // Reports written before accesses were accounted for have no access fields: they lost none that anyone counted.
    accessesAbandoned: outcome.accessesAbandoned ?? 0,
    accessesStuck: outcome.accessesStuck ?? 0,
    abandonedAccesses: (outcome.abandonedAccesses ?? []).map((access) => `${accessName(access)} ${access.accesses} ${access.abandonedNs}`),
  });
}
