/**
 * The resolved topology: what the loader in `@ioasim/topology` produces from a
 * YAML file or a builder, and what every actor is configured from.
 *
 * All durations are nanoseconds, all rates are per simulated second, every
 * default has been applied and every reference has been checked: an actor
 * never re-validates its configuration. The user-facing format, with units
 * and defaults, is TOPOLOGY.md; this is its normal form.
 */

/** A modeled cost in nanoseconds: a fixed duration or a distribution. */
export type Cost =
  | { readonly dist: 'fixed'; readonly valueNs: number }
  | { readonly dist: 'exp'; readonly meanNs: number }
  | { readonly dist: 'uniform'; readonly minNs: number; readonly maxNs: number };

export const IOMMU_KINDS = ['smmuv3', 'vtd'] as const;
export type IommuKind = (typeof IOMMU_KINDS)[number];

export const FRONTEND_KINDS = ['vfio', 'vdpa'] as const;
export type FrontendKind = (typeof FRONTEND_KINDS)[number];

export const SPACE_KINDS = ['unmanaged', 'nested'] as const;
export type SpaceKind = (typeof SPACE_KINDS)[number];

export const HANDLER_POLICIES = ['map', 'invalid', 'error', 'ignore'] as const;
export type HandlerPolicy = (typeof HANDLER_POLICIES)[number];

export const WORKLOAD_PATTERNS = ['uniform', 'zipf', 'sequential', 'hotspot'] as const;
export type WorkloadPatternKind = (typeof WORKLOAD_PATTERNS)[number];

export const ARRIVALS = ['poisson', 'fixed'] as const;
export type Arrival = (typeof ARRIVALS)[number];

export const DELIVERIES = ['at-most-once', 'at-least-once'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export type IommuConfig = {
  readonly name: string;
  readonly kind: IommuKind;
  /** PRI queue entries (page requests). */
  readonly priQueue: number;
  /** Event queue entries (unrecoverable faults). */
  readonly eventQueue: number;
  /** Modeled cost per queue record. */
  readonly service: Cost;
  /** Optional per-device share of the PRI queue (entries); null = none. */
  readonly priQuota: number | null;
};

export type OwnerConfig = {
  readonly name: string;
  readonly frontend: FrontendKind;
  /** Entries of the owner's event queue for unrecoverable faults. */
  readonly eventQueue: number;
};

export type HandlerConfig = {
  readonly policy: HandlerPolicy;
  readonly service: Cost;
};

export type SpaceConfig = {
  readonly name: string;
  readonly owner: string;
  readonly kind: SpaceKind;
  /** The stage-2 space of a nested space; null for an unmanaged space. */
  readonly parent: string | null;
  /** Whether the space has a fault queue. */
  readonly iopf: boolean;
  readonly handler: HandlerConfig;
};

/** One attachment of a device: the RID (no pasid, no asid), a PASID, or a vDPA ASID. */
export type AttachmentConfig = {
  readonly space: string;
  readonly pasid: number | null;
  readonly asid: number | null;
};

export type DeviceConfig = {
  readonly name: string;
  readonly iommu: string;
  readonly sid: number;
  readonly owner: string;
  readonly frontend: FrontendKind;
  /** PASIDs supported (0 = none). */
  readonly pasids: number;
  /** vDPA address spaces (0 = not a vDPA device). */
  readonly asids: number;
  /** PRI with its Outstanding Page Request Allocation; null = no PRI. */
  readonly pri: { readonly credits: number } | null;
  /** SMMUv3 stall model instead of PRI. */
  readonly stall: boolean;
  /** An SR-IOV virtual function. */
  readonly vf: boolean;
  /** Entries of the device's address translation cache. */
  readonly atc: number;
  readonly attach: readonly AttachmentConfig[];
};

export type WorkloadPattern =
  | { readonly kind: 'uniform' }
  | { readonly kind: 'sequential' }
  | { readonly kind: 'zipf'; readonly exponent: number }
  | { readonly kind: 'hotspot'; readonly hotFraction: number; readonly hotAccess: number };

/** The rate of a workload from `atNs` on, in accesses per simulated second. */
export type RateStep = { readonly atNs: number; readonly perSecond: number };

export type WorkloadConfig = {
  readonly device: string;
  readonly pasid: number | null;
  readonly asid: number | null;
  /** Working set in 4 KiB pages. */
  readonly pages: number;
  readonly pattern: WorkloadPattern;
  /** Rate steps in ascending `atNs`, the first at 0. */
  readonly rate: readonly RateStep[];
  /** Number of accesses, or null when bounded by `durationNs`. */
  readonly count: number | null;
  readonly durationNs: number | null;
  /** Fraction of writes. */
  readonly write: number;
  /** Fraction of the working set mapped at start. */
  readonly mapped: number;
  readonly arrival: Arrival;
  /** Page requests per group (the last has L=1). */
  readonly prgSize: number;
  /**
   * A recorded access trace to replay instead of generating accesses
   * (`ioasim run --workload-from`): accesses in ascending `atNs`; `pattern`,
   * `rate`, `write` and `arrival` are then unused and `count` is its length.
   */
  readonly replay?: readonly ReplayedAccess[];
};

/** One access of a recorded trace: when, which page of the attached space, read and/or write. */
export type ReplayedAccess = { readonly atNs: number; readonly page: number; readonly perm: number };

export type ManagerConfig = { readonly service: Cost };

export type HostConfig = {
  readonly name: string;
  readonly iommus: readonly IommuConfig[];
  readonly manager: ManagerConfig;
  readonly owners: readonly OwnerConfig[];
  readonly spaces: readonly SpaceConfig[];
  readonly devices: readonly DeviceConfig[];
  readonly workloads: readonly WorkloadConfig[];
};

export type LinksConfig = {
  readonly deviceIommu: Cost;
  readonly iommuManager: Cost;
  readonly managerHandler: Cost;
};

export type TimelineAction =
  | { readonly kind: 'detach'; readonly device: string; readonly pasid: number | null; readonly asid: number | null }
  | {
      readonly kind: 'attach';
      readonly device: string;
      readonly pasid: number | null;
      readonly asid: number | null;
      readonly space: string;
    }
  | {
      readonly kind: 'replace';
      readonly device: string;
      readonly pasid: number | null;
      readonly asid: number | null;
      readonly space: string;
    }
  | { readonly kind: 'map'; readonly space: string; readonly pages: number }
  | { readonly kind: 'unmap'; readonly space: string; readonly pages: number }
  | { readonly kind: 'destroy'; readonly space: string }
  | { readonly kind: 'unplug'; readonly device: string };

/** A control operation at a simulated time, on one host (or every copy of a fleet template). */
export type TimelineEntry = {
  readonly atNs: number;
  /** The host it applies to; null = every host that has the named objects. */
  readonly host: string | null;
  readonly action: TimelineAction;
};

export type Settings = {
  readonly batch: { readonly records: number; readonly windowNs: number };
  readonly delivery: Delivery;
  /** A page request group unanswered this long is re-issued. */
  readonly deviceTimeoutNs: number;
  /** Re-issues before a group is abandoned. */
  readonly retries: number;
  /** A translation request (ATS) unanswered this long is re-sent. */
  readonly translationTimeoutNs: number;
  /** Re-sends of a translation request before the accesses waiting on it are abandoned. */
  readonly translationRetries: number;
  /** The manager answers INVALID for a group pending longer than this; null = never. */
  readonly responseTimeoutNs: number | null;
};

/** The actor kinds a chaos `crash` rule may name. */
export const CHAOS_CRASH_ACTORS = ['device', 'iommu', 'ioasid-manager', 'vfio', 'vdpa'] as const;
export type ChaosCrashActor = (typeof CHAOS_CRASH_ACTORS)[number];

export type ChaosRule =
  | {
      readonly kind: 'message';
      readonly match: string;
      readonly drop: number;
      readonly duplicate: number;
      readonly delay: Cost | null;
      readonly reorderNs: number;
    }
  | {
      readonly kind: 'partition';
      readonly groups: readonly [string, string];
      readonly fromNs: number;
      readonly toNs: number;
    }
  | {
      readonly kind: 'crash';
      readonly actor: string;
      readonly host: string;
      readonly atNs: number;
      readonly restartAfterNs: number;
    }
  /**
   * Kills (SIGKILL) NATS node `node` (0-based) of the servers a distributed
   * run started itself (`--spawn --nats-nodes N`) at `atNs`, and starts it
   * again on its ports `restartAfterNs` later.
   */
  | {
      readonly kind: 'natsKill';
      readonly node: number;
      readonly atNs: number;
      readonly restartAfterNs: number;
    };

/**
 * One fleet: template `template` replaced, at its position in `hosts`, by
 * `count` consecutive copies named `first` … `last`.
 */
export type FleetSummary = {
  readonly template: string;
  readonly count: number;
  readonly first: string;
  readonly last: string;
};

export type Topology = {
  readonly version: 1;
  readonly name: string;
  /** The seed written in the file, or null; `--seed` overrides it. */
  readonly seed: number | null;
  readonly hosts: readonly HostConfig[];
  readonly links: LinksConfig;
  readonly timeline: readonly TimelineEntry[];
  readonly settings: Settings;
  readonly chaos: readonly ChaosRule[];
  /** The fleets `hosts` was expanded from, in file order; empty when the file has no `fleet`. */
  readonly fleets: readonly FleetSummary[];
};
