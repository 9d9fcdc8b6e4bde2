/**
 * Reading the raw input defensively.
 *
 * The rules that relate fields to each other run on the raw input, next to
 * the schema and not after it, so that a file's shape errors and its name and
 * reference errors are all reported at once. A value of the wrong shape reads
 * as absent here: the schema has already reported it, and a rule never
 * reports it a second time.
 */
import { NAME_PATTERN } from './schema.js';
import { DURATION_PATTERN, durationWithinMax, parseDuration } from './units.js';

export type RawObject = Readonly<Record<string, unknown>>;

export function rawObject(value: unknown): RawObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RawObject) : null;
}

/** The objects of a list field, each with its index (entries that are not objects are skipped). */
export function rawList(value: unknown): { readonly item: RawObject; readonly index: number }[] {
  if (!Array.isArray(value)) return [];
  const items: { item: RawObject; index: number }[] = [];
  value.forEach((entry: unknown, index) => {
    const item = rawObject(entry);
    if (item !== null) items.push({ item, index });
  });
  return items;
}

/** A name: a string the schema accepts as one. */
export function rawName(value: unknown): string | null {
  return typeof value === 'string' && NAME_PATTERN.test(value) ? value : null;
}

export function rawString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function rawWhole(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

export function rawBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Nanoseconds of a duration the schema accepts. */
export function rawDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && durationWithinMax(String(value)) ? value : null;
  return typeof value === 'string' && DURATION_PATTERN.test(value) && durationWithinMax(value) ? parseDuration(value) : null;
}
