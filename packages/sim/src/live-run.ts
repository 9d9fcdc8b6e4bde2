/**
 * An embedded run that lets the Node event loop breathe: the same run as
 * `run`, with the scheduler run in slices of a few milliseconds of wall time,
 * and an `await` between slices, so that an HTTP server (`--metrics-port`)
 * answers while a long run goes on.
 *
 * Invariant: the report is the same as `run`'s, byte for byte (wallMs
 * aside). Slicing only stops and resumes the scheduler between two events;
 * wall time decides where a slice ends, never what happens in it.
 */
import { RealClock } from '@ioasim/bus';
import { PROGRESS_EVENTS } from './progress.js';
import type { Report } from './report.js';
import { runStart, type RunOptions, type RunStarted } from './run.js';

export type LiveRunOptions = RunOptions & {
  /** Wall-clock milliseconds the scheduler runs before yielding to the event loop (default 5). */
  readonly sliceMs?: number;
  /** Called once the run is built, before it runs (e.g. to read its bus counters). */
  readonly onStarted?: (started: RunStarted) => void;
};

export const LIVE_SLICE_MS_DEFAULT = 5;

/** Events run between two looks at the wall clock. */
const EVENTS_PER_CHECK = 2_000;

export async function runLive(topology: Parameters<typeof runStart>[0], options: LiveRunOptions = {}): Promise<Report> {
  const started = runStart(topology, options);
  options.onStarted?.(started);
  const { scheduler, progress } = started;
  const untilNs = options.untilNs;
  const sliceNs = (options.sliceMs ?? LIVE_SLICE_MS_DEFAULT) * 1e6;
  const wall = new RealClock();
  let eventsSinceProgress = 0;
  for (;;) {
    const sliceStartNs = wall.nowNs();
    let done = false;
    while (!done && wall.nowNs() - sliceStartNs < sliceNs) {
      const result = scheduler.run(untilNs === undefined ? { maxEvents: EVENTS_PER_CHECK } : { untilNs, maxEvents: EVENTS_PER_CHECK });
      done = result.stoppedBy !== 'maxEvents';
      eventsSinceProgress += result.events;
      if (!done && eventsSinceProgress >= PROGRESS_EVENTS) {
        eventsSinceProgress = 0;
        progress(scheduler.nowNs);
      }
    }
    if (done) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return started.finish();
}
