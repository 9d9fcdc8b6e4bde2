/**
 * Reads a chaos campaign report for `replay` and `shrink`: the report, its
 * recorded topology, and the failing seed to work on (the first, or --seed),
 * or null after printing why not.
 */
import { readFileSync } from 'node:fs';
import { chaosReportParse, topologyWithChaos } from '@ioasim/sim/chaos';
import type { Io } from '../io.js';

/** Errors of a recorded topology printed before the count of the rest. */
const ERRORS_SHOWN_MAX = 10;

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
  // The topology is the copy the report keeps, not the file it names (which may have changed since): say so.
  const source = `${parsed.report.topologyPath} (as recorded in ${file})`;
  const loaded = topologyWithChaos(parsed.report.topologyText, source, []);
  if (!loaded.ok) {
    for (const error of loaded.errors.slice(0, ERRORS_SHOWN_MAX)) io.error(error);
    if (loaded.errors.length > ERRORS_SHOWN_MAX) io.error(`… and ${loaded.errors.length - ERRORS_SHOWN_MAX} more`);
    io.error(`${file}: the topology it records is not valid (${loaded.errors.length} error(s)); was the report edited?`);
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
