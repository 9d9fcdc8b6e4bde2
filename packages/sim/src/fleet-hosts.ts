/**
 * The hosts of an embedded run, each made on first use (a virtual actor, as
 * an Orleans grain is): until its first workload arrival, a host costs its
 * workloads' arrival streams and nothing else, no services, subscriptions,
 * models or actors. A fleet whose devices fault rarely builds only the
 * hosts that have faulted so far.
 *
 * Its first arrivals are scheduled when the run starts, in host and workload
 * order, at the times and in the order the host's device service would have
 * scheduled them itself, so a run's events keep their order whether its
 * hosts are made at start or on first use. A run with chaos or a timeline,
 * whose rules and operations may reach any host at any time, makes every
 * host at start (`makeAll`). A host never made has sent and received
 * nothing when the run ends: its rows in the report are those of an idle
 * host (`unmadeHostRecords`), without making it.
 */
import type { Clock } from '@ioasim/bus';
import { deviceWorkloads, type DeviceWorkload } from '@ioasim/service-device';
import type { HostConfig, MetricsRecord } from '@ioasim/protocol';
import type { HostServices } from './host-services.js';

/** Makes and starts the services of one host, given its workloads (made before it when it was made on first use). */
export type HostMake = (host: HostConfig, index: number, workloads: DeviceWorkload[] | undefined) => HostServices;

/** The services of a host, as their message counts name them (`messages/<service>`). */
const HOST_SERVICE_NAMES = ['device', 'iommu', 'ioasid-manager', 'vfio', 'vdpa'] as const;

/**
 * What the report takes from a host that was never made: each service's
 * message counts (none sent or received, nothing pending), as a made host
 * that stayed idle publishes them, and its devices' state, `active`. Its
 * other actors' counters are all zero, which a missing record means too.
 */
export function unmadeHostRecords(host: HostConfig, nowNs: number): { metrics: MetricsRecord[]; deviceStates: [string, string][] } {
  return {
    metrics: HOST_SERVICE_NAMES.map((service) => ({ host: host.name, actor: `messages/${service}`, t: nowNs, counters: { pending: 0 } })),
    deviceStates: host.devices.map((device) => [`${host.name}/${device.name}`, 'active']),
  };
}

/** A workload's first arrival, before its host was made. */
class FirstArrival {
  constructor(
    readonly host: number,
    readonly workload: DeviceWorkload,
  ) {}
}

export class FleetHosts {
  readonly #services: (HostServices | null)[];
  readonly #workloads: (DeviceWorkload[] | undefined)[];
  readonly #indexByName: Map<string, number>;
  #made = 0;
  /** Set once the first arrivals are scheduled: a host made after that starts its devices as it is made. */
  #started = false;
  readonly #arriveBound = (first: FirstArrival): void => this.make(first.host).device.arrive(first.workload);

  constructor(
    readonly hosts: readonly HostConfig[],
    private readonly hostMake: HostMake,
    /** Called before each host is made, with the count made so far (e.g. to watch the heap as the fleet grows). */
    private readonly beforeMake: (made: number) => void = () => {},
  ) {
    this.#services = hosts.map(() => null);
    this.#workloads = hosts.map(() => undefined);
    this.#indexByName = new Map(hosts.map((host, index) => [host.name, index]));
  }

  /** Hosts made so far. */
  get madeCount(): number {
    return this.#made;
  }

  /** The hosts made so far, in topology order. */
  get made(): HostServices[] {
    return this.#services.filter((services): services is HostServices => services !== null);
  }

  /** The hosts not made: no workload arrival reached them and nothing asked for them. */
  unmade(): HostConfig[] {
    return this.hosts.filter((_, index) => this.#services[index] === null);
  }

  /** Every host, made now if it was not yet, in topology order. */
  get all(): HostServices[] {
    return this.hosts.map((_, index) => this.make(index));
  }

  /** Makes every host now: for a run whose chaos or timeline may reach any host at any time. */
  makeAll(): void {
    for (let index = 0; index < this.hosts.length; index++) this.make(index);
  }

  /** The host named `name`, made now if it was not yet; undefined for no such host. */
  byName(name: string): HostServices | undefined {
    const index = this.#indexByName.get(name);
    return index === undefined ? undefined : this.make(index);
  }

  /** The services of host `index`, made (and its devices started) now if they were not yet. */
  make(index: number): HostServices {
    const made = this.#services[index];
    if (made !== null && made !== undefined) return made;
    this.beforeMake(this.#made);
    const services = this.hostMake(this.hosts[index] as HostConfig, index, this.#workloads[index]);
    this.#services[index] = services;
    this.#workloads[index] = undefined;
    this.#made++;
    if (this.#started) services.device.devicesStart();
    return services;
  }

  /**
   * Schedules the first arrival of every workload of every host not yet
   * made; each host is made at its first. Hosts already made schedule their
   * own (DeviceService.start).
   */
  firstArrivalsSchedule(clock: Clock, seed: number): void {
    this.#started = true;
    this.hosts.forEach((host, index) => {
      if (this.#services[index] !== null) {
        (this.#services[index] as HostServices).device.start();
        return;
      }
      const workloads = deviceWorkloads(host, seed);
      this.#workloads[index] = workloads;
      for (const workload of workloads) {
        const dueNs = workload.generator.nextArrivalNs();
        if (dueNs === null) continue;
        clock.afterNsWith(Math.max(0, Math.round(dueNs) - clock.nowNs()), this.#arriveBound, new FirstArrival(index, workload));
      }
    });
  }
}
