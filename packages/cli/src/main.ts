/**
 * The process entry of the `ioasim` command.
 */
import { cliMain } from './cli.js';

process.exitCode = await cliMain(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
  tty: process.stdout.isTTY === true,
  progress: { write: (text) => process.stderr.write(text), tty: process.stderr.isTTY === true },
});
