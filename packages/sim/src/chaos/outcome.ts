/**
 * The verdict of one chaos run, after its phases (chaos on, heal, drain):
 *
 * - safety: a violation of any of the six invariants, other than a group
 *   left in flight at the end, fails the run (exit 1);
 * - liveness: after healing and draining nothing may stay unanswered: a
 *   group still in flight (stuck) or given up by its device after the retry
 *   budget (abandoned) fails the run (exit 3), unless its device was
 *   unplugged by the timeline (then abandonment is the protocol's answer);
 *   so does an access left in flight, or given up with its translation
 *   request after the translation retry budget, and a frame the
 *   at-least-once layer gave up on after its retransmission budget (lost).
 *
 * A safety failure outranks a liveness one. Every violation carries the
 * seed and a trace excerpt (checker.ts); an outcome keeps a few of them.
 */
import type { Topology } from '@ioasim/protocol';
import { abandonedAccessLine, type AbandonedAccess } from '../access-account.js';
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
  /** Accesses given up with their translation request (on devices the timeline did not unplug), and left in flight at the end. */
  readonly accessesAbandoned: number;
  readonly accessesStuck: number;
  /** The first abandoned accesses, each named by its device, page and PASID. */
  readonly abandonedAccesses: readonly AbandonedAccess[];
  /** What the checker said of the first device that left accesses in flight. */
  readonly accessesStuckFirst: string | null;
  /** Frames given up by the at-least-once layer after the retransmission budget, and the first of them. */
  readonly framesLost: number;
  readonly framesLostFirst: string | null;
  readonly raised: number;
  readonly retried: number;
  readonly chaos: Readonly<Record<string, number>>;
};

export function chaosOutcome(checker: Checker, simulatedNs: number, topology: Topology, seed: number): ChaosOutcome {
  const stuck = checker.stuck;
  let violationTotal = 0;
  for (const count of checker.violationCounts.values()) violationTotal += count;
  const safetyViolations = violationTotal - checker.stuckViolations;
  const isStuck = (violation: Violation): boolean => violation.message.endsWith('never ended (stuck)');
  const violations = checker.violations.filter((violation) => !isStuck(violation)).slice(0, OUTCOME_EXAMPLES_MAX);
  const unplugged = new Set(
    topology.timeline.flatMap((entry) => (entry.action.kind === 'unplug' ? [`${entry.host ?? '*'}/${entry.action.device}`] : [])),
  );
  const pluggedIn = (on: { readonly host: string; readonly device: string }): boolean =>
    !unplugged.has(`${on.host}/${on.device}`) && !unplugged.has(`*/${on.device}`);
  const abandonedGroups = checker.abandonedGroups.filter(pluggedIn);
  const abandoned = unplugged.size === 0 ? checker.counts.abandoned : abandonedGroups.length;
  const unanswered = [...checker.stuckGroups(simulatedNs, OUTCOME_EXAMPLES_MAX), ...abandonedGroups].slice(0, OUTCOME_EXAMPLES_MAX);
  const accesses = checker.accesses;
  const abandonedAccesses = accesses.abandonedAccesses.filter(pluggedIn);
  const accessesAbandoned = unplugged.size === 0 ? accesses.abandoned : abandonedAccesses.reduce((sum, access) => sum + access.accesses, 0);
  const accessesStuckFirst = checker.violations.find((violation) => isStuck(violation) && !violation.message.startsWith('group '))?.message ?? null;
  const unended = stuck + abandoned + accessesAbandoned + accesses.stuck + checker.framesLost;
  const lostFirst = checker.framesLostFirst[0];
  const verdict: ChaosVerdict = safetyViolations > 0 ? 'safety' : unended > 0 ? 'liveness' : 'pass';
  return {
    seed,
    verdict,
    safetyViolations,
    violations,
    stuck,
    abandoned,
    unanswered,
    accessesAbandoned,
    accessesStuck: accesses.stuck,
    abandonedAccesses: abandonedAccesses.slice(0, OUTCOME_EXAMPLES_MAX),
    accessesStuckFirst,
    framesLost: checker.framesLost,
    framesLostFirst: lostFirst === undefined ? null : `${lostFirst.host}: a frame on ${lostFirst.subject} given up at t=${lostFirst.t}ns`,
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

/** One line for a failing seed: its verdict and its first violation, unanswered group or lost access. */
export function outcomeLine(outcome: ChaosOutcome): string {
  const first = outcome.violations[0];
  if (first !== undefined) return `seed ${outcome.seed}: safety — ${first.invariant}: ${first.message} (t=${first.t}ns)`;
  // Reports written before accesses were accounted for have no access fields.
  const accessesAbandoned = outcome.accessesAbandoned ?? 0;
  const accessesStuck = outcome.accessesStuck ?? 0;
  const framesLost = outcome.framesLost ?? 0;
  const accessCounts = [
    accessesAbandoned > 0 ? `${accessesAbandoned} access(es) abandoned` : '',
    accessesStuck > 0 ? `${accessesStuck} access(es) stuck` : '',
    framesLost > 0 ? `${framesLost} frame(s) lost` : '',
  ].filter((count) => count !== '');
  const counts = [`${outcome.stuck} stuck`, `${outcome.abandoned} abandoned`, ...accessCounts].join(', ');
  return `seed ${outcome.seed}: liveness — ${counts}${outcomeFirst(outcome)}`;
}

/**
 * The first things left unanswered: the first group, and the first lost
 * access (an abandoned one, else a device's stuck accesses), so that a seed
 * that lost both names each.
 */
function outcomeFirst(outcome: ChaosOutcome): string {
  const group = outcome.unanswered[0];
  const groupLine = group === undefined ? null : `${group.host}/${group.device} group ${group.group} ${group.state} after ${group.ageNs}ns`;
  const access = outcome.abandonedAccesses?.[0];
  const accessLine = access !== undefined ? abandonedAccessLine(access) : (outcome.accessesStuckFirst ?? outcome.framesLostFirst ?? null);
  if (groupLine !== null && accessLine !== null) return ` — first: ${groupLine}; first access: ${accessLine}`;
  const first = groupLine ?? accessLine;
  return first === null ? '' : ` — first: ${first}`;
}
