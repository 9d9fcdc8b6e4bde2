/**
 * Runs the points of a sweep: in this process when one job is asked for (or
 * one point), else in up to `jobs` forked worker processes (sweep-worker.ts),
 * each running one point at a time. Results come back in the order of the
 * points whatever order they finish in; the first error stops the sweep.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SweepError, sweepPoints, sweepRunPoint, type SweepParameter, type SweepResult } from './sweep.js';
import type { SweepJob } from './sweep-worker.js';

export type SweepOptions = {
  readonly input: unknown;
  readonly parameters: readonly SweepParameter[];
  readonly metric: string;
  readonly seed?: number;
  /** Worker processes; 1 runs every point in this process. */
  readonly jobs: number;
  /** Called as each point finishes, with the count finished so far. */
  readonly onResult?: (result: SweepResult, finished: number, total: number) => void;
};

type WorkerReply = { readonly ok: true; readonly result: SweepResult } | { readonly ok: false; readonly index: number; readonly message: string };

/** The compiled worker: next to this module when it runs from dist, in dist when it runs from the sources (tests). */
function workerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith('.ts') ? fileURLToPath(new URL('../dist/sweep-worker.js', import.meta.url)) : fileURLToPath(new URL('./sweep-worker.js', import.meta.url));
  if (!existsSync(compiled)) throw new SweepError(`the sweep worker ${compiled} is missing: build with 'npx tsc -b', or use --jobs 1`);
  return compiled;
}

export async function sweepRun(options: SweepOptions): Promise<SweepResult[]> {
  const points = sweepPoints(options.parameters);
  const results: SweepResult[] = [];
  const jobs = Math.max(1, Math.min(options.jobs, points.length));
  if (jobs === 1) {
    for (const point of points) {
      const result = sweepRunPoint(options.input, options.parameters, point, options.metric, options.seed);
      results.push(result);
      options.onResult?.(result, results.length, points.length);
    }
    return results;
  }
  const path = workerPath();
  const workers: ChildProcess[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let failed = false;
      const dispatch = (worker: ChildProcess): void => {
        const point = points[next++];
        if (point === undefined) return;
        const job: SweepJob = { input: options.input, parameters: options.parameters, point, metric: options.metric, seed: options.seed ?? null };
        worker.send(job);
      };
      for (let index = 0; index < jobs; index++) {
        const worker = fork(path, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
        workers.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (failed) return;
          if (!reply.ok) {
            failed = true;
            reject(new SweepError(reply.message));
            return;
          }
          results.push(reply.result);
          options.onResult?.(reply.result, results.length, points.length);
          if (results.length === points.length) resolve();
          else dispatch(worker);
        });
        worker.on('exit', (code) => {
          if (!failed && results.length < points.length) {
            failed = true;
            reject(new SweepError(`a sweep worker exited with code ${String(code)} before the sweep ended`));
          }
        });
        dispatch(worker);
      }
    });
  } finally {
    for (const worker of workers) if (worker.connected) worker.disconnect();
  }
  return results.sort((a, b) => a.index - b.index);
}
