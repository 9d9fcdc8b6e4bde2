/**
 * `ioasim chaos --transport nats`: a chaos campaign on the wire. Every seed
 * is one distributed run of the topology under its schedule (the topology's
 * rules, --chaos, --delivery, a swarm draw), one after the other, over the
 * same serve processes: with `spawn`, five started for the campaign and
 * re-armed after each seed (`ioasim serve --runs <seeds>`), with a
 * nats-server (or a cluster of `natsNodes`) when no servers are given;
 * else processes started by hand for as many runs. Each seed's verdict is
 * the embedded campaign's (chaos/outcome.ts), from the coordinator's
 * checker; only the timing is the wall clock's.
 *
 * Invariants: every process and server started is stopped at the end, also
 * on failure; a seed the coordinator cannot run (a process gone, a
 * refusal) ends the campaign with its CoordinationError.
 */
import type { NatsSecurity } from '@ioasim/bus/nats';
import type { Topology } from '@ioasim/protocol';
import { seedSchedule, type ChaosSchedule, type SeedResult } from '../chaos/campaign.js';
import { chaosOutcome, type ChaosOutcome } from '../chaos/outcome.js';
import { coordinate, type CoordinateOptions } from './coordinate.js';
import { distributedSpawn, type Spawned } from './spawn.js';

export type NatsCampaignOptions = {
  readonly topology: Topology;
  readonly topologyPath: string;
  readonly schedule: ChaosSchedule;
  readonly seeds: readonly number[];
  readonly swarm: boolean;
  /** NATS servers to use; none (with `spawn`) = start our own. */
  readonly servers: readonly string[];
  readonly security?: NatsSecurity;
  /** Start the serve processes (and the servers, when none are given); else they are started by hand for `run`. */
  readonly spawn: { readonly command: readonly string[]; readonly natsNodes: number } | null;
  readonly run: string;
  readonly readyTimeoutMs?: number;
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly onResult?: (result: SeedResult) => void;
};

export async function natsCampaign(options: NatsCampaignOptions): Promise<SeedResult[]> {
  let spawned: Spawned | null = null;
  let servers = options.servers;
  try {
    if (options.spawn !== null) {
      spawned = await distributedSpawn({
        command: options.spawn.command,
        topologyPath: options.topologyPath,
        run: options.run,
        servers,
        natsNodes: options.spawn.natsNodes,
        runs: options.seeds.length,
        ...(options.security === undefined ? {} : { security: options.security }),
        log: options.log,
      });
      servers = spawned.servers;
    }
    const results: SeedResult[] = [];
    for (const seed of options.seeds) {
      const result = await seedOnNats(options, seed, servers, spawned);
      results.push(result);
      options.onResult?.(result);
    }
    return results;
  } finally {
    await spawned?.stop();
  }
}

async function seedOnNats(options: NatsCampaignOptions, seed: number, servers: readonly string[], spawned: Spawned | null): Promise<SeedResult> {
  const schedule = seedSchedule(options.schedule, seed, options.swarm);
  const nats = spawned?.nats ?? null;
  let outcome: ChaosOutcome | null = null;
  const coordination: CoordinateOptions = {
    topology: options.topology,
    servers,
    ...(options.security === undefined ? {} : { security: options.security }),
    run: options.run,
    seed,
    time: 'skip',
    schedule: { rules: schedule.rules, delivery: schedule.delivery },
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    ...(nats === null ? {} : { natsNodes: { count: nats.nodes.length, kill: nats.kill, restart: nats.restart } }),
    log: options.log,
    warn: options.warn,
    failure: () => {
      const exited = spawned?.children.find((child) => child.exitCode !== undefined);
      return exited === undefined ? null : `${exited.name} exited (code ${String(exited.exitCode)}) before the campaign ended`;
    },
    onChecked: (checker, runNs) => {
      outcome = chaosOutcome(checker, runNs, { ...options.topology, chaos: schedule.rules }, seed);
    },
  };
  const report = await coordinate(coordination);
  if (outcome === null) throw new Error(`seed ${seed}: the run ended without a final check`);
  return { outcome, schedule, idleRules: report.chaos.idleRules };
}
