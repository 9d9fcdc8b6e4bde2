/**
 * The wire probe: what a test (or a tool) gets to observe and to inject on
 * an embedded run, through `RunOptions.onStart`. It stands outside the system
 * under test: it watches frames on their subjects as every other subscriber
 * sees them, and it publishes frames of its own at a given simulated time, on
 * the same bus and virtual clock as the actors, so a run with a probe stays
 * deterministic.
 *
 *   run(topology, {
 *     onStart: (simulation) => {
 *       wireWatch(simulation, simulation.subjects('h0').iommuPri('smmu0'), 'pageRequest', seen);
 *       wireInject(simulation, 50_000, simulation.subjects('h0').mgrResp(), 'pageResponse', [response]);
 *     },
 *   });
 *
 * A frame that does not decode on a watched subject is an error of the run,
 * not of the probe: it is counted by the actors that subscribe to it.
 */
import {
  framesSubscribe,
  type Bus,
  type BusStats,
  type MessageHandler,
  type RequestResult,
  type Scheduler,
  type SubscribeOptions,
  type Subscription,
  type VirtualClock,
} from '@ioasim/bus';
import { frameEncode, hostSubjects, subjectParse, type Frame, type FrameRecords, type FrameTypeName, type HostSubjects } from '@ioasim/protocol';
import type { HostServices } from './host-services.js';

/** An embedded run as the probe sees it, once its actors are built and before anything runs. */
export type Simulation = {
  readonly run: string;
  readonly bus: Bus;
  readonly scheduler: Scheduler;
  readonly clock: VirtualClock;
  /** Every host's services: reading it makes the hosts not yet made (see fleet-hosts.ts). */
  readonly services: readonly HostServices[];
  /** The subjects of one host of this run. */
  readonly subjects: (host: string) => HostSubjects;
  /** Makes the services of `host` now, if they were not yet made (see fleet-hosts.ts). */
  readonly hostMake: (host: string) => void;
};

export function simulationOf(
  run: string,
  bus: Bus,
  scheduler: Scheduler,
  clock: VirtualClock,
  services: () => readonly HostServices[],
  hostMake: (host: string) => void,
): Simulation {
  return {
    run,
    bus: new ProbeBus(bus, hostMake),
    scheduler,
    clock,
    get services() {
      return services();
    },
    subjects: (host) => hostSubjects(run, host),
    hostMake,
  };
}

/**
 * The run's bus as a probe sees it: a frame a probe publishes or a request
 * it makes on a host's subject makes that host first (see fleet-hosts.ts),
 * so that the host's actors hear it whether or not a workload reached them.
 */
class ProbeBus implements Bus {
  readonly publishFrame?: (subject: string, frame: Frame) => void;

  constructor(
    private readonly bus: Bus,
    private readonly hostMake: (host: string) => void,
  ) {
    const publishFrame = bus.publishFrame;
    if (publishFrame !== undefined) {
      this.publishFrame = (subject, frame) => {
        this.#hostOf(subject);
        publishFrame(subject, frame);
      };
    }
  }

  get stats(): Readonly<BusStats> {
    return this.bus.stats;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    this.#hostOf(subject);
    this.bus.publish(subject, data, reply);
  }

  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Subscription {
    return this.bus.subscribe(pattern, handler, options);
  }

  request(subject: string, data: Uint8Array, timeoutNs: number, callback: (result: RequestResult) => void): void {
    this.#hostOf(subject);
    this.bus.request(subject, data, timeoutNs, callback);
  }

  flush(): Promise<void> {
    return this.bus.flush();
  }

  close(): Promise<void> {
    return this.bus.close();
  }

  #hostOf(subject: string): void {
    const host = subjectParse(subject)?.host;
    if (host !== undefined) this.hostMake(host);
  }
}

/** A record seen on the wire, with the subject and the simulated time it was delivered at. */
export type WireRecord<Name extends FrameTypeName> = {
  readonly subject: string;
  readonly t: number;
  readonly record: FrameRecords[Name];
};

/** Calls `seen` for every record of type `type` delivered on `pattern` (NATS wildcards allowed). */
export function wireWatch<Name extends FrameTypeName>(
  simulation: Simulation,
  pattern: string,
  type: Name,
  seen: (record: WireRecord<Name>) => void,
): void {
  framesSubscribe(
    simulation.bus,
    pattern,
    type,
    (records, message) => {
      const t = simulation.clock.nowNs();
      for (const record of records) seen({ subject: message.subject, t, record });
    },
    () => {},
  );
}

/** Every record of type `type` delivered on `pattern`, in delivery order: filled as the run goes. */
export function wireRecords<Name extends FrameTypeName>(
  simulation: Simulation,
  pattern: string,
  type: Name,
): WireRecord<Name>[] {
  const records: WireRecord<Name>[] = [];
  wireWatch(simulation, pattern, type, (record) => records.push(record));
  return records;
}

/** Frames injected per simulation: the sequence in each injected frame's header. */
const injected = new WeakMap<Simulation, number>();

/** Publishes one frame of `records` on `subject` at simulated time `atNs` (now, if already past). */
export function wireInject<Name extends FrameTypeName>(
  simulation: Simulation,
  atNs: number,
  subject: string,
  type: Name,
  records: readonly FrameRecords[Name][],
): void {
  const delayNs = Math.max(0, atNs - simulation.clock.nowNs());
  simulation.clock.afterNs(delayNs, () => {
    const sequence = (injected.get(simulation) ?? 0) + 1;
    injected.set(simulation, sequence);
    simulation.bus.publish(subject, frameEncode(type, 'probe', sequence, records));
  });
}
