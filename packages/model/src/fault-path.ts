/**
 * The manager's fault path (DESIGN.md, "The fault path", steps 6 and 8): it
 * routes the IOMMU's fault records through the object table, assembles page
 * request groups, gives each a cookie and, after a modeled dispatch, delivers
 * it to the fault queue of the space's handler; it checks every response and
 * ends the group with it (PendingAnswers). It answers by itself whenever no
 * handler can (no route, a handler error, a response timeout), so that no
 * fault is ever left without an answer.
 *
 * It shares the objects and the pending answers with the control operations
 * (manager-control.ts) and knows nothing of them.
 */
import {
  ResponseCode,
  isStopMarker,
  type AutoResponseCause,
  type FaultGroup,
  type FaultRecord,
  type HostConfig,
  type IommuReport,
  type PageResponse,
  type RejectCause,
  type UnrecoverableFault,
} from '@ioasim/protocol';
import { assert, unreachable } from './assert.js';
import { costSample } from './cost.js';
import type { ObjectTable } from './object-table.js';
import { pasidAsSeen } from './pasid-pool.js';
import type { AnswerEffects, PendingAnswers } from './pending-answers.js';
import type { PendingGroup } from './pending-groups.js';
import { PrgAssembly } from './prg-assembly.js';
import type { Random } from './random.js';
import type { DeviceEntry } from './routing-table.js';
import { ServerQueue } from './server-queue.js';

export interface ManagerEffects extends AnswerEffects {
  /** Calls `dispatchComplete(cookie)` after `delayNs` of modeled dispatch (0 = now). */
  dispatchAfter(delayNs: number, cookie: number): void;
  /** Calls `responseTimeoutElapsed(cookie)` after `delayNs`; needed only with a `responseTimeoutNs`. */
  responseTimeoutAfter?(delayNs: number, cookie: number): void;
  deliver(ioasid: string, group: FaultGroup): void;
  ownerEvent(owner: string, fault: UnrecoverableFault): void;
}

export type ManagerCounters = {
  groupsRouted: number;
  groupsDelivered: number;
  duplicateGroups: number;
  /** Re-issued groups still pending, delivered to their handler again. */
  groupsRedelivered: number;
  partialsDiscarded: number;
  stopMarkers: number;
  invalidForPartials: number;
  responsesAccepted: number;
  unrecoverable: number;
};

/** Groups one manager may have in dispatch at once. */
const DISPATCH_QUEUE_MAX = 1 << 20;

export class FaultPath {
  readonly counters: ManagerCounters = {
    groupsRouted: 0,
    groupsDelivered: 0,
    duplicateGroups: 0,
    groupsRedelivered: 0,
    partialsDiscarded: 0,
    stopMarkers: 0,
    invalidForPartials: 0,
    responsesAccepted: 0,
    unrecoverable: 0,
  };
  /**
   * `settings.responseTimeout`: a group still pending this long after it was
   * routed is answered INVALID by the manager (cause `responseTimeout`), as
   * vendors' out-of-tree iopf timeout patches do; null = wait forever, as
   * mainline does.
   */
  responseTimeoutNs: number | null = null;
  private readonly assembly = new PrgAssembly();
  private readonly dispatch = new ServerQueue(DISPATCH_QUEUE_MAX);

  constructor(
    private readonly host: HostConfig,
    private readonly objects: ObjectTable,
    private readonly answers: PendingAnswers,
    private readonly random: Random,
    private readonly effects: ManagerEffects,
  ) {}

  get partialsPending(): number {
    return this.assembly.pending;
  }

  reports(nowNs: number, reports: readonly IommuReport[]): void {
    for (const report of reports) {
      switch (report.kind) {
        case 'pageRequest':
          this.faultRecord(nowNs, report);
          break;
        case 'overflow':
          this.partialsDiscard(nowNs, report.iommu);
          break;
        case 'unrecoverable':
          this.unrecoverable(report);
          break;
        default:
          unreachable(report);
      }
    }
  }

  private faultRecord(nowNs: number, record: FaultRecord): void {
    if (isStopMarker(record.perm, record.last)) {
      this.counters.stopMarkers++;
      this.dropTrace(nowNs, record, 'stopMarker');
      return;
    }
    const route = this.objects.routing.route(record.iommu, record.sid, record.pasid, record.stage);
    if (!route.ok) {
      this.autoRespondRecord(nowNs, record, route.device, route.cause);
      return;
    }
    const records = this.assembly.add(route.device.name, record);
    if (records === null) return;
    const known = this.answers.cookieOf(route.device.name, record.prgIndex, record.group);
    if (known !== undefined) {
      this.counters.duplicateGroups++;
      this.redeliver(nowNs, known);
      return;
    }
    const handlerSpace = route.handlerSpace;
    const cookie = this.answers.cookieAllocate();
    const pending: PendingGroup = {
      cookie,
      iommu: record.iommu,
      device: route.device.name,
      sid: record.sid,
      pasid: record.pasid,
      prgIndex: record.prgIndex,
      stall: record.stall,
      stage: record.stage,
      ioasid: handlerSpace.name,
      attachmentPasid: route.attachmentPasid,
      owner: handlerSpace.owner,
      group: record.group,
      issuedNs: record.issuedNs,
      faults: records.map((entry) => ({ page: entry.page, perm: entry.perm, last: entry.last })),
      routedNs: nowNs,
      delivered: false,
    };
    this.answers.add(pending);
    this.counters.groupsRouted++;
    if (this.responseTimeoutNs !== null) {
      assert(this.effects.responseTimeoutAfter !== undefined, 'manager: a response timeout needs the responseTimeoutAfter effect');
      this.effects.responseTimeoutAfter(this.responseTimeoutNs, cookie);
    }
    this.effects.trace({
      kind: 'faultRouted',
      t: nowNs,
      host: this.host.name,
      device: pending.device,
      pasid: pending.pasid,
      stage: pending.stage,
      ioasid: pending.ioasid,
      cookie,
      group: pending.group,
      ...faultRoutedStamps(record),
      dispatchQueueDepth: this.dispatch.depth(nowNs) + 1,
    });
    this.dispatchStart(nowNs, cookie);
  }

  /** A group's modeled dispatch: queued behind the others, then `dispatchComplete`. */
  private dispatchStart(nowNs: number, cookie: number): void {
    const admission = this.dispatch.admit(nowNs, costSample(this.host.manager.service, this.random));
    assert(admission.accepted, 'manager: dispatch queue is bounded by the pending table');
    this.effects.dispatchAfter(admission.finishNs - nowNs, cookie);
  }

  /**
   * A device re-issued a group the manager still holds (its response timed
   * out at the device): the delivery or the answer may have been lost on the
   * way, so the group goes to its handler again, with the same cookie, after
   * another modeled dispatch. A group still in its first dispatch is left to it.
   */
  private redeliver(nowNs: number, cookie: number): void {
    const lookup = this.answers.lookup(cookie);
    if (lookup.state !== 'pending' || !lookup.pending.delivered) return;
    lookup.pending.delivered = false;
    this.counters.groupsRedelivered++;
    this.dispatchStart(nowNs, cookie);
  }

  /** The end of a group's modeled dispatch: deliver it, unless it was answered (or delivered) meanwhile. */
  dispatchComplete(nowNs: number, cookie: number): void {
    const lookup = this.answers.lookup(cookie);
    if (lookup.state !== 'pending' || lookup.pending.delivered) return;
    const pending = lookup.pending;
    pending.delivered = true;
    this.counters.groupsDelivered++;
    this.effects.deliver(pending.ioasid, {
      cookie,
      ioasid: pending.ioasid,
      device: pending.device,
      pasid: pasidAsSeen(this.objects.pool, pending.device, pending.pasid),
      stage: pending.stage,
      faults: pending.faults,
      group: pending.group,
      issuedNs: pending.issuedNs,
      dispatchedNs: nowNs,
    });
  }

  /** Whether the response timeout of `cookie` still has a group to answer: else its timer need not reach the actor. */
  responseTimeoutDue(cookie: number): boolean {
    return this.answers.lookup(cookie).state === 'pending';
  }

  /** The response timeout of a group ran out: answer it INVALID, unless it was answered meanwhile. */
  responseTimeoutElapsed(nowNs: number, cookie: number): void {
    const lookup = this.answers.lookup(cookie);
    if (lookup.state !== 'pending') return;
    this.answers.autoRespond(nowNs, lookup.pending, 'responseTimeout', ResponseCode.invalid);
  }

  responses(nowNs: number, responses: readonly PageResponse[]): void {
    for (const response of responses) this.response(nowNs, response);
  }

  private response(nowNs: number, response: PageResponse): void {
    const lookup = this.answers.lookup(response.cookie);
    if (lookup.state !== 'pending') {
      this.reject(nowNs, response, lookup.state === 'answered' ? 'answeredCookie' : 'unknownCookie');
      return;
    }
    const pending = lookup.pending;
    if (response.owner !== pending.owner) {
      this.reject(nowNs, response, 'otherOwner');
      return;
    }
    if (response.handlerFailed) {
      this.answers.autoRespond(nowNs, pending, 'handlerError', ResponseCode.failure);
      return;
    }
    if (response.code !== ResponseCode.success && response.code !== ResponseCode.invalid) {
      this.reject(nowNs, response, 'failureCode');
      return;
    }
    this.counters.responsesAccepted++;
    this.answers.answer(nowNs, pending, response);
  }

  /** Unplug (iopf_queue_remove_device): the device's partial groups are dropped without an answer. */
  partialsOfDeviceDiscard(nowNs: number, device: string): void {
    const partials = this.assembly.discardDevice(device);
    for (const record of partials) this.dropTrace(nowNs, record, 'partialDiscarded');
    this.counters.partialsDiscarded += partials.length;
  }

  private partialsDiscard(nowNs: number, iommu: string): void {
    const discarded = this.assembly.discardIommu(iommu);
    this.counters.partialsDiscarded += discarded.length;
    for (const record of discarded) this.dropTrace(nowNs, record, 'partialDiscarded');
  }

  private unrecoverable(fault: UnrecoverableFault): void {
    this.counters.unrecoverable++;
    const device = this.objects.routing.devices.get(fault.device);
    if (device !== undefined) this.effects.ownerEvent(device.owner, fault);
  }

  /** err_bad_iopf: INVALID straight to the hardware, for a non-last request too. */
  private autoRespondRecord(nowNs: number, record: FaultRecord, device: DeviceEntry | null, cause: AutoResponseCause): void {
    this.effects.command(record.iommu, {
      kind: 'pageResponse',
      sid: record.sid,
      pasid: record.pasid,
      prgIndex: record.prgIndex,
      stall: record.stall,
      code: ResponseCode.invalid,
      group: record.group,
      last: record.last,
    });
    if (!record.last) {
      this.counters.invalidForPartials++;
      return;
    }
    this.effects.trace({
      kind: 'groupAutoResponded',
      t: nowNs,
      host: this.host.name,
      device: device?.name ?? `sid:${record.sid}`,
      pasid: record.pasid,
      group: record.group,
      cookie: 0,
      code: ResponseCode.invalid,
      cause,
    });
  }

  private reject(nowNs: number, response: PageResponse, cause: RejectCause): void {
    this.effects.trace({
      kind: 'responseRejected',
      t: nowNs,
      host: this.host.name,
      cookie: response.cookie,
      owner: response.owner,
      cause,
    });
  }

  private dropTrace(nowNs: number, record: FaultRecord, cause: 'stopMarker' | 'partialDiscarded'): void {
    const device = this.objects.routing.deviceBySidAny(record.iommu, record.sid);
    this.effects.trace({
      kind: 'recordDropped',
      t: nowNs,
      host: this.host.name,
      actor: 'ioasid-manager',
      cause,
      device: device?.name ?? `sid:${record.sid}`,
      group: record.group,
    });
  }
}

/** The per-hop timestamps a fault record carries into `faultRouted`, where the IOMMU set them. */
function faultRoutedStamps(record: FaultRecord): { issuedNs: number; iommuInNs?: number; iommuOutNs?: number; priQueueDepth?: number } {
  const stamps: { issuedNs: number; iommuInNs?: number; iommuOutNs?: number; priQueueDepth?: number } = { issuedNs: record.issuedNs };
  if (record.iommuInNs !== undefined) stamps.iommuInNs = record.iommuInNs;
  if (record.iommuOutNs !== undefined) stamps.iommuOutNs = record.iommuOutNs;
  if (record.priQueueDepth !== undefined) stamps.priQueueDepth = record.priQueueDepth;
  return stamps;
}
