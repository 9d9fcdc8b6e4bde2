/**
 * Chaos campaigns: one topology and one chaos schedule, run over many seeds.
 * A seed's run is a pure function of (topology, schedule, delivery, seed),
 * so a failing seed replays exactly from what its report records.
 *
 * With swarm testing each seed draws its own schedule from the base one: a
 * message rule's probabilities and reorder window are scaled by a factor of
 * 0, 1/2, 1 or 2 (capped at certainty), and each crash or partition is kept
 * or left out with even odds, all from the seed's own `swarm` stream.
 */
import { randomCreate } from '@ioasim/model';
import type { ChaosRule, Delivery, Topology } from '@ioasim/protocol';
import { topologyFromObject, topologyParse, type TopologyError } from '@ioasim/topology';
import { parse as yamlParse } from 'yaml';
import { schedulerRunReporting } from '../progress.js';
import { runStart, type RunOptions } from '../run.js';
import { chaosOutcome, type ChaosOutcome } from './outcome.js';

/** What a campaign runs, and what a report records to replay a seed. */
export type ChaosSchedule = {
  readonly rules: readonly ChaosRule[];
  readonly delivery: Delivery;
  /** Caps every workload's accesses (shrink sets it to find a failure with fewer faults); absent = as written. */
  readonly accessesMax?: number;
};

/** The topology a schedule runs: every workload cut to `accessesMax` accesses, when set. */
export function scheduleTopology(topology: Topology, schedule: ChaosSchedule): Topology {
  const cap = schedule.accessesMax;
  if (cap === undefined) return topology;
  return {
    ...topology,
    hosts: topology.hosts.map((host) => ({
      ...host,
      workloads: host.workloads.map((workload) =>
        workload.replay !== undefined ? workload : { ...workload, count: Math.min(workload.count ?? cap, cap) },
      ),
    })),
  };
}

/** The most accesses any workload of `topology` issues by count (0 when every one is bounded by time or replayed). */
export function accessesMost(topology: Topology): number {
  let most = 0;
  for (const host of topology.hosts) for (const workload of host.workloads) if (workload.count !== null) most = Math.max(most, workload.count);
  return most;
}

export type SeedJob = {
  readonly topology: Topology;
  readonly schedule: ChaosSchedule;
  readonly seed: number;
  readonly swarm: boolean;
};

export type SeedResult = {
  readonly outcome: ChaosOutcome;
  /** The schedule this seed ran (after swarm): replaying it with the seed gives the same outcome. */
  readonly schedule: ChaosSchedule;
  /** The rules of `schedule` that did nothing in this seed (see ChaosReport.idleRules). */
  readonly idleRules: readonly number[];
};

const SWARM_FACTORS = [0, 0.5, 1, 2] as const;

/** The schedule one seed runs: the base one, or its own draw from it with swarm. */
export function seedSchedule(base: ChaosSchedule, seed: number, swarm: boolean): ChaosSchedule {
  if (!swarm) return base;
  const random = randomCreate(seed, 'swarm');
  const factor = (): number => SWARM_FACTORS[random.below(SWARM_FACTORS.length)] as number;
  const rules: ChaosRule[] = [];
  for (const rule of base.rules) {
    if (rule.kind === 'message') {
      const scale = factor();
      rules.push({
        ...rule,
        drop: Math.min(1, rule.drop * scale),
        duplicate: Math.min(1, rule.duplicate * factor()),
        reorderNs: Math.round(rule.reorderNs * factor()),
      });
    } else if (random.chance(1, 2)) {
      rules.push(rule);
    }
  }
  return base.accessesMax === undefined ? { rules, delivery: base.delivery } : { rules, delivery: base.delivery, accessesMax: base.accessesMax };
}

/** Runs one seed of a campaign; `observers` see its trace and chaos actions (e.g. replay's --trace) and change nothing. */
export function seedRun(job: SeedJob, observers: Pick<RunOptions, 'onTrace' | 'onChaos'> = {}): SeedResult {
  const schedule = seedSchedule(job.schedule, job.seed, job.swarm);
  const topology = scheduleTopology(job.topology, schedule);
  let outcome: ChaosOutcome | null = null;
  const started = runStart(topology, {
    ...observers,
    seed: job.seed,
    chaos: { rules: schedule.rules, delivery: schedule.delivery },
    onFinish: (checker, simulatedNs) => {
      outcome = chaosOutcome(checker, simulatedNs, topology, job.seed);
    },
  });
  schedulerRunReporting(started.scheduler, undefined, started.progress);
  // A seed's verdict is the checker's: no report is built (a seventh of a seed's time).
  const { idleRules } = started.settle();
  if (outcome === null) throw new Error(`seed ${job.seed}: the run ended without a final check`);
  return { outcome, schedule, idleRules };
}

/** Parses `1..500`, `7` or `1,5,9` into seeds; null when it is none of these. */
export function seedsParse(text: string): number[] | null {
  const range = /^(\d+)\.\.(\d+)$/.exec(text);
  if (range !== null) {
    const first = Number(range[1]);
    const last = Number(range[2]);
    if (last < first || last - first > 10_000_000) return null;
    return Array.from({ length: last - first + 1 }, (_, index) => first + index);
  }
  if (!/^\d+(,\d+)*$/.test(text)) return null;
  return text.split(',').map(Number);
}

export type TopologyWithChaos = { readonly ok: true; readonly topology: Topology } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The topology of `text` with `extraRules` (each a YAML flow map, as given to
 * `--chaos`) appended to its `chaos` list, validated like the file itself.
 */
export function topologyWithChaos(text: string, file: string, extraRules: readonly string[]): TopologyWithChaos {
  const parsed = topologyParse(text, file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((error) => errorLine(file, error)) };
  if (extraRules.length === 0) return parsed;
  // Keys were checked unique by topologyParse (in linear time; yaml's own check is quadratic).
  const raw = yamlParse(text, { merge: true, uniqueKeys: false }) as Record<string, unknown>;
  const chaos = Array.isArray(raw['chaos']) ? [...(raw['chaos'] as unknown[])] : [];
  const first = chaos.length;
  for (const rule of extraRules) {
    try {
      chaos.push(yamlParse(rule));
    } catch (error) {
      return { ok: false, errors: [`--chaos '${rule}': not a YAML flow map: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`] };
    }
  }
  const result = topologyFromObject({ ...raw, chaos });
  if (!result.ok) {
    return {
      ok: false,
      errors: result.errors.map((error) => {
        const index = /^chaos\[(\d+)\]/.exec(error.path);
        const given = index === null ? undefined : extraRules[Number(index[1]) - first];
        return given === undefined ? errorLine(file, error) : `--chaos '${given}': ${error.path}: ${error.message}`;
      }),
    };
  }
  return result;
}

function errorLine(file: string, error: TopologyError): string {
  return `${file}:${error.line}:${error.column}: ${error.path === '' ? '' : `${error.path}: `}${error.message}`;
}
