/**
 * Shape errors: the topology schema's issues, as findings with messages that
 * say what was found and what was expected.
 *
 * zod reports a value that fits no member of a union as one issue holding the
 * issues of every member. A member the value does not even have the type of
 * (a number for an object member) is not what the user meant; among the
 * others the one with the fewest findings is, and its findings are reported.
 * When no member has the value's type, the union's description is expected.
 */
import { z } from 'zod';
import { finding, quote } from './errors.js';
import type { Finding, Path, PathSegment } from './errors.js';
import { expectedOneOf } from './suggest.js';

type Issue = z.core.$ZodIssue;
type SchemaDefinition = { readonly type: string } & Readonly<Record<string, unknown>>;

function definitionOf(schema: unknown): SchemaDefinition | null {
  if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) return null;
  const internals = (schema as { _zod: { def?: SchemaDefinition } })._zod;
  return internals.def ?? null;
}

/** What a schema expects, in words: its description, or one derived from its type. */
function schemaDescribe(schema: unknown): string {
  const description = z.globalRegistry.get(schema as z.ZodType)?.description;
  if (description !== undefined) return description;
  const definition = definitionOf(schema);
  if (definition === null) return 'a valid value';
  switch (definition.type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'tuple':
      return `a list of ${(definition['items'] as unknown[]).length}`;
    case 'object':
      return `an object with fields: ${Object.keys(definition['shape'] as object).join(', ')}`;
    case 'enum':
      return `one of: ${Object.values(definition['entries'] as object).join(', ')}`;
    case 'literal':
      return (definition['values'] as unknown[]).map((value) => quote(value)).join(' or ');
    case 'union':
      return (definition['options'] as unknown[]).map(schemaDescribe).join(', or ');
    case 'optional':
      return schemaDescribe(definition['innerType']);
    default:
      return 'a valid value';
  }
}

/**
 * The error map given to the schema's parse: it sets each issue's message to
 * what was expected, which the findings below complete with what was found.
 * For an unknown field it lists the allowed fields, comma-separated.
 */
export function expectedMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    const shape = definitionOf(issue.inst)?.['shape'];
    return typeof shape === 'object' && shape !== null ? Object.keys(shape).join(', ') : '';
  }
  return schemaDescribe(issue.schema ?? issue.inst);
}

export function valueAt(raw: unknown, path: Path): unknown {
  let value = raw;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

/** A field absent from an object: reported as missing rather than as a wrong value. */
function isMissing(raw: unknown, path: Path): boolean {
  if (path.length === 0 || valueAt(raw, path) !== undefined) return false;
  const parent = valueAt(raw, path.slice(0, -1));
  return typeof parent === 'object' && parent !== null && !Array.isArray(parent);
}

function mismatch(raw: unknown, path: Path, expected: string): Finding {
  if (isMissing(raw, path)) return finding(path, `missing field ${quote(path[path.length - 1])}; expected ${expected}`);
  return finding(path, `found ${quote(valueAt(raw, path))}; expected ${expected}`);
}

/** The issues of a union member that does not even have the value's type (`raw` at `path` is the value). */
function isTypeMismatch(raw: unknown, path: Path, issues: readonly Issue[]): boolean {
  const value = valueAt(raw, path);
  return issues.some((issue) => {
    if (issue.path.length > 0) return false;
    switch (issue.code) {
      case 'invalid_type':
        return true;
      case 'invalid_value':
        return !issue.values.some((option) => typeof option === typeof value);
      case 'invalid_union':
        return issue.errors.length > 0 && issue.errors.every((member) => isTypeMismatch(raw, path, member));
      default:
        return false;
    }
  });
}

function boundText(kind: 'at least' | 'at most', inclusive: boolean, bound: unknown): string {
  if (inclusive) return `${kind} ${String(bound)}`;
  return `${kind === 'at least' ? 'above' : 'below'} ${String(bound)}`;
}

function sizeFindings(raw: unknown, path: Path, issue: Issue & { code: 'too_small' | 'too_big' }): Finding {
  const kind = issue.code === 'too_small' ? 'at least' : 'at most';
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const value = valueAt(raw, path);
  if (Array.isArray(value)) return finding(path, `found a list of ${value.length}; expected ${kind} ${String(bound)} entries`);
  return finding(path, `found ${quote(value)}; expected ${boundText(kind, issue.inclusive ?? true, bound)}`);
}

function unionFindings(raw: unknown, path: Path, issue: Issue & { code: 'invalid_union' }): Finding[] {
  if (issue.errors.length === 0 && issue.discriminator !== undefined) {
    const options = (('options' in issue ? issue.options : undefined) ?? []).map(String);
    if (isMissing(raw, path)) return [finding(path, `missing field ${quote(issue.discriminator)}; expected one of: ${options.join(', ')}`)];
    return [finding(path, `found ${quote(valueAt(raw, path))}; ${expectedOneOf(valueAt(raw, path), options)}`)];
  }
  const members = issue.errors.filter((member) => !isTypeMismatch(raw, path, member));
  if (members.length === 0) return [mismatch(raw, path, issue.message)];
  let best: Finding[] | null = null;
  for (const member of members) {
    const memberFindings = shapeFindings(raw, member, path);
    if (best === null || memberFindings.length < best.length) best = memberFindings;
  }
  return best ?? [];
}

function issueFindings(raw: unknown, issue: Issue, base: Path): Finding[] {
  const path: Path = [...base, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
  switch (issue.code) {
    case 'invalid_union':
      return unionFindings(raw, path, issue);
    case 'invalid_type': {
      const wholeNumber = issue.expected === 'int' && typeof valueAt(raw, path) === 'number';
      return [mismatch(raw, path, wholeNumber ? 'a whole number' : issue.message)];
    }
    case 'too_small':
    case 'too_big':
      return [sizeFindings(raw, path, issue)];
    case 'invalid_value': {
      const options = issue.values.map((value) => (typeof value === 'string' ? value : String(value)));
      if (options.length === 1) return [mismatch(raw, path, quote(issue.values[0]))];
      if (isMissing(raw, path)) return [mismatch(raw, path, `one of: ${options.join(', ')}`)];
      return [finding(path, `found ${quote(valueAt(raw, path))}; ${expectedOneOf(valueAt(raw, path), options)}`)];
    }
    case 'invalid_format':
      return [mismatch(raw, path, issue.message)];
    case 'unrecognized_keys': {
      const allowed = issue.message === '' ? [] : issue.message.split(', ');
      return issue.keys.map((key) =>
        finding([...path, key], `unknown field ${quote(key)}; ${expectedOneOf(key, allowed)}`, 'key'),
      );
    }
    default:
      return [finding(path, `found ${quote(valueAt(raw, path))}; ${issue.message}`)];
  }
}

/** Findings of the schema's issues on `raw`, with paths under `base`. */
export function shapeFindings(raw: unknown, issues: readonly Issue[], base: Path = []): Finding[] {
  return issues.flatMap((issue) => issueFindings(raw, issue, base));
}
