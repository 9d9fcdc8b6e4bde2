/**
 * Goal (issue 21): a chaos campaign prints each seed's verdict as soon as
 * the seed finishes, so that a campaign killed midway keeps what it did:
 * the seeds it finished are on its output, one JSON line each with --json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IOASIM_BIN } from '../nats/harness.js';
import { CHAOS_EXAMPLE, ioasim } from './chaos-kit.js';

const directory = mkdtempSync(join(tmpdir(), 'ioasim-stream-'));
const small = join(directory, 'chaos-small.yaml');
writeFileSync(small, readFileSync(CHAOS_EXAMPLE, 'utf8').replace(/count: \d+/g, 'count: 60'));

/** Runs a campaign of many seeds, kills it once `lines` lines are out, and gives what it printed. */
async function killedAfter(lines: number): Promise<{ readonly stdout: string; readonly signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [IOASIM_BIN, 'chaos', small, '--seeds', '1..10000', '--jobs', '1', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the campaign printed ${stdout.split('\n').length - 1} line(s) in 60 s: ${stdout.slice(0, 400)}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.split('\n').length - 1 >= lines) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, signal });
    });
  });
}

describe('a campaign streams its verdicts', () => {
  it('keeps the seeds it finished on its output when it is killed midway', async () => {
    const { stdout, signal } = await killedAfter(3);
    expect(signal).toBe('SIGKILL');
    const finished = stdout
      .split('\n')
      .filter((line) => line.endsWith('}'))
      .map((line) => JSON.parse(line) as { seed: number; verdict: string });
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.slice(0, 3).map((outcome) => outcome.seed)).toEqual([1, 2, 3]);
    for (const outcome of finished) expect(outcome.verdict).toBe('pass');
  }, 90_000);

  it('prints a line per seed as it finishes, then the summary', async () => {
    const campaign = await ioasim('chaos', small, '--seeds', '1..3', '--jobs', '1', '--delivery', 'at-most-once');
    const lines = campaign.out.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((line) => /^seed (\d+): (pass|liveness|safety)/.exec(line)?.[1])).toEqual(['1', '2', '3']);
    expect(lines[3]).toMatch(/^3 seeds, 6 rule\(s\), at-most-once: /);
  });
});
