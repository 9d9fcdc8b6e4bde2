/**
 * The clock of a distributed run: RealClock's timers, with `nowNs()` counted
 * from the run's time origin (a wall-clock instant the coordinator chooses)
 * instead of from the process's start, so that the trace times of every
 * process on one machine (or on machines with synchronized clocks) compare.
 * `cancelAll()` cancels every timer still pending, so that a stopped service
 * process leaves no timer keeping it alive.
 *
 * A serve process's RunClock counts from the origin shifted by its measured
 * offset from the coordinator's clock (clock-skew.ts), so that its trace
 * times are on the coordinator's clock; `wallOffsetMs` is the test hook
 * `ioasim serve --clock-offset` (a clock deliberately that far ahead).
 */
import { Priority, RealClock, type Clock, type TimerHandle } from '@ioasim/bus';
import { performance } from 'node:perf_hooks';

/** System-clock millisecond ticks read to place performance.now()'s zero on the epoch. */
const EPOCH_TICKS = 3;

/**
 * The epoch instant of performance.now()'s zero, read off the system clock:
 * at the moment Date.now() ticks to a new millisecond, the epoch time is that
 * millisecond to within microseconds, so the instant is it less
 * performance.now(). A process descheduled between the two reads gets a
 * smaller value, never a larger one: the largest of a few ticks is kept.
 * performance.timeOrigin is not used: taken at the process's start, it put
 * one machine's processes apart (a run measured all five serve processes
 * 7.7 to 9.0 ms behind their coordinator, over round trips of 3 to 4.6 ms),
 * and the corrections of that skew, each right only to within half a round
 * trip, put a frontend's events before the manager's that caused them: 64
 * handler hops of 3,852 went unpaired.
 */
function epochOfNowMs(): number {
  let epochMs = Number.NEGATIVE_INFINITY;
  let tick = Date.now();
  for (let read = 0; read < EPOCH_TICKS; read++) {
    let now = Date.now();
    while (now === tick) now = Date.now();
    epochMs = Math.max(epochMs, now - performance.now());
    tick = now;
  }
  return epochMs;
}

const EPOCH_OF_NOW_MS = epochOfNowMs();

/** Wall-clock milliseconds since the Unix epoch, at sub-millisecond precision; every process of one machine reads the same. */
export function wallMs(): number {
  return EPOCH_OF_NOW_MS + performance.now();
}

export class RunClock implements Clock {
  readonly #real = new RealClock();
  readonly #offsetNs: number;
  readonly #pending = new Set<TimerHandle>();

  constructor(originMs: number, wallOffsetMs = 0) {
    this.#offsetNs = Math.round((wallMs() + wallOffsetMs - originMs) * 1e6);
  }

  nowNs(): number {
    return this.#real.nowNs() + this.#offsetNs;
  }

  afterNs(delayNs: number, callback: () => void, priority: Priority = Priority.normal): TimerHandle {
    const handle = this.#real.afterNs(
      delayNs,
      () => {
        this.#pending.delete(handle);
        callback();
      },
      priority,
    );
    this.#pending.add(handle);
    return handle;
  }

  afterNsWith<Argument>(delayNs: number, callback: (argument: Argument) => void, argument: Argument): void {
    this.afterNs(delayNs, () => callback(argument));
  }

  cancel(handle: TimerHandle): void {
    this.#pending.delete(handle);
    this.#real.cancel(handle);
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.afterNs(delayMs > 0 && Number.isFinite(delayMs) ? delayMs * 1e6 : 0, callback);
  }

  clearTimeout(handle: TimerHandle): void {
    this.cancel(handle);
  }

  cancelAll(): void {
    for (const handle of this.#pending) this.#real.cancel(handle);
    this.#pending.clear();
  }
}
