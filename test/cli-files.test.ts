/**
 * Goal: the files a command writes. `--trace FILE` holds a run's whole trace,
 * one JSON event per line, without changing the run; a path that cannot be
 * written is bad input before any work starts, never a stack trace after it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ioasim } from './chaos/chaos-kit.js';

const example = (name: string): string => new URL(`../examples/${name}`, import.meta.url).pathname;
/** 240 groups, 40 of them answered by the response timeout. */
const short = example('response-timeout.yaml');
const directory = mkdtempSync(join(tmpdir(), 'ioasim-files-'));

type Line = { readonly kind: string; readonly t: number };

function jsonLines(path: string): Line[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

type RunReport = { wallMs: number; faults: { raised: number; responded: number; autoResponded: number } };

function withoutWall(json: string): Omit<RunReport, 'wallMs'> {
  const { wallMs: _wall, ...rest } = JSON.parse(json) as RunReport;
  return rest;
}

describe('ioasim run --trace', () => {
  it('writes every trace event as a JSON line, in simulated time, and the report is the same as without it', async () => {
    const path = join(directory, 'short.jsonl');
    const traced = await ioasim('run', short, '--json', '--trace', path);
    const plain = await ioasim('run', short, '--json');
    expect(traced.code).toBe(0);
    expect(withoutWall(traced.out)).toEqual(withoutWall(plain.out));
    const report = JSON.parse(traced.out) as RunReport;
    const events = jsonLines(path);
    const count = (kind: string): number => events.filter((event) => event.kind === kind).length;
    expect(count('groupRaised')).toBe(report.faults.raised);
    expect(count('groupCompleted')).toBe(report.faults.responded + report.faults.autoResponded);
    expect(count('groupAutoResponded')).toBe(report.faults.autoResponded);
    expect(report.faults.autoResponded).toBeGreaterThan(0);
    expect(events.every((event, index) => index === 0 || event.t >= (events[index - 1] as Line).t)).toBe(true);
  });

  it('includes the chaos actions of a chaos topology as "kind":"chaos" lines', async () => {
    const path = join(directory, 'chaos.jsonl');
    const result = await ioasim('run', example('chaos.yaml'), '--json', '--trace', path);
    expect(result.code).toBe(0);
    const chaos = jsonLines(path).filter((event) => event.kind === 'chaos') as unknown as { action: string }[];
    expect(chaos.length).toBeGreaterThan(0);
    expect(new Set(chaos.map((event) => event.action))).toContain('drop');
  }, 60_000);
});

describe('the files a command writes', () => {
  it('refuses a --report, --trace or --perfetto path in a missing directory, or a directory, before running (exit 2)', async () => {
    const missing = join(directory, 'no-such-directory', 'out.json');
    for (const option of ['--report', '--trace', '--perfetto']) {
      const result = await ioasim('run', short, option, missing);
      expect(result.code).toBe(2);
      expect(result.error).toContain(`${option} ${missing}: the directory ${join(directory, 'no-such-directory')} does not exist`);
      expect(result.out).toBe('');
    }
    const empty = await ioasim('run', short, '--trace', '');
    expect(empty.code).toBe(2);
    expect(empty.error).toContain('--trace expects a file name, found an empty string');
    const intoDirectory = await ioasim('run', short, '--report', directory);
    expect(intoDirectory.code).toBe(2);
    expect(intoDirectory.error).toContain(`--report ${directory}: is a directory; expected a file to write`);
  });

  it('refuses a directory it may not write in (exit 2), and creates nothing', async () => {
    if (process.getuid?.() === 0) {
      // root writes through any mode bits: make the parent a file instead, which nobody can write into.
      const result = await ioasim('run', short, '--trace', join(short, 'trace.jsonl'));
      expect(result.code).toBe(2);
      expect(result.error).toContain(`is not a directory`);
      return;
    }
    const locked = join(directory, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const result = await ioasim('run', short, '--trace', join(locked, 'trace.jsonl'));
    expect(result.code).toBe(2);
    expect(result.error).toContain('is not writable');
    expect(existsSync(join(locked, 'trace.jsonl'))).toBe(false);
  });

  it('checks chaos --report, sweep --report and shrink --out before running', async () => {
    const missing = join(directory, 'gone', 'report.json');
    const chaos = await ioasim('chaos', example('chaos.yaml'), '--seeds', '1', '--report', missing);
    expect(chaos.code).toBe(2);
    expect(chaos.error).toContain(`--report ${missing}: the directory`);
    const sweep = await ioasim('sweep', short, '--set', 'seed=1,2', '--report', missing);
    expect(sweep.code).toBe(2);
    expect(sweep.error).toContain(`--report ${missing}: the directory`);
  });

  it('refuses two outputs that name the same file (exit 2)', async () => {
    const same = join(directory, 'same.json');
    const result = await ioasim('run', short, '--report', same, '--trace', same);
    expect(result.code).toBe(2);
    expect(result.error).toContain(`--report and --trace name the same file, ${same}; each would overwrite the other`);
    expect(existsSync(same)).toBe(false);
  });
});

