/**
 * The clock every actor and batcher is given. It serves two masters: xstate,
 * which calls `setTimeout(fn, ms)`/`clearTimeout(id)` through its `clock`
 * option, and ioasim's own code, which schedules in nanoseconds with a
 * priority so that same-time work runs in a fixed order.
 */

export type TimerHandle = { readonly id: number };

/** Same-time events run in ascending priority, then in the order they were scheduled. */
export const Priority = {
  /** Timers and message deliveries. */
  normal: 1,
  /** Batch flushes at the end of an instant: after everything else at that time. */
  flush: 8,
  /** Observers (trace, metrics): after the flushes of the system they observe. */
  observer: 9,
} as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export interface Clock {
  /** Current time in nanoseconds (simulated on a virtual clock, since start on a real one). */
  nowNs(): number;
  /** Runs `callback` after `delayNs` (0 = later in this instant, after what is already scheduled). */
  afterNs(delayNs: number, callback: () => void, priority?: Priority): TimerHandle;
  /**
   * Runs `callback(argument)` after `delayNs`, at priority `normal`, and
   * cannot be cancelled: for hot paths, which schedule a bound method with
   * its argument instead of making a closure per event.
   */
  afterNsWith<Argument>(delayNs: number, callback: (argument: Argument) => void, argument: Argument): void;
  cancel(handle: TimerHandle): void;
  /** xstate's clock interface: milliseconds. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
