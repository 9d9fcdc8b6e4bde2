/**
 * The Bus: how actors talk. NATS semantics on every implementation: subjects
 * are dot-separated tokens, `*` matches one token, `>` one or more trailing
 * tokens; a queue group delivers each message to one member; request/reply
 * goes through a reply subject. Payloads are bytes (encoded frames).
 */
import type { Frame } from '@ioasim/protocol';
import type { LinkBatch } from './link-batch.js';

export type BusMessage = {
  readonly subject: string;
  /** The encoded frame; empty when the bus carries the decoded `frame` itself. */
  readonly data: Uint8Array;
  /** The frame as an object, on an in-process bus that skips the codec (LocalBus `wire: 'objects'`). */
  readonly frame?: Frame | undefined;
  /** The subject to answer on, for a request; null otherwise. */
  readonly reply: string | null;
};

export type MessageHandler = (message: BusMessage) => void;

export type SubscribeOptions = {
  /** Queue group: each message goes to one member of the group. */
  readonly queue?: string;
};

export interface Subscription {
  readonly pattern: string;
  unsubscribe(): void;
}

export type RequestError = 'requestTimeout' | 'noResponders' | 'busClosed';

export type RequestResult =
  | { readonly ok: true; readonly message: BusMessage }
  | { readonly ok: false; readonly error: RequestError; readonly message: string };

export type BusStats = {
  /** Messages published. */
  published: number;
  /** Deliveries to subscribers (one published message may be delivered many times). */
  delivered: number;
  /** Messages published with no subscriber (core NATS drops them too). */
  unrouted: number;
  /** Messages lost by the transport (disconnects, slow consumers, a closed bus). */
  dropped: number;
  /** Handlers that threw: caught and counted, so that one handler's bug cannot stop the bus. */
  handlerErrors: number;
  /**
   * Times a subscription fell behind: more messages waiting for its handler
   * than the bus allows (counted once per episode, reported, never dropped).
   * Present on buses that can fall behind (NatsBus); LocalBus cannot.
   */
  slowConsumers?: number;
};

/** One sender's link to one subject (see `Bus.link`): what a batch needs to travel, looked up once. */
export interface BusLink {
  send(batch: LinkBatch): void;
}

export interface Bus {
  publish(subject: string, data: Uint8Array, reply?: string): void;
  /**
   * Present only on a bus that carries frames as objects in process: the
   * Outbox hands it the frame instead of encoding it. Records are immutable
   * once published, so sharing them is safe. `header`: bytes that travel
   * before the frame as `data` (the envelope of at-least-once delivery,
   * reliable-envelope.ts); none by default.
   */
  readonly publishFrame?: (subject: string, frame: Frame, header?: Uint8Array) => void;
  /**
   * Present only on a bus that carries frames as objects in process and
   * delivers link batches (LocalBus with `wire: 'objects'`): the link of one
   * sender to `subject`, resolved once. The Outbox hands it each batch when
   * the batch opens, and keeps adding records to it until it is delivered or
   * closed (see link-batch.ts).
   */
  readonly link?: (subject: string) => BusLink;
  /**
   * Present where `publishFrame` is: `request` with the frame as an object.
   * The reply comes as an object too (`message.frame`) when the responder
   * publishes it with `publishFrame`.
   */
  readonly requestFrame?: (subject: string, frame: Frame, timeoutNs: number, callback: (result: RequestResult) => void) => void;
  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription;
  /** Sends `data` to `subject` and calls `callback` once: with the first reply, or an error. */
  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void;
  /** Resolves once everything published so far has left this process (or been delivered). */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly stats: Readonly<BusStats>;
}
