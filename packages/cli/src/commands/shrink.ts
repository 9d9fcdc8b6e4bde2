/**
 * `ioasim shrink <report.json> [--seed N] [--out FILE]`: finds a smaller
 * chaos schedule (fewer rules, lower probabilities, shorter windows and
 * restart delays, fewer accesses) on which a failing seed still fails the same way, and
 * writes it as a report that ioasim replay runs.
 */
import { CHAOS_EXIT, chaosExitCode, outcomeLine, shrink, type ChaosReport } from '@ioasim/sim/chaos';
import { UsageError, argumentsParse, seedOption } from '../arguments.js';
import type { CommandMain } from '../io.js';
import { outputFileCheck, outputFileWrite } from '../output-file.js';
import { failureRead } from './chaos-failure-read.js';

const HELP = `Usage: ioasim shrink <report.json> [--seed <n>] [--out <file>]

Shrinks the chaos schedule of a failing seed (the report's first, or --seed):
leaves rules out, halves probabilities, reorder windows, partition windows,
restart delays and every workload's accesses, keeping each step only if the seed still fails with the same
verdict. Writes the smallest schedule found as a report (default
<report>.shrunk.json) that ioasim replay runs.

Exit codes: the verdict of the shrunk schedule (1 safety, 3 liveness), 2 bad input.`;

export const shrinkMain: CommandMain = (argv, io) => {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' }, seed: { type: 'string' }, out: { type: 'string' } });
  if (values['help'] === true) {
    io.out(HELP);
    return CHAOS_EXIT.pass;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError('missing <report.json>');
  const loaded = failureRead(file, seedOption(values['seed']), 'shrink', io);
  if (loaded === null) return CHAOS_EXIT.badInput;
  const { report, topology, failure } = loaded;
  const out = typeof values['out'] === 'string' ? values['out'] : file.replace(/\.json$/, '') + '.shrunk.json';
  outputFileCheck('--out', out);
  io.out(`shrinking seed ${failure.seed}: ${failure.schedule.rules.length} rule(s), ${failure.outcome.verdict} failure`);
  const result = shrink(topology, failure.seed, failure.schedule, failure.outcome.verdict, (step) => io.out(`  kept: ${step}`));
  const shrunk: ChaosReport = {
    ...report,
    schedule: result.schedule,
    swarm: false,
    summary: { seeds: 1, passed: 0, safety: result.outcome.verdict === 'safety' ? 1 : 0, liveness: result.outcome.verdict === 'liveness' ? 1 : 0, wallMs: 0 },
    failures: [{ seed: failure.seed, schedule: result.schedule, outcome: result.outcome }],
    shrunkFrom: { seed: failure.seed, rules: failure.schedule.rules },
  };
  const written = outputFileWrite('--out', out, `${JSON.stringify(shrunk, null, 2)}\n`, io);
  io.out(`${result.steps.length} step(s) in ${result.runs} run(s): ${failure.schedule.rules.length} -> ${result.schedule.rules.length} rule(s)`);
  for (const rule of result.schedule.rules) io.out(`  ${JSON.stringify(rule)}`);
  if (result.schedule.accessesMax !== undefined) io.out(`  every workload cut to ${result.schedule.accessesMax} accesses`);
  io.out(outcomeLine(result.outcome));
  if (written !== null) return written;
  io.out(`wrote ${out}; replay it: ioasim replay ${out}`);
  return chaosExitCode([result.outcome]);
};
