import { describe, expect, it } from 'vitest';
import { RunEnd, type RunEndState } from '@ioasim/sim/distributed';

const TICK_MS = 20;
const QUIET_MS = 300;
const STALLED_MS = 6_000;
const QUIET_TICKS = QUIET_MS / TICK_MS;

const settled: RunEndState = { workloadsDone: true, devicesIdle: true, timelinePending: 0 };
const issuedNotIdle: RunEndState = { workloadsDone: true, devicesIdle: false, timelinePending: 0 };

/** Ticks `count` times with no trace in between; the last verdict. */
function quietTicks(end: RunEnd, state: RunEndState, count: number): string {
  let verdict = 'none';
  for (let index = 0; index < count; index++) verdict = end.tick(state);
  return verdict;
}

describe('RunEnd, when a distributed run is over', () => {
  it('ends a run whose devices are idle once the trace has been quiet for 300 ms of ticks, not before', () => {
    const end = new RunEnd(TICK_MS, QUIET_MS, STALLED_MS);
    expect(quietTicks(end, settled, QUIET_TICKS - 1)).toBe('running');
    expect(end.tick(settled)).toBe('settled');
  });

  it('does not take its own pause for quiet: a tick after trace arrived starts the count again, however late it comes', () => {
    const end = new RunEnd(TICK_MS, QUIET_MS, STALLED_MS);
    quietTicks(end, settled, QUIET_TICKS - 1);
    // The coordinator slept for seconds; its socket held trace that it read before this tick.
    end.moved();
    expect(end.tick(settled)).toBe('running');
    expect(end.quietForMs).toBe(0);
    expect(quietTicks(end, settled, QUIET_TICKS - 1)).toBe('running');
    expect(end.tick(settled)).toBe('settled');
  });

  it('keeps a run going while its devices hold accesses in flight, though every access was issued and the trace is quiet', () => {
    // A process stalled at the start: every access issued in milliseconds, their translations not yet answered.
    const end = new RunEnd(TICK_MS, QUIET_MS, STALLED_MS);
    expect(quietTicks(end, issuedNotIdle, QUIET_TICKS * 5)).toBe('running');
  });

  it('ends as stalled when nothing at all has moved for longer than a device timeout', () => {
    const end = new RunEnd(TICK_MS, QUIET_MS, STALLED_MS);
    expect(quietTicks(end, issuedNotIdle, STALLED_MS / TICK_MS - 1)).toBe('running');
    expect(end.tick(issuedNotIdle)).toBe('stalled');
  });

  it('never ends a run before every workload has issued its last access, nor while a timeline operation is unanswered', () => {
    const end = new RunEnd(TICK_MS, QUIET_MS, STALLED_MS);
    expect(quietTicks(end, { workloadsDone: false, devicesIdle: true, timelinePending: 0 }, STALLED_MS / TICK_MS * 2)).toBe('running');
    expect(quietTicks(end, { ...settled, timelinePending: 1 }, 5)).toBe('running');
    expect(end.tick(settled)).toBe('stalled');
  });
});
