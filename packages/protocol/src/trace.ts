/**
 * Trace events: what every actor reports to the runner on
 * `ioasim.<run>.trace.<host>`. The checker reads them as a stream and the
 * report counts them; no actor state is read behind the trace's back.
 *
 * `t` is simulated time in nanoseconds. `pasid` is the PASID on the wire
 * (null for the RID); `group` is the device's own tag of a page request group.
 */
import type { ResponseCode, Stage } from './codes.js';

/** Why the manager answered a group itself, or why a record was lost. */
export const AUTO_RESPONSE_CAUSES = [
  'noHandler',
  'iopfDisabled',
  'stage2NoQueue',
  'detach',
  'replace',
  'destroy',
  'unplug',
  'handlerError',
  'responseTimeout',
] as const;
export type AutoResponseCause = (typeof AUTO_RESPONSE_CAUSES)[number];

export const REJECT_CAUSES = ['unknownCookie', 'answeredCookie', 'failureCode', 'otherOwner'] as const;
export type RejectCause = (typeof REJECT_CAUSES)[number];

export const DROP_CAUSES = ['priQueueFull', 'priQuota', 'partialDiscarded', 'stopMarker', 'badFrame'] as const;
export type DropCause = (typeof DROP_CAUSES)[number];

export type TraceEvent =
  /** device: the last request of a group left the device (the latency clock starts). */
  | {
      readonly kind: 'groupRaised';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly prgIndex: number;
      readonly group: number;
      readonly requests: number;
      /** Outstanding page requests of the device after this group, and its credits. */
      readonly outstanding: number;
      readonly credits: number;
    }
  /** device: a PRG response reached the device for an outstanding group. */
  | {
      readonly kind: 'groupCompleted';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly group: number;
      readonly code: ResponseCode;
      readonly latencyNs: number;
    }
  /** device: a PRG response for no outstanding group (PCIe UPRGI). */
  | {
      readonly kind: 'responseUnexpected';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly prgIndex: number;
      readonly group: number;
    }
  /** device: a group re-issued after `deviceTimeout`, or given up after the retry budget. */
  | { readonly kind: 'groupRetried'; readonly t: number; readonly host: string; readonly device: string; readonly group: number }
  | {
      readonly kind: 'groupAbandoned';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly group: number;
    }
  /** device: a translation request unanswered after `translationTimeout`, re-sent; `attempt` counts its re-sends. */
  | {
      readonly kind: 'translationRetried';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly page: number;
      readonly attempt: number;
    }
  /**
   * device: the accesses waiting on a translation request given up after
   * `translationRetries` re-sends: `accesses` of them, on `page`, after
   * `requests` requests over `waitedNs`.
   */
  | {
      readonly kind: 'accessAbandoned';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly page: number;
      readonly accesses: number;
      readonly requests: number;
      readonly waitedNs: number;
    }
  /** manager: a group was routed to a space's fault queue and given a cookie. */
  | {
      readonly kind: 'faultRouted';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly stage: Stage;
      readonly ioasid: string;
      readonly cookie: number;
      readonly group: number;
      /** When the group's last request left the device, reached the IOMMU and left its PRI queue. */
      readonly issuedNs?: number;
      readonly iommuInNs?: number;
      readonly iommuOutNs?: number;
      /** Records in the PRI queue as the last request arrived, and groups in the manager's dispatch queue as this one arrived. */
      readonly priQueueDepth?: number;
      readonly dispatchQueueDepth?: number;
    }
  /** frontend: a handler received a fault group from its fault queue. */
  | {
      readonly kind: 'faultDelivered';
      readonly t: number;
      readonly host: string;
      readonly owner: string;
      readonly ioasid: string;
      readonly device: string;
      readonly cookie: number;
      readonly group: number;
      /** When the manager's dispatch of the group ended; groups at the handler as this one arrived, itself included. */
      readonly dispatchedNs?: number;
      readonly handlerQueueDepth?: number;
    }
  /** manager: a group answered by its handler (accepted response). */
  | {
      readonly kind: 'groupAnswered';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly cookie: number;
      readonly group: number;
      readonly code: ResponseCode;
      readonly owner: string;
    }
  /** manager: a group answered by the manager itself. */
  | {
      readonly kind: 'groupAutoResponded';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly group: number;
      readonly cookie: number;
      readonly code: ResponseCode;
      readonly cause: AutoResponseCause;
    }
  /** manager: a response refused. */
  | {
      readonly kind: 'responseRejected';
      readonly t: number;
      readonly host: string;
      readonly cookie: number;
      readonly owner: string;
      readonly cause: RejectCause;
    }
  /** manager: the routing table changed for (device, pasid). */
  | {
      readonly kind: 'attachmentChanged';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly ioasid: string | null;
    }
  /** any: a record lost, counted by cause. */
  | {
      readonly kind: 'recordDropped';
      readonly t: number;
      readonly host: string;
      readonly actor: string;
      readonly cause: DropCause;
      readonly device: string;
      readonly group: number;
      /** The PASID of the lost page request (null for the RID), where the dropping actor knows it. */
      readonly pasid?: number | null;
      /** For a bad frame (`device` is then its subject, `group` its error code): why it was refused. */
      readonly reason?: string;
    }
  /** device: an access that could not be recovered (no PRI, PRI disabled, INVALID). */
  | {
      readonly kind: 'faultUnrecoverable';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly pasid: number | null;
      readonly page: number;
    }
  /** device: an access completed (ATC hit or a translation that succeeded). */
  | {
      readonly kind: 'accessesCompleted';
      readonly t: number;
      readonly host: string;
      readonly device: string;
      readonly count: number;
    };

export type TraceKind = TraceEvent['kind'];

/** What chaos did: to a message (ChaosBus, at-least-once buffers) or to an actor (crash, restart). */
export const CHAOS_ACTIONS = [
  'drop',
  'duplicate',
  'delay',
  'reorder',
  'partition',
  'crash',
  'restart',
  'heal',
  'bufferFull',
] as const;
export type ChaosActionName = (typeof CHAOS_ACTIONS)[number];

/**
 * runner: one chaos action. Kept apart from TraceEvent, whose kinds are the
 * system's own reports: chaos is done to the system by the runner, and the
 * checker counts it beside the trace (Checker.chaosObserve).
 */
export type ChaosTraceEvent = {
  readonly kind: 'chaos';
  readonly t: number;
  readonly host: string;
  readonly action: ChaosActionName;
  /** The subject after `ioasim.<run>.`, or the actor kind for crash and restart. */
  readonly target: string;
  /** The index of the chaos rule; -1 for actions no rule names (heal, bufferFull). */
  readonly rule: number;
  readonly delayNs: number;
};
