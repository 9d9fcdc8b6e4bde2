/**
 * The bus of embedded runs: NATS semantics in one process, on virtual time.
 *
 * Invariants:
 * - every message is delivered through the scheduler, at now + the modeled
 *   latency of its subject (sampled once per message), at priority `normal`:
 *   a handler never runs inside `publish`;
 * - per subject, deliveries are FIFO: a message is never delivered before
 *   one published earlier on the same subject, whatever the latencies;
 * - the subscriptions of a message are those matching at publish time; one
 *   that unsubscribes before the delivery does not get it;
 * - plain subscribers all get each message; each queue group gets it once,
 *   at one member chosen round-robin (per group name), so runs are
 *   deterministic;
 * - a request calls its callback exactly once, never inside `request`;
 * - a handler that throws is counted (`handlerErrors`, `lastHandlerError`)
 *   and the run goes on.
 */
import type {
  Bus,
  BusLink,
  BusMessage,
  BusStats,
  MessageHandler,
  RequestError,
  RequestResult,
  SubscribeOptions,
  Subscription,
} from './bus.js';
import { frameObject, type Frame } from '@ioasim/protocol';
import type { LinkBatch } from './link-batch.js';
import { Priority, type TimerHandle } from './clock.js';
import { AssertionError, assert } from './assert.js';
import type { Scheduler } from './scheduler.js';
import { patternIsValid, subjectIsValid } from './subject-match.js';
import { SubjectRoutes, type Route, type RouteGroup, type SubjectState } from './subject-routes.js';

/** Samples the modeled latency of one message on one subject, in ns. */
export type LatencySampler = () => number;

export type LocalBusOptions = {
  /** The modeled latency of one message on `subject`, in ns; sampled once per message. */
  readonly latencyNs: (subject: string) => number;
  /**
   * The sampler of `subject`'s latency, made once per link (see `link`); it
   * must draw what `latencyNs(subject)` draws. Default: calls `latencyNs`.
   */
  readonly latencySampler?: (subject: string) => LatencySampler;
  /**
   * `msgpack` (default): frames travel encoded, as on NATS. `objects`: frames
   * travel as immutable objects, skipping the codec; what is delivered, when
   * and to whom is the same.
   */
  readonly wire?: 'msgpack' | 'objects';
};

const NO_BYTES = new Uint8Array(0);

/** Reply subjects of requests are `_INBOX.<n>`. */
export const INBOX_PREFIX = '_INBOX';
const INBOX_FIRST_CHAR = INBOX_PREFIX.charCodeAt(0);

const WHITESPACE = /\s/;

/**
 * One sender's link to a subject on an objects bus: the subject's routing
 * state and latency sampler, looked up once rather than for every batch.
 */
class LocalLink implements BusLink {
  constructor(
    readonly subject: string,
    public state: SubjectState<LocalSubscription>,
    readonly latencyNs: LatencySampler,
    private readonly sent: (link: LocalLink, batch: LinkBatch) => void,
  ) {}

  send(batch: LinkBatch): void {
    this.sent(this, batch);
  }
}

class LocalSubscription implements Subscription {
  open = true;

  constructor(
    readonly pattern: string,
    readonly queue: string | null,
    readonly handler: MessageHandler,
    readonly order: number,
    private readonly unsubscribed: (subscription: LocalSubscription) => void,
  ) {}

  unsubscribe(): void {
    if (!this.open) return;
    this.open = false;
    this.unsubscribed(this);
  }
}

/**
 * A message in flight and as its subscribers get it, with the route it was
 * published to: one object per message rather than a message and a wrapper,
 * and one shape whether or not it carries a frame object.
 */
class Delivery implements BusMessage {
  constructor(
    readonly subject: string,
    readonly data: Uint8Array,
    readonly reply: string | null,
    /** A link batch's frame is made when it is delivered, once its records are all in. */
    public frame: Frame | undefined,
    readonly route: Route<LocalSubscription>,
    readonly batch: LinkBatch | null,
  ) {}
}

type PendingRequest = {
  readonly subject: string;
  readonly callback: (result: RequestResult) => void;
  readonly timer: TimerHandle;
};
type RequestAnswer = { readonly callback: (result: RequestResult) => void; readonly result: RequestResult };

export class LocalBus implements Bus {
  readonly #scheduler: Scheduler;
  readonly #latencyNs: (subject: string) => number;
  readonly #latencySampler: ((subject: string) => LatencySampler) | undefined;
  readonly #stats: BusStats = { published: 0, delivered: 0, unrouted: 0, dropped: 0, handlerErrors: 0 };
  #lastHandlerError: unknown = null;
  #closed = false;
  #framesCarried = 0;

  readonly #routes: SubjectRoutes<LocalSubscription>;
  #subscriptionNext = 1;

  #inboxNext = 1;
  #inboxSubscription: Subscription | null = null;
  readonly #requests = new Map<string, PendingRequest>();

  // Bound once: the scheduler calls them with an argument, so no closure per message.
  readonly #deliverBound = (delivery: Delivery): void => this.#deliver(delivery);
  readonly #answerBound = (answer: RequestAnswer): void => this.#answer(answer);
  readonly #unsubscribedBound = (subscription: LocalSubscription): void => this.#unsubscribed(subscription);
  readonly #linkSentBound = (link: LocalLink, batch: LinkBatch): void => this.#linkSent(link, batch);

  readonly publishFrame?: (subject: string, frame: Frame, header?: Uint8Array) => void;
  readonly link?: (subject: string) => BusLink;
  readonly requestFrame?: (subject: string, frame: Frame, timeoutNs: number, callback: (result: RequestResult) => void) => void;

  constructor(scheduler: Scheduler, options: LocalBusOptions) {
    this.#scheduler = scheduler;
    this.#routes = new SubjectRoutes(() => scheduler.nowNs);
    this.#latencyNs = options.latencyNs;
    this.#latencySampler = options.latencySampler;
    if (options.wire === 'objects') {
      this.publishFrame = (subject, frame, header) => {
        if (this.#closed) {
          this.#stats.dropped++;
          return;
        }
        this.#framesCarried++;
        this.#send(subject, header ?? NO_BYTES, null, frame);
      };
      this.link = (subject) => {
        const sampler = this.#latencySampler?.(subject) ?? ((): number => this.#latencyNs(subject));
        return new LocalLink(subject, this.#routes.state(subject), sampler, this.#linkSentBound);
      };
      this.requestFrame = (subject, frame, timeoutNs, callback) => {
        this.#framesCarried++;
        this.#request(subject, NO_BYTES, frame, timeoutNs, callback);
      };
    }
  }

  get stats(): Readonly<BusStats> {
    return this.#stats;
  }

  /** The error thrown by the last handler that threw, or null. */
  get lastHandlerError(): unknown {
    return this.#lastHandlerError;
  }

  /** Frames handed over as objects, without the codec (wire `objects`). */
  get framesCarried(): number {
    return this.#framesCarried;
  }

  get closed(): boolean {
    return this.#closed;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    if (this.#closed) {
      this.#stats.dropped++;
      return;
    }
    if (reply !== undefined) assert(subjectIsValid(reply), `publish: reply subject '${reply}' is not a valid subject`);
    this.#send(subject, data, reply ?? null);
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    assert(patternIsValid(pattern), `subscribe: '${pattern}' is not a valid subject pattern`);
    const queue = options?.queue ?? null;
    if (queue !== null) {
      const valid = queue.length > 0 && !WHITESPACE.test(queue);
      assert(valid, `subscribe: queue group '${queue}' is empty or has whitespace`);
    }
    const order = this.#subscriptionNext++;
    const subscription = new LocalSubscription(pattern, queue, handler, order, this.#unsubscribedBound);
    this.#routes.add(subscription);
    return subscription;
  }

  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    this.#request(subject, data, undefined, timeoutNs, callback);
  }

  #request(subject: string, data: Uint8Array, frame: Frame | undefined, timeoutNs: number, callback: (result: RequestResult) => void): void {
    assert(timeoutNs > 0 && Number.isFinite(timeoutNs), `request: timeout ${timeoutNs} ns must be positive and finite`);
    if (this.#closed) {
      const result = failure('busClosed', `request on '${subject}': the bus is closed`);
      this.#answerLater(this.#scheduler.nowNs, callback, result);
      return;
    }
    this.#inboxEnsure();
    const inbox = `${INBOX_PREFIX}.${this.#inboxNext++}`;
    const deliveryNs = this.#send(subject, data, inbox, frame);
    if (deliveryNs < 0) {
      // As the NATS server answers at once, after the trip to it.
      const answerNs = this.#scheduler.nowNs + this.#latencySample(subject);
      this.#answerLater(answerNs, callback, failure('noResponders', `request on '${subject}': no subscriber`));
      return;
    }
    const timer = this.#scheduler.at(this.#scheduler.nowNs + timeoutNs, Priority.normal, () =>
      this.#requestTimedOut(inbox, timeoutNs),
    );
    this.#requests.set(inbox, { subject, callback, timer });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later publishes are dropped (counted), messages in flight are dropped, pending requests fail. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const [inbox, pending] of this.#requests) {
      this.#scheduler.cancel(pending.timer);
      const result = failure('busClosed', `request on '${pending.subject}' (${inbox}): the bus was closed`);
      this.#answerLater(this.#scheduler.nowNs, pending.callback, result);
    }
    this.#requests.clear();
    return Promise.resolve();
  }

  /** Publishes one message; returns its delivery time, or -1 when no subscription matched. */
  #send(subject: string, data: Uint8Array, reply: string | null, frame?: Frame): number {
    // A reply to one of this bus's requests goes to an inbox the bus made itself: valid, not checked again.
    const state = this.#routes.state(subject, subject.charCodeAt(0) === INBOX_FIRST_CHAR && this.#requests.has(subject));
    this.#stats.published++;
    const route = state.route;
    if (route.empty) {
      this.#stats.unrouted++;
      return -1;
    }
    let deliveryNs = this.#scheduler.nowNs + this.#latencySample(subject);
    if (deliveryNs < state.lastDeliveryNs) deliveryNs = state.lastDeliveryNs;
    state.lastDeliveryNs = deliveryNs;
    this.#scheduler.schedule(deliveryNs, Priority.normal, this.#deliverBound, new Delivery(subject, data, reply, frame, route, null));
    return deliveryNs;
  }

  /** `#send` of a link batch, with the subject's state and latency sampler the link keeps. */
  #linkSent(link: LocalLink, batch: LinkBatch): void {
    if (this.#closed) {
      this.#stats.dropped++;
      batch.delivered = true;
      return;
    }
    this.#framesCarried++;
    let state = link.state;
    if (state.evicted) state = link.state = this.#routes.state(link.subject);
    else this.#routes.refresh(link.subject, state);
    this.#stats.published++;
    const route = state.route;
    if (route.empty) {
      this.#stats.unrouted++;
      return;
    }
    let deliveryNs = this.#scheduler.nowNs + latencyChecked(link.subject, link.latencyNs());
    if (deliveryNs < state.lastDeliveryNs) deliveryNs = state.lastDeliveryNs;
    state.lastDeliveryNs = deliveryNs;
    this.#scheduler.schedule(deliveryNs, Priority.normal, this.#deliverBound, new Delivery(link.subject, NO_BYTES, null, undefined, route, batch));
  }

  #latencySample(subject: string): number {
    return latencyChecked(subject, this.#latencyNs(subject));
  }

  #deliver(delivery: Delivery): void {
    const batch = delivery.batch;
    if (batch !== null) {
      batch.delivered = true;
      delivery.frame = frameObject(batch.type, batch.sender, batch.sequence, batch.records);
    }
    if (this.#closed) {
      this.#stats.dropped++;
      return;
    }
    const route = delivery.route;
    const message: BusMessage = delivery;
    const plain = route.plain;
    for (let index = 0; index < plain.length; index++) {
      const subscription = plain[index] as LocalSubscription;
      if (subscription.open) this.#invoke(subscription, message);
    }
    const groups = route.groups;
    for (let index = 0; index < groups.length; index++) this.#deliverToGroup(groups[index] as RouteGroup<LocalSubscription>, message);
  }

  /** Gives the message to the next open member of the group, round-robin. */
  #deliverToGroup(group: RouteGroup<LocalSubscription>, message: BusMessage): void {
    const members = group.members;
    const count = members.length;
    const start = group.cursor.next % count;
    for (let offset = 0; offset < count; offset++) {
      const member = members[(start + offset) % count] as LocalSubscription;
      if (!member.open) continue;
      group.cursor.next = start + offset + 1;
      this.#invoke(member, message);
      return;
    }
    // Every member left while the message was in flight.
    this.#stats.dropped++;
  }

  #invoke(subscription: LocalSubscription, message: BusMessage): void {
    this.#stats.delivered++;
    try {
      subscription.handler(message);
    } catch (error) {
      this.#handlerFailed(error);
    }
  }

  #handlerFailed(error: unknown): void {
    this.#stats.handlerErrors++;
    this.#lastHandlerError = error;
  }

  #unsubscribed(subscription: LocalSubscription): void {
    const removed = this.#routes.remove(subscription);
    assert(removed, `unsubscribe: '${subscription.pattern}' was not subscribed`);
  }

  /** One subscription for every reply, as NATS clients multiplex their inbox. */
  #inboxEnsure(): void {
    if (this.#inboxSubscription !== null) return;
    this.#inboxSubscription = this.subscribe(`${INBOX_PREFIX}.*`, (message) => this.#replied(message));
  }

  #replied(message: BusMessage): void {
    const pending = this.#requests.get(message.subject);
    // A late or second reply: the request was already answered.
    if (pending === undefined) return;
    this.#requests.delete(message.subject);
    this.#routes.forget(message.subject);
    this.#scheduler.cancel(pending.timer);
    pending.callback({ ok: true, message });
  }

  #requestTimedOut(inbox: string, timeoutNs: number): void {
    const pending = this.#requests.get(inbox);
    assert(pending !== undefined, `request timeout: ${inbox} is not pending`);
    this.#requests.delete(inbox);
    this.#routes.forget(inbox);
    const result = failure('requestTimeout', `request on '${pending.subject}': no reply within ${timeoutNs} ns`);
    this.#answer({ callback: pending.callback, result });
  }

  #answerLater(atNs: number, callback: (result: RequestResult) => void, result: RequestResult): void {
    this.#scheduler.schedule(atNs, Priority.normal, this.#answerBound, { callback, result });
  }

  #answer(answer: RequestAnswer): void {
    try {
      answer.callback(answer.result);
    } catch (error) {
      this.#handlerFailed(error);
    }
  }
}

function latencyChecked(subject: string, latencyNs: number): number {
  if (!(latencyNs >= 0) || latencyNs === Number.POSITIVE_INFINITY) {
    throw new AssertionError(`latencyNs('${subject}') returned ${latencyNs}, expected a finite number >= 0`);
  }
  return latencyNs;
}

function failure(error: RequestError, message: string): RequestResult {
  return { ok: false, error, message };
}
