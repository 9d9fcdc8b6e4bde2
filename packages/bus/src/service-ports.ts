/**
 * What a service is given to run its actors on one host, and the plumbing
 * every service shares: an outbox batching hot-path records by the run's
 * batch settings, an outbox for trace events that leave at the end of each
 * instant, typed frame subscriptions whose bad frames are counted and traced,
 * and the actor's message counts by subject kind (`messages`, see
 * message-counts.ts): every frame the outbox sends and every frame a
 * subscription receives passes here.
 * Services stay generic over the bus and the clock: both are injected.
 */
import {
  frameEncode,
  frameObject,
  hostSubjects,
  metricsSubject,
  traceSubject,
  type Frame,
  type FrameRecords,
  type FrameTypeName,
  type HostConfig,
  type HostSubjects,
  type MetricsRecord,
  type Settings,
  type TraceEvent,
} from '@ioasim/protocol';
import type { Bus, BusLink, BusStats, MessageHandler, RequestResult, SubscribeOptions, Subscription } from './bus.js';
import type { Clock } from './clock.js';
import type { LinkBatch } from './link-batch.js';
import { framesSubscribe, type FrameHandler } from './frames.js';
import { MessageCounts, type MessageCountsByKind } from './message-counts.js';
import { Outbox } from './outbox.js';

/** How a request leaves: `Bus.request`, or a wrapper that counts it (ServicePorts.request). */
export type Requester = (subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void) => void;

/** `Bus.requestFrame`, counted (ServicePorts.frameRequester): the frame handed over as an object. */
export type FrameRequester = (subject: string, frame: Frame, timeoutNs: number, callback: (result: RequestResult) => void) => void;

export type ServiceOptions = {
  readonly run: string;
  readonly host: HostConfig;
  readonly settings: Settings;
  readonly bus: Bus;
  readonly clock: Clock;
  /** The run's seed; each actor derives its own random stream from it. */
  readonly seed: number;
  /**
   * The observers of an embedded run, called with each trace event as it
   * happens; without it (a service process on NATS), trace events leave in
   * frames on the host's trace subject at the end of each instant.
   */
  readonly observe?: (event: TraceEvent) => void;
};

/**
 * The subject builders of the services built from one ServiceOptions (a
 * host's five services in one process share it): eleven closures each, built
 * once per host rather than once per service.
 */
const subjectsByOptions = new WeakMap<ServiceOptions, HostSubjects>();

function subjectsOf(options: ServiceOptions): HostSubjects {
  let subjects = subjectsByOptions.get(options);
  if (subjects === undefined) {
    subjects = hostSubjects(options.run, options.host.name);
    subjectsByOptions.set(options, subjects);
  }
  return subjects;
}

/** Trace records per frame: trace leaves at the end of each instant, so frames stay small. */
const TRACE_RECORDS_MAX = 1024;

export class ServicePorts {
  readonly outbox: Outbox;
  readonly subjects: HostSubjects;
  badFrames = 0;
  /** Sent, received, dropped and duplicated frames by subject kind; a delivery layer reports its losses and duplicates here. */
  readonly messages = new MessageCounts();
  private readonly traceOutbox: Outbox;
  private readonly subscriptions: Subscription[] = [];
  private readonly traceSubjectName: string;

  constructor(
    readonly options: ServiceOptions,
    readonly sender: string,
  ) {
    const { bus, clock, settings, run, host } = options;
    this.subjects = subjectsOf(options);
    this.outbox = new Outbox({ bus: new CountingBus(bus, this.messages), clock, sender, records: settings.batch.records, windowNs: settings.batch.windowNs });
    this.traceOutbox = new Outbox({ bus, clock, sender, records: TRACE_RECORDS_MAX, windowNs: 0 });
    this.traceSubjectName = traceSubject(run, host.name);
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get host(): HostConfig {
    return this.options.host;
  }

  nowNs(): number {
    return this.options.clock.nowNs();
  }

  trace(event: TraceEvent): void {
    const observe = this.options.observe;
    if (observe !== undefined) observe(event);
    else this.traceOutbox.add(this.traceSubjectName, 'trace', event);
  }

  metricsPublish(actor: string, counters: Readonly<Record<string, number>>): void {
    const record: MetricsRecord = { host: this.host.name, actor, t: this.nowNs(), counters };
    this.traceOutbox.send(metricsSubject(this.options.run, this.host.name), 'metrics', [record]);
  }

  /**
   * Publishes the actor's message counts as a metrics record of actor
   * `messages/<service>` (e.g. `messages/device`): `<count>.<subject kind>`
   * counters, and `pending`, the records waiting in its outbox.
   */
  messageCountsPublish(): void {
    const service = this.sender.startsWith(`${this.host.name}/`) ? this.sender.slice(this.host.name.length + 1) : this.sender;
    this.metricsPublish(`messages/${service}`, { ...this.messages.counters(), pending: this.outbox.pendingCount });
  }

  subscribe<Name extends FrameTypeName>(
    pattern: string,
    type: Name,
    handler: FrameHandler<Name>,
    options?: SubscribeOptions,
  ): void {
    const messages = this.messages;
    const subscription = framesSubscribe(
      this.options.bus,
      pattern,
      type,
      (records, message, header) => {
        messages.received(message.subject);
        handler(records, message, header);
      },
      (bad) => {
        this.badFrames++;
        messages.dropped(bad.subject);
        this.trace({
          kind: 'recordDropped',
          t: this.nowNs(),
          host: this.host.name,
          actor: this.sender,
          cause: 'badFrame',
          device: bad.subject,
          group: bad.error.code,
        });
      },
      options,
    );
    this.subscriptions.push(subscription);
  }

  /**
   * A request/reply exchange, counted under the request's subject kind: the
   * request as sent, its reply as received, a request left unanswered
   * (timeout, no responder) as dropped.
   */
  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    this.options.bus.request(subject, data, timeoutNs, this.#requestCounted(subject, callback));
  }

  /**
   * `request` with the frame handed over as an object, counted alike; only
   * when the bus has `requestFrame` (undefined otherwise: encode and `request`).
   */
  frameRequester(): FrameRequester | undefined {
    const requestFrame = this.options.bus.requestFrame;
    if (requestFrame === undefined) return undefined;
    return (subject, frame, timeoutNs, callback) => requestFrame(subject, frame, timeoutNs, this.#requestCounted(subject, callback));
  }

  /** Counts a request as sent now, and its outcome as its reply received or the request dropped; hands the outcome on. */
  #requestCounted(subject: string, callback: (result: RequestResult) => void): (result: RequestResult) => void {
    const messages = this.messages;
    messages.sent(subject);
    return (result) => {
      if (result.ok) messages.received(subject);
      else messages.dropped(subject);
      callback(result);
    };
  }

  /** Answers a request received on `subject` with a frame of `records`, counted as sent under that subject's kind. */
  reply<Name extends FrameTypeName>(subject: string, replySubject: string, type: Name, sequence: number, records: readonly FrameRecords[Name][]): void {
    this.messages.sent(subject);
    const bus = this.options.bus;
    if (bus.publishFrame !== undefined) bus.publishFrame(replySubject, frameObject(type, this.sender, sequence, records));
    else bus.publish(replySubject, frameEncode(type, this.sender, sequence, records));
  }

  flush(): void {
    this.outbox.flushAll();
    this.traceOutbox.flushAll();
  }

  close(): void {
    this.flush();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions.length = 0;
  }
}

/** A link whose every batch is counted as sent under its subject's kind. */
class CountedLink implements BusLink {
  constructor(
    private readonly link: BusLink,
    private readonly counts: MessageCountsByKind,
  ) {}

  send(batch: LinkBatch): void {
    this.counts.sent++;
    this.link.send(batch);
  }
}

/**
 * The bus as the outbox sees it: every publish is counted as sent, encoded or
 * handed over as a frame object. A class rather than an object literal: one
 * of these per service of every host, so its methods live on the prototype.
 */
class CountingBus implements Bus {
  /** Kept when the bus has it: without it the Outbox would encode every frame. */
  readonly publishFrame?: (subject: string, frame: Frame) => void;
  /** Kept when the bus has it: without it the Outbox would flush every batch with an event of its own. */
  readonly link?: (subject: string) => BusLink;

  constructor(
    private readonly bus: Bus,
    private readonly messages: MessageCounts,
  ) {
    if (bus.link !== undefined) {
      const link = bus.link;
      this.link = (subject) => new CountedLink(link(subject), messages.countsOf(subject));
    }
    if (bus.publishFrame !== undefined) {
      this.publishFrame = (subject, frame) => {
        messages.sent(subject);
        (bus.publishFrame as (subject: string, frame: Frame) => void)(subject, frame);
      };
    }
  }

  get stats(): Readonly<BusStats> {
    return this.bus.stats;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    this.messages.sent(subject);
    this.bus.publish(subject, data, reply);
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    return this.bus.subscribe(pattern, handler, options);
  }

  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    this.bus.request(subject, data, timeoutNs, callback);
  }

  flush(): Promise<void> {
    return this.bus.flush();
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}

/**
 * The subject token of the named object in a subject (`...dev.<device>.prgr`
 * -> device); '' when the subject has fewer tokens. Read without splitting:
 * it runs once per frame received.
 */
export function subjectToken(subject: string, index: number): string {
  let start = 0;
  for (let token = 0; token < index; token++) {
    const dot = subject.indexOf('.', start);
    if (dot < 0) return '';
    start = dot + 1;
  }
  const end = subject.indexOf('.', start);
  return end < 0 ? subject.slice(start) : subject.slice(start, end);
}
