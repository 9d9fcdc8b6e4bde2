/**
 * ioasim's discrete-event scheduler: the hot core of every embedded run.
 *
 * Events run in ascending (timeNs, priority, sequence), as in SimPy: at one
 * instant, lower priorities first, and at one priority, in the order they were
 * scheduled. Invariants:
 * - time never goes back: an event is never scheduled before `nowNs`, and
 *   `nowNs` only grows;
 * - an event runs at most once, and never after it was cancelled;
 * - a callback may schedule and cancel events, including at the current instant.
 *
 * For speed the heap is flat: an Int32Array of slot numbers, the slots being
 * parallel typed arrays (time, ordering key) plus arrays of callbacks and
 * their arguments. Slots are recycled through a free list, so a steady run
 * allocates nothing per event on the `schedule` path. Cancellation is lazy: a
 * cancelled slot loses its callback and is skipped when it reaches the top;
 * the heap is compacted when cancelled slots outnumber live ones.
 */
import type { TimerHandle } from './clock.js';
import { AssertionError, assert } from './assert.js';

export type SchedulerRunOptions = {
  /** Stop before the first event later than this; the clock is then set to it (also when the queue ran empty). */
  readonly untilNs?: number;
  /** Stop after running this many events. */
  readonly maxEvents?: number;
};

export type SchedulerRunResult = {
  readonly events: number;
  readonly stoppedBy: 'empty' | 'until' | 'maxEvents';
};

/** Priorities are small integers; the ordering key is priority * stride + sequence. */
export const SCHEDULER_PRIORITY_MAX = 255;
const SEQUENCE_STRIDE = 2 ** 44;
const CAPACITY_INITIAL = 1024;
/** Below this many cancelled slots the heap is never compacted: not worth it. */
const COMPACTION_CANCELLED_MIN = 1024;

/** The handle `at` returns: `id` is the event's sequence number. */
class SchedulerHandle implements TimerHandle {
  constructor(
    readonly id: number,
    readonly slot: number,
    readonly key: number,
  ) {}
}

// The callbacks array holds both argument-less and one-argument callbacks.
type EventCallback = (argument: never) => void;

export class Scheduler {
  #nowNs = 0;
  #lastEventNs = 0;
  #sequence = 0;
  #running = false;

  #heap = new Int32Array(CAPACITY_INITIAL);
  #heapSize = 0;
  #cancelledCount = 0;

  #slotTimes = new Float64Array(CAPACITY_INITIAL);
  #slotKeys = new Float64Array(CAPACITY_INITIAL);
  readonly #slotCallbacks: (EventCallback | null)[] = [];
  readonly #slotArguments: unknown[] = [];
  #slotCount = 0;
  #freeSlots = new Int32Array(CAPACITY_INITIAL);
  #freeCount = 0;

  get nowNs(): number {
    return this.#nowNs;
  }

  /** The time of the last event run: `nowNs` unless a run until a later time found nothing more to do. */
  get lastEventNs(): number {
    return this.#lastEventNs;
  }

  /** Events scheduled and not yet run nor cancelled. */
  get pendingCount(): number {
    return this.#heapSize - this.#cancelledCount;
  }

  /** Runs `callback` at `timeNs` (>= now); same-time events in (priority, scheduling) order. */
  at(timeNs: number, priority: number, callback: () => void): TimerHandle {
    const slot = this.#insert(timeNs, priority, callback, undefined);
    return new SchedulerHandle(this.#sequence, slot, this.#slotKeys[slot] as number);
  }

  /**
   * Like `at`, for hot paths: no handle (the event cannot be cancelled) and
   * one argument for the callback, so that the caller needs no closure.
   */
  schedule<Argument>(
    timeNs: number,
    priority: number,
    callback: (argument: Argument) => void,
    argument: Argument,
  ): void {
    this.#insert(timeNs, priority, callback, argument);
  }

  /** Cancels an event of `at`; a no-op when it already ran or was cancelled. */
  cancel(handle: TimerHandle): void {
    if (!(handle instanceof SchedulerHandle)) {
      throw new AssertionError(`cancel: handle ${JSON.stringify(handle)} is not from this scheduler`);
    }
    const slot = handle.slot;
    if (this.#slotKeys[slot] !== handle.key || this.#slotCallbacks[slot] === null) return;
    this.#slotCallbacks[slot] = null;
    this.#slotArguments[slot] = undefined;
    this.#cancelledCount++;
    if (this.#cancelledCount >= COMPACTION_CANCELLED_MIN && this.#cancelledCount * 2 > this.#heapSize) this.#compact();
  }

  /** The time of the next event, or null when none is pending. */
  nextTimeNs(): number | null {
    const slot = this.#peekLive();
    return slot < 0 ? null : (this.#slotTimes[slot] as number);
  }

  /** Runs the next event; false when none is pending. */
  step(): boolean {
    assert(!this.#running, 'step: the scheduler is already running (called from an event?)');
    if (this.#peekLive() < 0) return false;
    this.#running = true;
    try {
      this.#runTop();
    } finally {
      this.#running = false;
    }
    return true;
  }

  /** Runs events until none is left, the next is later than `untilNs`, or `maxEvents` ran. */
  run(options: SchedulerRunOptions = {}): SchedulerRunResult {
    const untilNs = options.untilNs ?? Number.POSITIVE_INFINITY;
    const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
    assert(!this.#running, 'run: the scheduler is already running (called from an event?)');
    assert(untilNs >= this.#nowNs, `run: untilNs ${untilNs} is before now ${this.#nowNs}`);
    assert(maxEvents >= 0, `run: maxEvents ${maxEvents} must be >= 0`);
    this.#running = true;
    try {
      return this.#runLoop(untilNs, maxEvents);
    } finally {
      this.#running = false;
    }
  }

  #runLoop(untilNs: number, maxEvents: number): SchedulerRunResult {
    let events = 0;
    for (;;) {
      const slot = this.#peekLive();
      if (slot < 0) {
        // As in SimPy, a run until a time covers that time even when nothing happens.
        if (untilNs !== Number.POSITIVE_INFINITY) this.#nowNs = untilNs;
        return { events, stoppedBy: 'empty' };
      }
      if ((this.#slotTimes[slot] as number) > untilNs) {
        this.#nowNs = untilNs;
        return { events, stoppedBy: 'until' };
      }
      if (events >= maxEvents) return { events, stoppedBy: 'maxEvents' };
      this.#runTop();
      events++;
    }
  }

  #insert(timeNs: number, priority: number, callback: EventCallback, argument: unknown): number {
    // Checked without template strings on the hot path: messages are built only on failure.
    if (!(timeNs >= this.#nowNs) || timeNs === Number.POSITIVE_INFINITY) this.#timeInvalid(timeNs);
    if (!(priority >= 0 && priority <= SCHEDULER_PRIORITY_MAX && (priority | 0) === priority)) {
      throw new AssertionError(`schedule: priority ${priority} is not an integer in [0, ${SCHEDULER_PRIORITY_MAX}]`);
    }
    const sequence = ++this.#sequence;
    assert(sequence < SEQUENCE_STRIDE, 'schedule: sequence numbers exhausted');
    const slot = this.#slotAllocate();
    this.#slotTimes[slot] = timeNs;
    this.#slotKeys[slot] = priority * SEQUENCE_STRIDE + sequence;
    this.#slotCallbacks[slot] = callback;
    this.#slotArguments[slot] = argument;
    if (this.#heapSize === this.#heap.length) this.#heap = grow(this.#heap);
    this.#siftUp(this.#heapSize++, slot);
    return slot;
  }

  #timeInvalid(timeNs: number): never {
    throw new AssertionError(`schedule: time ${timeNs} ns is before now ${this.#nowNs} ns or not finite`);
  }

  /** Pops the top slot (live) and runs it at its time. */
  #runTop(): void {
    const slot = this.#popTop();
    const callback = this.#slotCallbacks[slot] as EventCallback;
    const argument = this.#slotArguments[slot] as never;
    this.#nowNs = this.#slotTimes[slot] as number;
    this.#lastEventNs = this.#nowNs;
    this.#slotFree(slot);
    callback(argument);
  }

  /** The top slot after dropping cancelled ones, or -1 when the heap is empty. */
  #peekLive(): number {
    while (this.#heapSize > 0) {
      const slot = this.#heap[0] as number;
      if (this.#slotCallbacks[slot] !== null) return slot;
      this.#popTop();
      this.#slotFree(slot);
      this.#cancelledCount--;
    }
    return -1;
  }

  #popTop(): number {
    const heap = this.#heap;
    const top = heap[0] as number;
    const size = --this.#heapSize;
    if (size > 0) this.#siftDown(0, heap[size] as number);
    return top;
  }

  #siftUp(start: number, slot: number): void {
    const heap = this.#heap;
    const times = this.#slotTimes;
    const keys = this.#slotKeys;
    const time = times[slot] as number;
    const key = keys[slot] as number;
    let position = start;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = heap[parentPosition] as number;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (keys[parent] as number) < key)) break;
      heap[position] = parent;
      position = parentPosition;
    }
    heap[position] = slot;
  }

  #siftDown(start: number, slot: number): void {
    const heap = this.#heap;
    const times = this.#slotTimes;
    const keys = this.#slotKeys;
    const size = this.#heapSize;
    const time = times[slot] as number;
    const key = keys[slot] as number;
    let position = start;
    for (;;) {
      let child = 2 * position + 1;
      if (child >= size) break;
      let childSlot = heap[child] as number;
      let childTime = times[childSlot] as number;
      const right = child + 1;
      if (right < size) {
        const rightSlot = heap[right] as number;
        const rightTime = times[rightSlot] as number;
        const rightKey = keys[rightSlot] as number;
        const rightFirst = rightTime < childTime || (rightTime === childTime && rightKey < (keys[childSlot] as number));
        if (rightFirst) {
          child = right;
          childSlot = rightSlot;
          childTime = rightTime;
        }
      }
      if (time < childTime || (time === childTime && key < (keys[childSlot] as number))) break;
      heap[position] = childSlot;
      position = child;
    }
    heap[position] = slot;
  }

  #slotAllocate(): number {
    if (this.#freeCount > 0) return this.#freeSlots[--this.#freeCount] as number;
    const slot = this.#slotCount++;
    if (slot === this.#slotTimes.length) {
      this.#slotTimes = grow(this.#slotTimes);
      this.#slotKeys = grow(this.#slotKeys);
      this.#freeSlots = grow(this.#freeSlots);
    }
    this.#slotCallbacks.push(null);
    this.#slotArguments.push(undefined);
    return slot;
  }

  #slotFree(slot: number): void {
    this.#slotCallbacks[slot] = null;
    this.#slotArguments[slot] = undefined;
    this.#freeSlots[this.#freeCount++] = slot;
  }

  /** Drops every cancelled slot from the heap and rebuilds it bottom-up, in O(n). */
  #compact(): void {
    const heap = this.#heap;
    let size = 0;
    for (let position = 0; position < this.#heapSize; position++) {
      const slot = heap[position] as number;
      if (this.#slotCallbacks[slot] === null) this.#slotFree(slot);
      else heap[size++] = slot;
    }
    this.#heapSize = size;
    this.#cancelledCount = 0;
    for (let position = (size >> 1) - 1; position >= 0; position--) this.#siftDown(position, heap[position] as number);
  }
}

function grow<Typed extends Int32Array | Float64Array>(array: Typed): Typed {
  const larger = new (array.constructor as new (length: number) => Typed)(array.length * 2);
  larger.set(array);
  return larger;
}
