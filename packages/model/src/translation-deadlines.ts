/**
 * The completion deadlines of a device's translation requests (ATS), on one
 * timer. Every request waits the same `translationTimeout`, so deadlines
 * come in the order the requests were sent: a queue of (key, translation,
 * deadline) and one timer, armed for the oldest request still unanswered.
 *
 * An answered request is not searched for: its entry is dropped once it is
 * at the head, where the device says it is no longer live. So a device whose
 * requests are answered in microseconds runs at most one timer event per
 * timeout, not one per request, and the scheduler holds at most one of its
 * timers. The device clears the queue once it has no access in flight; the
 * timer is kept while its workloads still issue accesses (re-arming it for
 * each burst would cost an event per burst), and cancelled once they are
 * done, so that a timer never outlives the run's last event that did work.
 *
 * Invariants: deadlines in the queue never decrease; while the queue holds
 * a live entry, a timer is armed for its deadline or earlier.
 */
import { assert } from './assert.js';

export interface TranslationTimer {
  /** Arms the device's one translation timer to fire after `delayNs`; returns what `cancel` takes. */
  translationTimerSet(delayNs: number): unknown;
  /** Cancels the timer `translationTimerSet` returned. */
  translationTimerCancel?(timer: unknown): void;
}

/** What the queue asks of its device: whether a request still waits for its answer, and what to do when it waited too long. */
export interface TranslationDeadlineOwner {
  translationLive(key: number, translation: number): boolean;
  translationExpired(nowNs: number, key: number, translation: number): void;
}

export class TranslationDeadlines {
  /** Entries from `head`, oldest first, in three parallel arrays: a queue without shift(), which copies a long array. */
  private readonly keys: number[] = [];
  private readonly translations: number[] = [];
  private readonly deadlines: number[] = [];
  private head = 0;
  private timer: unknown = null;
  /** True while `fire` runs: a request sent again then is queued, and the timer is armed once, after. */
  private firing = false;

  constructor(
    private readonly timeoutNs: number,
    private readonly timerEffects: TranslationTimer,
  ) {}

  /** Entries queued, answered ones included until they reach the head. */
  get size(): number {
    return this.keys.length - this.head;
  }

  /** Request `translation` for `key` was sent at `nowNs`: its deadline is `nowNs + timeoutNs`. */
  add(nowNs: number, key: number, translation: number): void {
    const deadlineNs = nowNs + this.timeoutNs;
    const last = this.deadlines.length - 1;
    assert(last < this.head || (this.deadlines[last] as number) <= deadlineNs, 'translation deadlines: sent before the last one');
    this.keys.push(key);
    this.translations.push(translation);
    this.deadlines.push(deadlineNs);
    if (this.timer === null && !this.firing) this.arm(nowNs, deadlineNs);
  }

  /** The timer fired: every live request past its deadline expires, oldest first; then the timer is armed for the next live one. */
  fire(nowNs: number, owner: TranslationDeadlineOwner): void {
    this.timer = null;
    this.firing = true;
    try {
      while (this.head < this.keys.length && (this.deadlines[this.head] as number) <= nowNs) {
        const key = this.keys[this.head] as number;
        const translation = this.translations[this.head] as number;
        this.head++;
        // An expiry may send the request again, at the tail: its deadline is later than now.
        if (owner.translationLive(key, translation)) owner.translationExpired(nowNs, key, translation);
      }
    } finally {
      this.firing = false;
    }
    this.answeredDrop(owner);
    if (this.head < this.keys.length) this.arm(nowNs, this.deadlines[this.head] as number);
  }

  /**
   * The device has nothing in flight: no request is live, so the queue
   * empties. The timer is cancelled when `timerCancel`, else left to fire
   * (early for any request sent meanwhile: it is then armed again for it).
   */
  clear(timerCancel: boolean): void {
    if (timerCancel && this.timer !== null) {
      this.timerEffects.translationTimerCancel?.(this.timer);
      this.timer = null;
    }
    this.keys.length = 0;
    this.translations.length = 0;
    this.deadlines.length = 0;
    this.head = 0;
  }

  /** Drops answered entries at the head, so that the timer is armed for a live one; compacts the served part. */
  private answeredDrop(owner: TranslationDeadlineOwner): void {
    while (this.head < this.keys.length && !owner.translationLive(this.keys[this.head] as number, this.translations[this.head] as number)) this.head++;
    if (this.head === this.keys.length) {
      this.keys.length = 0;
      this.translations.length = 0;
      this.deadlines.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.keys.length) {
      this.keys.splice(0, this.head);
      this.translations.splice(0, this.head);
      this.deadlines.splice(0, this.head);
      this.head = 0;
    }
  }

  private arm(nowNs: number, deadlineNs: number): void {
    this.timer = this.timerEffects.translationTimerSet(deadlineNs - nowNs);
  }
}
