/**
 * The control requests of one actor to its manager, batched as its other
 * records are: an Outbox (`records` per frame at most, leaving at the end of
 * the instant) whose frames leave as requests, so that the requests made in
 * one instant go out as one controlRequest frame. The manager answers a frame
 * with one controlReply frame, its replies in the order of the requests;
 * each request's callback gets the reply at its own place.
 *
 * Invariants:
 * - each request's callback is called exactly once, and never inside `add`:
 *   with its reply, or with null when the request failed (timeout, no
 *   responder, a closed bus) or its frame's reply is not one reply per
 *   request;
 * - requests leave in the order they were added; the callbacks of one frame
 *   run in that order;
 * - a request frame never exceeds FRAME_BYTES_MAX bytes: an oversize frame is
 *   split in halves, each its own request (one request over the limit is a
 *   bug, as in the Outbox).
 */
import { FRAME_BYTES_MAX, frameDecode, frameEncode, frameObject, frameRecordsOf, type ControlReply, type ControlRequest, type Frame } from '@ioasim/protocol';
import {
  Outbox,
  type Bus,
  type BusStats,
  type Clock,
  type FrameRequester,
  type MessageHandler,
  type Requester,
  type RequestResult,
  type SubscribeOptions,
  type Subscription,
} from '@ioasim/bus';
import { AssertionError, assert } from '@ioasim/model';

/** A request's callback: its reply, or null when none came. */
export type ControlReplied = (reply: ControlReply | null) => void;

export type ControlOutboxOptions = {
  readonly clock: Clock;
  /** The requesting actor, written in every frame header (e.g. `h0/vfio`). */
  readonly sender: string;
  /** The manager's control subject. */
  readonly subject: string;
  /** A frame leaves when it holds this many requests, or else at the end of the instant. */
  readonly records: number;
  /** How long a frame waits for its reply. */
  readonly timeoutNs: number;
  readonly request: Requester;
  /** Given on a bus that carries frames as objects: frames leave through it, neither encoded nor split. */
  readonly requestFrame?: FrameRequester;
};

/**
 * The replies of a control request's reply frame, in order; null when the
 * request failed or the reply is not a controlReply frame.
 */
export function controlRepliesOf(result: RequestResult): readonly ControlReply[] | null {
  if (!result.ok) return null;
  const frame = result.message.frame;
  if (frame !== undefined) return frameRecordsOf(frame, 'controlReply');
  const decoded = frameDecode(result.message.data);
  return decoded.ok ? frameRecordsOf(decoded.frame, 'controlReply') : null;
}

export class ControlOutbox {
  readonly #outbox: Outbox;
  readonly #subject: string;
  /** The callbacks of the requests added and not yet in a frame, in order, from `#waitingHead`. */
  readonly #waiting: ControlReplied[] = [];
  #waitingHead = 0;

  constructor(options: ControlOutboxOptions) {
    this.#subject = options.subject;
    const bus = new RequestingBus(options.sender, options.timeoutNs, options.request, options.requestFrame, (count) => this.#waitingTake(count));
    this.#outbox = new Outbox({ bus, clock: options.clock, sender: options.sender, records: options.records, windowNs: 0 });
  }

  /** Requests waiting for their frame to leave. */
  get pendingCount(): number {
    return this.#outbox.pendingCount;
  }

  /** Queues `request`; `replied` gets its reply once the manager answers the frame it leaves in. */
  add(request: ControlRequest, replied: ControlReplied): void {
    this.#waiting.push(replied);
    this.#outbox.add(this.#subject, 'controlRequest', request);
  }

  /** Sends the waiting requests now. */
  flush(): void {
    this.#outbox.flushAll();
  }

  /** The callbacks of the next `count` requests, in the order they were added. */
  #waitingTake(count: number): ControlReplied[] {
    const start = this.#waitingHead;
    assert(this.#waiting.length - start >= count, `ControlOutbox: a frame of ${count} requests, ${this.#waiting.length - start} waiting`);
    const taken = this.#waiting.slice(start, start + count);
    this.#waitingHead += count;
    if (this.#waitingHead === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#waitingHead = 0;
    }
    return taken;
  }
}

/**
 * The bus as a ControlOutbox's Outbox sees it: it hands over each frame as an
 * object (`publishFrame`), which leaves here encoded, as a request.
 */
class RequestingBus implements Bus {
  readonly publishFrame = (subject: string, frame: Frame): void => {
    const records = frame.records as readonly ControlRequest[];
    this.requestSend(subject, records, this.waitingTake(records.length));
  };
  /** The sequence of the last request frame. */
  private sequence = 0;

  constructor(
    private readonly sender: string,
    private readonly timeoutNs: number,
    private readonly requester: Requester,
    private readonly frameRequester: FrameRequester | undefined,
    private readonly waitingTake: (count: number) => ControlReplied[],
  ) {}

  get stats(): Readonly<BusStats> {
    throw new AssertionError('ControlOutbox: its bus only publishes frames');
  }

  private requestSend(subject: string, records: readonly ControlRequest[], replied: readonly ControlReplied[]): void {
    const answered = (result: RequestResult): void => {
      const replies = controlRepliesOf(result);
      const complete = replies !== null && replies.length === replied.length;
      for (let index = 0; index < replied.length; index++) (replied[index] as ControlReplied)(complete ? (replies[index] ?? null) : null);
    };
    if (this.frameRequester !== undefined) {
      this.sequence++;
      this.frameRequester(subject, frameObject('controlRequest', this.sender, this.sequence, records), this.timeoutNs, answered);
      return;
    }
    const data = frameEncode('controlRequest', this.sender, this.sequence + 1, records);
    if (data.length > FRAME_BYTES_MAX) {
      assert(records.length > 1, `ControlOutbox: one control request on '${subject}' encodes to ${data.length} bytes, over FRAME_BYTES_MAX (${FRAME_BYTES_MAX})`);
      const middle = records.length >>> 1;
      this.requestSend(subject, records.slice(0, middle), replied.slice(0, middle));
      this.requestSend(subject, records.slice(middle), replied.slice(middle));
      return;
    }
    this.sequence++;
    this.requester(subject, data, this.timeoutNs, answered);
  }

  publish(subject: string): void {
    throw new AssertionError(`ControlOutbox: a frame on '${subject}' must come as an object`);
  }

  subscribe(pattern: string, _handler: MessageHandler, _options?: SubscribeOptions): Subscription {
    throw new AssertionError(`ControlOutbox: its bus does not subscribe ('${pattern}')`);
  }

  request(subject: string): void {
    throw new AssertionError(`ControlOutbox: its bus does not forward requests ('${subject}')`);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
