/**
 * Shrinking a failing chaos schedule: greedy, one step at a time, keeping a
 * step only if the seed still fails with the same verdict. Steps, in order:
 * leave a rule out; for a message rule, halve its drop, duplication and
 * reorder window (to 0 below a floor), remove its delay; halve a crash's
 * restart delay; halve a partition's window; halve the accesses of every
 * workload (fewer faults). It stops when no step keeps the
 * failure, or after SHRINK_RUNS_MAX runs. Deterministic: the same report
 * shrinks to the same schedule. A step names a rule by its position in the
 * schedule the shrink started from, however many were left out before it.
 */
import type { ChaosRule, Topology } from '@ioasim/protocol';
import { accessesMost, seedRun, type ChaosSchedule } from './campaign.js';
import type { ChaosOutcome, ChaosVerdict } from './outcome.js';

/** Runs a shrink may make before it stops with what it has. */
export const SHRINK_RUNS_MAX = 200;
/** Below these, a probability or a window shrinks to 0. */
const PROBABILITY_FLOOR = 0.001;
const DURATION_FLOOR_NS = 1_000;

export type ShrinkResult = {
  readonly schedule: ChaosSchedule;
  readonly outcome: ChaosOutcome;
  readonly runs: number;
  readonly steps: readonly string[];
};

type Candidate = { rules: readonly ChaosRule[]; origins: readonly number[]; step: string };

/**
 * The smaller schedules one step away from `rules`, each with a description;
 * `origins[i]` is rule i's position in the starting schedule.
 */
function candidates(rules: readonly ChaosRule[], origins: readonly number[]): Candidate[] {
  const found: Candidate[] = [];
  const replacedFound = (index: number, rule: ChaosRule, step: string): void => {
    found.push({ rules: rules.map((other, position) => (position === index ? rule : other)), origins, step: `${step} of rule ${origins[index]}` });
  };
  const halve = (value: number, floor: number): number => (value / 2 < floor ? 0 : value / 2);
  rules.forEach((rule, index) => {
    const without = (_: unknown, position: number): boolean => position !== index;
    found.push({ rules: rules.filter(without), origins: origins.filter(without), step: `leave out rule ${origins[index]} (${rule.kind})` });
  });
  rules.forEach((rule, index) => {
    switch (rule.kind) {
      case 'message':
        if (rule.drop > 0) replacedFound(index, { ...rule, drop: halve(rule.drop, PROBABILITY_FLOOR) }, 'halve drop');
        if (rule.duplicate > 0) replacedFound(index, { ...rule, duplicate: halve(rule.duplicate, PROBABILITY_FLOOR) }, 'halve duplicate');
        if (rule.reorderNs > 0) replacedFound(index, { ...rule, reorderNs: Math.round(halve(rule.reorderNs, DURATION_FLOOR_NS)) }, 'halve reorder window');
        if (rule.delay !== null) replacedFound(index, { ...rule, delay: null }, 'remove delay');
        return;
      case 'crash':
      case 'natsKill':
        if (rule.restartAfterNs > DURATION_FLOOR_NS) replacedFound(index, { ...rule, restartAfterNs: Math.round(rule.restartAfterNs / 2) }, 'halve restart delay');
        return;
      case 'partition': {
        const windowNs = rule.toNs - rule.fromNs;
        if (windowNs > DURATION_FLOOR_NS) replacedFound(index, { ...rule, toNs: rule.fromNs + Math.round(windowNs / 2) }, 'halve partition window');
        return;
      }
      default: {
        const unknown: never = rule;
        void unknown;
      }
    }
  });
  return found.filter((candidate) => candidate.rules.every((rule) => rule.kind !== 'message' || rule.drop > 0 || rule.duplicate > 0 || rule.reorderNs > 0 || rule.delay !== null));
}

export function shrink(topology: Topology, seed: number, start: ChaosSchedule, verdict: ChaosVerdict, onStep?: (step: string) => void): ShrinkResult {
  let schedule = start;
  let origins: readonly number[] = start.rules.map((_, index) => index);
  let outcome: ChaosOutcome | null = null;
  let runs = 0;
  const steps: string[] = [];
  let progressed = true;
  while (progressed && runs < SHRINK_RUNS_MAX) {
    progressed = false;
    const accesses = schedule.accessesMax ?? accessesMost(topology);
    const moves: (Candidate & { accessesMax?: number })[] = candidates(schedule.rules, origins);
    if (accesses > 1) moves.push({ rules: schedule.rules, origins, step: `halve every workload to ${Math.ceil(accesses / 2)} accesses`, accessesMax: Math.ceil(accesses / 2) });
    for (const candidate of moves) {
      if (runs >= SHRINK_RUNS_MAX) break;
      const accessesMax = candidate.accessesMax ?? schedule.accessesMax;
      const trial: ChaosSchedule = accessesMax === undefined ? { rules: candidate.rules, delivery: schedule.delivery } : { rules: candidate.rules, delivery: schedule.delivery, accessesMax };
      runs++;
      const result = seedRun({ topology, schedule: trial, seed, swarm: false });
      if (result.outcome.verdict !== verdict) continue;
      schedule = trial;
      origins = candidate.origins;
      outcome = result.outcome;
      steps.push(candidate.step);
      onStep?.(candidate.step);
      progressed = true;
      break;
    }
  }
  if (outcome === null) {
    runs++;
    outcome = seedRun({ topology, schedule, seed, swarm: false }).outcome;
  }
  return { schedule, outcome, runs, steps };
}
