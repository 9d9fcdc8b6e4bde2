/**
 * The batcher of one sending actor: records bound for a subject wait in that
 * subject's batch and leave as one frame (`frameEncode`) when the batch holds
 * `records` records or `windowNs` after its first record, whichever comes
 * first. With `windowNs` 0 a batch leaves at the end of the current instant,
 * after everything of priority `normal` (see `Priority.flush`); on a bus that
 * takes link batches (`link`, LocalBus with objects), it is handed to
 * the bus when it opens and costs no flush event (see link-batch.ts).
 *
 * Invariants:
 * - a subject always carries one frame type;
 * - records leave in the order they were added, in frames whose `sequence`
 *   counts 1, 2, 3... per subject (batched and `send` frames alike);
 * - a frame never exceeds FRAME_BYTES_MAX bytes: an oversize batch is split
 *   in halves (counted in `stats.splits`); one record over the limit is a bug;
 * - a batch has a window timer exactly when it holds records.
 */
import {
  FRAME_BYTES_MAX,
  frameEncode,
  frameObject,
  type Frame,
  type FrameRecords,
  type FrameTypeName,
} from '@ioasim/protocol';
import type { Bus, BusLink } from './bus.js';
import { Priority, type Clock, type TimerHandle } from './clock.js';
import { AssertionError, assert } from './assert.js';
import { LinkBatch } from './link-batch.js';

export type OutboxOptions = {
  readonly bus: Bus;
  readonly clock: Clock;
  /** The sending actor, written in every frame header (e.g. `h0/iommu/smmu0`). */
  readonly sender: string;
  /** A batch leaves when it holds this many records. */
  readonly records: number;
  /** A batch leaves this long after its first record; 0 = at the end of the instant. */
  readonly windowNs: number;
};

export type OutboxStats = {
  /** Frames published. */
  frames: number;
  /** Records published, over all frames. */
  records: number;
  /** Oversize batches split in two before publishing. */
  splits: number;
};

type AnyRecord = FrameRecords[FrameTypeName];

/** The records of an empty batch: shared, never written (`add` replaces it). */
const NO_RECORDS: AnyRecord[] = [];

class SubjectBatch {
  /**
   * The waiting records. A flush hands the array itself to the frame on an
   * objects bus and starts the next batch from its first record: emptied in
   * place, the array lost its backing store anyway, and the next push made
   * one of 17 slots for what is in a fleet a batch of one record.
   */
  records: AnyRecord[] = NO_RECORDS;
  /** The sequence of the last frame published on the subject. */
  sequence = 0;
  timer: TimerHandle | null = null;
  /** The batch handed to a bus that takes link batches, while it may take more records. */
  link: LinkBatch | null = null;
  /** The bus's link to the subject, resolved at the first batch. */
  busLink: BusLink | null = null;
  /** Made once per subject, so that arming the window allocates no closure. */
  readonly windowElapsed: () => void;

  constructor(
    readonly subject: string,
    readonly type: FrameTypeName,
    flush: (batch: SubjectBatch) => void,
  ) {
    this.windowElapsed = () => {
      this.timer = null;
      flush(this);
    };
  }
}

export class Outbox {
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #sender: string;
  readonly #recordsMax: number;
  readonly #windowNs: number;
  /**
   * The batch of each subject sent on, made on the first send: a fleet's
   * hosts hold a dozen outboxes each, most of which never send.
   */
  #batches: Map<string, SubjectBatch> | null = null;
  #flushBound: ((batch: SubjectBatch) => void) | null = null;
  #frames = 0;
  #records = 0;
  #splits = 0;

  constructor(options: OutboxOptions) {
    const { records, windowNs } = options;
    assert(Number.isInteger(records) && records >= 1, `Outbox: records ${records} must be an integer >= 1`);
    assert(windowNs >= 0 && Number.isFinite(windowNs), `Outbox: windowNs ${windowNs} must be finite and >= 0`);
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#sender = options.sender;
    this.#recordsMax = options.records;
    this.#windowNs = options.windowNs;
  }

  get stats(): Readonly<OutboxStats> {
    return { frames: this.#frames, records: this.#records, splits: this.#splits };
  }

  /** Records waiting in every batch (a link batch's wait until the end of the instant it opened in). */
  get pendingCount(): number {
    let count = 0;
    const nowNs = this.#clock.nowNs();
    for (const batch of this.#batches?.values() ?? []) {
      count += batch.records.length;
      if (batch.link?.open(nowNs) === true) count += batch.link.records.length;
    }
    return count;
  }

  /** Appends `record` to the batch of `subject`, which leaves when full or when its window ends. */
  add<Name extends FrameTypeName>(subject: string, type: Name, record: FrameRecords[Name]): void {
    const batch = this.#batch(subject, type);
    if (this.#linked) {
      this.#linkAdd(batch, record);
      return;
    }
    let records = batch.records;
    if (records.length === 0) batch.records = records = [record];
    else records.push(record);
    if (records.length >= this.#recordsMax) {
      this.#flush(batch);
      return;
    }
    if (records.length === 1) batch.timer = this.#clock.afterNs(this.#windowNs, batch.windowElapsed, Priority.flush);
  }

  /** Publishes `records` at once, after the records already waiting on `subject`. */
  send<Name extends FrameTypeName>(subject: string, type: Name, records: readonly FrameRecords[Name][]): void {
    const batch = this.#batch(subject, type);
    this.#linkClose(batch);
    this.#flush(batch);
    if (records.length === 0) return;
    if (this.#bus.publishFrame !== undefined) this.#publishObjects(batch, records.slice());
    else this.#publish(batch, records, 0, records.length);
  }

  /** Publishes every waiting batch now. */
  flushAll(): void {
    for (const batch of this.#batches?.values() ?? []) {
      this.#linkClose(batch);
      this.#flush(batch);
    }
  }

  /** True when batches go to the bus as link batches: a bus that takes them, and no batching window. */
  get #linked(): boolean {
    return this.#windowNs === 0 && this.#bus.link !== undefined;
  }

  /** Adds `record` to the subject's open link batch, or opens one and hands it to the bus. */
  #linkAdd(batch: SubjectBatch, record: AnyRecord): void {
    const nowNs = this.#clock.nowNs();
    let link = batch.link;
    if (link === null || !link.open(nowNs)) {
      batch.sequence++;
      this.#frames++;
      link = batch.link = new LinkBatch(batch.type, this.#sender, batch.sequence, nowNs, [record]);
      (batch.busLink ??= (this.#bus.link as (subject: string) => BusLink)(batch.subject)).send(link);
    } else {
      link.records.push(record);
    }
    this.#records++;
    if (link.records.length >= this.#recordsMax) this.#linkClose(batch);
  }

  /** Ends the subject's open link batch: later records open the next. */
  #linkClose(batch: SubjectBatch): void {
    if (batch.link === null) return;
    batch.link.closed = true;
    batch.link = null;
  }

  #batch(subject: string, type: FrameTypeName): SubjectBatch {
    const batches = (this.#batches ??= new Map());
    let batch = batches.get(subject);
    if (batch === undefined) {
      batch = new SubjectBatch(subject, type, (this.#flushBound ??= (batch) => this.#flush(batch)));
      batches.set(subject, batch);
    } else if (batch.type !== type) {
      throw new AssertionError(`Outbox: subject '${subject}' carries ${batch.type} frames, not ${type}`);
    }
    return batch;
  }

  #flush(batch: SubjectBatch): void {
    if (batch.timer !== null) {
      this.#clock.cancel(batch.timer);
      batch.timer = null;
    }
    const records = batch.records;
    if (records.length === 0) return;
    // The frame owns the array from here on: the batch starts afresh.
    batch.records = NO_RECORDS;
    if (this.#bus.publishFrame !== undefined) {
      this.#publishObjects(batch, records);
    } else {
      this.#publish(batch, records, 0, records.length);
    }
  }

  /** On a bus that carries frames as objects: one frame, no codec, no size limit to enforce. */
  #publishObjects(batch: SubjectBatch, records: readonly AnyRecord[]): void {
    batch.sequence++;
    this.#frames++;
    this.#records += records.length;
    (this.#bus.publishFrame as (subject: string, frame: Frame) => void)(batch.subject, frameObject(batch.type, this.#sender, batch.sequence, records));
  }

  /** Publishes records [start, end) as one frame, or as several if one would be too large. */
  #publish(batch: SubjectBatch, records: readonly AnyRecord[], start: number, end: number): void {
    const frameRecords = start === 0 && end === records.length ? records : records.slice(start, end);
    const bytes = frameEncode(batch.type, this.#sender, batch.sequence + 1, frameRecords);
    if (bytes.length > FRAME_BYTES_MAX) {
      assert(
        end - start > 1,
        `Outbox: one ${batch.type} record on '${batch.subject}' encodes to ${bytes.length} bytes, ` +
          `over FRAME_BYTES_MAX (${FRAME_BYTES_MAX})`,
      );
      this.#splits++;
      const middle = (start + end) >>> 1;
      this.#publish(batch, records, start, middle);
      this.#publish(batch, records, middle, end);
      return;
    }
    batch.sequence++;
    this.#frames++;
    this.#records += end - start;
    this.#bus.publish(batch.subject, bytes);
  }
}
