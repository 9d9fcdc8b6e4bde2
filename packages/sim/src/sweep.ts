/**
 * A sweep: the same topology run once per combination of parameter values.
 * A parameter is a path into the raw YAML input (`hosts[0].workloads[0].rate`)
 * and a list of values; each combination is substituted into a copy of the
 * input, validated again as a whole (a value the format refuses is an error
 * naming the combination), and run. The result of a point is a metric read
 * from its report by a dotted path (`latency.p99`) and a few standard
 * figures, small enough to travel between processes.
 *
 * Points are independent: run in any order, or in parallel processes
 * (sweep-pool.ts), they give the same results, in the order of the input.
 */
import { parseDocument } from 'yaml';
import type { Topology } from '@ioasim/protocol';
import { DUPLICATE_KEY_MESSAGE, duplicateKeyOffsets, parseDuration, parseRate, topologyErrorFormat, topologyFromObject } from '@ioasim/topology';
import { reportViolations, type Report } from './report.js';
import { run } from './run.js';

export type SweepParameter = { readonly path: string; readonly values: readonly string[] };

export type SweepPoint = {
  readonly index: number;
  /** One value per parameter, in the order of the parameters. */
  readonly values: readonly string[];
};

export type SweepResult = {
  readonly index: number;
  readonly values: readonly string[];
  readonly metric: number;
  readonly faultsRaised: number;
  /** Fault groups ended per simulated second. */
  readonly throughputPerSecond: number;
  readonly latencyNs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly overflows: number;
  readonly autoResponded: number;
  readonly violations: number;
  readonly simulatedNs: number;
  readonly wallMs: number;
};

export class SweepError extends Error {
  override readonly name = 'SweepError';
}

/** Parses `path=v1,v2,...` as given to `--set`. */
export function sweepParameterParse(text: string): SweepParameter {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new SweepError(`--set "${text}": expected <path>=<v1,v2,...>, e.g. hosts[0].workloads[0].rate=100k/s,200k/s`);
  const path = text.slice(0, equals).trim();
  const values = text.slice(equals + 1).split(',').map((value) => value.trim());
  if (values.some((value) => value.length === 0)) throw new SweepError(`--set "${text}": an empty value in the list`);
  pathTokens(path);
  return { path, values };
}

/** `hosts[0].workloads[1].rate` -> ['hosts', 0, 'workloads', 1, 'rate']. */
export function pathTokens(path: string): (string | number)[] {
  const tokens: (string | number)[] = [];
  const pattern = /([A-Za-z_][\w-]*)|\[(\d+)\]|(\.)/gy;
  let match: RegExpExecArray | null;
  let expectName = true;
  while ((match = pattern.exec(path)) !== null) {
    if (match[1] !== undefined) {
      if (!expectName) throw new SweepError(`path "${path}": a "." is missing before "${match[1]}"`);
      tokens.push(match[1]);
      expectName = false;
    } else if (match[2] !== undefined) {
      tokens.push(Number(match[2]));
    } else {
      expectName = true;
    }
    if (pattern.lastIndex === path.length) break;
  }
  if (pattern.lastIndex !== path.length || tokens.length === 0 || expectName) {
    throw new SweepError(`path "${path}": expected names and [index]es, e.g. hosts[0].workloads[0].rate`);
  }
  return tokens;
}

/** Every combination of the parameters' values, the first parameter varying slowest. */
export function sweepPoints(parameters: readonly SweepParameter[]): SweepPoint[] {
  let combinations: string[][] = [[]];
  for (const parameter of parameters) {
    combinations = combinations.flatMap((prefix) => parameter.values.map((value) => [...prefix, value]));
  }
  return combinations.map((values, index) => ({ index, values }));
}

/** The raw input of a YAML topology file's text, as the loader reads it before validation. */
export function sweepInputParse(text: string, file: string): unknown {
  const document = parseDocument(text, { uniqueKeys: false, version: '1.2', schema: 'core', merge: true });
  if (document.errors.length > 0) throw new SweepError(`${file}: ${document.errors[0]?.message ?? 'YAML syntax error'}`);
  if (duplicateKeyOffsets(document).length > 0) throw new SweepError(`${file}: ${DUPLICATE_KEY_MESSAGE}`);
  return document.toJS({ maxAliasCount: 100 });
}

/** A value as YAML would read it: a number, a boolean, else the string itself. */
function scalarOf(text: string): unknown {
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** A copy of `input` with each parameter's path set to the point's value; the path must exist up to its last step. */
export function sweepSubstitute(input: unknown, parameters: readonly SweepParameter[], point: SweepPoint): unknown {
  const copy: unknown = structuredClone(input);
  parameters.forEach((parameter, index) => {
    const tokens = pathTokens(parameter.path);
    let node: unknown = copy;
    for (let at = 0; at < tokens.length - 1; at++) {
      const token = tokens[at] as string | number;
      const next: unknown = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[token] : undefined;
      if (next === undefined || next === null || typeof next !== 'object') {
        const where = tokens.slice(0, at + 1).map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
        throw new SweepError(`--set ${parameter.path}: the input has no ${where}`);
      }
      node = next;
    }
    (node as Record<string | number, unknown>)[tokens[tokens.length - 1] as string | number] = scalarOf(point.values[index] as string);
  });
  return copy;
}

/** The topology of one point, validated again; an invalid combination is an error naming it. */
export function sweepTopology(input: unknown, parameters: readonly SweepParameter[], point: SweepPoint): Topology {
  const result = topologyFromObject(sweepSubstitute(input, parameters, point));
  if (result.ok) return result.topology;
  const combination = parameters.map((parameter, index) => `${parameter.path}=${point.values[index] ?? ''}`).join(' ');
  // The substituted input has no lines of its own (line 0): each error names the combination and its path in the topology.
  throw new SweepError(result.errors.map((error) => topologyErrorFormat(error, `with --set ${combination}`)).join('; '));
}

const METRIC_ALIASES: Readonly<Record<string, string>> = { latency: 'latencyNs' };

/** A number from the report by a dotted path; `latency.p99` is `latencyNs.p99`. */
export function reportMetric(report: Report, metric: string): number {
  const parts = metric.split('.');
  const first = parts[0] ?? '';
  parts[0] = METRIC_ALIASES[first] ?? first;
  let node: unknown = report;
  for (const part of parts) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  if (typeof node !== 'number') throw new SweepError(`--metric ${metric}: the report has no number there (e.g. latency.p99, faults.abandoned, load.hopsNs.handler.p99)`);
  return node;
}

/** Runs one point. */
export function sweepRunPoint(input: unknown, parameters: readonly SweepParameter[], point: SweepPoint, metric: string, seed?: number): SweepResult {
  const topology = sweepTopology(input, parameters, point);
  const report = run(topology, seed === undefined ? {} : { seed });
  const faults = report.faults;
  const ended = faults.responded + faults.autoResponded + faults.abandoned;
  return {
    index: point.index,
    values: point.values,
    metric: reportMetric(report, metric),
    faultsRaised: faults.raised,
    throughputPerSecond: report.simulatedNs > 0 ? Math.round(ended / (report.simulatedNs / 1e9)) : 0,
    latencyNs: { p50: report.latencyNs.p50, p99: report.latencyNs.p99, max: report.latencyNs.max },
    overflows: report.overflows.priQueue,
    autoResponded: faults.autoResponded,
    violations: reportViolations(report),
    simulatedNs: report.simulatedNs,
    wallMs: report.wallMs,
  };
}

/** What a parameter value is, for a chart's axis: a plain number, a rate (per second) or a duration (nanoseconds). */
export type SweepValueKind = 'number' | 'rate' | 'duration';

/** A parameter value as a number for a chart's axis, with its kind; null if it is none of them. */
export function sweepValueRead(value: string): { readonly kind: SweepValueKind; readonly number: number } | null {
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(value)) return { kind: 'number', number: Number(value) };
  for (const [kind, parse] of [['rate', parseRate], ['duration', parseDuration]] as const) {
    try {
      return { kind, number: parse(value) };
    } catch {
      // not of this kind
    }
  }
  return null;
}

/** A parameter value as a number for a chart's axis: a rate, a duration, or a plain number; null if none. */
export function sweepValueNumber(value: string): number | null {
  return sweepValueRead(value)?.number ?? null;
}
