/**
 * Reads a chaos campaign report for `replay` and `shrink`: the report, its
 * recorded topology, and the failing seed to work on (the first, or --seed),
 * or null after printing why not.
 */
import { readFileSync } from 'node:fs';
import { chaosReportParse, topologyWithChaos } from '@ioasim/sim';
import type { Io } from '../io.js';

/** The report in `file` and its topology, or null after printing why not. */
function reportRead(file: string, io: Io) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    io.error(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  const parsed = chaosReportParse(text);
  if (!parsed.ok) {
    io.error(`${file}: ${parsed.error}`);
    return null;
  }
  const loaded = topologyWithChaos(parsed.report.topologyText, parsed.report.topologyPath, []);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.error(error);
    return null;
  }
  return { report: parsed.report, topology: loaded.topology };
}

/** The report in `file`, its topology and the failure of `seed` (the first when undefined), or null after printing why not. */
export function failureRead(file: string, seed: number | undefined, verb: 'replay' | 'shrink', io: Io) {
  const loaded = reportRead(file, io);
  if (loaded === null) return null;
  const { report, topology } = loaded;
  const failure = seed === undefined ? report.failures[0] : report.failures.find((candidate) => candidate.seed === seed);
  if (failure === undefined) {
    io.error(seed === undefined ? `${file}: no failing seed to ${verb}` : `${file}: seed ${seed} is not among its failures`);
    return null;
  }
  return { report, topology, failure };
}
