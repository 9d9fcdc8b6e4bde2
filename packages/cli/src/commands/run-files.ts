/**
 * The files `ioasim run` writes, embedded or distributed: --trace and
 * --perfetto as the run goes, --report at its end. All of them are checked
 * (and the first two opened) before the run starts, so that a mistyped path
 * is bad input at once rather than an error after minutes of running.
 */
import { resolve } from 'node:path';
import { PerfettoExporter, TraceFile, reportHtml } from '@ioasim/sim';
import { UsageError } from '../arguments.js';
import type { Io } from '../io.js';
import { outputFileCheck, outputFileOpen, outputFileWrite } from '../output-file.js';
import { perfettoOptions } from '../perfetto-options.js';

/** The files a run writes as it goes, opened, and --report's path checked. */
export function outputFilesOpen(values: Readonly<Record<string, string | boolean | undefined>>): {
  readonly perfetto: PerfettoExporter | null;
  readonly traceFile: TraceFile | null;
} {
  const perfettoPath = values['perfetto'];
  if (typeof perfettoPath !== 'string' && (values['perfetto-window'] !== undefined || values['perfetto-sample'] !== undefined)) {
    throw new UsageError('--perfetto-window and --perfetto-sample go with --perfetto <file>');
  }
  const perfettoSettings = perfettoOptions(values['perfetto-window'], values['perfetto-sample']);
  const named = (['report', 'trace', 'perfetto'] as const).flatMap((option) => (typeof values[option] === 'string' ? [{ option, path: resolve(values[option]) }] : []));
  for (const [index, file] of named.entries()) {
    const twin = named.slice(index + 1).find((other) => other.path === file.path);
    if (twin !== undefined) throw new UsageError(`--${file.option} and --${twin.option} name the same file, ${values[file.option] as string}; each would overwrite the other`);
  }
  const reportPath = values['report'];
  if (typeof reportPath === 'string') outputFileCheck('--report', reportPath);
  const tracePath = values['trace'];
  const traceFile = typeof tracePath === 'string' ? outputFileOpen('--trace', tracePath, (path) => new TraceFile(path)) : null;
  const perfetto = typeof perfettoPath === 'string' ? outputFileOpen('--perfetto', perfettoPath, (path) => new PerfettoExporter(path, perfettoSettings)) : null;
  return { perfetto, traceFile };
}

/** Writes the report to `path`: the HTML report for a `.html` file, the JSON report otherwise; see outputFileWrite. */
export function reportWrite(path: string, report: Parameters<typeof reportHtml>[0], io: Io): number | null {
  const text = path.toLowerCase().endsWith('.html') ? reportHtml(report) : `${JSON.stringify(report, null, 2)}\n`;
  return outputFileWrite('--report', path, text, io);
}
