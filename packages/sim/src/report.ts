/**
 * The report of a run: the JSON object of DESIGN.md "Reports" and more. Every
 * figure in it is derived from the trace and the actors' final metrics, in a
 * fixed key order, so that the same topology, seed and settings give the same
 * JSON byte for byte (`wallMs` aside).
 */
import type { AutoResponseCause, ChaosActionName, Delivery, DropCause, RejectCause } from '@ioasim/protocol';
import type { AbandonedAccess } from './access-account.js';
import type { Violation } from './checker.js';
import type { LoadReport } from './load-report.js';
import type { OverflowByDevice } from './overflow-book.js';
import type { MessagesReport } from './message-report.js';

export type LatencySummary = {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
};

export type TimelineOutcome = {
  readonly atNs: number;
  readonly host: string;
  readonly operation: string;
  readonly ok: boolean;
  readonly message: string;
};

export type Report = {
  readonly ioasim: string;
  readonly seed: number;
  readonly transport: 'embedded' | 'nats';
  readonly run: string;
  readonly topology: { readonly name: string; readonly hosts: number; readonly devices: number; readonly ioasids: number };
  readonly simulatedNs: number;
  /** The simulated time the run was cut at (`--until`), or null: with it, work still in flight is counted in `faults.inFlightAtCut`. */
  readonly untilNs: number | null;
  readonly wallMs: number;
  readonly faults: {
    readonly raised: number;
    readonly delivered: number;
    readonly responded: number;
    readonly success: number;
    readonly invalid: number;
    readonly failure: number;
    readonly autoResponded: number;
    readonly abandoned: number;
    readonly dropped: number;
    readonly retried: number;
    readonly lateResponses: number;
    readonly unrecoverable: number;
    readonly stuck: number;
    /** Groups raised and not yet answered when a requested cut-off (`--until`) stopped the run with work left: not stuck. */
    readonly inFlightAtCut: number;
    readonly autoRespondedByCause: Readonly<Record<AutoResponseCause, number>>;
    /** Non-last page requests the manager answered INVALID at once (no route); groups are counted by cause above. */
    readonly autoRespondedPartials: number;
    readonly rejectedResponses: Readonly<Record<RejectCause, number>>;
    readonly droppedByCause: Readonly<Record<DropCause, number>>;
    readonly securityEvents: number;
  };
  readonly latencyNs: LatencySummary;
  /** DMA accesses: issued = completed + failed + abandoned + stuck + inFlightAtCut. */
  readonly accesses: {
    readonly issued: number;
    readonly completed: number;
    readonly failed: number;
    /** Given up with their translation request, unanswered after `translationRetries` re-sends. */
    readonly abandoned: number;
    /** Issued and never ended, in a run that ended by itself. */
    readonly stuck: number;
    /** Issued and not yet ended when a requested cut-off (`--until`) stopped the run: not stuck. */
    readonly inFlightAtCut: number;
    readonly atcHits: number;
    /** Translation requests re-sent after `translationTimeout`. */
    readonly translationsRetried: number;
    /** The first abandoned accesses, each with its device, page and PASID. */
    readonly abandonedFirst: readonly AbandonedAccess[];
  };
  readonly perIoasid: readonly {
    readonly host: string;
    readonly ioasid: number;
    readonly name: string;
    readonly owner: string;
    readonly delivered: number;
    readonly responded: number;
  }[];
  readonly perDevice: readonly {
    readonly host: string;
    readonly device: string;
    readonly state: string;
    readonly priDisabled: boolean;
    readonly accessesIssued: number;
    readonly accessesCompleted: number;
    readonly accessesFailed: number;
    readonly accessesAbandoned: number;
    /** Accesses not yet ended at the end of the run: stuck, or in flight at a cut-off. */
    readonly accessesInFlight: number;
    readonly latencyNs: LatencySummary;
  }[];
  readonly lostEvents: number;
  readonly overflows: {
    readonly priQueue: number;
    readonly eventQueue: number;
    /** Records each IOMMU's bounded queues dropped because they were full. */
    readonly perIommu: readonly {
      readonly host: string;
      readonly iommu: string;
      readonly priQueue: number;
      readonly eventQueue: number;
    }[];
  };
  /** PRI queue overflows by the device and PASID whose page requests were lost (see overflow-book.ts). */
  readonly overflowsByDevice: readonly OverflowByDevice[];
  /** Frames sent, received, dropped, duplicated and pending per actor and per subject kind (see message-report.ts). */
  readonly messages: MessagesReport;
  readonly badFrames: number;
  /**
   * The chaos the run was under: its rules (the topology's, or a campaign's
   * schedule), the delivery, and what chaos did, by action. No rules and
   * every count 0 in a run without chaos, and in a distributed run (whose
   * losses are the real transport's).
   */
  readonly chaos: ChaosReport;
  readonly timeline: readonly TimelineOutcome[];
  /** Fault-load figures: latency per hop and per space, CDFs, series over time. */
  readonly load: LoadReport;
  readonly invariants: readonly {
    readonly id: number;
    readonly name: string;
    readonly description: string;
    readonly violations: number;
    readonly examples: readonly Violation[];
  }[];
  /** Distributed runs only: how time was treated, throughput, and the processes' bus counters. */
  readonly distributed?: DistributedReport;
};

export type ChaosReport = {
  readonly rules: number;
  readonly delivery: Delivery;
  readonly actions: Readonly<Record<ChaosActionName, number>>;
  /** Rules that did nothing (by index in the topology's `chaos`): a `match` that took no message, a crash or partition outside the run. */
  readonly idleRules: readonly number[];
};

/** What a distributed run adds to the report: its latencies are wall-clock, not modeled. */
export type DistributedReport = {
  /** How modeled costs were treated on the real clock: `skip` (0) or `real` (slept). */
  readonly time: 'skip' | 'real';
  /** Latencies, simulatedNs and faultsPerSecond are measured on the wall clock. */
  readonly latencyClock: 'wall';
  /** The mean modeled cost of one fault round trip (links and services) by the topology, for comparison. */
  readonly modeledRoundTripNs: number;
  /** Service processes that took part. */
  readonly processes: number;
  /** Fault groups ended (responded, auto-responded or abandoned) per second of the run. */
  readonly faultsPerSecond: number;
  /** Trace events that reached the coordinator more than the watermark after their time (still checked). */
  readonly lateTraceEvents: number;
  /**
   * Each process's wall-clock offset from the coordinator's, measured before the run (positive = ahead) and
   * subtracted from its trace times; right to within half its round trip.
   */
  readonly clockOffsets: readonly { readonly process: string; readonly offsetNs: number; readonly roundTripNs: number }[];
  /** The NatsBus counters of every process, summed (the coordinator's included). */
  readonly bus: {
    readonly published: number;
    readonly delivered: number;
    readonly dropped: number;
    readonly slowConsumers: number;
    readonly handlerErrors: number;
  };
};

export function reportViolations(report: Report): number {
  return report.invariants.reduce((sum, invariant) => sum + invariant.violations, 0);
}

/** The report as JSON with `wallMs` zeroed: what two runs of the same seed must share byte for byte. */
export function reportDeterministicJson(report: Report): string {
  return JSON.stringify({ ...report, wallMs: 0 });
}
