/**
 * NatsBus: the Bus over a real NATS server or cluster, with
 * `@nats-io/transport-node` (v3). Same frames and Outbox batching as the
 * embedded bus: only bytes cross it.
 *
 * Invariants:
 * - subscriptions are callback subscriptions (never async iterators); each
 *   one hands its messages to its handler through its own queue, drained in
 *   slices of DELIVERY_SLICE messages per event-loop turn, so that socket
 *   reads go on between slices and a handler slower than its arrivals shows
 *   as a growing queue;
 * - a queue longer than `pendingMax` (SUBSCRIPTION_PENDING_MAX) messages is a slow
 *   consumer: counted once per episode (`stats.slowConsumers`) and reported
 *   to `onSlowConsumer`; its messages are still delivered, never dropped; the
 *   episode ends when the queue is back under half the maximum;
 * - the client silently drops what is published while disconnected: NatsBus
 *   counts those publishes in `stats.dropped` (and those after close);
 * - a handler that throws is counted in `handlerErrors` and never stops
 *   the bus;
 * - `unrouted` stays 0: core NATS does not tell a publisher that nobody
 *   listened (requests learn it as `noResponders`);
 * - the first connection is waited for by NatsBus itself, attempt after
 *   attempt, only while no server answers: refused credentials or a TLS
 *   failure end it at once with a NatsConnectError (nats-security.ts), since
 *   no retry can mend them, and no message of it holds a secret;
 * - requests share one wildcard inbox subscription (`<inbox>.*`, one reply
 *   subject per request) and a timer each; a request ends exactly once: its
 *   reply, the server's no-responders status, its timeout or the close.
 */
import {
  connect,
  createInbox,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@nats-io/transport-node';
import type {
  Bus,
  BusMessage,
  BusStats,
  MessageHandler,
  RequestResult,
  SubscribeOptions,
  Subscription,
} from './bus.js';
import { AssertionError } from './assert.js';
import { natsConnectFailure, natsSecurityOptions, natsUrlCredentials, type NatsSecurity } from './nats-security.js';
import { patternIsValid, subjectIsValid } from './subject-match.js';

/** Messages waiting for one subscription's handler beyond which it is a slow consumer. */
export const SUBSCRIPTION_PENDING_MAX = 65_536;
/** Messages handed to one subscription's handler per event-loop turn. */
export const DELIVERY_SLICE = 512;

/** Connection options written out: reconnect forever, with jitter; ping often enough to notice a dead server. */
export const NATS_CONNECTION = {
  /** Reconnect forever: a service outlives a restarting NATS node. */
  maxReconnectAttempts: -1,
  reconnectTimeWaitMs: 250,
  reconnectJitterMs: 100,
  /** A ping every 5 s; two unanswered pings mark the connection stale. */
  pingIntervalMs: 5_000,
  maxPingOut: 2,
  /** Wait for the first server instead of failing: services may start before NATS. */
  waitOnFirstConnect: true,
  connectTimeoutMs: 5_000,
} as const;

export type NatsBusOptions = {
  /** Server URLs, e.g. `nats://127.0.0.1:4222`; credentials in a URL (`nats://user:password@host`, `nats://token@host`) are taken out and used. */
  readonly servers: readonly string[];
  /** Credentials and TLS; those of the URLs come first. */
  readonly security?: NatsSecurity;
  /** The client name the server shows for this connection (one per service). */
  readonly name: string;
  /** Messages waiting for one subscription beyond which it is a slow consumer; default SUBSCRIPTION_PENDING_MAX. */
  readonly pendingMax?: number;
  /** Told when a subscription falls behind (once per episode), or the server reports a slow consumer. */
  readonly onSlowConsumer?: (pattern: string, pending: number) => void;
  /** Told of connection changes: disconnect, reconnect, server errors. */
  readonly onStatus?: (status: string) => void;
  /** Wait for the first server to come up (a service may start before NATS); false fails at once. Default true. Told each new reason to wait through `onStatus`. */
  readonly waitOnFirstConnect?: boolean;
};

type Delivery = { readonly subject: string; readonly data: Uint8Array; readonly reply: string | null };

type PendingRequest = {
  readonly subject: string;
  readonly callback: (result: RequestResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
};

/** The status code of the message the server sends to a request's reply subject when nobody subscribes. */
const NO_RESPONDERS_CODE = 503;

class NatsBusSubscription implements Subscription {
  readonly queue: Delivery[] = [];
  head = 0;
  draining = false;
  slow = false;
  closed = false;
  natsSubscription: NatsSubscription | null = null;

  constructor(
    readonly pattern: string,
    readonly handler: MessageHandler,
    private readonly owner: NatsBus,
  ) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.natsSubscription?.unsubscribe();
    this.queue.length = 0;
    this.head = 0;
    this.owner.forget(this);
  }
}

export class NatsBus implements Bus {
  readonly #connection: NatsConnection;
  readonly #options: NatsBusOptions;
  readonly #stats: Required<BusStats> = {
    published: 0,
    delivered: 0,
    unrouted: 0,
    dropped: 0,
    handlerErrors: 0,
    slowConsumers: 0,
  };
  readonly #subscriptions = new Set<NatsBusSubscription>();
  readonly #pendingMax: number;
  #connected = true;
  #closed = false;
  lastHandlerError: unknown = null;
  readonly #inbox = createInbox();
  #inboxSubscription: NatsSubscription | null = null;
  #requestNext = 1;
  readonly #requests = new Map<string, PendingRequest>();

  private constructor(connection: NatsConnection, options: NatsBusOptions) {
    this.#connection = connection;
    this.#options = options;
    this.#pendingMax = options.pendingMax ?? SUBSCRIPTION_PENDING_MAX;
    void this.#statusWatch();
  }

  /**
   * Connects to the first reachable server of `servers`, waiting for one if none is up yet (unless
   * `waitOnFirstConnect` is false). Fails with a NatsConnectError: at once for refused credentials
   * or TLS, and for an unreachable server when not waiting.
   */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    if (options.servers.length === 0) throw new AssertionError('NatsBus.connect: no server given');
    const fromUrls = options.servers.map(natsUrlCredentials);
    const servers = fromUrls.map((entry) => entry.url);
    const security: NatsSecurity = { ...options.security, ...fromUrls.find((entry) => Object.keys(entry.security).length > 0)?.security };
    const wait = options.waitOnFirstConnect ?? NATS_CONNECTION.waitOnFirstConnect;
    let waitingFor = '';
    for (;;) {
      try {
        const connection = await connect({
          servers: [...servers],
          // In the order given: the first URL is the preferred node, the others are where to go when it fails.
          noRandomize: true,
          name: options.name,
          maxReconnectAttempts: NATS_CONNECTION.maxReconnectAttempts,
          reconnectTimeWait: NATS_CONNECTION.reconnectTimeWaitMs,
          reconnectJitter: NATS_CONNECTION.reconnectJitterMs,
          pingInterval: NATS_CONNECTION.pingIntervalMs,
          maxPingOut: NATS_CONNECTION.maxPingOut,
          waitOnFirstConnect: false,
          timeout: NATS_CONNECTION.connectTimeoutMs,
          ...natsSecurityOptions(security, servers),
        });
        return new NatsBus(connection, options);
      } catch (error) {
        const failure = natsConnectFailure(error, servers, security);
        if (!wait || failure.reason !== 'unreachable') throw failure;
        if (failure.message !== waitingFor) options.onStatus?.(`${failure.message}; waiting for a server`);
        waitingFor = failure.message;
        await new Promise((resolve) => setTimeout(resolve, NATS_CONNECTION.reconnectTimeWaitMs));
      }
    }
  }

  get stats(): Readonly<BusStats> {
    return this.#stats;
  }

  /** Whether the connection is up now (false while disconnected and reconnecting, and once closed). */
  get connected(): boolean {
    return this.#connected;
  }

  /** The client connection, for what is no Bus operation: the NATS services protocol of a serve process (`$SRV.*`). */
  get connection(): NatsConnection {
    return this.#connection;
  }

  /** The server this bus is connected to now. */
  get server(): string {
    return this.#connection.getServer();
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    if (!subjectIsValid(subject)) throw new AssertionError(`publish: '${subject}' is not a valid subject`);
    this.#stats.published++;
    if (this.#closed || !this.#connected || this.#connection.isClosed()) {
      this.#stats.dropped++;
      return;
    }
    this.#connection.publish(subject, data, reply === undefined ? undefined : { reply });
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    if (!patternIsValid(pattern)) throw new AssertionError(`subscribe: '${pattern}' is not a valid pattern`);
    const subscription = new NatsBusSubscription(pattern, handler, this);
    if (this.#closed) {
      subscription.closed = true;
      return subscription;
    }
    subscription.natsSubscription = this.#connection.subscribe(pattern, {
      ...(options?.queue === undefined ? {} : { queue: options.queue }),
      callback: (error, message) => {
        if (error !== null) {
          this.#options.onStatus?.(`subscription ${pattern}: ${error.message}`);
          return;
        }
        this.#enqueue(subscription, message);
      },
    });
    this.#subscriptions.add(subscription);
    return subscription;
  }

  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    if (this.#closed || this.#connection.isClosed()) {
      callback({ ok: false, error: 'busClosed', message: `request on ${subject}: the bus is closed` });
      return;
    }
    if (!subjectIsValid(subject)) throw new AssertionError(`request: '${subject}' is not a valid subject`);
    this.#stats.published++;
    if (this.#inboxSubscription === null) {
      this.#inboxSubscription = this.#connection.subscribe(`${this.#inbox}.*`, {
        callback: (error, message) => {
          if (error === null) this.#replied(message);
        },
      });
    }
    const reply = `${this.#inbox}.${this.#requestNext++}`;
    const timeoutMs = Math.max(1, Math.ceil(timeoutNs / 1e6));
    const timer = setTimeout(() => {
      this.#requestEnd(reply, { ok: false, error: 'requestTimeout', message: `request on ${subject}: no reply within ${timeoutMs} ms` });
    }, timeoutMs);
    this.#requests.set(reply, { subject, callback, timer });
    // What the client would drop while disconnected is counted; the request then times out.
    if (!this.#connected) {
      this.#stats.dropped++;
      return;
    }
    this.#connection.publish(subject, data, { reply });
  }

  #replied(message: Msg): void {
    const pending = this.#requests.get(message.subject);
    if (pending === undefined) return;
    if (message.data.length === 0 && message.headers?.code === NO_RESPONDERS_CODE) {
      this.#requestEnd(message.subject, { ok: false, error: 'noResponders', message: `request on ${pending.subject}: no responders` });
      return;
    }
    this.#requestEnd(message.subject, { ok: true, message: { subject: message.subject, data: message.data, reply: null } });
  }

  #requestEnd(reply: string, result: RequestResult): void {
    const pending = this.#requests.get(reply);
    if (pending === undefined) return;
    this.#requests.delete(reply);
    clearTimeout(pending.timer);
    pending.callback(result);
  }

  /** A round trip to the server: everything published so far has reached it. */
  async flush(): Promise<void> {
    if (this.#closed || this.#connection.isClosed()) return;
    await this.#connection.flush();
  }

  /** Drains: subscriptions stop, what they received is handled, what was published is sent, then the connection closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const [reply, pending] of [...this.#requests]) {
      this.#requestEnd(reply, { ok: false, error: 'busClosed', message: `request on ${pending.subject}: the connection closed` });
    }
    // Draining needs the server; a bus cut off from every server just closes (what it held is counted lost).
    if (!this.#connection.isClosed()) await (this.#connected ? this.#connection.drain() : this.#connection.close());
    for (const subscription of this.#subscriptions) this.#drain(subscription, Number.POSITIVE_INFINITY);
    this.#subscriptions.clear();
  }

  /** @internal a subscription that unsubscribed. */
  forget(subscription: NatsBusSubscription): void {
    this.#subscriptions.delete(subscription);
  }

  #enqueue(subscription: NatsBusSubscription, message: Msg): void {
    if (subscription.closed) return;
    subscription.queue.push({ subject: message.subject, data: message.data, reply: message.reply ?? null });
    const pending = subscription.pending;
    if (pending > this.#pendingMax && !subscription.slow) {
      subscription.slow = true;
      this.#slowConsumer(subscription.pattern, pending);
    }
    if (!subscription.draining) {
      subscription.draining = true;
      setImmediate(() => this.#drainSlice(subscription));
    }
  }

  #drainSlice(subscription: NatsBusSubscription): void {
    this.#drain(subscription, DELIVERY_SLICE);
    if (subscription.pending > 0 && !subscription.closed) setImmediate(() => this.#drainSlice(subscription));
    else subscription.draining = false;
  }

  #drain(subscription: NatsBusSubscription, slice: number): void {
    const queue = subscription.queue;
    let handled = 0;
    while (subscription.head < queue.length && handled < slice && !subscription.closed) {
      const delivery = queue[subscription.head] as Delivery;
      queue[subscription.head] = undefined as unknown as Delivery;
      subscription.head++;
      handled++;
      this.#stats.delivered++;
      const message: BusMessage = delivery;
      try {
        subscription.handler(message);
      } catch (error) {
        this.#stats.handlerErrors++;
        this.lastHandlerError = error;
      }
    }
    if (subscription.head === queue.length) {
      queue.length = 0;
      subscription.head = 0;
    } else if (subscription.head > DELIVERY_SLICE * 64) {
      queue.splice(0, subscription.head);
      subscription.head = 0;
    }
    if (subscription.slow && subscription.pending < this.#pendingMax / 2) subscription.slow = false;
  }

  #slowConsumer(pattern: string, pending: number): void {
    this.#stats.slowConsumers++;
    this.#options.onSlowConsumer?.(pattern, pending);
  }

  async #statusWatch(): Promise<void> {
    for await (const status of this.#connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this.#connected = false;
          this.#options.onStatus?.(`disconnected from ${status.server}`);
          break;
        case 'reconnect':
          this.#connected = true;
          this.#options.onStatus?.(`reconnected to ${status.server}`);
          break;
        case 'slowConsumer':
          this.#slowConsumer(status.sub.getSubject(), status.pending);
          break;
        case 'error':
          if (/slow consumer/i.test(status.error.message)) this.#slowConsumer('(server)', 0);
          this.#options.onStatus?.(`server error: ${status.error.message}`);
          break;
        case 'close':
          this.#connected = false;
          return;
        case 'reconnecting':
        case 'update':
        case 'ldm':
        case 'ping':
        case 'staleConnection':
        case 'forceReconnect':
          break;
        default: {
          const unknown: never = status;
          void unknown;
        }
      }
    }
  }
}
