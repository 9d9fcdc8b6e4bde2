/**
 * Run control: what the coordinator of a distributed run (`ioasim run
 * --transport nats`) and the service processes (`ioasim serve`) say to each
 * other, in `runControl` frames on the subjects of `controlSubjects`.
 *
 *   service     -> coordinator  ready      a process is connected and waits (repeated until prepared)
 *   coordinator -> services     clockProbe the coordinator's wall clock at sending (t0), repeated a few times
 *   service     -> coordinator  clockReply t0, and the process's wall clock at receiving (t1) and replying (t2)
 *   coordinator -> services     prepare    build the actors: the run's time origin, seed and time mode
 *   service     -> coordinator  prepared   actors built and subscribed
 *   coordinator -> services     start      devices start their workloads
 *   coordinator -> services     unplug     a timeline unplug the manager accepted: the device stops
 *   service     -> coordinator  progress   a device process has issued every access of its workloads, and whether
 *                                          its devices hold none in flight (repeated, and at once on a change)
 *   coordinator -> services     heal       every workload has issued its last access: chaos off
 *   coordinator -> services     finish     publish final metrics
 *   service     -> coordinator  finished   final metrics sent; device states, errors, bus and chaos counters
 *   service     -> coordinator  failed     an actor of the process stopped (repeated): the run ends with its error
 *   coordinator -> services     release    the run is over: exit, or re-arm for the next run (repeated until released)
 *   service     -> coordinator  released   the process drops the run's actors and exits or is free again
 *
 * A process is named by its service kind and shard: it runs that kind's
 * actors for the hosts whose index i satisfies i % shards == shard; and told
 * apart from another of the same kind and shard by its `instance`, random
 * at its start.
 *
 * A process belongs to one run: the coordinator claims the processes it
 * runs (`prepare` lists their instances, under a claim of its own, random
 * at its start), and a claimed process obeys only that claim's commands and
 * says whose it is in every `ready` it repeats, for as long as it lives, so
 * that another coordinator refuses it rather than run with it, until the
coordinator releases it at the end of the run: then it exits, or, when
started for more runs (`ioasim serve --runs N`), drops the run's actors and
announces itself free for the next run of the same id.
 *
 * Clock skew: before it prepares, the coordinator measures each process's
 * wall-clock offset NTP-style from the probe round trips (t3 = the reply's
 * arrival): offset = ((t1 - t0) + (t2 - t3)) / 2, taken from the probe of
 * the shortest round trip (t3 - t0) - (t2 - t1). It refuses a process whose
 * offset exceeds its bound, and `prepare` gives each process the offset to
 * subtract from its wall clock, so that every trace time is on the
 * coordinator's clock.
 */

import type { ChaosRule, Delivery } from './topology.js';

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

/** One process: its kind and shard, and its instance, unique to it. */
export type ProcessInstance = ProcessId & { readonly instance: string };

export type RunControl =
  | (ProcessInstance & {
      readonly kind: 'ready';
      readonly hosts: readonly string[];
      /** The topology's name, for messages. */
      readonly topology: string;
      /** sha256 (hex) of the topology's normalized content: what the coordinator compares, with `version`. */
      readonly topologyHash: string;
      /** The ioasim version the process runs. */
      readonly version: string;
      readonly pid: number;
      /** The claim of the coordinator the process belongs to; null while it belongs to none. */
      readonly claim: string | null;
    })
  | { readonly kind: 'clockProbe'; readonly probe: number; readonly t0Ms: number }
  | (ProcessInstance & { readonly kind: 'clockReply'; readonly probe: number; readonly t0Ms: number; readonly t1Ms: number; readonly t2Ms: number })
  | {
      readonly kind: 'prepare';
      readonly claim: string;
      /** The instances the coordinator claims; any other process leaves this prepare alone. */
      readonly instances: readonly string[];
      /** Instance -> its wall clock's offset from the coordinator's (ms, positive = ahead), which the process subtracts. */
      readonly clockOffsetsMs: Readonly<Record<string, number>>;
      readonly originMs: number;
      readonly seed: number;
      readonly time: TimeMode;
      /** The chaos rules and delivery of the run: the topology's, or a campaign seed's schedule. */
      readonly chaos: readonly ChaosRule[];
      readonly delivery: Delivery;
    }
  | (ProcessInstance & { readonly kind: 'prepared' })
  | { readonly kind: 'start'; readonly claim: string }
  | { readonly kind: 'unplug'; readonly claim: string; readonly host: string; readonly device: string }
  /**
   * A device process, once every workload has issued its last access:
   * `devicesIdle` while no access of its devices is in flight, and how many
   * of its accesses have ended (completed or failed), a sign of life that
   * traces nothing.
   */
  | (ProcessInstance & { readonly kind: 'progress'; readonly workloadsDone: boolean; readonly devicesIdle: boolean; readonly accessesEnded: number })
  | { readonly kind: 'heal'; readonly claim: string }
  | { readonly kind: 'finish'; readonly claim: string }
  /** An actor of the process stopped with an error: the coordinator ends the run with it, rather than wait for its timeout. */
  | (ProcessInstance & { readonly kind: 'failed'; readonly errors: readonly string[] })
  | (ProcessInstance & {
      readonly kind: 'finished';
      /** `<host>/<device>` -> the device actor's state, from device processes. */
      readonly deviceStates: Readonly<Record<string, string>>;
      readonly errors: readonly string[];
      readonly bus: BusCounters;
      readonly chaos: ChaosCounters;
      /** Frames the process's at-least-once layer gave up on (`<host> <subject>`, the first few): lost. */
      readonly framesLost?: readonly string[];
    })
  | { readonly kind: 'release'; readonly claim: string }
  /** `rearmed`: the process is free for the next run; else it exits. */
  | (ProcessInstance & { readonly kind: 'released'; readonly rearmed: boolean });

/** What the chaos of one process did (topology rules on its publishes): counts by action, and per rule index what each rule took or did. */
export type ChaosCounters = {
  readonly actions: Readonly<Record<string, number>>;
  readonly perRule: readonly number[];
};
