/**
 * The messages one actor (one service of one host, e.g. `h0/device`) sent,
 * received, lost and saw twice, by subject kind (`iommuPri`, `devPrgr`...):
 * who talks to whom, and where messages go missing.
 *
 * - sent: frames the actor's outbox published;
 * - received: frames its subscriptions decoded and handed over;
 * - dropped: frames it could not use (a bad frame) and frames a delivery
 *   layer reports lost on its way (`dropped(subject)`);
 * - duplicated: frames a delivery layer reports it saw twice
 *   (`duplicated(subject)`); 0 on a bus that never duplicates.
 *
 * Counts cover the system's own subjects; trace and metrics frames are the
 * observer's and are not counted. Memory is bounded by the subject kinds.
 */
import { subjectKind, type SubjectKind } from '@ioasim/protocol';

export const MESSAGE_COUNT_NAMES = ['sent', 'received', 'dropped', 'duplicated'] as const;
export type MessageCountName = (typeof MESSAGE_COUNT_NAMES)[number];

/** The kind of a subject ioasim does not build (a reply inbox, a run-control subject). */
export const SUBJECT_KIND_OTHER = 'other';
export type MessageSubjectKind = SubjectKind | typeof SUBJECT_KIND_OTHER;

export type MessageCountsByKind = Record<MessageCountName, number>;

/** The metrics counter name of a count: `<count>.<subject kind>` (e.g. `sent.iommuPri`). */
export function messageCounterName(count: MessageCountName, kind: MessageSubjectKind): string {
  return `${count}.${kind}`;
}

export class MessageCounts {
  /**
   * Made at the first message: a fleet has five of these per host, and an
   * idle host's stay empty. Keyed by kind alone: a subject's kind is read in
   * place on every message (subjectKind), cheaper than a table of every
   * subject the actor ever used, which grew with the devices of the host.
   */
  private byKind: Map<MessageSubjectKind, MessageCountsByKind> | null = null;

  /** The subject and kind counted last and their counts: an actor sends and receives runs of one subject and kind. */
  private lastSubject: string | null = null;
  private lastKind: MessageSubjectKind | null = null;
  private lastCounts: MessageCountsByKind | null = null;

  sent(subject: string): void {
    this.countsOf(subject).sent++;
  }

  received(subject: string): void {
    this.countsOf(subject).received++;
  }

  dropped(subject: string): void {
    this.countsOf(subject).dropped++;
  }

  duplicated(subject: string): void {
    this.countsOf(subject).duplicated++;
  }

  /** The counts by subject kind, kinds in name order. */
  get kinds(): ReadonlyMap<MessageSubjectKind, Readonly<MessageCountsByKind>> {
    return new Map([...(this.byKind ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The totals over every subject kind. */
  totals(): MessageCountsByKind {
    const totals: MessageCountsByKind = { sent: 0, received: 0, dropped: 0, duplicated: 0 };
    for (const counts of this.byKind?.values() ?? []) for (const name of MESSAGE_COUNT_NAMES) totals[name] += counts[name];
    return totals;
  }

  /** Flat metrics counters: `<count>.<kind>` for every non-zero count. */
  counters(): Record<string, number> {
    const counters: Record<string, number> = {};
    for (const [kind, counts] of this.kinds) {
      for (const name of MESSAGE_COUNT_NAMES) if (counts[name] > 0) counters[messageCounterName(name, kind)] = counts[name];
    }
    return counters;
  }

  /** The counts of `subject`'s kind, to be counted into directly (a link keeps them). */
  countsOf(subject: string): MessageCountsByKind {
    if (subject === this.lastSubject) return this.lastCounts as MessageCountsByKind;
    const kind = subjectKind(subject) ?? SUBJECT_KIND_OTHER;
    this.lastSubject = subject;
    if (kind === this.lastKind) return this.lastCounts as MessageCountsByKind;
    const byKind = (this.byKind ??= new Map());
    let counts = byKind.get(kind);
    if (counts === undefined) {
      counts = { sent: 0, received: 0, dropped: 0, duplicated: 0 };
      byKind.set(kind, counts);
    }
    this.lastKind = kind;
    this.lastCounts = counts;
    return counts;
  }
}
