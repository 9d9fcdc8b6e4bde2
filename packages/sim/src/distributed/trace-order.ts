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
 * socket: its clock has moved on, what it has heard has not. The events of
 * one process arrive in the order they happened, and a tie across processes
 * would take two events in the same nanosecond. The checker then sees one
 * causally ordered stream, as in embedded mode, and no check is weakened.
 *
 * Invariants: events leave in non-decreasing t, ties in arrival order; an
 * event is never held past `min(now, newest) - holdNs` once `release(now)`
 * runs; `releaseAll` hands over everything; an event arriving after later
 * events have left (more than `holdNs` late) is still delivered, and counted
 * in `late`.
 */
import type { TraceEvent } from '@ioasim/protocol';

/**
 * Events arriving later than this after their time are counted as late. A
 * second: a process stamps its events as it handles a batch and sends them
 * when the batch is done, and on two loaded cores one turn of a busy process
 * (a burst after a stall) took longer than the quarter second this was.
 */
export const TRACE_HOLD_NS = 1_000_000_000;

type Held = { readonly event: TraceEvent; readonly order: number };

/** Whether `left` leaves before `right`: by time, ties in arrival order. */
function before(left: Held, right: Held): boolean {
  return left.event.t < right.event.t || (left.event.t === right.event.t && left.order < right.order);
}

export class TraceOrder {
  /** A binary min-heap in (t, arrival) order: a second of a busy run's trace is tens of thousands of events. */
  readonly #held: Held[] = [];
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
    this.#push({ event, order: this.#order++ });
  }

  /** Releases, in order, every event with t <= min(nowNs, the newest event's t) - holdNs. */
  release(nowNs: number): void {
    this.#releaseUpTo(Math.min(nowNs, this.#newestNs) - this.holdNs);
  }

  releaseAll(): void {
    this.#releaseUpTo(Number.POSITIVE_INFINITY);
  }

  #releaseUpTo(limitNs: number): void {
    const heap = this.#held;
    while (heap.length > 0 && (heap[0] as Held).event.t <= limitNs) {
      const event = this.#pop().event;
      if (event.t > this.#releasedNs) this.#releasedNs = event.t;
      this.sink(event);
    }
  }

  #push(held: Held): void {
    const heap = this.#held;
    let child = heap.length;
    heap.push(held);
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const above = heap[parent] as Held;
      if (!before(held, above)) break;
      heap[child] = above;
      child = parent;
    }
    heap[child] = held;
  }

  #pop(): Held {
    const heap = this.#held;
    const top = heap[0] as Held;
    const last = heap.pop() as Held;
    const size = heap.length;
    if (size === 0) return top;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && before(heap[right] as Held, heap[left] as Held) ? right : left;
      if (!before(heap[child] as Held, last)) break;
      heap[parent] = heap[child] as Held;
      parent = child;
    }
    heap[parent] = last;
    return top;
  }
}
