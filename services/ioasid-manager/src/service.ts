/**
 * The ioasid-manager service of one host: one manager actor, subscribed to
 * the host's fault reports, page responses and control requests (a frame of
 * control requests is answered by one frame of their replies, in order).
 *
 * A crash (chaos) stops the service; a fresh one takes its place after a
 * delay. What survives is configuration: the ioasids, attachments and page
 * tables, rebuilt from the topology and the journal of control operations
 * the manager had accepted (`journal`, replayed by `restore` with every
 * effect muted, as iommufd's objects outlive the process that made them).
 * What is lost is volatile: pending and partial groups, the dispatch queue,
 * and the cookies given (the new manager's start past them, so a late
 * response to an old cookie is rejected, never taken for a new group).
 */
import { ModelCalls, ServicePorts, type ServiceOptions } from '@ioasim/bus';
import { ManagerState, randomCreate, type ManagerEffects } from '@ioasim/model';
import type { ControlOperation, ControlReply, ControlRequest, IommuReport, PageResponse } from '@ioasim/protocol';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { managerMachine, type ManagerLifecycle, type ManagerMachineEvent } from './machine.js';

/** A manager started again after a crash: its cookies start past every cookie its predecessor gave. */
export type ManagerRestart = { readonly firstCookie: number };

/** A control operation the manager accepted, in the order it accepted them. */
export type ControlJournalEntry = { readonly owner: string; readonly operation: ControlOperation };

export class ManagerService {
  readonly ports: ServicePorts;
  readonly manager: ManagerState;
  private readonly actor: Actor<typeof managerMachine>;
  /** The actor's state, kept in step with it: the effects read it (nothing leaves while `restoring`). */
  #lifecycle: ManagerLifecycle = 'running';
  /**
   * The control operations accepted, to rebuild the configuration after a
   * crash: kept only after `journalKeep()`, in a run whose chaos can crash
   * this manager. Every map a handler makes is one, so elsewhere it would be
   * a copy of every page mapped, growing with the run, for nothing.
   */
  readonly journal: ControlJournalEntry[] = [];
  #journaling = false;
  errors: unknown[] = [];
  /** Fault reports, page responses, timers and control requests reach the model through here, as plain calls. */
  private readonly calls = new ModelCalls(this.errors);

  constructor(
    readonly options: ServiceOptions,
    restart?: ManagerRestart,
    /** The parent shared with the host's other actors (DeviceService.actorParent), which stops its children on `actorsStop`; none: a root actor. */
    private readonly actorParent?: AnyActorRef,
  ) {
    const { host, clock, seed } = options;
    this.ports = new ServicePorts(options, `${host.name}/ioasid-manager`);
    this.manager = new ManagerState(host, randomCreate(seed, `${host.name}/ioasid-manager`), this.effects(), restart?.firstCookie);
    this.manager.responseTimeoutNs = options.settings.responseTimeoutNs;
    this.actor = createActor(managerMachine, {
      input: { manager: this.manager, nowNs: () => clock.nowNs() },
      clock,
      id: `${host.name}/ioasid-manager`,
      ...(actorParent === undefined ? {} : { parent: actorParent }),
    });
    this.actor.subscribe({ error: (error) => this.errors.push(error) });
    this.actor.start();
    const subjects = this.ports.subjects;
    // Made once: the data plane calls them with the manager and the batch, allocating nothing per frame.
    const reportsRoute = (manager: ManagerState, records: readonly IommuReport[]): void => manager.reports(clock.nowNs(), records);
    const responsesCheck = (manager: ManagerState, records: readonly PageResponse[]): void => manager.responses(clock.nowNs(), records);
    this.ports.subscribe(subjects.mgrFaults(), 'faultRecord', (records) => this.calls.call(reportsRoute, this.manager, records));
    this.ports.subscribe(subjects.mgrResp(), 'pageResponse', (records) => this.calls.call(responsesCheck, this.manager, records));
    let replyFrames = 0;
    // One reply frame per request frame, its replies in the order of the requests.
    const controlServe = (manager: ManagerState, requests: readonly ControlRequest[]): ControlReply[] => {
      const nowNs = clock.nowNs();
      return requests.map((request) => manager.control(nowNs, request.owner, request.operation));
    };
    this.ports.subscribe(subjects.mgrCtl(), 'controlRequest', (records, message) => {
      const replies = this.calls.call(controlServe, this.manager, records);
      if (replies === undefined) return;
      replies.forEach((reply, index) => {
        const request = records[index];
        if (this.#journaling && reply.ok && request !== undefined) this.journal.push({ owner: request.owner, operation: request.operation });
      });
      if (message.reply === null) return;
      this.ports.reply(message.subject, message.reply, 'controlReply', ++replyFrames, replies);
    });
  }

  metricsPublish(): void {
    this.ports.metricsPublish('ioasid-manager', {
      ...this.manager.counters,
      pendingGroups: this.manager.pending.size,
      partialsPending: this.manager.partialsPending,
      badFrames: this.ports.badFrames,
    });
  }

  /** True once stopped (crashed): a stopped manager hears nothing and sends nothing. */
  get stopped(): boolean {
    return this.#lifecycle === 'stopped';
  }

  /** `running`, `restoring` (replaying a crashed predecessor's journal) or `stopped`. */
  get lifecycle(): ManagerLifecycle {
    return this.#lifecycle;
  }

  /** Keeps the journal from now on: call it before anything runs, or before `restore`. */
  journalKeep(): void {
    this.#journaling = true;
  }

  /** Rebuilds the configuration a crashed predecessor had accepted; nothing leaves while it replays. */
  restore(journal: readonly ControlJournalEntry[]): void {
    this.lifecycleSend({ type: 'restore' });
    try {
      for (const entry of journal) {
        if (this.manager.control(this.ports.nowNs(), entry.owner, entry.operation).ok && this.#journaling) this.journal.push(entry);
      }
    } finally {
      this.lifecycleSend({ type: 'restored' });
    }
  }

  /** Stops the actor for good (a crash, or the end of a run): timers still due are ignored. */
  stop(): void {
    this.calls.stop();
    this.ports.close();
    // The lifecycle ends in the machine's final state; the parent then lets the actor go.
    this.lifecycleSend({ type: 'stop' });
    if (this.actorParent === undefined) this.actor.stop();
    else this.actorParent.send({ type: 'actorsStop', actors: [this.actor] });
  }

  /** Sends the actor a lifecycle event and takes its new state as the flag. */
  private lifecycleSend(event: ManagerMachineEvent): void {
    this.actor.send(event);
    this.#lifecycle = this.actor.getSnapshot().value;
  }

  // Made once: the timers call them with the group's cookie, allocating no closure per group.
  private readonly dispatchCompleteApply = (manager: ManagerState, cookie: number): void => manager.dispatchComplete(this.ports.nowNs(), cookie);
  private readonly responseTimeoutApply = (manager: ManagerState, cookie: number): void => manager.responseTimeoutElapsed(this.ports.nowNs(), cookie);
  private readonly dispatchCompleteBound = (cookie: number): void => {
    this.calls.call(this.dispatchCompleteApply, this.manager, cookie);
  };
  private readonly responseTimeoutBound = (cookie: number): void => {
    if (!this.calls.failed && this.manager.responseTimeoutDue(cookie)) this.calls.call(this.responseTimeoutApply, this.manager, cookie);
  };

  private effects(): ManagerEffects {
    const ports = this.ports;
    const subjects = ports.subjects;
    return {
      dispatchAfter: (delayNs, cookie) => {
        if (delayNs === 0) this.manager.dispatchComplete(ports.nowNs(), cookie);
        else ports.clock.afterNsWith(delayNs, this.dispatchCompleteBound, cookie);
      },
      responseTimeoutAfter: (delayNs, cookie) => {
        // Most groups are answered in time: their timer ends here, without an actor event.
        ports.clock.afterNsWith(delayNs, this.responseTimeoutBound, cookie);
      },
      deliver: (ioasid, group) => {
        if (this.#lifecycle !== 'restoring') ports.outbox.add(subjects.ioasidFaults(ioasid), 'faultGroup', group);
      },
      command: (iommu, command) => {
        if (this.#lifecycle !== 'restoring') ports.outbox.add(subjects.iommuCmd(iommu), 'iommuCommand', command);
      },
      ownerEvent: (owner, fault) => {
        if (this.#lifecycle !== 'restoring') ports.outbox.add(subjects.ownerEvents(owner), 'unrecoverableFault', fault);
      },
      trace: (event) => {
        if (this.#lifecycle !== 'restoring') ports.trace(event);
      },
    };
  }
}
