/**
 * The clock of NATS runs: wall-clock time since the clock was made, and Node
 * timers. This file and the bus implementations are the only places allowed
 * to touch timers or the wall clock.
 *
 * `afterNs(0, ...)` runs on the next check phase of the event loop
 * (`setImmediate`), in (priority, scheduling) order among the zero-delay
 * callbacks queued before that phase, so that a flush still comes after the
 * normal work queued with it. Longer delays use `setTimeout`, rounded up to
 * whole milliseconds (a timer never fires early); their priority is ignored,
 * since real timers do not share instants.
 */
import { Priority, type Clock, type TimerHandle } from './clock.js';
import { AssertionError, assert } from './assert.js';

const NS_PER_MS = 1_000_000;

class RealTimer implements TimerHandle {
  cancelled = false;
  timeout: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly id: number,
    readonly callback: () => void,
    readonly priority: number,
  ) {}
}

export class RealClock implements Clock {
  readonly #startNs = process.hrtime.bigint();
  #timerNext = 1;
  /** Zero-delay timers waiting for the next check phase, in scheduling order. */
  #immediates: RealTimer[] = [];
  #immediateScheduled = false;

  nowNs(): number {
    return Number(process.hrtime.bigint() - this.#startNs);
  }

  afterNs(delayNs: number, callback: () => void, priority: Priority = Priority.normal): TimerHandle {
    assert(delayNs >= 0, `afterNs: delay ${delayNs} ns must be >= 0`);
    const timer = new RealTimer(this.#timerNext++, callback, priority);
    if (delayNs === 0) this.#immediateAdd(timer);
    else timer.timeout = setTimeout(() => this.#fire(timer), Math.ceil(delayNs / NS_PER_MS));
    return timer;
  }

  afterNsWith<Argument>(delayNs: number, callback: (argument: Argument) => void, argument: Argument): void {
    this.afterNs(delayNs, () => callback(argument));
  }

  cancel(handle: TimerHandle): void {
    if (!(handle instanceof RealTimer)) {
      throw new AssertionError(`cancel: handle ${JSON.stringify(handle)} is not from a RealClock`);
    }
    handle.cancelled = true;
    if (handle.timeout !== null) clearTimeout(handle.timeout);
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const delayNs = delayMs > 0 && Number.isFinite(delayMs) ? delayMs * NS_PER_MS : 0;
    return this.afterNs(delayNs, callback);
  }

  clearTimeout(handle: TimerHandle): void {
    this.cancel(handle);
  }

  #immediateAdd(timer: RealTimer): void {
    this.#immediates.push(timer);
    if (this.#immediateScheduled) return;
    this.#immediateScheduled = true;
    setImmediate(() => this.#immediatesRun());
  }

  /** Runs the zero-delay timers queued so far; those they queue wait for the next phase. */
  #immediatesRun(): void {
    const timers = this.#immediates;
    this.#immediates = [];
    this.#immediateScheduled = false;
    // A stable sort: same-priority timers keep their scheduling order.
    timers.sort((left, right) => left.priority - right.priority);
    for (const timer of timers) this.#fire(timer);
  }

  #fire(timer: RealTimer): void {
    if (timer.cancelled) return;
    timer.cancelled = true;
    timer.callback();
  }
}
