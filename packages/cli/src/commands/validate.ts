/**
 * `ioasim validate <topology.yaml>`: every error of a file at once.
 */
import { UsageError, argumentsParse } from '../arguments.js';
import { EXIT, type CommandMain } from '../io.js';
import { topologyRead } from './topology-read.js';

const HELP = `Usage: ioasim validate <topology.yaml>

Checks a topology file against the format of docs/topology.md and prints every
error at once, each with its file, line, column and path, what was found and
what was expected.

Exit codes: 0 valid, 2 invalid or unreadable.`;

export const validateMain: CommandMain = (argv, io) => {
  const { values, positionals } = argumentsParse(argv, { help: { type: 'boolean', short: 'h' } });
  if (values['help'] === true) {
    io.out(HELP);
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
};
