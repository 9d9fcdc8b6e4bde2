/**
 * The device service of one host: a device actor per device, its workloads'
 * arrivals on the injected clock, and one wildcard subscription per subject
 * kind for the whole host (`dev.*.ats`, `dev.*.prgr`), dispatched to the
 * actors by the device token of the subject. Never a subscription per device.
 */
import { ServicePorts, type ServiceOptions, subjectToken } from '@ioasim/bus';
import {
  DeviceState,
  WorkloadGenerator,
  pasidOnWire,
  pasidPoolAssign,
  randomCreate,
  type DeviceEffects,
} from '@ioasim/model';
import type { PageRequest, TraceEvent, TranslationRequest } from '@ioasim/protocol';
import { createActor, fromTransition, type Actor, type AnyActorRef, type EventObject } from 'xstate';
import { deviceMachine, type DeviceAccess, type DeviceMachineEvent } from './machine.js';

type DeviceActor = Actor<typeof deviceMachine>;

/** Asks the host's actor parent to stop `actors`, its children, as `stop()` on a root actor would. */
type ActorsStop = { readonly type: 'actorsStop'; readonly actors: readonly AnyActorRef[] };

function isActorsStop(event: EventObject): event is ActorsStop {
  return event.type === 'actorsStop';
}

/**
 * The parent of a host's actors in one process. Each root actor brings an
 * xstate actor system of its own (a scheduler, registries of children and
 * system ids, inspection observers: with the parent, about 3.4 KB); the actors
 * of a host share their parent's: the device actors, and the iommu, manager,
 * vfio and vdpa actors when their services are given it (hostServicesStart
 * does). An embedded run gives every host one parent (actorsParentStart), so
 * a fleet pays for one system, not one per host. It ignores the done and
 * error events its children relay to it (each service observes its own
 * actors' errors) and stops the children an `ActorsStop` names. It holds
 * nothing and has no timers, so it is never stopped itself.
 */
const hostActorsParent = fromTransition((state: null, event: EventObject, { stopChild }) => {
  if (isActorsStop(event)) for (const actor of event.actors) stopChild(actor);
  return state;
}, null);

/** A parent for the actors of hosts in one process (see hostActorsParent). */
export function actorsParentStart(clock: ServiceOptions['clock'], id: string): AnyActorRef {
  return createActor(hostActorsParent, { clock, id }).start();
}

/** Called when a group's retry timer fires: the service checks the group is still due, then delivers the timeout. */
type GroupTimeoutFired = (device: string, prgIndex: number, group: number, attempt: number) => void;

/**
 * A device's effects on its service's ports and clock. An object with its
 * methods on the prototype, not four closures per device; the subjects are
 * shared by the devices behind the same IOMMU.
 */
class DevicePorts implements DeviceEffects {
  constructor(
    private readonly ports: ServicePorts,
    private readonly device: string,
    private readonly atsSubject: string,
    private readonly priSubject: string,
    private readonly groupTimeoutFired: GroupTimeoutFired,
  ) {}

  translationRequest(request: TranslationRequest): void {
    this.ports.outbox.add(this.atsSubject, 'translationRequest', request);
  }

  pageRequest(request: PageRequest): void {
    this.ports.outbox.add(this.priSubject, 'pageRequest', request);
  }

  trace(event: TraceEvent): void {
    this.ports.trace(event);
  }

  groupTimeoutSet(delayNs: number, prgIndex: number, group: number, attempt: number): void {
    // Most groups are answered long before their timer: those timers end here, without an event.
    this.ports.clock.afterNs(delayNs, () => this.groupTimeoutFired(this.device, prgIndex, group, attempt));
  }
}

type Workload = {
  readonly generator: WorkloadGenerator;
  readonly device: string;
  readonly pasid: number | null;
  readonly prgSize: number;
};

/** The most accesses one arrival event carries: a late real clock catches up in events of this size. */
const ARRIVALS_PER_EVENT = 256;

/** The subject token that names the device in `ioasim.<run>.<host>.dev.<device>.<leaf>`. */
const DEVICE_TOKEN = 4;

export class DeviceService {
  readonly ports: ServicePorts;
  readonly devices = new Map<string, DeviceState>();
  private readonly actors = new Map<string, DeviceActor>();
  /** The parent of this host's actors: give it to the host's other services so that they share its actor system. */
  readonly actorParent: AnyActorRef;
  private readonly workloads: Workload[] = [];
  /** Frames and timers that reached a device after its hot removal: dropped, as the hardware would, and counted. */
  private readonly afterUnplug = new Map<string, number>();
  errors: unknown[] = [];

  constructor(
    readonly options: ServiceOptions,
    /** The parent of this host's actors, shared with other hosts; none: one of its own. */
    actorParent?: AnyActorRef,
  ) {
    const { host, settings, clock, seed } = options;
    this.ports = new ServicePorts(options, `${host.name}/device`);
    const pool = pasidPoolAssign(host.devices);
    const nowNs = (): number => clock.nowNs();
    const errorKeep = (error: unknown): void => {
      this.errors.push(error);
    };
    const groupTimeoutFired: GroupTimeoutFired = (device, prgIndex, group, attempt) => {
      if (this.devices.get(device)?.groupTimeoutDue(prgIndex, group, attempt) === true) {
        this.deliver(device, { type: 'groupTimeout', prgIndex, group, attempt });
      }
    };
    const subjectsByIommu = new Map<string, { readonly ats: string; readonly pri: string }>();
    this.actorParent = actorParent ?? actorsParentStart(clock, `${host.name}/actors`);
    for (const config of host.devices) {
      let iommuSubjects = subjectsByIommu.get(config.iommu);
      if (iommuSubjects === undefined) {
        iommuSubjects = { ats: this.ports.subjects.iommuAts(config.iommu), pri: this.ports.subjects.iommuPri(config.iommu) };
        subjectsByIommu.set(config.iommu, iommuSubjects);
      }
      const effects = new DevicePorts(this.ports, config.name, iommuSubjects.ats, iommuSubjects.pri, groupTimeoutFired);
      const device = new DeviceState(host.name, config, settings, effects);
      this.devices.set(config.name, device);
      const actor = createActor(deviceMachine, {
        input: { device, nowNs },
        clock,
        id: `${host.name}/device/${config.name}`,
        parent: this.actorParent,
      });
      actor.subscribe({ error: errorKeep });
      this.actors.set(config.name, actor.start());
    }
    host.workloads.forEach((workload, index) => {
      const random = randomCreate(seed, `${host.name}/workload/${index}/${workload.device}`);
      this.workloads.push({
        generator: new WorkloadGenerator(workload, random),
        device: workload.device,
        pasid: pasidOnWire(pool, workload.device, workload.pasid, workload.asid),
        prgSize: workload.prgSize,
      });
    });
    const subjects = this.ports.subjects;
    this.ports.subscribe(subjects.devAts('*'), 'translationCompletion', (records, message) =>
      this.send(message.subject, { type: 'translationBatch', records }),
    );
    this.ports.subscribe(subjects.devPrgr('*'), 'prgResponse', (records, message) =>
      this.send(message.subject, { type: 'prgResponseBatch', records }),
    );
    this.ports.subscribe(subjects.devInv('*'), 'atcInvalidation', (records, message) =>
      this.send(message.subject, { type: 'atcInvalidationBatch', records }),
    );
  }

  /** Starts every device and schedules the first arrival of every workload. */
  start(): void {
    for (const actor of this.actors.values()) actor.send({ type: 'start' });
    for (const workload of this.workloads) this.arrivalSchedule(workload);
  }

  unplug(device: string): void {
    this.deliver(device, { type: 'unplug' });
  }

  /** True once every workload has issued its last access (or has none left to issue). */
  get workloadsDone(): boolean {
    return this.workloads.every((workload) => workload.generator.nextArrivalNs() === null);
  }

  /** Accesses of this host's devices that have ended, completed or failed. */
  get accessesEnded(): number {
    let ended = 0;
    for (const device of this.devices.values()) ended += device.counters.accessesCompleted + device.counters.accessesFailed;
    return ended;
  }

  /** True while no device of this host has an access in flight (translating, waiting for credits, or in a group). */
  get devicesIdle(): boolean {
    for (const device of this.devices.values()) if (!device.idle) return false;
    return true;
  }

  stateOf(device: string): string {
    const value = this.actors.get(device)?.getSnapshot().value;
    return typeof value === 'string' ? value : 'unknown';
  }

  metricsPublish(): void {
    for (const [name, device] of this.devices) {
      this.ports.metricsPublish(`device/${name}`, {
        ...device.counters,
        priDisabled: device.priDisabled ? 1 : 0,
        outstandingGroups: device.outstandingGroups,
        eventsAfterUnplug: this.afterUnplug.get(name) ?? 0,
        badFrames: this.ports.badFrames,
      });
    }
  }

  stop(): void {
    this.ports.close();
    const stop: ActorsStop = { type: 'actorsStop', actors: [...this.actors.values()] };
    this.actorParent.send(stop);
  }

  private send(subject: string, event: DeviceMachineEvent): void {
    const name = subjectToken(subject, DEVICE_TOKEN);
    if (!this.actors.has(name)) {
      this.ports.badFrames++;
      return;
    }
    this.deliver(name, event);
  }

  /** Sends to a device's actor unless it reached its final state (unplugged): then the event is counted. */
  private deliver(device: string, event: DeviceMachineEvent): void {
    const actor = this.actors.get(device);
    if (actor === undefined) return;
    if (actor.getSnapshot().status !== 'active') {
      this.afterUnplug.set(device, (this.afterUnplug.get(device) ?? 0) + 1);
      return;
    }
    actor.send(event);
  }

  private arrivalSchedule(workload: Workload): void {
    const dueNs = workload.generator.nextArrivalNs();
    if (dueNs === null) return;
    const clock = this.options.clock;
    const delayNs = Math.max(0, Math.round(dueNs) - clock.nowNs());
    clock.afterNs(delayNs, () => {
      this.deliver(workload.device, { type: 'accesses', accesses: this.arrivalsDue(workload) });
      this.arrivalSchedule(workload);
    });
  }

  /**
   * Every access of `workload` due by now, in order, at most ARRIVALS_PER_EVENT:
   * one on the virtual clock (arrivals never share an instant), as many as the
   * real clock has run past since the last arrival event in a NATS run.
   */
  private arrivalsDue(workload: Workload): DeviceAccess[] {
    const nowNs = this.options.clock.nowNs();
    const generator = workload.generator;
    const accesses: DeviceAccess[] = [];
    do {
      const access = generator.take();
      accesses.push({ pasid: workload.pasid, page: access.page, perm: access.perm, prgSize: workload.prgSize });
      const nextNs = generator.nextArrivalNs();
      if (nextNs === null || Math.round(nextNs) > nowNs) break;
    } while (accesses.length < ARRIVALS_PER_EVENT);
    return accesses;
  }
}
