/**
 * A sweep worker process (forked by sweep-pool.ts): runs the points it is
 * sent, one at a time, and answers each with its result or its error. It
 * exits when its parent disconnects.
 */
import { sweepRunPoint, type SweepParameter, type SweepPoint } from './sweep.js';

export type SweepJob = {
  readonly input: unknown;
  readonly parameters: readonly SweepParameter[];
  readonly point: SweepPoint;
  readonly metric: string;
  readonly seed: number | null;
};

process.on('message', (job: SweepJob) => {
  try {
    const result = sweepRunPoint(job.input, job.parameters, job.point, job.metric, job.seed ?? undefined);
    process.send?.({ ok: true, result });
  } catch (error) {
    process.send?.({ ok: false, index: job.point.index, message: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
