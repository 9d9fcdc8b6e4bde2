/**
 * The process entry of the `ioasim` command.
 */
import { cliMain } from './cli.js';

// A reader that stops early (`ioasim run ... --json | head`) closes the pipe: the output is no longer
// wanted, which is no error of the run. Stop quietly, as a Unix tool does, with the exit code so far.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

process.exitCode = await cliMain(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
  tty: process.stdout.isTTY === true,
  progress: { write: (text) => process.stderr.write(text), tty: process.stderr.isTTY === true },
});
