/**
 * Goal: docs/reports.md explains every field a user finds in a report. The
 * JSON reports of examples/single-host.yaml and of
 * examples/fault-semantics.yaml (which fills the timeline and the overflow
 * rows) are walked to their leaves, and every field name met on the way,
 * top-level or nested, must appear in docs/reports.md in backticks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, topologyLoad, type Report } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/reports.md', import.meta.url)), 'utf8');

function report(example: string): Report {
  const loaded = topologyLoad(fileURLToPath(new URL(`../../examples/${example}`, import.meta.url)));
  if (!loaded.ok) throw new Error(`${example}: ${JSON.stringify(loaded.errors)}`);
  return run(loaded.topology);
}

/** Every field name of `value`, with the first path it was met at. */
function fieldNames(value: unknown, path: string, names: Map<string, string>): Map<string, string> {
  if (Array.isArray(value)) {
    for (const item of value) fieldNames(item, `${path}[]`, names);
  } else if (value !== null && typeof value === 'object') {
    for (const [name, child] of Object.entries(value)) {
      const childPath = path === '' ? name : `${path}.${name}`;
      if (!names.has(name)) names.set(name, childPath);
      fieldNames(child, childPath, names);
    }
  }
  return names;
}

describe('docs/reports.md', () => {
  it.each(['single-host.yaml', 'fault-semantics.yaml'])('names every field of the JSON report of %s', (example) => {
    const names = fieldNames(report(example), '', new Map());
    const missing = [...names].filter(([name]) => !DOC.includes(`\`${name}\``)).map(([name, path]) => `${name} (at ${path})`);
    expect(names.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});
