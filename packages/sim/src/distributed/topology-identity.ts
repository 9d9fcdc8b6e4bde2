/**
 * What makes two processes of a distributed run serve the same topology: the
 * sha256 of its normalized content (the topology as loaded, defaults filled
 * in, object keys sorted, so that comments, layout and key order in the file
 * do not count, and every value does), compared together with the ioasim
 * version. A name says nothing: an edited file keeps its name.
 */
import { createHash } from 'node:crypto';
import type { Topology } from '@ioasim/protocol';

/** The hex sha256 of the canonical JSON of `topology`. */
export function topologyHash(topology: Topology): string {
  return createHash('sha256').update(canonicalJson(topology)).digest('hex');
}

/** How many hex digits of a hash messages show. */
export const TOPOLOGY_HASH_SHOWN = 12;

/** JSON with every object's keys sorted and non-finite numbers spelt out, so that equal content gives equal text. */
function canonicalJson(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
}
