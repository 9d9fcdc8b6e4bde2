/**
 * Progress of an embedded run, for a progress bar. The runner drives the
 * scheduler in chunks of a fixed number of events and reports simulated time
 * and fault counts between chunks; the events run in the same order as in one
 * uninterrupted run, so progress never changes a result. Deciding whether to
 * draw anything (a terminal, a second of wall time) is the caller's business.
 */
import type { Scheduler } from '@ioasim/bus';
import type { Topology } from '@ioasim/protocol';

export type RunProgress = {
  readonly simulatedNs: number;
  /** The simulated time the workloads are expected to take (see runExpectedNs); 0 when unknown. */
  readonly expectedNs: number;
  readonly faultsRaised: number;
  readonly faultsCompleted: number;
};

/** Scheduler events between two progress reports. */
export const PROGRESS_EVENTS = 50_000;

/**
 * How long the workloads run in simulated time: a duration, or a count at the
 * rate of its last step (rate steps make this an estimate).
 */
export function runExpectedNs(topology: Topology): number {
  let expectedNs = 0;
  for (const host of topology.hosts) {
    for (const workload of host.workloads) {
      const last = workload.rate[workload.rate.length - 1];
      const byCount = workload.count === null || last === undefined ? 0 : last.atNs + (workload.count / last.perSecond) * 1e9;
      const byDuration = workload.durationNs ?? 0;
      expectedNs = Math.max(expectedNs, byCount, byDuration);
    }
  }
  return expectedNs;
}

/** Runs the scheduler until it is empty (or `untilNs`), reporting progress every PROGRESS_EVENTS events. */
export function schedulerRunReporting(scheduler: Scheduler, untilNs: number | undefined, onProgress: (simulatedNs: number) => void): void {
  for (;;) {
    const result = scheduler.run(untilNs === undefined ? { maxEvents: PROGRESS_EVENTS } : { untilNs, maxEvents: PROGRESS_EVENTS });
    if (result.stoppedBy !== 'maxEvents') return;
    onProgress(scheduler.nowNs);
  }
}
