/**
 * The `ioasim` command: dispatch to a command, map outcomes to exit codes
 * (0 success, 1 an invariant violated, 2 bad input), never a stack trace for
 * a user's mistake. It loads no simulator itself: each command loads what it
 * needs when it runs (commands/index.ts), so `ioasim --help` and
 * `--version` start at once.
 */
import { COMMANDS } from './commands/index.js';
import { EXIT, type Io } from './io.js';
import { UsageError } from './usage-error.js';

export { EXIT, type Io } from './io.js';

export function helpMain(): string {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length));
  return `ioasim — a simulator of the Linux /dev/ioasid (iommufd) I/O page-fault path

Usage: ioasim <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  -h, --help     show help (also: ioasim <command> --help)
  -v, --version  print the version

Exit codes: 0 success, 1 an invariant was violated, 2 bad input,
3 a liveness check failed (ioasim chaos, replay, shrink).
Topology format: docs/topology.md. Examples: examples/.`;
}

export async function cliMain(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const command = COMMANDS.find((candidate) => candidate.name === argv[0]);
      io.error(`ioasim: ${error.message}\nRun 'ioasim ${command === undefined ? '' : `${command.name} `}--help' for usage.`);
      return EXIT.badInput;
    }
    // Only a run throws it, and a run has loaded the simulator already: this import costs nothing then.
    const { HeapLimitError } = await import('@ioasim/sim');
    if (error instanceof HeapLimitError) {
      io.error(`ioasim: ${error.message}`);
      return EXIT.badInput;
    }
    throw error;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const helped = name === 'help' ? COMMANDS.find((candidate) => candidate.name === rest[0]) : undefined;
  if (helped !== undefined) return helped.main(['--help'], io);
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? io.error : io.out)(helpMain());
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    io.out((await import('@ioasim/sim/version')).IOASIM_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    throw new UsageError(`unknown command "${name}"; expected one of: ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  return command.main(rest, io);
}
