/**
 * The ioasid manager: the kernel side of /dev/ioasid on one host. It owns
 * the objects (ObjectTable: the ioasids and their page tables, the devices,
 * their attachments and the routing table) and the answers it owes
 * (PendingAnswers: the pending groups by cookie). Two parts work on them and
 * know nothing of each other: the fault path (FaultPath: fault records in,
 * groups to the handlers, responses checked) and the control operations
 * (manager-control.ts: map, unmap, attach, replace, detach, destroy,
 * unplug). Between them, no fault is ever left without an answer.
 *
 * Commands to an iommu go on one ordered subject: a page-table update is
 * always sent before the page response that depends on it.
 */
import type { ControlOperation, ControlReply, HostConfig, IommuReport, PageResponse } from '@ioasim/protocol';
import { FaultPath, type ManagerCounters, type ManagerEffects } from './fault-path.js';
import { controlApply, type ControlScope } from './manager-control.js';
import { ObjectTable } from './object-table.js';
import { PendingAnswers } from './pending-answers.js';
import type { PendingGroups } from './pending-groups.js';
import type { Random } from './random.js';

export class ManagerState {
  readonly objects: ObjectTable;
  readonly answers: PendingAnswers;
  readonly faults: FaultPath;
  private readonly controlScope: ControlScope;

  constructor(
    readonly host: HostConfig,
    random: Random,
    effects: ManagerEffects,
    /** The first cookie to give: a manager restarted after a crash starts past its predecessor's. */
    firstCookie = 1,
  ) {
    this.objects = new ObjectTable(host);
    this.answers = new PendingAnswers(host.name, effects, firstCookie);
    const faults = new FaultPath(host, this.objects, this.answers, random, effects);
    this.faults = faults;
    this.controlScope = {
      host: host.name,
      objects: this.objects,
      answers: this.answers,
      effects,
      partialsOfDeviceDiscard: (nowNs, device) => faults.partialsOfDeviceDiscard(nowNs, device),
    };
  }

  get counters(): ManagerCounters {
    return this.faults.counters;
  }

  /** The groups delivered (or in dispatch) and not yet answered. */
  get pending(): PendingGroups {
    return this.answers.groups;
  }

  get partialsPending(): number {
    return this.faults.partialsPending;
  }

  /** `settings.responseTimeout` (see FaultPath.responseTimeoutNs); null = wait forever. */
  get responseTimeoutNs(): number | null {
    return this.faults.responseTimeoutNs;
  }

  set responseTimeoutNs(timeoutNs: number | null) {
    this.faults.responseTimeoutNs = timeoutNs;
  }

  reports(nowNs: number, reports: readonly IommuReport[]): void {
    this.faults.reports(nowNs, reports);
  }

  /** The end of a group's modeled dispatch: deliver it, unless it was answered (or delivered) meanwhile. */
  dispatchComplete(nowNs: number, cookie: number): void {
    this.faults.dispatchComplete(nowNs, cookie);
  }

  /** Whether the response timeout of `cookie` still has a group to answer: else its timer need not reach the actor. */
  responseTimeoutDue(cookie: number): boolean {
    return this.faults.responseTimeoutDue(cookie);
  }

  /** The response timeout of a group ran out: answer it INVALID, unless it was answered meanwhile. */
  responseTimeoutElapsed(nowNs: number, cookie: number): void {
    this.faults.responseTimeoutElapsed(nowNs, cookie);
  }

  responses(nowNs: number, responses: readonly PageResponse[]): void {
    this.faults.responses(nowNs, responses);
  }

  /** A control operation of `owner` (map, unmap, attach, replace, detach, destroy, unplug): see manager-control.ts. */
  control(nowNs: number, owner: string, operation: ControlOperation): ControlReply {
    return controlApply(this.controlScope, nowNs, owner, operation);
  }
}
