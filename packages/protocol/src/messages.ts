/**
 * Every record that travels between actors, declared once. A frame carries a
 * batch of records of one type; the frame types and their version are in
 * `frame-types.ts`, the subjects in `subjects.ts`.
 *
 * `pasid` is null when the transaction carried no PASID (a RID access); a
 * response carries a PASID exactly when its request did. `group` is ioasim's
 * own tag of one page request group instance (per device, increasing): the
 * hardware has no such field, the trace and the checker need one.
 */
import type { ResponseCode, Stage } from './codes.js';

/** device -> iommu (`ats`): a translation request after an ATC miss. */
export type TranslationRequest = {
  readonly device: string;
  readonly sid: number;
  readonly pasid: number | null;
  readonly page: number;
  readonly perm: number;
};

/** iommu -> device (`dev.<device>.ats`): the result of a translation request. */
export type TranslationCompletion = {
  readonly pasid: number | null;
  readonly page: number;
  readonly perm: number;
  /** The page is mapped with the requested permissions (at every stage). */
  readonly ok: boolean;
};

/** device -> iommu (`pri`): one page request of a group; `last` is the L bit. */
export type PageRequest = {
  readonly device: string;
  readonly sid: number;
  readonly pasid: number | null;
  readonly prgIndex: number;
  readonly page: number;
  readonly perm: number;
  readonly last: boolean;
  /** The SMMUv3 stall model: a stalled transaction, `prgIndex` is the STAG. */
  readonly stall: boolean;
  readonly group: number;
  /** Simulated time at which the device issued this request. */
  readonly issuedNs: number;
};

/** iommu -> manager (`mgr.faults`): a page request as the IOMMU reports it. */
export type FaultRecord = {
  readonly kind: 'pageRequest';
  readonly iommu: string;
  readonly sid: number;
  readonly pasid: number | null;
  readonly prgIndex: number;
  readonly page: number;
  readonly perm: number;
  readonly last: boolean;
  readonly stall: boolean;
  /** Which stage of the attached space's translation failed. */
  readonly stage: Stage;
  readonly group: number;
  readonly issuedNs: number;
  /** Simulated time the request reached the IOMMU, and left its PRI queue (per-hop latency). */
  readonly iommuInNs?: number;
  readonly iommuOutNs?: number;
  /** Records in the PRI queue when this one arrived, itself included. */
  readonly priQueueDepth?: number;
};

/** One fault of a delivered group, as the handler sees it. */
export type FaultGroupEntry = {
  readonly page: number;
  readonly perm: number;
  readonly last: boolean;
};

/** manager -> handler (`ioasid.<ioasid>.faults`): a whole page request group. */
export type FaultGroup = {
  readonly cookie: number;
  readonly ioasid: string;
  readonly device: string;
  /** The PASID as the owner knows it: the vPASID, the vDPA ASID, or null for the RID. */
  readonly pasid: number | null;
  readonly stage: Stage;
  readonly faults: readonly FaultGroupEntry[];
  readonly group: number;
  readonly issuedNs: number;
  /** Simulated time the manager's modeled dispatch of this group ended (per-hop latency). */
  readonly dispatchedNs?: number;
};

/** handler -> manager (`mgr.resp`): the answer to a delivered group. */
export type PageResponse = {
  readonly cookie: number;
  readonly code: ResponseCode;
  /** The owner whose fault queue answers: the response's security identity. */
  readonly owner: string;
  /** The handler failed to handle the group: the manager answers FAILURE for it (err_abort). */
  readonly handlerFailed: boolean;
};

/** manager -> iommu (`iommu.<iommu>.cmd`): commands, in order on one subject. */
export type IommuCommand =
  | {
      readonly kind: 'pageResponse';
      readonly sid: number;
      readonly pasid: number | null;
      readonly prgIndex: number;
      readonly stall: boolean;
      readonly code: ResponseCode;
      readonly group: number;
      /** Whether it answers the last request of its group; the iommu sends a PRG response only then. */
      readonly last: boolean;
    }
  | { readonly kind: 'map'; readonly ioasid: string; readonly pages: readonly number[]; readonly perm: number }
  | { readonly kind: 'unmap'; readonly ioasid: string; readonly pages: readonly number[] }
  | {
      readonly kind: 'attach';
      readonly sid: number;
      readonly pasid: number | null;
      /** The space now attached there, or null after a detach. */
      readonly ioasid: string | null;
    }
  | { readonly kind: 'destroy'; readonly ioasid: string }
  | { readonly kind: 'unplug'; readonly sid: number };

/** iommu -> device (`dev.<device>.prgr`): a PRG response (or a stall resume). */
export type PrgResponse = {
  readonly pasid: number | null;
  readonly prgIndex: number;
  readonly code: ResponseCode;
  readonly group: number;
};

/**
 * iommu -> device (`dev.<device>.inv`): an ATS invalidation after the
 * translations the device may cache changed (detach, replace, attach,
 * unmap, destroy): the device drops its cached translations of `pages`, of
 * every PASID, or all of them when `pages` is null. Dropping more than
 * changed costs a translation request, never correctness.
 */
export type AtcInvalidation = { readonly pages: readonly number[] | null };

/** iommu -> manager (`mgr.faults`): a queue overflowed; `dropped` records were lost since the last report. */
export type QueueOverflow = {
  readonly kind: 'overflow';
  readonly iommu: string;
  readonly queue: 'pri' | 'event';
  readonly dropped: number;
};

/**
 * iommu -> manager (`mgr.faults`), and manager -> owner (the owner's event
 * queue): an unrecoverable fault, which gets no response.
 */
export type UnrecoverableFault = {
  readonly kind: 'unrecoverable';
  readonly iommu: string;
  readonly device: string;
  readonly sid: number;
  readonly pasid: number | null;
  readonly page: number;
  readonly perm: number;
  readonly stage: Stage;
  readonly reason: 'noPri' | 'priDisabled';
  readonly t: number;
};

/** Everything the iommu reports to the manager, in order, on `mgr.faults`. */
export type IommuReport = FaultRecord | QueueOverflow | UnrecoverableFault;

export type ControlOperation =
  | { readonly op: 'map'; readonly ioasid: string; readonly pages: readonly number[]; readonly perm: number }
  | { readonly op: 'unmap'; readonly ioasid: string; readonly pages: readonly number[] }
  | {
      readonly op: 'attach';
      readonly device: string;
      readonly pasid: number | null;
      readonly asid: number | null;
      readonly ioasid: string;
    }
  | {
      readonly op: 'replace';
      readonly device: string;
      readonly pasid: number | null;
      readonly asid: number | null;
      readonly ioasid: string;
    }
  | { readonly op: 'detach'; readonly device: string; readonly pasid: number | null; readonly asid: number | null }
  | { readonly op: 'destroy'; readonly ioasid: string }
  | { readonly op: 'unplug'; readonly device: string };

/** frontend -> manager (`mgr.ctl`, request/reply): a control request on behalf of an owner. */
export type ControlRequest = { readonly owner: string; readonly operation: ControlOperation };

/** manager -> frontend: the reply to a control request. */
export type ControlReply =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: string; readonly message: string };

/** actor -> runner (`metrics.<host>`): an actor's counters at the end of a run (or periodically). */
export type MetricsRecord = {
  readonly host: string;
  /** The actor, e.g. `device/nic0`, `iommu/smmu0`, `ioasid-manager`, `vfio`. */
  readonly actor: string;
  readonly t: number;
  readonly counters: Readonly<Record<string, number>>;
};
