/**
 * The rule of costs beyond their shape: a uniform distribution's `min` is not
 * above its `max`. Costs appear in many places (services, links, chaos
 * delays), so the rule looks for every `{ dist: uniform }` in the input.
 */
import { finding, quote } from './errors.js';
import type { Finding, Path } from './errors.js';
import { rawDuration } from './raw.js';

export function costRules(value: unknown, path: Path = []): Finding[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => costRules(item, [...path, index]));
  const fields = value as Readonly<Record<string, unknown>>;
  if (fields['dist'] === 'uniform') {
    const min = rawDuration(fields['min']);
    const max = rawDuration(fields['max']);
    if (min === null || max === null || min <= max) return [];
    return [finding([...path, 'max'], `max ${quote(fields['max'])} is below min ${quote(fields['min'])}; expected min <= max`)];
  }
  return Object.entries(fields).flatMap(([key, field]) => costRules(field, [...path, key]));
}
