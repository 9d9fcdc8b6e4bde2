/**
 * At-least-once delivery as a Bus decorator, for `settings.delivery:
 * at-least-once`. One ReliableBus is one endpoint (a host, or a process in
 * distributed mode); it only uses the Bus and Clock interfaces, so it runs on
 * LocalBus and NatsBus alike.
 *
 * Sender: a message on a hot-path subject gets the next sequence of its
 * subject (from 1) and an envelope (reliable-envelope.ts); it stays in the
 * unacknowledged buffer and is published again after `retransmitFirstNs`,
 * then after twice as long, up to `retransmitMaxNs`, until acknowledged.
 *
 * Receiver: a subscription delivers each new frame of an (origin, subject)
 * stream at once, in whatever order it arrives, and remembers what it
 * delivered as a floor (every sequence up to it) and the sequences seen above
 * it. A frame already delivered is a duplicate: dropped, counted, and
 * acknowledged again (its first acknowledgement may have been lost).
 * Acknowledgements leave in one message per origin at the end of the
 * instant, on the origin's ack subject. Frames are not held back for order:
 * a receiver that crashed while holding frames would lose them after
 * acknowledging them, and the fault path tolerates reordering (a response
 * overtaking its page-table update costs one more fault round, never an
 * answer).
 *
 * Invariants:
 * - a subscription delivers each message of a stream at most once, and
 *   every message sent is retransmitted until acknowledged, so none is lost
 *   for good while buffers have room;
 * - buffers are bounded (UNACKNOWLEDGED_MAX per endpoint, SEEN_ABOVE_FLOOR_MAX
 *   per stream of a subscription, RECEIVE_STREAMS_MAX streams per
 *   subscription, TRANSMISSIONS_MAX per message); reaching one is counted
 *   and reported to `onOverflow`: the sender then publishes the message bare
 *   (at most once), the receiver leaves the frame unacknowledged to come
 *   again or forgets its oldest stream (which starts again at the base of
 *   its next frame), a message sent that often is given up: reported as
 *   `transmissions`, a frame lost, which the runner tells the checker;
 * - a receiver takes only what a sender could have sent: a sender holds at
 *   most UNACKNOWLEDGED_MAX messages in flight, so an envelope whose
 *   sequence is below its own base, or more than that window above the
 *   base or above the stream's floor, is refused and counted
 *   (`envelopesRefused`), never allowed to move the floor; an
 *   acknowledgement of a message not in flight is ignored and counted
 *   (`acknowledgementsRefused`);
 * - a sequenced subject has one receiving endpoint (the services subscribe
 *   to their own subjects, never to a wildcard another service shares): an
 *   acknowledgement does not say which subscriber sent it, so a second
 *   receiver's loss would go unnoticed;
 * - a request to the manager's control subject (a frame of a handler
 *   service's map requests, on the fault path) is tried again, after a backoff, when an attempt of
 *   REQUEST_ATTEMPT_NS gets no reply or finds no responder (the manager is
 *   restarting), until its own timeout is spent: the callback is still
 *   called exactly once. The operations services request (map) are
 *   idempotent, so a request applied twice does no harm;
 * - other subjects, and other requests, pass unchanged. Which subjects are
 *   sequenced is `kinds` (default HOT_PATH_KINDS): a distributed run adds
 *   the trace, which crosses NATS to the coordinator and must not be lost
 *   either; both ends of a subject must agree on it.
 */
import { acknowledgementSubject, subjectKind, type Frame, type SubjectKind } from '@ioasim/protocol';
import type { Bus, BusMessage, BusStats, MessageHandler, RequestResult, SubscribeOptions, Subscription } from './bus.js';
import { Priority, type Clock, type TimerHandle } from './clock.js';
import {
  acknowledgementsDecode,
  acknowledgementsEncode,
  envelopeDecode,
  envelopeEncode,
  originEncode,
  type Acknowledgement,
} from './reliable-envelope.js';

/** The payload of an envelope whose frame travels as an object. */
const NO_PAYLOAD = new Uint8Array(0);

/** Messages an endpoint holds unacknowledged at once, over all its subjects. */
export const UNACKNOWLEDGED_MAX = 1 << 16;
/** Sequences a subscription remembers per stream above its floor (delivered while an earlier one is missing). */
export const SEEN_ABOVE_FLOOR_MAX = 1 << 12;
/** The (origin, subject) streams a subscription remembers; past it the oldest is forgotten. */
export const RECEIVE_STREAMS_MAX = 1 << 14;
/** How far above a stream's floor, or its sender's base, a sequence may be: what a sender can hold in flight. */
export const RECEIVE_WINDOW = UNACKNOWLEDGED_MAX;
/** The first retransmission of an unacknowledged message, and the longest backoff. */
export const RETRANSMIT_FIRST_NS = 50_000;
export const RETRANSMIT_MAX_NS = 800_000;
/** The longest one attempt of a control request waits for its reply before it is tried again. */
export const REQUEST_ATTEMPT_NS = 500_000;
/** Transmissions of one message before the sender gives up on it (a subject nobody hears). */
export const TRANSMISSIONS_MAX = 64;

/** The subjects on which the fault path's frames travel. */
export const HOT_PATH_KINDS: ReadonlySet<SubjectKind> = new Set<SubjectKind>([
  'iommuAts',
  'iommuPri',
  'iommuCmd',
  'mgrFaults',
  'mgrResp',
  'ioasidFaults',
  'ownerEvents',
  'devAts',
  'devPrgr',
  'devInv',
]);

export function hotPathSubject(subject: string): boolean {
  const kind = subjectKind(subject);
  return kind !== null && HOT_PATH_KINDS.has(kind);
}

function controlSubject(subject: string): boolean {
  return subjectKind(subject) === 'mgrCtl';
}

export type ReliableOverflow = {
  readonly buffer: 'unacknowledged' | 'seenAboveFloor' | 'transmissions' | 'receiveStreams';
  readonly subject: string;
};

export type ReliableBusOptions = {
  readonly run: string;
  /** This endpoint's name: a subject token, unique in the run. */
  readonly endpoint: string;
  readonly clock: Clock;
  readonly retransmitFirstNs?: number;
  readonly retransmitMaxNs?: number;
  /** The longest one attempt of a control request waits (default REQUEST_ATTEMPT_NS). */
  readonly requestAttemptNs?: number;
  /** The subject kinds sent with a sequence (default HOT_PATH_KINDS). */
  readonly kinds?: ReadonlySet<SubjectKind>;
  readonly onOverflow?: (overflow: ReliableOverflow) => void;
};

export type ReliableStats = {
  /** Messages sent with a sequence. */
  sent: number;
  retransmits: number;
  acknowledged: number;
  /** Duplicates a receiver dropped. */
  duplicates: number;
  /** Frames delivered while an earlier one of their stream was still missing. */
  outOfOrder: number;
  acknowledgementsSent: number;
  /** Sends that found the unacknowledged buffer full and went out bare. */
  unacknowledgedFull: number;
  /** Frames a receiver could not remember above its floor, left unacknowledged to come again. */
  seenFull: number;
  badAcknowledgements: number;
  /** Messages given up after TRANSMISSIONS_MAX transmissions without an acknowledgement. */
  gaveUp: number;
  /** Control requests tried again after an attempt without a reply. */
  requestRetries: number;
  /** Envelopes refused: a sequence below its base, or beyond the window above the base or the stream's floor. */
  envelopesRefused: number;
  /** Acknowledgements of messages not in flight (never sent, or acknowledged already). */
  acknowledgementsRefused: number;
  /** Receive streams forgotten, oldest first, when a subscription held RECEIVE_STREAMS_MAX. */
  streamsEvicted: number;
};

/** A message sent and not yet acknowledged: its frame as bytes (`payload`), or as an object on a bus that carries objects (`frame`). */
type Unacknowledged = { readonly subject: string; readonly payload: Uint8Array; readonly frame: Frame | undefined; attempt: number; timer: TimerHandle | null };
type SendStream = { next: number; readonly unacknowledged: Map<number, Unacknowledged> };
/** Every sequence up to `floor` was delivered, and those in `above`. */
type ReceiveStream = { floor: number; readonly above: Set<number> };

export class ReliableBus implements Bus {
  readonly reliableStats: ReliableStats = {
    sent: 0,
    retransmits: 0,
    acknowledged: 0,
    duplicates: 0,
    outOfOrder: 0,
    acknowledgementsSent: 0,
    unacknowledgedFull: 0,
    seenFull: 0,
    badAcknowledgements: 0,
    gaveUp: 0,
    requestRetries: 0,
    envelopesRefused: 0,
    acknowledgementsRefused: 0,
    streamsEvicted: 0,
  };
  readonly #inner: Bus;
  readonly #clock: Clock;
  readonly #run: string;
  readonly #origin: Uint8Array;
  readonly #firstNs: number;
  readonly #maxNs: number;
  readonly #requestAttemptNs: number;
  readonly #kinds: ReadonlySet<SubjectKind>;
  readonly #onOverflow: (overflow: ReliableOverflow) => void;
  readonly #send = new Map<string, SendStream>();
  #unacknowledged = 0;
  /** Acknowledgements waiting to leave, by origin. */
  readonly #acknowledgements = new Map<string, Acknowledgement[]>();
  #acknowledgementTimer: TimerHandle | null = null;
  readonly #acknowledgementSubscription: Subscription;

  /**
   * Present when the inner bus carries frames as objects: a frame travels
   * as an object behind its envelope's header bytes, sequenced, acknowledged
   * and retransmitted as an encoded one is.
   */
  readonly publishFrame?: (subject: string, frame: Frame, header?: Uint8Array) => void;

  constructor(inner: Bus, options: ReliableBusOptions) {
    this.#inner = inner;
    if (inner.publishFrame !== undefined) {
      const publishFrame = inner.publishFrame;
      this.publishFrame = (subject, frame) => {
        if (!this.#sequenced(subject)) publishFrame(subject, frame);
        else this.#sequencedSend(subject, NO_PAYLOAD, frame);
      };
    }
    this.#clock = options.clock;
    this.#run = options.run;
    this.#origin = originEncode(options.endpoint);
    this.#firstNs = options.retransmitFirstNs ?? RETRANSMIT_FIRST_NS;
    this.#maxNs = options.retransmitMaxNs ?? RETRANSMIT_MAX_NS;
    this.#requestAttemptNs = options.requestAttemptNs ?? REQUEST_ATTEMPT_NS;
    this.#kinds = options.kinds ?? HOT_PATH_KINDS;
    this.#onOverflow = options.onOverflow ?? (() => {});
    this.#acknowledgementSubscription = inner.subscribe(acknowledgementSubject(options.run, options.endpoint), (message) =>
      this.#acknowledgementsReceive(message),
    );
  }

  get stats(): Readonly<BusStats> {
    return this.#inner.stats;
  }

  /** Messages sent and not yet acknowledged. */
  get unacknowledgedCount(): number {
    return this.#unacknowledged;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    if (reply !== undefined || !this.#sequenced(subject)) {
      this.#inner.publish(subject, data, reply);
      return;
    }
    this.#sequencedSend(subject, data, undefined);
  }

  /** Sends a message of a sequenced subject: bytes, or a frame as an object. */
  #sequencedSend(subject: string, data: Uint8Array, frame: Frame | undefined): void {
    if (this.#unacknowledged >= UNACKNOWLEDGED_MAX) {
      this.reliableStats.unacknowledgedFull++;
      this.#onOverflow({ buffer: 'unacknowledged', subject });
      if (frame === undefined) this.#inner.publish(subject, data);
      else (this.#inner.publishFrame as NonNullable<Bus['publishFrame']>)(subject, frame);
      return;
    }
    let stream = this.#send.get(subject);
    if (stream === undefined) {
      stream = { next: 1, unacknowledged: new Map() };
      this.#send.set(subject, stream);
    }
    const sequence = stream.next++;
    const entry: Unacknowledged = { subject, payload: data, frame, attempt: 0, timer: null };
    stream.unacknowledged.set(sequence, entry);
    this.#unacknowledged++;
    this.reliableStats.sent++;
    this.#transmit(stream, sequence, entry);
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    const streams = new Map<string, ReceiveStream>();
    return this.#inner.subscribe(pattern, (message) => this.#receive(streams, message, handler), options);
  }

  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    if (!controlSubject(subject)) {
      this.#inner.request(subject, data, timeoutNs, callback);
      return;
    }
    const deadlineNs = this.#clock.nowNs() + timeoutNs;
    let attempt = 0;
    const tryOnce = (): void => {
      const attemptNs = Math.max(0, Math.min(deadlineNs - this.#clock.nowNs(), this.#requestAttemptNs));
      this.#inner.request(subject, data, attemptNs, (result) => {
        const leftNs = deadlineNs - this.#clock.nowNs();
        if (result.ok || result.error === 'busClosed' || leftNs <= 0) {
          callback(result);
          return;
        }
        this.reliableStats.requestRetries++;
        const backoffNs = Math.min(leftNs, this.#maxNs, this.#firstNs * 2 ** attempt++);
        this.#clock.afterNs(backoffNs, tryOnce);
      });
    };
    tryOnce();
  }

  flush(): Promise<void> {
    this.#acknowledgementsFlush();
    return this.#inner.flush();
  }

  /** Stops retransmitting and listening for acknowledgements; the inner bus stays open. */
  close(): Promise<void> {
    for (const stream of this.#send.values()) {
      for (const entry of stream.unacknowledged.values()) if (entry.timer !== null) this.#clock.cancel(entry.timer);
      stream.unacknowledged.clear();
    }
    this.#unacknowledged = 0;
    this.#acknowledgementSubscription.unsubscribe();
    return Promise.resolve();
  }

  #sequenced(subject: string): boolean {
    const kind = subjectKind(subject);
    return kind !== null && this.#kinds.has(kind);
  }

  #transmit(stream: SendStream, sequence: number, entry: Unacknowledged): void {
    let base = stream.next;
    for (const pending of stream.unacknowledged.keys()) {
      base = pending;
      break;
    }
    const enveloped = envelopeEncode(this.#origin, sequence, base, entry.payload);
    if (entry.frame === undefined) this.#inner.publish(entry.subject, enveloped);
    else (this.#inner.publishFrame as NonNullable<Bus['publishFrame']>)(entry.subject, entry.frame, enveloped);
    const delayNs = Math.min(this.#maxNs, this.#firstNs * 2 ** entry.attempt);
    entry.timer = this.#clock.afterNs(delayNs, () => {
      entry.timer = null;
      entry.attempt++;
      if (entry.attempt >= TRANSMISSIONS_MAX) {
        stream.unacknowledged.delete(sequence);
        this.#unacknowledged--;
        this.reliableStats.gaveUp++;
        this.#onOverflow({ buffer: 'transmissions', subject: entry.subject });
        return;
      }
      this.reliableStats.retransmits++;
      this.#transmit(stream, sequence, entry);
    });
  }

  #acknowledgementsReceive(message: BusMessage): void {
    const { acknowledgements, bad } = acknowledgementsDecode(message.data);
    this.reliableStats.badAcknowledgements += bad;
    for (const { sequence, subject } of acknowledgements) {
      const stream = this.#send.get(subject);
      const entry = stream?.unacknowledged.get(sequence);
      if (stream === undefined || entry === undefined) {
        this.reliableStats.acknowledgementsRefused++;
        continue;
      }
      if (entry.timer !== null) this.#clock.cancel(entry.timer);
      stream.unacknowledged.delete(sequence);
      this.#unacknowledged--;
      this.reliableStats.acknowledged++;
    }
  }

  #receive(streams: Map<string, ReceiveStream>, message: BusMessage, handler: MessageHandler): void {
    const envelope = envelopeDecode(message.data);
    if (envelope === null) {
      handler(message);
      return;
    }
    const { sequence, base, origin, payload } = envelope;
    if (sequence < base || sequence - base >= RECEIVE_WINDOW) {
      this.reliableStats.envelopesRefused++;
      return;
    }
    const key = `${origin}\n${message.subject}`;
    let stream = streams.get(key);
    if (stream === undefined) {
      if (streams.size >= RECEIVE_STREAMS_MAX) this.#streamEvict(streams, message.subject);
      stream = { floor: base - 1, above: new Set() };
      streams.set(key, stream);
    } else if (sequence - stream.floor > RECEIVE_WINDOW) {
      this.reliableStats.envelopesRefused++;
      return;
    }
    if (base - 1 > stream.floor) {
      stream.floor = base - 1;
      for (const seen of stream.above) if (seen <= stream.floor) stream.above.delete(seen);
      this.#floorRaise(stream);
    }
    if (sequence <= stream.floor || stream.above.has(sequence)) {
      this.reliableStats.duplicates++;
      this.#acknowledge(origin, sequence, message.subject);
      return;
    }
    if (sequence === stream.floor + 1) {
      stream.floor = sequence;
      this.#floorRaise(stream);
    } else {
      if (stream.above.size >= SEEN_ABOVE_FLOOR_MAX) {
        this.reliableStats.seenFull++;
        this.#onOverflow({ buffer: 'seenAboveFloor', subject: message.subject });
        return;
      }
      stream.above.add(sequence);
      this.reliableStats.outOfOrder++;
    }
    this.#acknowledge(origin, sequence, message.subject);
    handler({ subject: message.subject, data: payload, reply: null, frame: message.frame });
  }

  /** Forgets a subscription's oldest stream: its sender's next frame starts it again at that frame's base. */
  #streamEvict(streams: Map<string, ReceiveStream>, subject: string): void {
    for (const key of streams.keys()) {
      streams.delete(key);
      break;
    }
    this.reliableStats.streamsEvicted++;
    this.#onOverflow({ buffer: 'receiveStreams', subject });
  }

  /** Moves the floor over the sequences seen just above it. */
  #floorRaise(stream: ReceiveStream): void {
    while (stream.above.delete(stream.floor + 1)) stream.floor++;
  }

  #acknowledge(origin: string, sequence: number, subject: string): void {
    let list = this.#acknowledgements.get(origin);
    if (list === undefined) {
      list = [];
      this.#acknowledgements.set(origin, list);
    }
    list.push({ sequence, subject });
    if (this.#acknowledgementTimer === null) {
      this.#acknowledgementTimer = this.#clock.afterNs(0, () => this.#acknowledgementsFlush(), Priority.flush);
    }
  }

  #acknowledgementsFlush(): void {
    if (this.#acknowledgementTimer !== null) {
      this.#clock.cancel(this.#acknowledgementTimer);
      this.#acknowledgementTimer = null;
    }
    for (const [origin, list] of this.#acknowledgements) {
      this.#inner.publish(acknowledgementSubject(this.#run, origin), acknowledgementsEncode(list));
      this.reliableStats.acknowledgementsSent++;
    }
    this.#acknowledgements.clear();
  }
}
