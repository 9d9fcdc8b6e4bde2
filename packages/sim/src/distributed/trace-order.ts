/**
 * The watermark in front of the checker in a distributed run. Trace events
 * come from several processes over NATS, so an effect can arrive before its
 * cause (a `groupAnswered` from the manager before the `faultDelivered` from
 * the frontend). Every process stamps events on the run's clock (one time
 * origin for all), so the buffer holds each event until both the
 * coordinator's clock and the newest event it has received are `holdNs`
 * past its time, then releases the held events in time order, ties in
 * arrival order. The newest event bounds the watermark because a coordinator
 * that was descheduled wakes to its timer before it reads what waits in its
 * socket: its clock has moved on, what it has heard has not. The events of one process arrive in the
 * order they happened, and a tie across processes would take two events in
 * the same nanosecond. The checker then sees one causally ordered stream, as
 * in embedded mode, and no check is weakened.
 *
 * Invariants: events leave in non-decreasing t, ties in arrival order; an event is
 * never held past `min(now, newest) - holdNs` once `release(now)` runs; `releaseAll` hands
 * over everything; an event arriving after later events have left (more
 * than `holdNs` late) is still delivered, and counted in `late`.
 */
import type { TraceEvent } from '@ioasim/protocol';

/** Events arriving later than this after their time are counted as late. */
export const TRACE_HOLD_NS = 250_000_000;

type Held = { readonly event: TraceEvent; readonly order: number };

export class TraceOrder {
  #held: Held[] = [];
  #order = 0;
  #releasedNs = Number.NEGATIVE_INFINITY;
  #newestNs = Number.NEGATIVE_INFINITY;
  /** Events that arrived after events later than them had been released. */
  late = 0;

  constructor(
    private readonly sink: (event: TraceEvent) => void,
    private readonly holdNs: number = TRACE_HOLD_NS,
  ) {}

  get heldCount(): number {
    return this.#held.length;
  }

  add(event: TraceEvent): void {
    if (event.t < this.#releasedNs) this.late++;
    if (event.t > this.#newestNs) this.#newestNs = event.t;
    this.#held.push({ event, order: this.#order++ });
  }

  /** Releases, in order, every event with t <= min(nowNs, the newest event's t) - holdNs. */
  release(nowNs: number): void {
    this.#releaseUpTo(Math.min(nowNs, this.#newestNs) - this.holdNs);
  }

  releaseAll(): void {
    this.#releaseUpTo(Number.POSITIVE_INFINITY);
  }

  #releaseUpTo(limitNs: number): void {
    if (this.#held.length === 0) return;
    this.#held.sort((left, right) => left.event.t - right.event.t || left.order - right.order);
    let count = 0;
    while (count < this.#held.length && (this.#held[count] as Held).event.t <= limitNs) count++;
    if (count === 0) return;
    const released = this.#held.slice(0, count);
    this.#held = this.#held.slice(count);
    for (const held of released) {
      this.#releasedNs = Math.max(this.#releasedNs, held.event.t);
      this.sink(held.event);
    }
  }
}
