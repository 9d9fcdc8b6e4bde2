/**
 * Fault groups delivered to a handler and not yet answered, by cookie, as
 * iommufd's response xarray holds them. Cookies start at `firstCookie` (1,
 * or past every cookie of a crashed predecessor) and only grow, so
 * a cookie below the next one that is no longer pending was answered (by its
 * handler or by the manager) and needs no memory of its own: the table is
 * bounded by what is in flight, not by the length of the run.
 */
import type { FaultGroupEntry, Stage } from '@ioasim/protocol';
import { assert } from './assert.js';

export type PendingGroup = {
  readonly cookie: number;
  readonly iommu: string;
  readonly device: string;
  readonly sid: number;
  /** The PASID on the wire of the request (null when it carried none). */
  readonly pasid: number | null;
  readonly prgIndex: number;
  readonly stall: boolean;
  readonly stage: Stage;
  /** The space whose handler got the group. */
  readonly ioasid: string;
  /** The attachment that routed it: (device, attachmentPasid). */
  readonly attachmentPasid: number | null;
  readonly owner: string;
  readonly group: number;
  readonly issuedNs: number;
  readonly faults: readonly FaultGroupEntry[];
  readonly routedNs: number;
  /** True once handed to its handler; a re-issued group is delivered again only then (before, its dispatch is still to come). */
  delivered: boolean;
};

export type CookieLookup =
  | { readonly state: 'pending'; readonly pending: PendingGroup }
  | { readonly state: 'answered' }
  | { readonly state: 'unknown' };

/** Groups pending at once on one host's manager; past it the manager answers INVALID at once. */
export const PENDING_GROUPS_MAX = 1 << 20;

export class PendingGroups {
  private readonly byCookie = new Map<number, PendingGroup>();
  private nextCookie: number;

  constructor(firstCookie = 1) {
    assert(Number.isInteger(firstCookie) && firstCookie >= 1 && firstCookie <= 0xffffffff, `pending: first cookie ${firstCookie} out of range`);
    this.nextCookie = firstCookie;
  }

  get size(): number {
    return this.byCookie.size;
  }

  get full(): boolean {
    return this.byCookie.size >= PENDING_GROUPS_MAX;
  }

  cookieAllocate(): number {
    const cookie = this.nextCookie;
    this.nextCookie = cookie === 0xffffffff ? 1 : cookie + 1;
    return cookie;
  }

  add(pending: PendingGroup): void {
    assert(!this.byCookie.has(pending.cookie), `pending: cookie ${pending.cookie} is already pending`);
    this.byCookie.set(pending.cookie, pending);
  }

  lookup(cookie: number): CookieLookup {
    const pending = this.byCookie.get(cookie);
    if (pending !== undefined) return { state: 'pending', pending };
    if (Number.isInteger(cookie) && cookie >= 1 && cookie < this.nextCookie) return { state: 'answered' };
    return { state: 'unknown' };
  }

  /** Removes and returns the group: a group is answered at most once. */
  take(cookie: number): PendingGroup | null {
    const pending = this.byCookie.get(cookie);
    if (pending === undefined) return null;
    this.byCookie.delete(cookie);
    return pending;
  }

  /** Removes and returns every pending group matching `predicate` (detach, destroy, unplug). */
  takeWhere(predicate: (pending: PendingGroup) => boolean): PendingGroup[] {
    const taken: PendingGroup[] = [];
    for (const pending of this.byCookie.values()) if (predicate(pending)) taken.push(pending);
    for (const pending of taken) this.byCookie.delete(pending.cookie);
    return taken;
  }

  values(): IterableIterator<PendingGroup> {
    return this.byCookie.values();
  }
}
