/**
 * A frontend (vfio or vdpa) on one host: the user-space side of the owners
 * it hosts. It holds the handler of each of their spaces that has a fault
 * queue, and each owner's bounded event queue of unrecoverable faults.
 *
 * A group the handler cannot queue is answered INVALID at once; an event
 * the owner's queue cannot hold is lost and counted (the vEVENTQ's
 * LOST_EVENTS), never dropped silently.
 */
import type {
  FaultGroup,
  FrontendKind,
  HostConfig,
  PageResponse,
  TraceEvent,
  UnrecoverableFault,
} from '@ioasim/protocol';
import { HandlerState, type HandlerAction } from './handler.js';
import { randomCreate } from './random.js';
import { ServerQueue } from './server-queue.js';

export interface FrontendEffects {
  /** Calls `serve(ioasid, cookie)` after `delayNs` of modeled handler service. */
  serveAfter(delayNs: number, ioasid: string, cookie: number): void;
  respond(response: PageResponse): void;
  trace(event: TraceEvent): void;
}

/** The time an owner takes to read one event from its event queue. */
const EVENT_READ_NS = 1000;

export type OwnerEvents = { received: number; lost: number; readonly queue: ServerQueue };

export class FrontendState {
  readonly handlers = new Map<string, HandlerState>();
  readonly owners = new Map<string, OwnerEvents>();

  constructor(
    readonly host: HostConfig,
    readonly kind: FrontendKind,
    seed: number,
    private readonly effects: FrontendEffects,
  ) {
    const hosted = new Set<string>();
    for (const owner of host.owners) {
      if (owner.frontend !== kind) continue;
      hosted.add(owner.name);
      this.owners.set(owner.name, { received: 0, lost: 0, queue: new ServerQueue(owner.eventQueue) });
    }
    for (const space of host.spaces) {
      if (!hosted.has(space.owner) || !space.iopf) continue;
      this.handlers.set(space.name, new HandlerState(space, randomCreate(seed, `${host.name}/handler/${space.name}`)));
    }
  }

  faultGroups(nowNs: number, ioasid: string, groups: readonly FaultGroup[]): void {
    const handler = this.handlers.get(ioasid);
    if (handler === undefined) return;
    for (const group of groups) {
      const delivered: Extract<TraceEvent, { kind: 'faultDelivered' }> = {
        kind: 'faultDelivered',
        t: nowNs,
        host: this.host.name,
        owner: handler.space.owner,
        ioasid,
        device: group.device,
        cookie: group.cookie,
        group: group.group,
        handlerQueueDepth: handler.depth(nowNs) + 1,
      };
      this.effects.trace(group.dispatchedNs === undefined ? delivered : { ...delivered, dispatchedNs: group.dispatchedNs });
      const delayNs = handler.receive(nowNs, group);
      if (delayNs === 'held') continue;
      if (delayNs === null) this.effects.respond(handler.overflowResponse(group.cookie));
      else this.effects.serveAfter(delayNs, ioasid, group.cookie);
    }
  }

  serve(ioasid: string, cookie: number): HandlerAction {
    return this.handlers.get(ioasid)?.serve(cookie) ?? { kind: 'none' };
  }

  ownerEvents(nowNs: number, owner: string, faults: readonly UnrecoverableFault[]): void {
    const events = this.owners.get(owner);
    if (events === undefined) return;
    for (const fault of faults) {
      void fault;
      if (events.queue.admit(nowNs, EVENT_READ_NS).accepted) events.received++;
      else events.lost++;
    }
  }
}
