/**
 * The device service of one host: its devices' models, their workloads'
 * arrivals on the injected clock, and one wildcard subscription per subject
 * kind for the whole host (`dev.*.ats`, `dev.*.prgr`), dispatched by the
 * device token of the subject. Never a subscription per device.
 *
 * Records reach a device's model as plain calls; its xstate actor holds the
 * lifecycle (idle; live, as active or priDisabled; unplugged) and is made on
 * first use: a device whose lifecycle never changes (no Response Failure, no
 * unplug) never has one. Its lifecycle is a flag kept in step with the actor's state,
 * read by the data plane on every batch.
 */
import { ServicePorts, type ServiceOptions, type TimerHandle, subjectToken } from '@ioasim/bus';
import {
  DeviceState,
  WorkloadGenerator,
  pasidOnWire,
  pasidPoolAssign,
  randomCreate,
  type DeviceEffects,
} from '@ioasim/model';
import type { FrameRecords, PageRequest, TraceEvent, TranslationRequest } from '@ioasim/protocol';
import { createActor, fromTransition, type Actor, type AnyActorRef, type EventObject } from 'xstate';
import { deviceLifecycleOf, deviceMachine, type DeviceLifecycle, type DeviceMachineEvent } from './machine.js';

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
 * of a host share their parent's: the device actors, and the iommu, manager and
 * frontend actors when their services are given it (hostServicesStart
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

/** Called when a device's translation timer fires. */
type TranslationTimerFired = (device: string) => void;

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
    private readonly translationTimerFired: TranslationTimerFired,
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

  groupTimeoutSet(delayNs: number, prgIndex: number, group: number, attempt: number): TimerHandle {
    return this.ports.clock.afterNs(delayNs, () => this.groupTimeoutFired(this.device, prgIndex, group, attempt));
  }

  groupTimeoutCancel(timer: unknown): void {
    // Most groups are answered long before their timer: cancelled, it never runs as an event.
    this.ports.clock.cancel(timer as TimerHandle);
  }

  translationTimerSet(delayNs: number): TimerHandle {
    // Armed about once per timeout while the device is busy, never while it is idle: a closure per arming, none per device.
    return this.ports.clock.afterNs(delayNs, () => this.translationTimerFired(this.device));
  }

  translationTimerCancel(timer: unknown): void {
    this.ports.clock.cancel(timer as TimerHandle);
  }
}

/** A device's workload and its own arrival stream: one scheduled event at a time, and no closure per access. */
export class DeviceWorkload {
  constructor(
    readonly generator: WorkloadGenerator,
    readonly device: string,
    readonly pasid: number | null,
    readonly prgSize: number,
  ) {}
}

/** The workloads of `host`, each with its own random stream from (seed, host, workload). */
export function deviceWorkloads(host: ServiceOptions['host'], seed: number): DeviceWorkload[] {
  const pool = pasidPoolAssign(host.devices);
  return host.workloads.map((workload, index) => {
    const random = randomCreate(seed, `${host.name}/workload/${index}/${workload.device}`);
    const generator = new WorkloadGenerator(workload, random);
    return new DeviceWorkload(generator, workload.device, pasidOnWire(pool, workload.device, workload.pasid, workload.asid), workload.prgSize);
  });
}

/** The most accesses one arrival event carries: a late real clock catches up in events of this size. */
const ARRIVALS_PER_EVENT = 256;

/** The subject token that names the device in `ioasim.<run>.<host>.dev.<device>.<leaf>`. */
const DEVICE_TOKEN = 4;

/** One device of the host: its model, its lifecycle flag and, once a lifecycle event needed it, its actor. */
class DeviceSlot {
  lifecycle: DeviceLifecycle = 'idle';
  actor: DeviceActor | null = null;
  /** Frames and timers that reached the device after its hot removal: dropped, as the hardware would, and counted. */
  afterUnplug = 0;
  /** The device's workloads that still have accesses to issue. */
  workloadsIssuing = 0;

  constructor(readonly state: DeviceState) {}
}

export class DeviceService {
  readonly ports: ServicePorts;
  readonly devices = new Map<string, DeviceState>();
  private readonly slots = new Map<string, DeviceSlot>();
  /** The parent of this host's actors: give it to the host's other services so that they share its actor system. */
  readonly actorParent: AnyActorRef;
  private readonly workloads: DeviceWorkload[];
  private readonly nowNs: () => number;
  private readonly arrivalBound = (workload: DeviceWorkload): void => this.arrival(workload);
  errors: unknown[] = [];

  constructor(
    readonly options: ServiceOptions,
    /** The parent of this host's actors, shared with other hosts; none: one of its own. */
    actorParent?: AnyActorRef,
    /** The host's workloads, when they were made before the service (deviceWorkloads); none: made here. */
    workloads?: DeviceWorkload[],
  ) {
    const { host, settings, clock, seed } = options;
    this.ports = new ServicePorts(options, `${host.name}/device`);
    this.nowNs = (): number => clock.nowNs();
    const groupTimeoutFired: GroupTimeoutFired = (device, prgIndex, group, attempt) => {
      const slot = this.slots.get(device);
      if (slot !== undefined && slot.state.groupTimeoutDue(prgIndex, group, attempt)) {
        if (this.reachable(slot)) this.apply(slot, (due) => due.state.groupTimeout(this.nowNs(), prgIndex, group, attempt), null);
      }
    };
    const translationTimerFired: TranslationTimerFired = (device) => {
      const slot = this.slots.get(device);
      if (slot !== undefined && !slot.state.unplugged && this.reachable(slot)) this.apply(slot, (due) => due.state.translationTimerFired(this.nowNs()), null);
    };
    const subjectsByIommu = new Map<string, { readonly ats: string; readonly pri: string }>();
    this.actorParent = actorParent ?? actorsParentStart(clock, `${host.name}/actors`);
    for (const config of host.devices) {
      let iommuSubjects = subjectsByIommu.get(config.iommu);
      if (iommuSubjects === undefined) {
        iommuSubjects = { ats: this.ports.subjects.iommuAts(config.iommu), pri: this.ports.subjects.iommuPri(config.iommu) };
        subjectsByIommu.set(config.iommu, iommuSubjects);
      }
      const effects = new DevicePorts(this.ports, config.name, iommuSubjects.ats, iommuSubjects.pri, groupTimeoutFired, translationTimerFired);
      const device = new DeviceState(host.name, config, settings, effects);
      this.devices.set(config.name, device);
      this.slots.set(config.name, new DeviceSlot(device));
    }
    this.workloads = workloads ?? deviceWorkloads(host, seed);
    for (const workload of this.workloads) {
      const slot = this.slots.get(workload.device);
      if (slot !== undefined && workload.generator.nextArrivalNs() !== null) slot.workloadsIssuing++;
    }
    const subjects = this.ports.subjects;
    this.recordsSubscribe(subjects.devAts('*'), 'translationCompletion', (device, nowNs, record) => device.translationCompleted(nowNs, record));
    this.recordsSubscribe(subjects.devPrgr('*'), 'prgResponse', (device, nowNs, record) => device.prgResponse(nowNs, record));
    this.recordsSubscribe(subjects.devInv('*'), 'atcInvalidation', (device, _nowNs, record) => device.atcInvalidate(record.pages));
  }

  /** Subscribes to one subject kind of every device of the host: each frame's records reach its device's model in order. */
  private recordsSubscribe<Name extends 'translationCompletion' | 'prgResponse' | 'atcInvalidation'>(
    pattern: string,
    type: Name,
    apply: (device: DeviceState, nowNs: number, record: FrameRecords[Name]) => void,
  ): void {
    // Made once per subscription: a frame's records reach the model with no closure made per frame.
    const recordsApply = (slot: DeviceSlot, records: readonly FrameRecords[Name][]): void => {
      const nowNs = this.nowNs();
      for (const record of records) apply(slot.state, nowNs, record);
    };
    this.ports.subscribe(pattern, type, (records, message) => {
      const slot = this.slotOf(message.subject);
      if (slot !== null) this.apply(slot, recordsApply, records);
    });
  }

  /** Starts every device and schedules the first arrival of every workload. */
  start(): void {
    this.devicesStart();
    for (const workload of this.workloads) this.arrivalSchedule(workload);
  }

  /** Starts every device; the first arrival of each workload is its maker's to schedule (see `arrive`). */
  devicesStart(): void {
    for (const slot of this.slots.values()) this.lifecycleSend(slot, { type: 'start' });
  }

  /** Runs an arrival of `workload`, one of this service's, due now: its accesses, then the next arrival. */
  arrive(workload: DeviceWorkload): void {
    this.arrival(workload);
  }

  unplug(device: string): void {
    const slot = this.slots.get(device);
    if (slot !== undefined && this.reachable(slot)) this.lifecycleSend(slot, { type: 'unplug' });
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

  /** The device's lifecycle state: `idle`, `active`, `priDisabled` or `unplugged`; `unknown` for no such device. */
  stateOf(device: string): string {
    return this.slots.get(device)?.lifecycle ?? 'unknown';
  }

  /** Devices whose actor has been made: those whose lifecycle went past `active`. */
  get actorCount(): number {
    let count = 0;
    for (const slot of this.slots.values()) if (slot.actor !== null) count++;
    return count;
  }

  metricsPublish(): void {
    for (const [name, slot] of this.slots) {
      const device = slot.state;
      this.ports.metricsPublish(`device/${name}`, {
        ...device.counters,
        accessesInFlight: device.accessesInFlight,
        priDisabled: device.priDisabled ? 1 : 0,
        outstandingGroups: device.outstandingGroups,
        eventsAfterUnplug: slot.afterUnplug,
        badFrames: this.ports.badFrames,
      });
    }
  }

  stop(): void {
    this.ports.close();
    const actors: AnyActorRef[] = [];
    for (const slot of this.slots.values()) if (slot.actor !== null) actors.push(slot.actor);
    const stop: ActorsStop = { type: 'actorsStop', actors };
    this.actorParent.send(stop);
  }

  /** The device a frame on `subject` is for; null (counted as a bad frame) for a device this host does not have, or when it may not take records. */
  private slotOf(subject: string): DeviceSlot | null {
    const slot = this.slots.get(subjectToken(subject, DEVICE_TOKEN));
    if (slot === undefined) {
      this.ports.badFrames++;
      return null;
    }
    return this.reachable(slot) ? slot : null;
  }

  /**
   * True when the data plane may reach the device: started and not
   * unplugged. After hot removal what reaches it is dropped, as the hardware
   * would, and counted; before its start (or once its actor failed) nothing
   * reaches it, as an xstate actor ignores what its state does not handle.
   */
  private reachable(slot: DeviceSlot): boolean {
    if (slot.lifecycle === 'active' || slot.lifecycle === 'priDisabled') return true;
    if (slot.lifecycle === 'unplugged') slot.afterUnplug++;
    return false;
  }

  /**
   * Runs one batch of the data plane in the model. A model error stops the
   * device for good, as an error in an xstate action stops its actor; a
   * Response Failure that set RF is told to the actor.
   */
  private apply<Argument>(slot: DeviceSlot, work: (slot: DeviceSlot, argument: Argument) => void, argument: Argument): void {
    try {
      work(slot, argument);
    } catch (error) {
      this.errors.push(error);
      slot.lifecycle = 'idle';
      return;
    }
    if (slot.lifecycle === 'active' && slot.state.priDisabled) this.lifecycleSend(slot, { type: 'priDisable' });
  }

  /** Sends a lifecycle event to the device's actor, made here on first use, and takes its new state as the flag. */
  private lifecycleSend(slot: DeviceSlot, event: DeviceMachineEvent): void {
    if (slot.actor === null) {
      if (event.type === 'start' && slot.lifecycle === 'idle') {
        // Starting is what every device does: it needs no actor of its own yet.
        slot.lifecycle = 'active';
        return;
      }
      slot.actor = this.actorMake(slot);
    }
    slot.actor.send(event);
    const snapshot = slot.actor.getSnapshot();
    if (snapshot.status === 'error') {
      slot.lifecycle = 'idle';
      return;
    }
    slot.lifecycle = deviceLifecycleOf(snapshot);
  }

  /** The device's actor, in the lifecycle state its flag holds. */
  private actorMake(slot: DeviceSlot): DeviceActor {
    const device = slot.state;
    const actor = createActor(deviceMachine, {
      input: { device, nowNs: this.nowNs },
      clock: this.options.clock,
      id: `${this.options.host.name}/device/${device.config.name}`,
      parent: this.actorParent,
    });
    actor.subscribe({ error: (error) => this.errors.push(error) });
    actor.start();
    if (slot.lifecycle !== 'idle') actor.send({ type: 'start' });
    if (slot.lifecycle === 'priDisabled') actor.send({ type: 'priDisable' });
    return actor;
  }

  private arrivalSchedule(workload: DeviceWorkload): void {
    const dueNs = workload.generator.nextArrivalNs();
    if (dueNs === null) return;
    const clock = this.options.clock;
    const delayNs = Math.max(0, Math.round(dueNs) - clock.nowNs());
    clock.afterNsWith(delayNs, this.arrivalBound, workload);
  }

  /**
   * Every access of `workload` due by now, in order, at most
   * ARRIVALS_PER_EVENT: one on the virtual clock (arrivals never share an
   * instant), as many as the real clock has run past since the last arrival
   * event in a NATS run. Then the workload's next arrival.
   */
  private arrival(workload: DeviceWorkload): void {
    const slot = this.slots.get(workload.device);
    // An access due while its device cannot take it (before its start, after its unplug) is still taken from the workload.
    if (slot !== undefined && this.reachable(slot)) this.apply(slot, this.arrivalsTakeBound, workload);
    else this.arrivalsTake(null, workload);
    if (slot !== undefined && workload.generator.nextArrivalNs() === null) this.workloadEnded(slot);
    this.arrivalSchedule(workload);
  }

  private readonly arrivalsTakeBound = (slot: DeviceSlot, workload: DeviceWorkload): void => this.arrivalsTake(slot, workload);

  /** Takes the accesses of `workload` due now from its generator, and gives them to the device unless it cannot take them (null). */
  private arrivalsTake(slot: DeviceSlot | null, workload: DeviceWorkload): void {
    const nowNs = this.nowNs();
    const generator = workload.generator;
    const device = slot?.state;
    let taken = 0;
    do {
      const access = generator.take();
      device?.access(nowNs, workload.pasid, access.page, access.perm, workload.prgSize);
      taken++;
      const nextNs = generator.nextArrivalNs();
      if (nextNs === null || Math.round(nextNs) > nowNs) break;
    } while (taken < ARRIVALS_PER_EVENT);
  }

  /** A workload of the device issued its last access; after the last of them, the device is told. */
  private workloadEnded(slot: DeviceSlot): void {
    slot.workloadsIssuing--;
    if (slot.workloadsIssuing === 0) slot.state.workloadsEnded();
  }
}
