/**
 * The verdict of one chaos run, after its phases (chaos on, heal, drain):
 *
 * - safety: a violation of any of the six invariants, other than a group
 *   left in flight at the end, fails the run (exit 1);
 * - liveness: after healing and draining nothing may stay unanswered: a
 *   group still in flight (stuck) or given up by its device after the retry
 *   budget (abandoned) fails the run (exit 3), unless its device was
 *   unplugged by the timeline (then abandonment is the protocol's answer).
 *
 * A safety failure outranks a liveness one. Every violation carries the
 * seed and a trace excerpt (checker.ts); an outcome keeps a few of them.
 */
import type { Topology } from '@ioasim/protocol';
import type { Checker, UnansweredGroup, Violation } from '../checker.js';

export const CHAOS_VERDICTS = ['pass', 'safety', 'liveness'] as const;
export type ChaosVerdict = (typeof CHAOS_VERDICTS)[number];

/** Exit codes CI can gate on. */
export const CHAOS_EXIT = { pass: 0, safety: 1, badInput: 2, liveness: 3 } as const;

/** Violations and unanswered groups an outcome keeps in full; the rest are counted. */
export const OUTCOME_EXAMPLES_MAX = 5;

export type ChaosOutcome = {
  readonly seed: number;
  readonly verdict: ChaosVerdict;
  readonly safetyViolations: number;
  /** The first safety violations, each with its seed and trace excerpt. */
  readonly violations: readonly Violation[];
  readonly stuck: number;
  readonly abandoned: number;
  /** The stuck report: groups never answered, with their device and age. */
  readonly unanswered: readonly UnansweredGroup[];
  readonly raised: number;
  readonly retried: number;
  readonly chaos: Readonly<Record<string, number>>;
};

export function chaosOutcome(checker: Checker, simulatedNs: number, topology: Topology, seed: number): ChaosOutcome {
  const stuck = checker.stuck;
  let violationTotal = 0;
  for (const count of checker.violationCounts.values()) violationTotal += count;
  const safetyViolations = violationTotal - checker.stuckViolations;
  const violations = checker.violations.filter((violation) => !violation.message.endsWith('never ended (stuck)')).slice(0, OUTCOME_EXAMPLES_MAX);
  const unplugged = new Set(
    topology.timeline.flatMap((entry) => (entry.action.kind === 'unplug' ? [`${entry.host ?? '*'}/${entry.action.device}`] : [])),
  );
  const abandonedGroups = checker.abandonedGroups.filter(
    (group) => !unplugged.has(`${group.host}/${group.device}`) && !unplugged.has(`*/${group.device}`),
  );
  const abandoned = unplugged.size === 0 ? checker.counts.abandoned : abandonedGroups.length;
  const unanswered = [...checker.stuckGroups(simulatedNs, OUTCOME_EXAMPLES_MAX), ...abandonedGroups].slice(0, OUTCOME_EXAMPLES_MAX);
  const verdict: ChaosVerdict = safetyViolations > 0 ? 'safety' : stuck + abandoned > 0 ? 'liveness' : 'pass';
  return {
    seed,
    verdict,
    safetyViolations,
    violations,
    stuck,
    abandoned,
    unanswered,
    raised: checker.counts.raised,
    retried: checker.counts.retried,
    chaos: Object.fromEntries([...checker.chaosCounts].sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The exit code of a set of outcomes: the worst verdict wins. */
export function chaosExitCode(outcomes: Iterable<{ readonly verdict: ChaosVerdict }>): number {
  let liveness = false;
  for (const outcome of outcomes) {
    if (outcome.verdict === 'safety') return CHAOS_EXIT.safety;
    if (outcome.verdict === 'liveness') liveness = true;
  }
  return liveness ? CHAOS_EXIT.liveness : CHAOS_EXIT.pass;
}

/** One line for a failing seed: its verdict and its first violation or unanswered group. */
export function outcomeLine(outcome: ChaosOutcome): string {
  const first = outcome.violations[0];
  if (first !== undefined) return `seed ${outcome.seed}: safety — ${first.invariant}: ${first.message} (t=${first.t}ns)`;
  const group = outcome.unanswered[0];
  const detail = group === undefined ? '' : ` — first: ${group.host}/${group.device} group ${group.group} ${group.state} after ${group.ageNs}ns`;
  return `seed ${outcome.seed}: liveness — ${outcome.stuck} stuck, ${outcome.abandoned} abandoned${detail}`;
}
