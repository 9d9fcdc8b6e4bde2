/**
 * Goal: docs/reports.md explains every field a user finds in a report. The
 * JSON reports of examples/single-host.yaml and of
 * examples/fault-semantics.yaml (which fills the timeline and the overflow
 * rows), and the campaign report of a failing seed of examples/chaos.yaml,
 * are walked to their leaves, and every field name met on the way,
 * top-level or nested, must appear in docs/reports.md in backticks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { chaosReportBuild, seedRun } from '@ioasim/sim/chaos';
import { describe, expect, it } from 'vitest';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/reports.md', import.meta.url)), 'utf8');

function examplePath(example: string): string {
  return fileURLToPath(new URL(`../../examples/${example}`, import.meta.url));
}

function loaded(example: string): Topology {
  const result = topologyLoad(examplePath(example));
  if (!result.ok) throw new Error(`${example}: ${JSON.stringify(result.errors)}`);
  return result.topology;
}

/** The names of `value` that docs/reports.md does not mention, each with where it was met. */
function undocumented(value: unknown): string[] {
  const names = fieldNames(value, '', new Map());
  return [...names].filter(([name]) => !DOC.includes(`\`${name}\``)).map(([name, path]) => `${name} (at ${path})`);
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
    const report: Report = run(loaded(example));
    expect(fieldNames(report, '', new Map()).size).toBeGreaterThan(100);
    expect(undocumented(report)).toEqual([]);
  });

  it('names every field of a chaos campaign report', () => {
    const topology = loaded('chaos.yaml');
    // At most once, seed 3 of chaos.yaml abandons groups and accesses (README, "Chaos testing"): a failure with all its parts.
    const result = seedRun({ topology, schedule: { rules: topology.chaos, delivery: 'at-most-once' }, seed: 3, swarm: false });
    expect(result.outcome.verdict).toBe('liveness');
    const report = chaosReportBuild({
      topologyPath: 'examples/chaos.yaml',
      topologyText: readFileSync(examplePath('chaos.yaml'), 'utf8'),
      schedule: result.schedule,
      swarm: false,
      results: [result],
      wallMs: 0,
    });
    expect(undocumented(report)).toEqual([]);
  });
});
