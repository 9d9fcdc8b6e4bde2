/**
 * Loading a topology: from YAML text, from a file, or from an object (the
 * builder's, or one a program made). Every path gives a result, never a
 * throw: a topology, or every error of the input at once, sorted by line.
 *
 * YAML is parsed with `yaml`'s parseDocument and a LineCounter, so that each
 * finding is placed at the line and column of the node it is about.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { errorsSort, pathFormat, quote } from './errors.js';
import type { Finding, TopologyError, TopologyResult } from './errors.js';
import { topologyNormalize } from './normalize.js';
import { positionFind } from './positions.js';
import { DUPLICATE_KEY_MESSAGE, duplicateKeyOffsets } from './unique-keys.js';
import { topologyValidate } from './validate.js';

/** Aliases a file may expand; more is refused (a "billion laughs" file). */
const ALIAS_COUNT_MAX = 100;

const TOPOLOGY_EXPECTED = 'expected a topology: an object with version, name and hosts';

/**
 * A character YAML does not allow in a stream (outside its c-printable set):
 * C0 and C1 control characters but tab, line feed, carriage return and NEL;
 * and U+FFFD, what reading a file as UTF-8 makes of a byte that is not. A
 * file that holds one is binary, not YAML text.
 */
const NOT_YAML_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFD]/;
/** Characters of a binary file quoted in its error. */
const EXCERPT_LENGTH_MAX = 16;
/** A YAML syntax error quotes the token it found; a longer message is cut, so that a line of a huge file is not echoed. */
const SYNTAX_MESSAGE_LENGTH_MAX = 160;

function failure(message: string, line = 0, column = 0): TopologyResult {
  return { ok: false, errors: [{ path: '', line, column, message }] };
}

function syntaxError(error: YAMLError): TopologyError {
  const [start] = error.linePos ?? [];
  const firstLine = error.message.split('\n')[0] ?? error.message;
  const message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  const abridged = message.length > SYNTAX_MESSAGE_LENGTH_MAX ? `${message.slice(0, SYNTAX_MESSAGE_LENGTH_MAX - 1)}…` : message;
  return { path: '', line: start?.line ?? 1, column: start?.col ?? 1, message: `YAML syntax error: ${abridged}` };
}

/** The error of a file that holds a character YAML text cannot (see NOT_YAML_TEXT), or null for text. */
function binaryFailure(text: string, file: string): TopologyResult | null {
  const found = NOT_YAML_TEXT.exec(text);
  if (found === null) return null;
  const before = text.slice(0, found.index);
  const line = before.split('\n').length;
  const column = found.index - before.lastIndexOf('\n');
  const what = found[0] === '\uFFFD' ? 'not UTF-8, with a byte that is not UTF-8' : `a binary file, with ${codePoint(found[0])} (a control character)`;
  const excerpt = textQuote(text.slice(0, EXCERPT_LENGTH_MAX)) + (text.length > EXCERPT_LENGTH_MAX ? '…' : '');
  return failure(`${quote(file)} is not YAML text: ${what} at line ${line}, column ${column}; it starts ${excerpt}; ${TOPOLOGY_EXPECTED} in a YAML file`, line, column);
}

/** Text in double quotes with every character YAML does not allow escaped (JSON escapes only some of them). */
function textQuote(text: string): string {
  return JSON.stringify(text).replace(new RegExp(NOT_YAML_TEXT.source, 'g'), (character) => `\\u${codePoint(character).slice(2)}`);
}

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function validated(raw: unknown, place: (finding: Finding) => TopologyError): TopologyResult {
  const validation = topologyValidate(raw);
  if (!validation.ok) return { ok: false, errors: errorsSort(validation.findings.map(place)) };
  return { ok: true, topology: topologyNormalize(validation.input) };
}

/** A topology from YAML text; `file` names it in messages. */
export function topologyParse(text: string, file: string): TopologyResult {
  const binary = binaryFailure(text, file);
  if (binary !== null) return binary;
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema, with merge keys (`<<: *defaults`) so that a file can share settings between objects.
  // Unique keys are checked by duplicateKeyOffsets, in linear time, not by the parser (quadratic).
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false, version: '1.2', schema: 'core', merge: true });
  const duplicates = duplicateKeyOffsets(document).map((offset): TopologyError => {
    const { line, col } = lineCounter.linePos(offset);
    return { path: '', line, column: col, message: `YAML syntax error: ${DUPLICATE_KEY_MESSAGE}` };
  });
  if (document.errors.length > 0 || duplicates.length > 0) return { ok: false, errors: errorsSort([...document.errors.map(syntaxError), ...duplicates]) };
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: ALIAS_COUNT_MAX });
  } catch (error) {
    return failure(`cannot read ${quote(file)} as YAML: ${error instanceof Error ? error.message : String(error)}`, 1, 1);
  }
  if (raw === null || raw === undefined) return failure(`${quote(file)} is empty; ${TOPOLOGY_EXPECTED}`, 1, 1);
  return validated(raw, (finding) => {
    const { line, column } = positionFind(document, lineCounter, finding.path, finding.at);
    return { path: pathFormat(finding.path), line, column, message: finding.message };
  });
}

/** A topology from a YAML file; a file that cannot be read is an error result. */
export function topologyLoad(file: string): TopologyResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = readFailure(error);
    return failure(`cannot read ${quote(file)}: ${reason}; ${TOPOLOGY_EXPECTED} in a YAML file`);
  }
  return topologyParse(text, file);
}

/** Why a file could not be read, in words: `no such file`, `is a directory`, `permission denied`, else the system's message. */
function readFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** A topology from an object of the same format (no file: every line and column is 0). */
export function topologyFromObject(raw: unknown): TopologyResult {
  return validated(raw, (finding) => ({ path: pathFormat(finding.path), line: 0, column: 0, message: finding.message }));
}
