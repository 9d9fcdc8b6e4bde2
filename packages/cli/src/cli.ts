/**
 * The `ioasim` command: dispatch to a command, map outcomes to exit codes
 * (0 success, 1 an invariant violated, 2 bad input), never a stack trace for
 * a user's mistake.
 */
import { writeFileSync } from 'node:fs';
import {
  IOASIM_VERSION,
  parseDuration,
  reportViolations,
  run,
  topologyErrorFormat,
  topologyLoad,
  type Topology,
} from '@ioasim/sim';
import { UsageError, argumentsParse, integerOption } from './arguments.js';
import { HELP_MAIN, HELP_RUN, HELP_VALIDATE } from './help.js';
import { styleFor, summaryFormat } from './summary.js';

export type Io = {
  readonly out: (text: string) => void;
  readonly error: (text: string) => void;
  readonly tty: boolean;
};

export const EXIT = { ok: 0, violation: 1, badInput: 2 } as const;

export function cliMain(argv: readonly string[], io: Io): number {
  try {
    return dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.error(`ioasim: ${error.message}\nRun 'ioasim --help' for usage.`);
      return EXIT.badInput;
    }
    throw error;
  }
}

function dispatch(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(HELP_MAIN);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    io.out(IOASIM_VERSION);
    return EXIT.ok;
  }
  switch (command) {
    case 'run':
      return commandRun(rest, io);
    case 'validate':
      return commandValidate(rest, io);
    default:
      throw new UsageError(`unknown command "${command}"; expected one of: run, validate`);
  }
}

function topologyRead(file: string | undefined, io: Io): Topology | null {
  if (file === undefined) throw new UsageError('missing <topology.yaml>');
  const result = topologyLoad(file);
  if (result.ok) return result.topology;
  for (const error of result.errors) io.error(topologyErrorFormat(error, file));
  io.error(`${file}: ${result.errors.length} error(s)`);
  return null;
}

function commandValidate(argv: readonly string[], io: Io): number {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' } });
  if (values['help'] === true) {
    io.out(HELP_VALIDATE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`validate takes one file, found ${positionals.length}`);
  const file = positionals[0];
  const topology = topologyRead(file, io);
  if (topology === null) return EXIT.badInput;
  const devices = topology.hosts.reduce((sum, host) => sum + host.devices.length, 0);
  const spaces = topology.hosts.reduce((sum, host) => sum + host.spaces.length, 0);
  io.out(`${String(file)}: valid — ${topology.hosts.length} host(s), ${devices} device(s), ${spaces} space(s)`);
  return EXIT.ok;
}

function commandRun(argv: readonly string[], io: Io): number {
  const { values, positionals } = argumentsParse(argv, {
    help: { type: 'boolean', short: 'h' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    until: { type: 'string' },
  });
  if (values['help'] === true) {
    io.out(HELP_RUN);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`run takes one file, found ${positionals.length}`);
  const seed = integerOption('seed', values['seed']);
  let untilNs: number | undefined;
  if (typeof values['until'] === 'string') {
    try {
      untilNs = parseDuration(values['until']);
    } catch (error) {
      throw new UsageError(`--until: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const topology = topologyRead(positionals[0], io);
  if (topology === null) return EXIT.badInput;
  const report = run(topology, {
    ...(seed === undefined ? {} : { seed }),
    ...(untilNs === undefined ? {} : { untilNs }),
  });
  if (typeof values['report'] === 'string') writeFileSync(values['report'], `${JSON.stringify(report, null, 2)}\n`);
  if (values['json'] === true) io.out(JSON.stringify(report, null, 2));
  else io.out(summaryFormat(report, styleFor(io.tty)));
  return reportViolations(report) > 0 ? EXIT.violation : EXIT.ok;
}
