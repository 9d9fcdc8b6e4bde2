/**
 * A campaign worker process: takes seed jobs from its parent over IPC, runs
 * each (campaign.ts `seedRun`) and sends back its result, one at a time,
 * until the parent disconnects. A job that throws is answered with its
 * error, never left without an answer.
 */
import { seedRun, type SeedJob, type SeedResult } from './campaign.js';

export type WorkerRequest = { readonly id: number; readonly job: SeedJob };
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: SeedResult }
  | { readonly id: number; readonly ok: false; readonly error: string };

process.on('message', (message: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: message.id, ok: true, result: seedRun(message.job) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  process.send?.(reply);
});
process.on('disconnect', () => process.exit(0));
