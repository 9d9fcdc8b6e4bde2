/**
 * `ioasim replay <report.json> [--seed N]`: runs a failing seed of a chaos
 * campaign again, from the topology text and chaos schedule its report
 * recorded, and checks that it fails the same way, violation for violation.
 */
import { readFileSync } from 'node:fs';
import { CHAOS_EXIT, chaosExitCode, chaosReportParse, outcomeLine, outcomeSignature, seedRun, topologyWithChaos } from '@ioasim/sim';
import { UsageError, argumentsParse, integerOption } from '../arguments.js';
import type { Command } from '../io.js';

const HELP = `Usage: ioasim replay <report.json> [--seed <n>]

Runs a failing seed of a chaos campaign again (the first one in the report,
or --seed) with the chaos schedule it ran, prints its violations, and says
whether they are the same as the report's.

Exit codes: 0 the seed now holds every invariant, 1 a safety invariant
failed or the replay differs from the report, 3 a liveness check failed,
2 bad input.`;

export const replayCommand: Command = {
  name: 'replay',
  usage: 'replay <report.json>',
  summary: 'run a failing chaos seed again from its report',
  main: (argv, io) => {
    const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' }, seed: { type: 'string' } });
    if (values['help'] === true) {
      io.out(HELP);
      return CHAOS_EXIT.pass;
    }
    const file = positionals[0];
    if (file === undefined) throw new UsageError('missing <report.json>');
    const loaded = reportRead(file, io);
    if (loaded === null) return CHAOS_EXIT.badInput;
    const { report, topology } = loaded;
    const seed = integerOption('seed', values['seed']);
    const failure = seed === undefined ? report.failures[0] : report.failures.find((candidate) => candidate.seed === seed);
    if (failure === undefined) {
      io.error(seed === undefined ? `${file}: no failing seed to replay` : `${file}: seed ${seed} is not among its failures`);
      return CHAOS_EXIT.badInput;
    }
    const { outcome } = seedRun({ topology, schedule: failure.schedule, seed: failure.seed, swarm: false });
    const cut = failure.schedule.accessesMax === undefined ? '' : `, every workload cut to ${failure.schedule.accessesMax} accesses`;
    io.out(`replaying seed ${failure.seed} of ${report.topologyPath}: ${failure.schedule.rules.length} rule(s), ${failure.schedule.delivery}${cut}`);
    io.out(outcome.verdict === 'pass' ? `seed ${failure.seed}: every invariant held` : outcomeLine(outcome));
    for (const violation of outcome.violations) {
      io.out(`  ${violation.invariant} at ${violation.t}ns: ${violation.message} (seed ${violation.seed})`);
      for (const event of violation.excerpt.slice(-4)) io.out(`    ${JSON.stringify(event)}`);
    }
    for (const group of outcome.unanswered) io.out(`  ${group.state}: ${group.host}/${group.device} group ${group.group}, raised at ${group.raisedNs}ns, waited ${group.ageNs}ns`);
    if (outcomeSignature(outcome) !== outcomeSignature(failure.outcome)) {
      io.out('NOT reproduced: the replay differs from the report');
      return CHAOS_EXIT.safety;
    }
    io.out('reproduced: the same violations as the report');
    return chaosExitCode([outcome]);
  },
};

/** The report in `file` and its topology, or null after printing why not. */
export function reportRead(file: string, io: Parameters<Command['main']>[1]) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    io.error(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  const parsed = chaosReportParse(text);
  if (!parsed.ok) {
    io.error(`${file}: ${parsed.error}`);
    return null;
  }
  const loaded = topologyWithChaos(parsed.report.topologyText, parsed.report.topologyPath, []);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.error(error);
    return null;
  }
  return { report: parsed.report, topology: loaded.topology };
}
