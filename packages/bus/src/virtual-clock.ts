/**
 * The clock of embedded runs: simulated time, read from and scheduled on a
 * `Scheduler`. Nothing happens between events, so `nowNs` is the time of the
 * event running (or of the last one run).
 *
 * xstate calls `setTimeout(fn, ms)`: milliseconds become nanoseconds (rounded
 * to the nearest nanosecond; a negative or NaN delay counts as 0, as in
 * Node) at priority `normal`. `afterNs(0, fn, Priority.flush)` runs later in
 * the same instant, after everything of lower priority.
 */
import { Priority, type Clock, type TimerHandle } from './clock.js';
import { assert } from './assert.js';
import type { Scheduler } from './scheduler.js';

const NS_PER_MS = 1_000_000;

export class VirtualClock implements Clock {
  readonly #scheduler: Scheduler;

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  get scheduler(): Scheduler {
    return this.#scheduler;
  }

  nowNs(): number {
    return this.#scheduler.nowNs;
  }

  afterNs(delayNs: number, callback: () => void, priority: Priority = Priority.normal): TimerHandle {
    // Checked without a template string: the message is built only on failure.
    if (!(delayNs >= 0)) assert(false, `afterNs: delay ${delayNs} ns must be >= 0`);
    return this.#scheduler.at(this.#scheduler.nowNs + delayNs, priority, callback);
  }

  afterNsWith<Argument>(delayNs: number, callback: (argument: Argument) => void, argument: Argument): void {
    if (!(delayNs >= 0)) assert(false, `afterNsWith: delay ${delayNs} ns must be >= 0`);
    this.#scheduler.schedule(this.#scheduler.nowNs + delayNs, Priority.normal, callback, argument);
  }

  cancel(handle: TimerHandle): void {
    this.#scheduler.cancel(handle);
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.afterNs(millisecondsToNanoseconds(delayMs), callback);
  }

  clearTimeout(handle: TimerHandle): void {
    this.cancel(handle);
  }
}

/** xstate's delay in ms as nanoseconds; like Node's timers, a bad delay means 0. */
export function millisecondsToNanoseconds(delayMs: number): number {
  if (!(delayMs > 0) || !Number.isFinite(delayMs)) return 0;
  return Math.round(delayMs * NS_PER_MS);
}
