/**
 * `ioasim chaos <topology.yaml> --seeds 1..500`: a chaos campaign. Every seed
 * runs the topology under its chaos (the file's rules and any --chaos), in
 * parallel worker processes; each seed's verdict is printed as soon as it is
 * known (a failing one with its first violation; a JSON line with --json),
 * so that a campaign stopped midway keeps what it did; then a summary (the
 * report, as the last JSON line, with --json); --report writes what replay
 * and shrink need.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  CHAOS_EXIT,
  chaosExitCode,
  chaosRulesCheck,
  chaosReportBuild,
  outcomeLine,
  seedsParse,
  seedsRun,
  topologyWithChaos,
  type ChaosOutcome,
  type ChaosSchedule,
} from '@ioasim/sim/chaos';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from '@ioasim/sim';
import type { SeedResult } from '@ioasim/sim/chaos';
import { UsageError, argumentsParse, integerOption, repeatedFirst } from '../arguments.js';
import type { CommandMain, Io } from '../io.js';
import { NODE_FLAGS } from '../node-flags.js';
import { NATS_OPTIONS, NATS_OPTIONS_HELP, NATS_OPTION_NAMES } from './nats-options.js';
import { outputFileCheck, outputFileWrite, outputFileWritten } from '../output-file.js';

const BIN = fileURLToPath(new URL('../../bin/ioasim.js', import.meta.url));

const HELP = `Usage: ioasim chaos <topology.yaml> --seeds 1..500 [options]

Runs the topology once per seed under chaos: the rules of its \`chaos\` list
and of every --chaos option (drop, duplicate, delay, reorder on subjects,
partitions of host groups, crashes with restart). Chaos is on while the
workloads run, then heals; the run drains and the checker requires the six
invariants (safety) and that no page request group and no DMA access is
left unanswered, stuck or abandoned (liveness). Each seed replays exactly:
see ioasim replay.

Options:
  --seeds <list>     seeds to run: 1..500, or 3,17,42 (default 1..100)
  --swarm            each seed draws its own chaos from the rules: probabilities and
                     reorder windows scaled by 0, 1/2, 1 or 2, crashes and partitions kept or not
  --chaos <rule>     add a rule, as a YAML flow map, e.g.
                     --chaos '{ match: ">", drop: 0.05, duplicate: 0.01, reorder: "2us" }'
                     --chaos '{ crash: ioasid-manager, host: h0, at: "5ms", restartAfter: "1ms" }'
                     (crashable: ioasid-manager, vfio, vdpa)
  --delivery <d>     at-least-once or at-most-once (default: the topology's settings.delivery)
  --jobs <n>         worker processes (default: the number of CPUs)
  --report <file>    write the campaign report (JSON) for ioasim replay and ioasim shrink
  --json             print JSON lines instead: each seed's outcome as it finishes, then the report
  --transport <t>    embedded (default), or nats: every seed is a distributed run over ioasim serve
                     processes and real NATS, on the wall clock, one seed after the other, with the
                     same verdicts; a seed does not replay exactly there (the wall clock's timing)
  --spawn            nats: start the five serve processes for the campaign (re-armed after each
                     seed), and a nats-server when no --nats is given
  --nats-nodes <n>   nats: with --spawn and no --nats, start a cluster of n nats-server nodes (default
                     1); a { nats-kill: <node>, at, restartAfter } rule kills one and restarts it
${NATS_OPTIONS_HELP}
  --run <id>         nats: the run id of serve processes started by hand with --runs <seeds>
                     (without --spawn)
  -h, --help         show this help

Each seed's verdict is printed as soon as it is known, in the order the seeds
finish: a campaign stopped midway has printed every seed it finished.

Exit codes: 0 every seed held every invariant, 1 a safety invariant failed,
3 a liveness check failed (and no safety one), 2 bad input.`;

/** A seed's verdict on one line: `seed 7: pass`, or a failure with its first violation. */
function seedLine(outcome: ChaosOutcome): string {
  return outcome.verdict === 'pass' ? `seed ${outcome.seed}: pass` : outcomeLine(outcome);
}

export const chaosMain: CommandMain = async (argv, io) => {
  const { values, positionals } = argumentsParse(argv, {
    help: { type: 'boolean', short: 'h' },
    seeds: { type: 'string' },
    swarm: { type: 'boolean' },
    chaos: { type: 'string', multiple: true },
    delivery: { type: 'string' },
    jobs: { type: 'string' },
    report: { type: 'string' },
    json: { type: 'boolean' },
    transport: { type: 'string' },
    spawn: { type: 'boolean' },
    'nats-nodes': { type: 'string' },
    run: { type: 'string' },
    ...NATS_OPTIONS,
  });
  if (values['help'] === true) {
    io.out(HELP);
    return CHAOS_EXIT.pass;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError('missing <topology.yaml>');
  if (positionals.length > 1) throw new UsageError(`chaos takes one file, found ${positionals.length}`);
  const seeds = seedsParse(String(values['seeds'] ?? '1..100'));
  if (seeds === null) throw new UsageError(`--seeds expects a range like 1..500 or a list like 3,17,42, found "${String(values['seeds'])}"`);
  const repeated = repeatedFirst(seeds);
  if (repeated !== undefined) throw new UsageError(`--seeds lists seed ${repeated} more than once; each seed replays exactly, so once is enough`);
  const delivery = values['delivery'];
  if (delivery !== undefined && delivery !== 'at-least-once' && delivery !== 'at-most-once') {
    throw new UsageError(`--delivery expects at-least-once or at-most-once, found "${String(delivery)}"`);
  }
  const jobs = integerOption('jobs', values['jobs']) ?? availableParallelism();
  if (jobs < 1) throw new UsageError(`--jobs expects at least 1, found ${jobs}`);
  const reportFile = values['report'];
  if (typeof reportFile === 'string') outputFileCheck('--report', reportFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    io.error(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
    return CHAOS_EXIT.badInput;
  }
  const extra = (values['chaos'] as unknown as string[] | undefined) ?? [];
  const loaded = topologyWithChaos(text, file, extra);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.error(error);
    return CHAOS_EXIT.badInput;
  }
  const topology = loaded.topology;
  const transport = values['transport'] ?? 'embedded';
  if (transport !== 'embedded' && transport !== 'nats') throw new UsageError(`--transport expects embedded or nats, found "${String(transport)}"`);
  const natsOnly = ['spawn', 'nats-nodes', 'run', ...NATS_OPTION_NAMES].filter((name) => values[name] !== undefined);
  if (transport === 'embedded' && natsOnly.length > 0) throw new UsageError(`--${natsOnly[0] as string} goes with --transport nats`);
  if (transport === 'nats' && values['jobs'] !== undefined) throw new UsageError('--jobs goes with the embedded transport: on NATS the seeds run one after the other');
  const natsNodes = transport === 'nats' ? natsNodesCount(values) : 0;
  const refusals = chaosRulesCheck(topology.chaos, natsNodes);
  if (refusals.length > 0) {
    // The rules of --chaos come after the file's: a refusal names the one the user wrote.
    const fileRules = topology.chaos.length - extra.length;
    for (const refusal of refusals) {
      const index = Number(/^chaos\[(\d+)\]/.exec(refusal)?.[1] ?? -1);
      io.error(index >= fileRules ? `--chaos '${extra[index - fileRules] ?? ''}': ${refusal}` : `${file}: ${refusal}`);
    }
    return CHAOS_EXIT.badInput;
  }
  const schedule: ChaosSchedule = { rules: topology.chaos, delivery: delivery ?? topology.settings.delivery };
  const swarm = values['swarm'] === true;
  const startedMs = Date.now();
  let results;
  try {
    const onResult = (result: SeedResult): void => io.out(values['json'] === true ? JSON.stringify(result.outcome) : seedLine(result.outcome));
    results =
      transport === 'nats'
        ? await campaignOnNats({ file, topology: { ...topology, chaos: topology.chaos.slice(0, topology.chaos.length - extra.length) }, schedule, seeds, swarm, values, io, onResult })
        : await seedsRun(
            seeds.map((seed) => ({ topology, schedule, seed, swarm })),
            jobs,
            onResult,
          );
  } catch (error) {
    if (error instanceof RangeError) {
      io.error(`${file}: ${error.message}`);
      return CHAOS_EXIT.badInput;
    }
    if (error instanceof Error && error.name === 'CoordinationError') {
      io.error(`ioasim: ${error.message}`);
      return CHAOS_EXIT.badInput;
    }
    throw error;
  }
  // Without --swarm every seed runs the same rules: one that did nothing in every seed is a mistake worth a word.
  const idle = swarm ? [] : schedule.rules.flatMap((_, index) => (results.every((result) => result.idleRules.includes(index)) ? [index] : []));
  for (const index of idle) {
    io.error(`ioasim: chaos[${index}] did nothing in any seed: ${JSON.stringify(schedule.rules[index])} (a match that takes no message, or a crash or partition outside the run)`);
  }
  const report = chaosReportBuild({ topologyPath: file, topologyText: text, schedule, swarm, results, wallMs: Date.now() - startedMs });
  const written = typeof reportFile === 'string' ? outputFileWrite('--report', reportFile, `${JSON.stringify(report, null, 2)}\n`, io) : null;
  if (values['json'] === true) {
    io.out(JSON.stringify(report));
  } else {
    const { summary } = report;
    io.out(
      `${summary.seeds} seeds, ${schedule.rules.length} rule(s), ${schedule.delivery}${swarm ? ', swarm' : ''}: ` +
        `${summary.passed} passed, ${summary.safety} safety failure(s), ${summary.liveness} liveness failure(s) ` +
        `in ${(summary.wallMs / 1000).toFixed(1)}s ${transport === 'nats' ? 'over NATS, one seed after the other' : `with ${Math.min(jobs, seeds.length)} worker(s)`}`,
    );
  }
  if (typeof reportFile === 'string' && written === null) {
    outputFileWritten('the campaign report', reportFile, values['json'] === true, io);
    if (values['json'] !== true && report.failures.length > 0) io.out(`replay the first: ioasim replay ${reportFile}   shrink it: ioasim shrink ${reportFile}`);
  }
  return written ?? chaosExitCode(results.map((result) => result.outcome));
};

/** How many NATS servers a campaign on NATS starts itself (what a nats-kill rule may kill): --nats-nodes with --spawn and no --nats, else 0. */
function natsNodesCount(values: Readonly<Record<string, string | boolean | undefined>>): number {
  const startsServers = values['spawn'] === true && values['nats'] === undefined;
  if (values['nats-nodes'] !== undefined && !startsServers) throw new UsageError('--nats-nodes goes with --spawn and no --nats: it is how many NATS servers the campaign starts');
  if (!startsServers) return 0;
  const count = integerOption('nats-nodes', values['nats-nodes']) ?? 1;
  if (count < 1 || count > 9) throw new UsageError(`--nats-nodes expects 1 to 9, found ${count}`);
  return count;
}

type NatsCampaignInput = {
  readonly file: string;
  /** The topology as its file has it (without --chaos rules): what the serve processes load and hash. */
  readonly topology: Topology;
  readonly schedule: ChaosSchedule;
  readonly seeds: readonly number[];
  readonly swarm: boolean;
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly io: Io;
  /** Told of each seed's result as soon as it is known. */
  readonly onResult: (result: SeedResult) => void;
};

/** The campaign on NATS (distributed/nats-campaign.ts): loaded only for --transport nats. */
async function campaignOnNats(input: NatsCampaignInput): Promise<SeedResult[]> {
  const { values, io } = input;
  const { natsOptions } = await import('./nats-connection.js');
  const { natsCampaign } = await import('@ioasim/sim/distributed');
  const { servers, security } = natsOptions(values);
  const spawn = values['spawn'] === true;
  if (!spawn && servers.length === 0) throw new UsageError('--transport nats needs --spawn, or --nats <url,...> and --run <id> of serve processes started with --runs');
  const run = typeof values['run'] === 'string' ? values['run'] : spawn ? `chaos-${process.pid}` : null;
  if (run === null) throw new UsageError('--transport nats without --spawn needs --run <id>: the run id the serve processes were started with');
  if (!/^[A-Za-z0-9_-]+$/.test(run)) throw new UsageError(`--run "${run}" must be letters, digits, _ or - only`);
  return natsCampaign({
    topology: input.topology,
    topologyPath: resolve(input.file),
    schedule: input.schedule,
    seeds: input.seeds,
    swarm: input.swarm,
    servers,
    security,
    spawn: spawn ? { command: [process.execPath, ...NODE_FLAGS, BIN], natsNodes: natsNodesCount(values) } : null,
    run,
    log: () => {},
    warn: (line) => io.error(`ioasim: ${line}`),
    onResult: input.onResult,
  });
}
