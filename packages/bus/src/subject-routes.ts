/**
 * LocalBus's routing: which subscriptions get a message on a subject, and
 * when the last message on it is due. A subject's state is computed once and
 * kept until a subscription changes (its route is then recomputed on the
 * next message), or until it is evicted for being idle.
 *
 * Invariants: a route lists the subscriptions matching the subject when it
 * was computed, plain ones in subscription order and each queue group once,
 * with one round-robin cursor per group name shared by every subject it
 * hears; a subject with a message in flight is never evicted (its FIFO bound,
 * `lastDeliveryNs`, would be lost).
 */
import { assert } from './assert.js';
import { subjectIsValid } from './subject-match.js';
import { SubscriptionIndex, type IndexEntry } from './subscription-index.js';

/** Subject states kept before those with nothing in flight are evicted. */
export const SUBJECT_STATES_MAX = 65_536;

/** What a route needs of a subscription. */
export type RoutedSubscription = IndexEntry & { readonly queue: string | null };

/** The round-robin position of one queue group, shared by every subject it hears. */
export type QueueCursor = { next: number };
export type RouteGroup<S> = { readonly cursor: QueueCursor; readonly members: readonly S[] };
/** Who gets a message on one subject: computed once per subject and subscription change. */
export type Route<S> = {
  readonly empty: boolean;
  readonly plain: readonly S[];
  readonly groups: readonly RouteGroup<S>[];
};
export type SubjectState<S> = {
  route: Route<S>;
  routeVersion: number;
  lastDeliveryNs: number;
  /** Set when the state is evicted: a link that kept it looks the subject up again. */
  evicted: boolean;
};

export class SubjectRoutes<S extends RoutedSubscription> {
  readonly #index = new SubscriptionIndex<S>();
  /** Bumped on every subscribe and unsubscribe: a subject state of another version recomputes its route. */
  #version = 0;
  readonly #subjects = new Map<string, SubjectState<S>>();
  #limit = SUBJECT_STATES_MAX;
  /** When the subject states were last evicted: those idle since are the next to go. */
  #evictedNs = 0;
  readonly #queueCursors = new Map<string, QueueCursor>();

  constructor(private readonly nowNs: () => number) {}

  add(subscription: S): void {
    this.#index.add(subscription);
    this.#version++;
  }

  /** False when `subscription` was not routed. */
  remove(subscription: S): boolean {
    const removed = this.#index.remove(subscription);
    this.#version++;
    return removed;
  }

  /** The state of `subject`, its route current; `built`: the bus made the subject itself (a reply inbox), so it is valid. */
  state(subject: string, built = false): SubjectState<S> {
    const state = this.#subjects.get(subject);
    if (state === undefined) return this.#create(subject, built);
    this.refresh(subject, state);
    return state;
  }

  /** Brings a kept state's route up to date after a subscription changed. */
  refresh(subject: string, state: SubjectState<S>): void {
    if (state.routeVersion === this.#version) return;
    state.route = this.#routeCompute(subject);
    state.routeVersion = this.#version;
  }

  /** Forgets `subject` (a reply inbox that served its request) unless a message to it is still in flight. */
  forget(subject: string): void {
    const state = this.#subjects.get(subject);
    if (state === undefined || state.lastDeliveryNs > this.nowNs()) return;
    state.evicted = true;
    this.#subjects.delete(subject);
  }

  #create(subject: string, built: boolean): SubjectState<S> {
    if (!built) assert(subjectIsValid(subject), `publish: '${subject}' is not a subject (a wildcard, empty token or whitespace)`);
    if (this.#subjects.size >= this.#limit) this.#evict();
    const state: SubjectState<S> = { route: this.#routeCompute(subject), routeVersion: this.#version, lastDeliveryNs: 0, evicted: false };
    this.#subjects.set(subject, state);
    return state;
  }

  /**
   * Forgets the subjects with nothing delivered since the last eviction:
   * nothing of theirs is in flight (their FIFO bound is in the past, so
   * forgetting it changes nothing) and they were not in use lately. The
   * limit is then twice what is left, the subjects in use. Forgetting every
   * subject with nothing in flight made a fleet's subjects (more than the
   * limit, few of them in flight at any time) be forgotten and built again,
   * a route match each, over and over.
   */
  #evict(): void {
    const sinceNs = this.#evictedNs;
    for (const [subject, state] of this.#subjects) {
      if (state.lastDeliveryNs > sinceNs) continue;
      state.evicted = true;
      this.#subjects.delete(subject);
    }
    this.#evictedNs = this.nowNs();
    this.#limit = Math.max(SUBJECT_STATES_MAX, this.#subjects.size * 2);
  }

  #routeCompute(subject: string): Route<S> {
    const plain: S[] = [];
    const groupsByQueue = new Map<string, { cursor: QueueCursor; members: S[] }>();
    for (const subscription of this.#index.match(subject)) {
      if (subscription.queue === null) {
        plain.push(subscription);
        continue;
      }
      let group = groupsByQueue.get(subscription.queue);
      if (group === undefined) {
        group = { cursor: this.#queueCursor(subscription.queue), members: [] };
        groupsByQueue.set(subscription.queue, group);
      }
      group.members.push(subscription);
    }
    const groups = [...groupsByQueue.values()];
    return { empty: plain.length === 0 && groups.length === 0, plain, groups };
  }

  #queueCursor(queue: string): QueueCursor {
    let cursor = this.#queueCursors.get(queue);
    if (cursor === undefined) {
      cursor = { next: 0 };
      this.#queueCursors.set(queue, cursor);
    }
    return cursor;
  }
}
