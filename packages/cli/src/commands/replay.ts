/**
 * `ioasim replay <report.json> [--seed N]`: runs a failing seed of a chaos
 * campaign again, from the topology text and chaos schedule its report
 * recorded, and checks that it fails the same way, violation for violation.
 */
import { TraceFile, abandonedAccessLine } from '@ioasim/sim';
import { CHAOS_EXIT, chaosExitCode, outcomeLine, outcomeSignature, seedRun } from '@ioasim/sim/chaos';
import { UsageError, argumentsParse, seedOption } from '../arguments.js';
import type { CommandMain } from '../io.js';
import { outputFileOpen } from '../output-file.js';
import { failureRead } from './chaos-failure-read.js';

const HELP = `Usage: ioasim replay <report.json> [--seed <n>] [--trace <file>]

Runs a failing seed of a chaos campaign again (the first one in the report,
or --seed) with the chaos schedule it ran, prints its violations, and says
whether they are the same as the report's.

Options:
  --seed <n>       the failing seed to replay (default: the report's first)
  --trace <file>   write the replay's whole trace to <file> as JSON Lines, one
                   event per line, chaos actions included ("kind":"chaos")
  -h, --help       show this help

Exit codes: 0 the seed now holds every invariant, 1 a safety invariant
failed or the replay differs from the report, 3 a liveness check failed,
2 bad input.`;

export const replayMain: CommandMain = (argv, io) => {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' }, seed: { type: 'string' }, trace: { type: 'string' } });
  if (values['help'] === true) {
    io.out(HELP);
    return CHAOS_EXIT.pass;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError('missing <report.json>');
  const loaded = failureRead(file, seedOption(values['seed']), 'replay', io);
  if (loaded === null) return CHAOS_EXIT.badInput;
  const { report, topology, failure } = loaded;
  const tracePath = values['trace'];
  const traceFile = typeof tracePath === 'string' ? outputFileOpen('--trace', tracePath, (path) => new TraceFile(path)) : null;
  let outcome;
  try {
    const observe = (event: Parameters<TraceFile['observe']>[0]): void => traceFile?.observe(event);
    const observers = traceFile === null ? {} : { onTrace: observe, onChaos: observe };
    outcome = seedRun({ topology, schedule: failure.schedule, seed: failure.seed, swarm: false }, observers).outcome;
  } finally {
    traceFile?.close();
  }
  const cut = failure.schedule.accessesMax === undefined ? '' : `, every workload cut to ${failure.schedule.accessesMax} accesses`;
  io.out(`replaying seed ${failure.seed} of ${report.topologyPath}: ${failure.schedule.rules.length} rule(s), ${failure.schedule.delivery}${cut}`);
  if (traceFile !== null) io.out(`trace: ${traceFile.events} events in ${traceFile.path}`);
  io.out(outcome.verdict === 'pass' ? `seed ${failure.seed}: every invariant held` : outcomeLine(outcome));
  for (const violation of outcome.violations) {
    io.out(`  ${violation.invariant} at ${violation.t}ns: ${violation.message} (seed ${violation.seed})`);
    for (const event of violation.excerpt.slice(-4)) io.out(`    ${JSON.stringify(event)}`);
  }
  for (const group of outcome.unanswered) io.out(`  ${group.state}: ${group.host}/${group.device} group ${group.group}, raised at ${group.raisedNs}ns, waited ${group.ageNs}ns`);
  for (const access of outcome.abandonedAccesses) io.out(`  ${abandonedAccessLine(access)}`);
  if (outcome.accessesStuckFirst !== null) io.out(`  ${outcome.accessesStuckFirst}`);
  if (outcomeSignature(outcome) !== outcomeSignature(failure.outcome)) {
    io.out('NOT reproduced: the replay differs from the report');
    return CHAOS_EXIT.safety;
  }
  io.out('reproduced: the same violations as the report');
  return chaosExitCode([outcome]);
};
