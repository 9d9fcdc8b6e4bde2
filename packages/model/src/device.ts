/**
 * A PCIe function's side of the fault path: its workload's accesses, its
 * address translation cache (ATC), its PRI credits and PRG indices, and the
 * page request groups it has outstanding.
 *
 *   access -> ATC hit: done
 *          -> miss: translation request; ok -> fill the ATC, done
 *                                        not ok -> page request group (PRI),
 *                                                  stalled transaction (stall),
 *                                                  or an unrecoverable fault
 *                                        no answer in translationTimeout ->
 *                                                  re-sent, translationRetries
 *                                                  times, then abandoned
 *   PRG response SUCCESS -> retry the translation; INVALID -> the accesses fail;
 *   FAILURE -> RF set, PRI disabled: later faults are unrecoverable.
 *
 * Invariants: outstanding page requests never exceed the credits; a group
 * ends exactly once (completed by a response, or abandoned after the retry
 * budget); a response carries a PASID exactly when its requests did; every
 * access issued ends once, completed, failed or abandoned (issued =
 * completed + failed + abandoned + in flight); an access translating has
 * its latest translation request's deadline queued (translation-deadlines.ts).
 */
import {
  PRG_INDEX_COUNT,
  ResponseCode,
  type DeviceConfig,
  type PageRequest,
  type PrgResponse,
  type Settings,
  type TraceEvent,
  type TranslationCompletion,
  type TranslationRequest,
} from '@ioasim/protocol';
import { assert } from './assert.js';
import { PrgIndexPool } from './prg-index-pool.js';
import { PriCredits } from './pri-credits.js';
import { pasidKey } from './routing-table.js';
import { TranslationDeadlines, type TranslationDeadlineOwner, type TranslationTimer } from './translation-deadlines.js';

/** The device's one translation timer calls `translationTimerFired(nowNs)` when it fires. */
export interface DeviceEffects extends TranslationTimer {
  translationRequest(request: TranslationRequest): void;
  pageRequest(request: PageRequest): void;
  trace(event: TraceEvent): void;
  /**
   * Calls `groupTimeout(prgIndex, group, attempt)` after `delayNs` (when
   * still due); returns what `groupTimeoutCancel` takes to cancel it.
   */
  groupTimeoutSet(delayNs: number, prgIndex: number, group: number, attempt: number): unknown;
  /** Cancels a timer of `groupTimeoutSet` whose group ended first (most are answered long before it). */
  groupTimeoutCancel?(timer: unknown): void;
}

type FaultState = 'translating' | 'faulting' | 'awaitingCredits';

type PendingAccess = {
  readonly pasid: number | null;
  readonly page: number;
  perm: number;
  count: number;
  state: FaultState;
  /** Page requests in the group this access raises (the workload's prgSize). */
  readonly requests: number;
  /** The device's number of its translation request in flight (0: none), and the re-sends of it so far. */
  translation: number;
  attempt: number;
};

type OutstandingGroup = {
  readonly group: number;
  readonly prgIndex: number;
  readonly pasid: number | null;
  readonly key: number;
  readonly pages: readonly number[];
  readonly perm: number;
  readonly firstIssuedNs: number;
  attempt: number;
  /** The retry timer of the current attempt, from `groupTimeoutSet`. */
  timer: unknown;
};

/** Stall tags (STAG) are 16 bits. */
const STALL_TAG_COUNT = 1 << 16;

export type DeviceCounters = {
  accessesIssued: number;
  accessesCompleted: number;
  accessesFailed: number;
  /** Accesses given up with their translation request, unanswered after its re-sends. */
  accessesAbandoned: number;
  atcHits: number;
  translationRequests: number;
  /** Translation requests re-sent after translationTimeout (counted in translationRequests too). */
  translationsRetried: number;
  unrecoverable: number;
};

/** Pages per PASID in an access key: a key is (pasid slot) * ACCESS_KEY_PAGES + page. */
const ACCESS_KEY_PAGES = 4294967296;

function accessKey(pasid: number | null, page: number): number {
  return (pasidKey(pasid) + 1) * ACCESS_KEY_PAGES + page;
}

export class DeviceState implements TranslationDeadlineOwner {
  readonly counters: DeviceCounters = {
    accessesIssued: 0,
    accessesCompleted: 0,
    accessesFailed: 0,
    accessesAbandoned: 0,
    atcHits: 0,
    translationRequests: 0,
    translationsRetried: 0,
    unrecoverable: 0,
  };
  priDisabled = false;
  unplugged = false;
  /** The ATC, the accesses in flight and the outstanding groups, each made at its first entry: an idle device has none. */
  private atc: Map<number, number> | null = null;
  private pending: Map<number, PendingAccess> | null = null;
  private outstanding: Map<number, OutstandingGroup> | null = null;
  private readonly prgIndices: PrgIndexPool;
  /** Accesses waiting for credits or a PRG index, oldest first from `creditWaitHead`: a queue without shift(), which copies a long array. */
  private readonly creditWait: number[] = [];
  private creditWaitHead = 0;
  private readonly credits: PriCredits | null;
  private groupNext = 1;
  private translationNext = 1;
  private readonly translationDeadlines: TranslationDeadlines;
  /** False once the device's workloads have issued their last access (`workloadsEnded`). */
  private issuing = true;

  constructor(
    readonly host: string,
    readonly config: DeviceConfig,
    private readonly settings: Settings,
    private readonly effects: DeviceEffects,
  ) {
    this.credits = config.pri === null ? null : new PriCredits(config.pri.credits);
    this.prgIndices = new PrgIndexPool(config.stall ? STALL_TAG_COUNT : PRG_INDEX_COUNT);
    this.translationDeadlines = new TranslationDeadlines(settings.translationTimeoutNs, effects);
  }

  get outstandingRequests(): number {
    return this.credits?.outstanding ?? 0;
  }

  get outstandingGroups(): number {
    return this.outstanding?.size ?? 0;
  }

  /** No access in flight: none translating, waiting for credits or in an outstanding group. */
  get idle(): boolean {
    return (this.pending?.size ?? 0) === 0 && (this.outstanding?.size ?? 0) === 0;
  }

  /** Accesses issued and not yet ended: translating, waiting for credits or behind an outstanding group. */
  get accessesInFlight(): number {
    let count = 0;
    for (const waiting of this.pending?.values() ?? []) count += waiting.count;
    return count;
  }

  /** One access of the workload at `nowNs`, on the wire PASID `pasid`. */
  access(nowNs: number, pasid: number | null, page: number, perm: number, prgSize: number): void {
    if (this.unplugged) return;
    this.counters.accessesIssued++;
    const key = accessKey(pasid, page);
    const cached = this.atc?.get(key);
    if (cached !== undefined && (cached & perm) === perm) {
      this.counters.atcHits++;
      this.counters.accessesCompleted++;
      return;
    }
    const waiting = this.pending?.get(key);
    if (waiting !== undefined) {
      waiting.count++;
      waiting.perm |= perm;
      return;
    }
    const requests = this.config.stall ? 1 : prgSize;
    const waitingNew: PendingAccess = { pasid, page, perm, count: 1, state: 'translating', requests, translation: 0, attempt: 0 };
    (this.pending ??= new Map()).set(key, waitingNew);
    this.translate(nowNs, key, waitingNew);
  }

  translationCompleted(nowNs: number, completion: TranslationCompletion): void {
    const key = accessKey(completion.pasid, completion.page);
    const waiting = this.pending?.get(key);
    if (waiting === undefined || waiting.state !== 'translating' || this.unplugged) return;
    waiting.translation = 0;
    if (completion.ok && (completion.perm & waiting.perm) === waiting.perm) {
      this.atcInsert(key, completion.perm);
      this.counters.accessesCompleted += waiting.count;
      this.accessEnd(key);
      return;
    }
    this.fault(nowNs, key, waiting);
  }

  prgResponse(nowNs: number, response: PrgResponse): void {
    if (this.unplugged) return;
    const outstanding = this.outstanding?.get(response.prgIndex);
    if (outstanding === undefined || outstanding.group !== response.group || outstanding.pasid !== response.pasid) {
      this.effects.trace({
        kind: 'responseUnexpected',
        t: nowNs,
        host: this.host,
        device: this.config.name,
        pasid: response.pasid,
        prgIndex: response.prgIndex,
        group: response.group,
      });
      return;
    }
    this.groupRetire(outstanding);
    this.effects.trace({
      kind: 'groupCompleted',
      t: nowNs,
      host: this.host,
      device: this.config.name,
      pasid: response.pasid,
      group: response.group,
      code: response.code,
      latencyNs: nowNs - outstanding.firstIssuedNs,
    });
    const waiting = this.pending?.get(outstanding.key);
    if (response.code === ResponseCode.failure && !this.config.stall) this.priDisabled = true;
    if (waiting !== undefined) {
      if (response.code === ResponseCode.success) {
        waiting.state = 'translating';
        this.translate(nowNs, outstanding.key, waiting);
      } else {
        this.accessesFail(outstanding.key, waiting);
      }
    }
    if (this.priDisabled) this.creditWaitFail(nowNs);
    else this.creditWaitDrain(nowNs);
  }

  /** Whether the retry timer of this attempt of a group still has work to do (it was not answered meanwhile). */
  groupTimeoutDue(prgIndex: number, group: number, attempt: number): boolean {
    const outstanding = this.outstanding?.get(prgIndex);
    return !this.unplugged && outstanding !== undefined && outstanding.group === group && outstanding.attempt === attempt;
  }

  /** The retry timer of a group: re-issue it, or abandon it after the retry budget. */
  groupTimeout(nowNs: number, prgIndex: number, group: number, attempt: number): void {
    const outstanding = this.outstanding?.get(prgIndex);
    if (outstanding === undefined || outstanding.group !== group || outstanding.attempt !== attempt) return;
    if (this.unplugged) return;
    if (outstanding.attempt < this.settings.retries) {
      outstanding.attempt++;
      this.effects.trace({ kind: 'groupRetried', t: nowNs, host: this.host, device: this.config.name, group });
      this.groupSend(nowNs, outstanding);
      return;
    }
    this.groupRetire(outstanding);
    this.effects.trace({ kind: 'groupAbandoned', t: nowNs, host: this.host, device: this.config.name, group });
    const waiting = this.pending?.get(outstanding.key);
    if (waiting !== undefined) this.accessesFail(outstanding.key, waiting);
    this.creditWaitDrain(nowNs);
  }

  /** The device's workloads have issued their last access: once idle, it needs no translation timer. */
  workloadsEnded(): void {
    this.issuing = false;
    if ((this.pending?.size ?? 0) === 0) this.translationDeadlines.clear(true);
  }

  /** The device's translation timer fired: the requests past their deadline are sent again or given up. */
  translationTimerFired(nowNs: number): void {
    if (!this.unplugged) this.translationDeadlines.fire(nowNs, this);
  }

  /** Whether translation request `translation` for `key` still waits for its answer. */
  translationLive(key: number, translation: number): boolean {
    const waiting = this.pending?.get(key);
    return !this.unplugged && waiting !== undefined && waiting.state === 'translating' && waiting.translation === translation;
  }

  /**
   * A translation request past its deadline (ATS has a completion timeout,
   * as PRI has its response timeout): send it again, or, after the retry
   * budget, give up the accesses waiting on it, traced and counted as
   * abandoned.
   */
  translationExpired(nowNs: number, key: number, translation: number): void {
    if (!this.translationLive(key, translation)) return;
    const waiting = this.pending?.get(key) as PendingAccess;
    if (waiting.attempt < this.settings.translationRetries) {
      waiting.attempt++;
      this.counters.translationsRetried++;
      this.effects.trace({
        kind: 'translationRetried',
        t: nowNs,
        host: this.host,
        device: this.config.name,
        pasid: waiting.pasid,
        page: waiting.page,
        attempt: waiting.attempt,
      });
      this.translationSend(nowNs, key, waiting);
      return;
    }
    this.counters.accessesAbandoned += waiting.count;
    this.effects.trace({
      kind: 'accessAbandoned',
      t: nowNs,
      host: this.host,
      device: this.config.name,
      pasid: waiting.pasid,
      page: waiting.page,
      accesses: waiting.count,
      requests: waiting.attempt + 1,
      waitedNs: (waiting.attempt + 1) * this.settings.translationTimeoutNs,
    });
    this.accessEnd(key);
  }

  /** Hot unplug: outstanding groups end here (abandoned), nothing more is issued. */
  unplug(nowNs: number): void {
    if (this.unplugged) return;
    this.unplugged = true;
    for (const outstanding of [...(this.outstanding?.values() ?? [])]) {
      this.groupRetire(outstanding);
      this.effects.trace({
        kind: 'groupAbandoned',
        t: nowNs,
        host: this.host,
        device: this.config.name,
        group: outstanding.group,
      });
    }
    for (const waiting of this.pending?.values() ?? []) this.counters.accessesFailed += waiting.count;
    this.pending?.clear();
    this.translationDeadlines.clear(true);
    this.creditWait.length = 0;
    this.creditWaitHead = 0;
  }

  /** An ATS invalidation (after an unmap, detach, replace or destroy): `pages` of every PASID, or the whole ATC. */
  atcInvalidate(pages: readonly number[] | null = null): void {
    if (pages === null) {
      this.atc?.clear();
      return;
    }
    const atc = this.atc;
    if (atc === null) return;
    const dropped = new Set(pages);
    for (const key of [...atc.keys()]) if (dropped.has(key % ACCESS_KEY_PAGES)) atc.delete(key);
  }

  /** A new translation request for `waiting`, with the whole retry budget. */
  private translate(nowNs: number, key: number, waiting: PendingAccess): void {
    waiting.attempt = 0;
    this.translationSend(nowNs, key, waiting);
  }

  /** Sends `waiting`'s translation request, under a number of its own, and queues its deadline. */
  private translationSend(nowNs: number, key: number, waiting: PendingAccess): void {
    const translation = this.translationNext++;
    waiting.translation = translation;
    this.counters.translationRequests++;
    this.effects.translationRequest({ device: this.config.name, sid: this.config.sid, pasid: waiting.pasid, page: waiting.page, perm: waiting.perm });
    this.translationDeadlines.add(nowNs, key, translation);
  }

  /** An access ended: once none is in flight, no translation deadline is either. */
  private accessEnd(key: number): void {
    const pending = this.pending;
    if (pending === null) return;
    pending.delete(key);
    if (pending.size === 0) this.translationDeadlines.clear(!this.issuing);
  }

  private fault(nowNs: number, key: number, waiting: PendingAccess): void {
    if (!this.config.stall && (this.credits === null || this.priDisabled)) {
      this.unrecoverable(nowNs, key, waiting);
      return;
    }
    waiting.state = 'awaitingCredits';
    this.creditWait.push(key);
    this.creditWaitDrain(nowNs);
  }

  /** An access that cannot be recovered (no PRI, or PRI disabled): traced, counted, failed. */
  private unrecoverable(nowNs: number, key: number, waiting: PendingAccess): void {
    this.counters.unrecoverable++;
    this.effects.trace({
      kind: 'faultUnrecoverable',
      t: nowNs,
      host: this.host,
      device: this.config.name,
      pasid: waiting.pasid,
      page: waiting.page,
    });
    this.accessesFail(key, waiting);
  }

  private creditWaitDrain(nowNs: number): void {
    const queue = this.creditWait;
    while (this.creditWaitHead < queue.length && this.prgIndices.available) {
      const key = queue[this.creditWaitHead] as number;
      const waiting = this.pending?.get(key);
      if (waiting !== undefined && waiting.state === 'awaitingCredits') {
        if (this.credits !== null && this.credits.free < waiting.requests) break;
        this.creditWaitHead++;
        this.groupIssue(nowNs, key, waiting);
      } else {
        this.creditWaitHead++;
      }
    }
    this.creditWaitCompact();
  }

  /** Drops the served head of the queue once it is all served, or once it is the larger half. */
  private creditWaitCompact(): void {
    const queue = this.creditWait;
    if (this.creditWaitHead === queue.length) {
      queue.length = 0;
      this.creditWaitHead = 0;
    } else if (this.creditWaitHead > 1024 && this.creditWaitHead * 2 > queue.length) {
      queue.splice(0, this.creditWaitHead);
      this.creditWaitHead = 0;
    }
  }

  private creditWaitFail(nowNs: number): void {
    const queue = this.creditWait;
    for (let index = this.creditWaitHead; index < queue.length; index++) {
      const key = queue[index] as number;
      const waiting = this.pending?.get(key);
      if (waiting === undefined || waiting.state !== 'awaitingCredits') continue;
      this.unrecoverable(nowNs, key, waiting);
    }
    queue.length = 0;
    this.creditWaitHead = 0;
  }

  private groupIssue(nowNs: number, key: number, waiting: PendingAccess): void {
    const requests = waiting.requests;
    if (this.credits !== null) assert(this.credits.reserve(requests), 'device: credits checked before issue');
    const prgIndex = this.prgIndices.take();
    const pages: number[] = [];
    for (let offset = 0; offset < requests; offset++) pages.push(waiting.page + offset);
    const outstanding: OutstandingGroup = {
      group: this.groupNext++,
      prgIndex,
      pasid: waiting.pasid,
      key,
      pages,
      perm: waiting.perm,
      firstIssuedNs: nowNs,
      attempt: 0,
      timer: null,
    };
    (this.outstanding ??= new Map()).set(prgIndex, outstanding);
    waiting.state = 'faulting';
    this.effects.trace({
      kind: 'groupRaised',
      t: nowNs,
      host: this.host,
      device: this.config.name,
      pasid: waiting.pasid,
      prgIndex,
      group: outstanding.group,
      requests,
      outstanding: this.credits?.outstanding ?? 0,
      credits: this.credits?.credits ?? 0,
    });
    this.groupSend(nowNs, outstanding);
  }

  private groupSend(nowNs: number, outstanding: OutstandingGroup): void {
    const last = outstanding.pages.length - 1;
    outstanding.pages.forEach((page, index) => {
      this.effects.pageRequest({
        device: this.config.name,
        sid: this.config.sid,
        pasid: outstanding.pasid,
        prgIndex: outstanding.prgIndex,
        page,
        perm: outstanding.perm,
        last: index === last,
        stall: this.config.stall,
        group: outstanding.group,
        issuedNs: nowNs,
      });
    });
    outstanding.timer = this.effects.groupTimeoutSet(
      this.settings.deviceTimeoutNs,
      outstanding.prgIndex,
      outstanding.group,
      outstanding.attempt,
    );
  }

  private groupRetire(outstanding: OutstandingGroup): void {
    if (outstanding.timer !== null) this.effects.groupTimeoutCancel?.(outstanding.timer);
    outstanding.timer = null;
    this.outstanding?.delete(outstanding.prgIndex);
    this.prgIndices.give(outstanding.prgIndex);
    if (this.credits !== null && !this.config.stall) this.credits.release(outstanding.pages.length);
  }

  private accessesFail(key: number, waiting: PendingAccess): void {
    this.counters.accessesFailed += waiting.count;
    this.accessEnd(key);
  }

  private atcInsert(key: number, perm: number): void {
    if (this.config.atc <= 0) return;
    const atc = (this.atc ??= new Map());
    if (!atc.has(key) && atc.size >= this.config.atc) {
      const oldest = atc.keys().next().value as number;
      atc.delete(oldest);
    }
    atc.set(key, perm);
  }
}
