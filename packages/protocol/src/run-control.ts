/**
 * Run control: what the coordinator of a distributed run (`ioasim run
 * --transport nats`) and the service processes (`ioasim serve`) say to each
 * other, in `runControl` frames on the subjects of `controlSubjects`.
 *
 *   service     -> coordinator  ready      a process is connected and waits (repeated until prepared)
 *   coordinator -> services     prepare    build the actors: the run's time origin, seed and time mode
 *   service     -> coordinator  prepared   actors built and subscribed
 *   coordinator -> services     start      devices start their workloads
 *   coordinator -> services     unplug     a timeline unplug the manager accepted: the device stops
 *   service     -> coordinator  progress   a device process has issued every access of its workloads, and whether
 *                                          its devices hold none in flight (repeated, and at once on a change)
 *   coordinator -> services     finish     publish final metrics
 *   service     -> coordinator  finished   final metrics sent; device states, errors and bus counters
 *
 * A process is named by its service kind and shard: it runs that kind's
 * actors for the hosts whose index i satisfies i % shards == shard.
 */

/** The service kinds `ioasim serve` runs; `all` runs the five in one process. */
export const SERVICE_KINDS = ['device', 'iommu', 'ioasid-manager', 'vfio', 'vdpa'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];
export type ServeKind = ServiceKind | 'all';

/** How modeled costs behave on the real clock (see README "Distributed mode"). */
export const TIME_MODES = ['skip', 'real'] as const;
export type TimeMode = (typeof TIME_MODES)[number];

export type ProcessId = {
  readonly service: ServeKind;
  readonly shard: number;
  readonly shards: number;
};

export type BusCounters = {
  readonly published: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly slowConsumers: number;
  readonly handlerErrors: number;
};

export type RunControl =
  | (ProcessId & { readonly kind: 'ready'; readonly hosts: readonly string[]; readonly topology: string; readonly pid: number })
  | { readonly kind: 'prepare'; readonly originMs: number; readonly seed: number; readonly time: TimeMode }
  | (ProcessId & { readonly kind: 'prepared' })
  | { readonly kind: 'start' }
  | { readonly kind: 'unplug'; readonly host: string; readonly device: string }
  /**
   * A device process, once every workload has issued its last access:
   * `devicesIdle` while no access of its devices is in flight, and how many
   * of its accesses have ended (completed or failed), a sign of life that
   * traces nothing.
   */
  | (ProcessId & { readonly kind: 'progress'; readonly workloadsDone: boolean; readonly devicesIdle: boolean; readonly accessesEnded: number })
  | { readonly kind: 'finish' }
  | (ProcessId & {
      readonly kind: 'finished';
      /** `<host>/<device>` -> the device actor's state, from device processes. */
      readonly deviceStates: Readonly<Record<string, string>>;
      readonly errors: readonly string[];
      readonly bus: BusCounters;
    });
