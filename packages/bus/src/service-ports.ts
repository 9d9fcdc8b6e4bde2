/**
 * What a service is given to run its actors on one host, and the plumbing
 * every service shares: an outbox batching hot-path records by the run's
 * batch settings, an outbox for trace events that leave at the end of each
 * instant, typed frame subscriptions whose bad frames are counted and traced.
 * Services stay generic over the bus and the clock: both are injected.
 */
import {
  hostSubjects,
  metricsSubject,
  traceSubject,
  type FrameTypeName,
  type HostConfig,
  type HostSubjects,
  type MetricsRecord,
  type Settings,
  type TraceEvent,
} from '@ioasim/protocol';
import type { Bus, SubscribeOptions, Subscription } from './bus.js';
import type { Clock } from './clock.js';
import { framesSubscribe, type FrameHandler } from './frames.js';
import { Outbox } from './outbox.js';

export type ServiceOptions = {
  readonly run: string;
  readonly host: HostConfig;
  readonly settings: Settings;
  readonly bus: Bus;
  readonly clock: Clock;
  /** The run's seed; each actor derives its own random stream from it. */
  readonly seed: number;
};

/** Trace records per frame: trace leaves at the end of each instant, so frames stay small. */
const TRACE_RECORDS_MAX = 1024;

export class ServicePorts {
  readonly outbox: Outbox;
  readonly subjects: HostSubjects;
  badFrames = 0;
  private readonly traceOutbox: Outbox;
  private readonly subscriptions: Subscription[] = [];
  private readonly traceSubjectName: string;

  constructor(
    readonly options: ServiceOptions,
    readonly sender: string,
  ) {
    const { bus, clock, settings, run, host } = options;
    this.subjects = hostSubjects(run, host.name);
    this.outbox = new Outbox({ bus, clock, sender, records: settings.batch.records, windowNs: settings.batch.windowNs });
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
    this.traceOutbox.add(this.traceSubjectName, 'trace', event);
  }

  metricsPublish(actor: string, counters: Readonly<Record<string, number>>): void {
    const record: MetricsRecord = { host: this.host.name, actor, t: this.nowNs(), counters };
    this.traceOutbox.send(metricsSubject(this.options.run, this.host.name), 'metrics', [record]);
  }

  subscribe<Name extends FrameTypeName>(
    pattern: string,
    type: Name,
    handler: FrameHandler<Name>,
    options?: SubscribeOptions,
  ): void {
    const subscription = framesSubscribe(
      this.options.bus,
      pattern,
      type,
      handler,
      (bad) => {
        this.badFrames++;
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

/** The subject token of the named object in a subject (`...dev.<device>.prgr` -> device). */
export function subjectToken(subject: string, index: number): string {
  return subject.split('.')[index] ?? '';
}
