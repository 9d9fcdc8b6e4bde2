/**
 * `ioasim sweep <topology.yaml> --set <path>=<v1,v2,...>`: run a topology once
 * per combination of parameter values, print a table of a metric and a few
 * standard figures, and write an HTML chart of the metric against the first
 * parameter. Points run in parallel worker processes when there is more
 * than one core.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  SweepError,
  sweepHtml,
  sweepInputParse,
  sweepParameterParse,
  sweepPoints,
  sweepRun,
  type SweepParameter,
  type SweepResult,
} from '@ioasim/sim/sweep';
import { topologyErrorFormat, topologyParse } from '@ioasim/sim/topology';
import { UsageError, argumentsParse, integerOption, repeatedFirst, seedOption } from '../arguments.js';
import { EXIT, type CommandMain } from '../io.js';
import { outputFileCheck, outputFileWrite, outputFileWritten } from '../output-file.js';
import { progressBar } from '../progress-bar.js';
import { durationFormat } from '../summary.js';

const HELP = `Usage: ioasim sweep <topology.yaml> --set <path>=<v1,v2,...> [--set ...] [options]

Runs the topology once per combination of the values, each substituted into
the YAML input at <path> (e.g. hosts[0].workloads[0].rate) and validated
again, and prints one row per run: the values, the metric, the fault groups
raised, the throughput, p50, p99 and max latency, PRI overflows,
auto-responses and invariant violations.

Options:
  --set <path>=<v1,v2,...>  a parameter and its values (repeat for a grid)
  --metric <path>           a number of the run's JSON report (default latency.p99;
                            e.g. latency.p50, faults.abandoned, load.hopsNs.handler.p99)
  --report <file>           write the chart of the metric and the table: HTML if it ends
                            in .html, else the results as JSON
  --jobs <n>                worker processes (default: the number of cores)
  --seed <n>                the seed of every run (default: the topology's)
  --json                    print the results as JSON instead of the table
  -h, --help                show this help

Exit codes: 0 every run held every invariant, 1 a run violated one, 2 bad input.`;

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => cell.padStart(widths[index] ?? 0)).join('  ')).join('\n');
}

function isLatencyMetric(metric: string): boolean {
  return /^latency\.|Ns\./.test(metric);
}

export function sweepTable(parameters: readonly SweepParameter[], metric: string, results: readonly SweepResult[]): string {
  const headers = [...parameters.map((parameter) => parameter.path), metric, 'faults', 'groups/s', 'p50', 'p99', 'max', 'overflows', 'auto', 'violations'];
  return table([
    headers,
    ...results.map((result) => [
      ...result.values,
      isLatencyMetric(metric) ? durationFormat(result.metric) : String(result.metric),
      String(result.faultsRaised),
      result.throughputPerSecond.toLocaleString('en-US'),
      durationFormat(result.latencyNs.p50),
      durationFormat(result.latencyNs.p99),
      durationFormat(result.latencyNs.max),
      String(result.overflows),
      String(result.autoResponded),
      String(result.violations),
    ]),
  ]);
}

export const sweepMain: CommandMain = async (argv, io) => {
  const { values, positionals } = argumentsParse(argv, {
    help: { type: 'boolean', short: 'h' },
    set: { type: 'string', multiple: true },
    metric: { type: 'string' },
    report: { type: 'string' },
    jobs: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values['help'] === true) {
    io.out(HELP);
    return EXIT.ok;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError('missing <topology.yaml>');
  if (positionals.length > 1) throw new UsageError(`sweep takes one file, found ${positionals.length}`);
  const sets = values['set'] as unknown as string[] | undefined;
  if (sets === undefined || sets.length === 0) throw new UsageError('sweep needs at least one --set <path>=<v1,v2,...>');
  const metric = typeof values['metric'] === 'string' ? values['metric'] : 'latency.p99';
  const seed = seedOption(values['seed']);
  const jobs = integerOption('jobs', values['jobs']) ?? availableParallelism();
  if (jobs < 1) throw new UsageError(`--jobs expects at least 1, found ${jobs}`);
  const paths = sets.map((set) => set.split('=')[0] ?? '');
  const twice = repeatedFirst(paths);
  if (twice !== undefined) throw new UsageError(`--set ${twice} is given twice; give its values once, as a list: --set ${twice}=<v1,v2,...>`);
  if (seed !== undefined && paths.includes('seed')) throw new UsageError('--seed and --set seed=... both set the seed; sweep it with --set seed=<v1,v2,...> alone');
  const report = values['report'];
  if (typeof report === 'string') outputFileCheck('--report', report);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    io.error(`ioasim: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.badInput;
  }
  // The file itself first, so that its errors name their line and column, as ioasim validate does.
  const base = topologyParse(text, file);
  if (!base.ok) {
    for (const error of base.errors) io.error(topologyErrorFormat(error, file));
    io.error(`${file}: ${base.errors.length} error(s); fix the topology before sweeping it`);
    return EXIT.badInput;
  }
  let results: SweepResult[];
  let parameters: SweepParameter[];
  const bar = progressBar(io.progress, values['json'] !== true);
  try {
    parameters = sets.map(sweepParameterParse);
    const input = sweepInputParse(text, file);
    const total = sweepPoints(parameters).length;
    bar.update(0, `0 of ${total} runs`);
    results = await sweepRun({
      input,
      parameters,
      metric,
      jobs,
      ...(seed === undefined ? {} : { seed }),
      onResult: (_result, finished) => bar.update(finished / total, `${finished} of ${total} runs`),
    });
  } catch (error) {
    bar.done();
    if (error instanceof SweepError) {
      io.error(`ioasim: ${error.message}`);
      return EXIT.badInput;
    }
    throw error;
  }
  bar.done();
  const written =
    typeof report === 'string'
      ? outputFileWrite(
          '--report',
          report,
          report.toLowerCase().endsWith('.html') ? sweepHtml(file, parameters, metric, results) : `${JSON.stringify({ parameters, metric, results }, null, 2)}\n`,
          io,
        )
      : null;
  if (values['json'] === true) io.out(JSON.stringify({ parameters, metric, results }, null, 2));
  else io.out(sweepTable(parameters, metric, results));
  if (typeof report === 'string' && written === null) {
    outputFileWritten(report.toLowerCase().endsWith('.html') ? 'the HTML sweep report' : 'the JSON sweep report', report, values['json'] === true, io);
  }
  return written ?? (results.some((result) => result.violations > 0) ? EXIT.violation : EXIT.ok);
};
