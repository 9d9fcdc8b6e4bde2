/**
 * Errors of a topology: what the loader returns instead of a topology.
 *
 * Validation first produces findings (a path into the input and a message);
 * the loader then places each at a line and column of the YAML file. A finding
 * points at the value at its path, or at the key of the last segment (an
 * unknown field); a path that does not exist (a missing field) is placed at
 * the nearest object that does. Messages say what was found, quoting it, and
 * what was expected.
 */
import type { Topology } from '@ioasim/protocol';

export type TopologyError = {
  /** Where in the input: `hosts[0].devices[1].attach[0].space`; empty for the whole file. */
  readonly path: string;
  /** 1-based line in the file; 0 when the input was not a file. */
  readonly line: number;
  /** 1-based column in the file; 0 when the input was not a file. */
  readonly column: number;
  readonly message: string;
};

export type TopologyResult =
  | { readonly ok: true; readonly topology: Topology }
  | { readonly ok: false; readonly errors: TopologyError[] };

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** A validation finding, before it is placed in a file. */
export type Finding = {
  readonly path: Path;
  readonly message: string;
  /** `key`: the finding is about the field name itself (an unknown field). */
  readonly at: 'value' | 'key';
};

export function finding(path: Path, message: string, at: 'value' | 'key' = 'value'): Finding {
  return { path, message, at };
}

/** `hosts[0].devices[1].attach[0].space` */
export function pathFormat(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** One line: `<file>:<line>:<column>: <path>: <message>` (no path segment for an error about the whole file). */
export function topologyErrorFormat(error: TopologyError, file: string): string {
  const where = error.path === '' ? '' : `${error.path}: `;
  // Line 0: an error of the file as a whole (it cannot be read), which has no line to point at.
  const at = error.line === 0 ? file : `${file}:${error.line}:${error.column}`;
  return `${at}: ${where}${error.message}`;
}

const QUOTED_LENGTH_MAX = 60;

/** A found value as a message quotes it: strings in double quotes, structures abridged. */
export function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  const abridged = text.length > QUOTED_LENGTH_MAX ? `${text.slice(0, QUOTED_LENGTH_MAX - 1)}…` : text;
  return Array.isArray(value) ? `a list ${abridged}` : `an object ${abridged}`;
}

/** Errors sorted by position (stable, so errors without a position keep their order), duplicates removed. */
export function errorsSort(errors: readonly TopologyError[]): TopologyError[] {
  const seen = new Set<string>();
  const unique = errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((error, index) => ({ error, index }))
    .sort((left, right) => left.error.line - right.error.line || left.error.column - right.error.column || left.index - right.index)
    .map(({ error }) => error);
}
