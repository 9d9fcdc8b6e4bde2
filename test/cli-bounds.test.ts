/**
 * Goal (issue 21): every size a topology or an option gives has a finite,
 * documented maximum, checked before anything is built: durations, rates,
 * counts, pages (and the pages mapped before the run) and `--until`. A
 * value past it is refused with exit 2 and a message naming its path, line
 * and column, instead of a run that never ends, a stack trace, or V8
 * running out of memory. Duplicate keys are found in linear time.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topologyParse } from '@ioasim/topology';
import { describe, expect, it } from 'vitest';
import { ioasim } from './chaos/chaos-kit.js';

const SINGLE_HOST = readFileSync(new URL('../examples/single-host.yaml', import.meta.url), 'utf8');
const directory = mkdtempSync(join(tmpdir(), 'ioasim-bounds-'));

function edited(name: string, from: string, to: string): string {
  expect(SINGLE_HOST).toContain(from);
  const path = join(directory, `${name}.yaml`);
  writeFileSync(path, SINGLE_HOST.replace(from, to));
  return path;
}

const CASES: readonly (readonly [string, string, string, RegExp])[] = [
  ['overflowing duration', 'service: "200ns"', `service: "1${'0'.repeat(400)}"`, /:19:18: hosts\[0\]\.iommus\[0\]\.service: .*a duration of at most 3600s/],
  ['pages', 'pages: 2048,', 'pages: 1e15,', /:64:\d+: hosts\[0\]\.workloads\[0\]\.(pages|mapped): .*(at most|expected)/],
  ['count', 'count: 20000,', 'count: 1e15,', /:64:\d+: hosts\[0\]\.workloads\[0\]\.count: found 1000000000000000; expected at most 1000000000/],
  ['duration', 'rate: "100k/s", count: 20000,', 'rate: "100k/s", duration: "1000000000s",', /:64:\d+: hosts\[0\]\.workloads\[0\]\.duration: .*at most 3600s/],
  ['rate', 'rate: "100k/s", count: 20000,', 'rate: "1000G/s", count: 20000,', /:64:\d+: hosts\[0\]\.workloads\[0\]\.rate: .*at most 10G\/s/],
  ['pages mapped before the run', 'pages: 2048,', 'pages: 100000000,', /:64:\d+: hosts\[0\]\.workloads\[0\]\.mapped: maps 50000000 pages before the run/],
];

describe('bounded inputs', () => {
  for (const [what, from, to, message] of CASES) {
    it(`refuses a topology with ${what} past its maximum, with exit 2, before anything runs`, async () => {
      const path = edited(what.replaceAll(' ', '-'), from, to);
      const validated = await ioasim('validate', path);
      expect(validated.code).toBe(2);
      expect(validated.error).toMatch(message);
      const ran = await ioasim('run', path, '--json');
      expect(ran.code).toBe(2);
      expect(ran.out).toBe('');
    });
  }

  it('refuses --until past its maximum as it refuses one that does not parse', async () => {
    const example = new URL('../examples/single-host.yaml', import.meta.url).pathname;
    for (const until of ['99999999999999999999s', '1e15s', '3601s']) {
      const ran = await ioasim('run', example, '--until', until);
      expect(ran.code, until).toBe(2);
      expect(ran.error).toMatch(/--until: .*(too long|bad duration).*at most 3600s/);
    }
  });

  it('finds a duplicate key in a map of 30,000 keys, at its line', () => {
    const keys = Array.from({ length: 30_000 }, (_, index) => `  k${index}: ${index}`);
    keys.splice(29_000, 0, '  k12: again');
    const text = ['version: 1', 'name: big', 'hosts: []', 'extra:', ...keys].join('\n');
    const result = topologyParse(text, 'big.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ path: '', line: 29_005, column: 3, message: 'YAML syntax error: Map keys must be unique' }]);
  });
});
