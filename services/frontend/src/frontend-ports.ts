/**
 * The ports of a frontend service (vfio, vdpa), which hosts the fault
 * handlers of its owners' spaces and their event queues: ServicePorts, plus
 * what every frontend does on the bus. The fault groups of its spaces and the
 * events of its owners arrive on one subscription per space and per owner,
 * never on a wildcard: the vfio and vdpa services of a host would both hear
 * every frame, and under at-least-once the one that did not need a frame
 * would acknowledge it for the one that lost it (an acknowledgement does not
 * say who sent it). A handler answers with a page response, or, with policy
 * `map`, maps the pages first.
 *
 * The map requests of one instant leave as one control request frame
 * (ControlOutbox, by the run's batch size); a handler's response leaves once
 * the manager has answered its own map, never before, so that a response
 * never overtakes its page-table update. A map the manager refused or did not
 * answer is reported to the device as INVALID.
 */
import { ResponseCode, type ControlOperation, type FaultGroup, type FrontendKind, type PageResponse, type UnrecoverableFault } from '@ioasim/protocol';
import { ServicePorts, type ServiceOptions } from '@ioasim/bus';
import { ControlOutbox } from './control-outbox.js';

/** How long a handler waits for the manager to answer a map request. */
export const CONTROL_TIMEOUT_NS = 1_000_000_000;

/** What a handler with policy `map` decided: map `pages` of space `ioasid`, then answer with `response`. */
export type HandlerMap = Omit<Extract<ControlOperation, { op: 'map' }>, 'op'> & { readonly response: PageResponse };

/** A frontend as its metrics see it: the counters of each handler (by space) and the events of each owner. */
export type FrontendCounts = {
  readonly handlers: ReadonlyMap<string, { readonly counters: Readonly<Record<string, number>> }>;
  readonly owners: ReadonlyMap<string, { readonly received: number; readonly lost: number }>;
};

export class FrontendPorts extends ServicePorts {
  readonly #controls: ControlOutbox;
  /** Closed (the service stopped or crashed): nothing more leaves, not even the answer to a map request still out. */
  #closed = false;

  constructor(
    options: ServiceOptions,
    readonly kind: FrontendKind,
  ) {
    super(options, `${options.host.name}/${kind}`);
    const requestFrame = this.frameRequester();
    this.#controls = new ControlOutbox({
      clock: options.clock,
      sender: this.sender,
      subject: this.subjects.mgrCtl(),
      records: options.settings.batch.records,
      timeoutNs: CONTROL_TIMEOUT_NS,
      request: (subject, data, timeoutNs, callback) => this.request(subject, data, timeoutNs, callback),
      ...(requestFrame === undefined ? {} : { requestFrame }),
    });
  }

  /** Subscribes to the fault groups of each of `spaces` and the events of each of `owners`, this frontend's own. */
  faultsSubscribe(
    spaces: Iterable<string>,
    owners: Iterable<string>,
    faultGroups: (ioasid: string, records: readonly FaultGroup[]) => void,
    ownerEvents: (owner: string, records: readonly UnrecoverableFault[]) => void,
  ): void {
    for (const ioasid of spaces) {
      this.subscribe(this.subjects.ioasidFaults(ioasid), 'faultGroup', (records) => faultGroups(ioasid, records));
    }
    for (const owner of owners) {
      this.subscribe(this.subjects.ownerEvents(owner), 'unrecoverableFault', (records) => ownerEvents(owner, records));
    }
  }

  respond(response: PageResponse): void {
    if (this.#closed) return;
    this.outbox.add(this.subjects.mgrResp(), 'pageResponse', response);
  }

  /** Maps the pages through the manager (with the other maps of this instant), then responds. */
  mapThenRespond(map: HandlerMap): void {
    if (this.#closed) return;
    const response = map.response;
    const operation = { op: 'map', ioasid: map.ioasid, pages: map.pages, perm: map.perm } as const;
    this.#controls.add({ owner: response.owner, operation }, (reply) =>
      this.respond(reply?.ok === true ? response : { ...response, code: ResponseCode.invalid }),
    );
  }

  /** Publishes each handler's counters (`<kind>/handler/<space>`) and each owner's events (`<kind>/owner/<owner>`). */
  frontendMetricsPublish(frontend: FrontendCounts): void {
    for (const [ioasid, handler] of frontend.handlers) {
      this.metricsPublish(`${this.kind}/handler/${ioasid}`, { ...handler.counters });
    }
    for (const [owner, events] of frontend.owners) {
      this.metricsPublish(`${this.kind}/owner/${owner}`, { events: events.received, lostEvents: events.lost });
    }
  }

  /** Sends the map requests waiting for the end of the instant, then every outbox. */
  override flush(): void {
    this.#controls.flush();
    super.flush();
  }

  /** Sends what is batched, stops listening, and sends nothing more. */
  override close(): void {
    super.close();
    this.#closed = true;
  }
}
