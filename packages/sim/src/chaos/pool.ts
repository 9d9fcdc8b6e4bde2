/**
 * Runs a campaign's seeds in parallel worker processes (worker.ts), `jobs`
 * at a time, or in this process when `jobs` is 1. Results come back in any
 * order; the campaign is sorted by seed, so its report does not depend on
 * scheduling. A worker that dies or a job that throws fails the campaign
 * with the seed and the error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seedRun, type SeedJob, type SeedResult } from './campaign.js';
import type { WorkerReply } from './worker.js';

/** The compiled worker: next to this file in dist, or in dist when this file runs from its TypeScript source. */
export function workerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith('.ts') ? here.replace(/([/\\])src([/\\])chaos([/\\])pool\.ts$/, '$1dist$2chaos$3worker.js') : here.replace(/pool\.js$/, 'worker.js');
  if (!existsSync(compiled)) throw new Error(`the campaign worker ${compiled} is missing: run \`npx tsc -b\` first`);
  return compiled;
}

export async function seedsRun(jobs: readonly SeedJob[], parallel: number, onResult?: (result: SeedResult) => void): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  if (parallel <= 1 || jobs.length <= 1) {
    for (const job of jobs) {
      const result = seedRun(job);
      results.push(result);
      onResult?.(result);
    }
    return sorted(results);
  }
  const path = workerPath();
  let next = 0;
  const children: ChildProcess[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (child: ChildProcess): void => {
        if (next >= jobs.length) {
          child.disconnect();
          if (running === 0) resolve();
          return;
        }
        const id = next++;
        running++;
        child.send({ id, job: jobs[id] });
      };
      for (let index = 0; index < Math.min(parallel, jobs.length); index++) {
        const child = fork(path, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        child.on('message', (reply: WorkerReply) => {
          running--;
          if (!reply.ok) {
            reject(new Error(`seed ${jobs[reply.id]?.seed ?? '?'}: ${reply.error}`));
            return;
          }
          results.push(reply.result);
          onResult?.(reply.result);
          feed(child);
        });
        child.on('exit', (code) => {
          if (code !== 0 && code !== null) reject(new Error(`a campaign worker exited with code ${code}`));
        });
        feed(child);
      }
    });
  } finally {
    for (const child of children) if (child.connected) child.disconnect();
  }
  return sorted(results);
}

function sorted(results: SeedResult[]): SeedResult[] {
  return results.sort((a, b) => a.outcome.seed - b.outcome.seed);
}
