/**
 * A batch on a link: the records one sender sends on one subject in one
 * instant, handed to the bus when its first record is added, and filled
 * until it is delivered or closed.
 *
 * A link (one sender, one subject: a PCIe link, a NATS subject) is FIFO: a
 * batch arrives at max(the instant it opened + the link's sampled latency,
 * the arrival of the batch before it on the subject). On a bus that takes
 * batches (LocalBus with `wire: 'objects'`), a batch costs one scheduler
 * event, its delivery, instead of a flush at the end of the instant and then
 * a delivery. Records added later in the same instant join it, unless it is
 * already delivered (a link of zero latency) or full: they then open the
 * next batch, which arrives after it.
 *
 * Ties: two deliveries due at the same instant run in the order their
 * batches opened (the scheduler's (time, priority, sequence) order, the
 * sequence being taken when the batch opens).
 */
import type { FrameRecords, FrameTypeName } from '@ioasim/protocol';

type AnyRecord = FrameRecords[FrameTypeName];

export class LinkBatch {
  /** Set by the bus once the batch has been delivered (or dropped): later records open another. */
  delivered = false;
  /** Set by the sender when the batch holds its maximum of records, or must not take more. */
  closed = false;

  constructor(
    readonly type: FrameTypeName,
    readonly sender: string,
    /** The frame sequence on the subject, as the frame header carries it. */
    readonly sequence: number,
    /** The instant the batch opened: it takes records only during this instant. */
    readonly openedNs: number,
    readonly records: AnyRecord[],
  ) {}

  /** True while a record added at `nowNs` may join this batch. */
  open(nowNs: number): boolean {
    return !this.delivered && !this.closed && nowNs === this.openedNs;
  }
}
