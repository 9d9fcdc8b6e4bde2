/**
 * A fault handler: the user-space side of one space's fault queue, living in
 * its owner's frontend (vfio or vdpa). It serves one group at a time, each
 * after the modeled `service` time, and acts by its policy:
 *
 *   map      map the faulting pages into its space, then answer SUCCESS
 *   invalid  answer INVALID
 *   error    fail: the manager answers FAILURE on its behalf
 *   ignore   never answer
 */
import {
  ResponseCode,
  type FaultGroup,
  type PageResponse,
  type SpaceConfig,
} from '@ioasim/protocol';
import { unreachable } from './assert.js';
import { costSample } from './cost.js';
import { permGranted } from './page-table.js';
import type { Random } from './random.js';
import { ServerQueue } from './server-queue.js';

/** Groups a handler may hold waiting for service; past it a group is answered INVALID at once. */
export const HANDLER_QUEUE_MAX = 1 << 16;

export type HandlerAction =
  | { readonly kind: 'map'; readonly ioasid: string; readonly pages: readonly number[]; readonly perm: number; readonly response: PageResponse }
  | { readonly kind: 'respond'; readonly response: PageResponse }
  | { readonly kind: 'none' };

/** `received` counts every delivery; `redelivered` those of a group the handler still held (ignored: it is served once). */
export type HandlerCounters = { received: number; served: number; overflowed: number; redelivered: number };

export class HandlerState {
  readonly counters: HandlerCounters = { received: 0, served: 0, overflowed: 0, redelivered: 0 };
  private readonly queue = new ServerQueue(HANDLER_QUEUE_MAX);
  private readonly waiting = new Map<number, FaultGroup>();

  constructor(
    readonly space: SpaceConfig,
    private readonly random: Random,
  ) {}

  depth(nowNs: number): number {
    return this.queue.depth(nowNs);
  }

  /**
   * Queues a group; returns the delay until it is served, null when the queue
   * is full, or 'held' for a group it already holds (delivered again by the
   * manager): that one is served once, when its first delivery's turn comes.
   * A group served already and delivered again is served again: its first
   * answer may have been lost, and a second one that arrives late is
   * rejected by the manager as answered.
   */
  receive(nowNs: number, group: FaultGroup): number | null | 'held' {
    this.counters.received++;
    if (this.waiting.has(group.cookie)) {
      this.counters.redelivered++;
      return 'held';
    }
    const admission = this.queue.admit(nowNs, costSample(this.space.handler.service, this.random));
    if (!admission.accepted) {
      this.counters.overflowed++;
      return null;
    }
    this.waiting.set(group.cookie, group);
    return admission.finishNs - nowNs;
  }

  /** The end of a group's service: what the handler does with it. */
  serve(cookie: number): HandlerAction {
    const group = this.waiting.get(cookie);
    if (group === undefined) return { kind: 'none' };
    this.waiting.delete(cookie);
    this.counters.served++;
    const owner = this.space.owner;
    const policy = this.space.handler.policy;
    switch (policy) {
      case 'map': {
        let perm = 0;
        for (const fault of group.faults) perm |= permGranted(fault.perm);
        return {
          kind: 'map',
          ioasid: this.space.name,
          pages: group.faults.map((fault) => fault.page),
          perm,
          response: { cookie, code: ResponseCode.success, owner, handlerFailed: false },
        };
      }
      case 'invalid':
        return { kind: 'respond', response: { cookie, code: ResponseCode.invalid, owner, handlerFailed: false } };
      case 'error':
        return { kind: 'respond', response: { cookie, code: ResponseCode.failure, owner, handlerFailed: true } };
      case 'ignore':
        return { kind: 'none' };
      default:
        return unreachable(policy);
    }
  }

  /** An answer for a group the queue could not hold. */
  overflowResponse(cookie: number): PageResponse {
    return { cookie, code: ResponseCode.invalid, owner: this.space.owner, handlerFailed: false };
  }
}
