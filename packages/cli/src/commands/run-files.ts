/**
 * The files `ioasim run` writes, embedded or distributed: --trace and
 * --perfetto as the run goes, --report at its end (runReportEnd, which also
 * prints the report). All of them are checked (and the first two opened)
 * before the run starts, so that a mistyped path is bad input at once rather
 * than an error after minutes of running.
 */
import { resolve } from 'node:path';
import { PerfettoExporter, TraceFile, reportViolations, type PerfettoClock, type Report, type Topology } from '@ioasim/sim';
import { UsageError } from '../arguments.js';
import { EXIT, type Io } from '../io.js';
import { outputFileCheck, outputFileOpen, outputFileWrite, outputFileWritten } from '../output-file.js';
import { perfettoOptions } from '../perfetto-options.js';
import { styleFor, summaryFormat } from '../summary.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** The files a run writes as it goes, opened, and --report's path checked; `close` closes both. `clock`: what the run's times are. */
export function outputFilesOpen(values: Values, clock: PerfettoClock): {
  readonly perfetto: PerfettoExporter | null;
  readonly traceFile: TraceFile | null;
  close(): void;
} {
  const perfettoPath = values['perfetto'];
  if (typeof perfettoPath !== 'string' && (values['perfetto-window'] !== undefined || values['perfetto-sample'] !== undefined)) {
    throw new UsageError('--perfetto-window and --perfetto-sample go with --perfetto <file>');
  }
  const perfettoSettings = { ...perfettoOptions(values['perfetto-window'], values['perfetto-sample']), clock };
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
  const close = (): void => {
    perfetto?.close();
    traceFile?.close();
  };
  return { perfetto, traceFile, close };
}

/**
 * The end of a run, embedded or distributed: --report written, the report
 * printed (JSON, or the summary and `summaryTail`), and the exit code from its
 * invariants, or bad input when --report could not be written.
 */
export async function runReportEnd(report: Report, topology: Topology, values: Values, io: Io, summaryTail = ''): Promise<number> {
  const reportPath = values['report'];
  const json = values['json'] === true;
  const written = typeof reportPath === 'string' ? await reportWrite(reportPath, report, topology, io) : null;
  if (json) io.out(JSON.stringify(report, null, 2));
  else io.out(`${summaryFormat(report, styleFor(io.tty))}${summaryTail}`);
  if (typeof reportPath === 'string' && written === null) outputFileWritten(reportIsHtml(reportPath) ? 'the HTML report' : 'the JSON report', reportPath, json, io);
  return written ?? (reportViolations(report) > 0 ? EXIT.violation : EXIT.ok);
}

function reportIsHtml(path: string): boolean {
  return path.toLowerCase().endsWith('.html');
}

/**
 * Writes the report to `path`: the HTML report for a `.html` file (its code
 * loaded only then), the JSON report otherwise; see outputFileWrite.
 */
async function reportWrite(path: string, report: Report, topology: Topology, io: Io): Promise<number | null> {
  const text = reportIsHtml(path) ? (await import('@ioasim/sim/report-html')).reportHtml(report, topology) : `${JSON.stringify(report, null, 2)}\n`;
  return outputFileWrite('--report', path, text, io);
}
