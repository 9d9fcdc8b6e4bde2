/**
 * The files a command writes (`--report`, `--perfetto`, `--trace`, shrink's
 * `--out`). Each is checked before the work starts, so that a run of many
 * minutes is not lost to a mistyped directory; a write that still fails
 * (the disk filled, the directory went away) is reported on standard error
 * with the option and the path, never as a stack trace, and what the command
 * prints on standard output is printed all the same.
 */
import { accessSync, constants, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './arguments.js';
import { EXIT, type Io } from './io.js';

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Throws a UsageError naming `option` when `path` cannot be written: a directory, a missing directory, no permission. */
export function outputFileCheck(option: string, path: string): void {
  if (path === '') throw new UsageError(`${option} expects a file name, found an empty string`);
  const full = resolve(path);
  const file = statOrNull(full);
  if (file?.isDirectory() === true) throw new UsageError(`${option} ${path}: is a directory; expected a file to write`);
  const directory = dirname(full);
  const parent = statOrNull(directory);
  if (parent === null) throw new UsageError(`${option} ${path}: the directory ${directory} does not exist`);
  if (!parent.isDirectory()) throw new UsageError(`${option} ${path}: ${directory} is not a directory`);
  try {
    accessSync(file === null ? directory : full, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${path}: ${file === null ? `the directory ${directory}` : 'the file'} is not writable`);
  }
}

/** Opens a file writer (a Perfetto exporter, a trace file) for `option`; a failure to open is a UsageError. */
export function outputFileOpen<Writer>(option: string, path: string, open: (path: string) => Writer): Writer {
  outputFileCheck(option, path);
  try {
    return open(path);
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${errorReason(error)}`);
  }
}

/** Writes `text` to `path`; a failure is said on standard error and gives the bad-input exit code, else null. */
export function outputFileWrite(option: string, path: string, text: string, io: Io): number | null {
  try {
    writeFileSync(path, text);
    return null;
  } catch (error) {
    io.error(`ioasim: ${option} ${path}: could not write: ${errorReason(error)}`);
    return EXIT.badInput;
  }
}

/**
 * Says what a command wrote, after its own output: a line on standard output,
 * or on standard error when standard output carries JSON, which must stay
 * one document.
 */
export function outputFileWritten(what: string, path: string, json: boolean, io: Io): void {
  const line = `wrote ${what} to ${path}`;
  if (json) io.error(`ioasim: ${line}`);
  else io.out(line);
}

function errorReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
