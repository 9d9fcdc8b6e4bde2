/**
 * The ioasid manager: the kernel side of /dev/ioasid. It owns the ioasids and
 * their page tables, the attachments and the routing table, assembles page
 * request groups, gives each a cookie and delivers it to the fault queue of
 * the space's handler; it checks every response, and it answers by itself
 * whenever no handler can (no route, a detach, a destroy, an unplug, a
 * handler error), so that no fault is ever left without an answer.
 *
 * Commands to an iommu go on one ordered subject: a page-table update is
 * always sent before the page response that depends on it.
 */
import {
  ResponseCode,
  isStopMarker,
  type AutoResponseCause,
  type ControlOperation,
  type ControlReply,
  type FaultGroup,
  type FaultRecord,
  type HostConfig,
  type IommuCommand,
  type IommuReport,
  type PageResponse,
  type RejectCause,
  type TraceEvent,
  type UnrecoverableFault,
} from '@ioasim/protocol';
import { assert, unreachable } from './assert.js';
import { costSample } from './cost.js';
import { initialMappings } from './initial-mappings.js';
import { PageTable } from './page-table.js';
import { pasidAsSeen, pasidOnWire, pasidPoolAssign, type PasidPool } from './pasid-pool.js';
import { PendingGroups, type PendingGroup } from './pending-groups.js';
import { PrgAssembly } from './prg-assembly.js';
import type { Random } from './random.js';
import { RoutingTable, pasidKey, type DeviceEntry } from './routing-table.js';
import { ServerQueue } from './server-queue.js';

export interface ManagerEffects {
  /** Calls `dispatchComplete(cookie)` after `delayNs` of modeled dispatch (0 = now). */
  dispatchAfter(delayNs: number, cookie: number): void;
  /** Calls `responseTimeoutElapsed(cookie)` after `delayNs`; needed only with a `responseTimeoutNs`. */
  responseTimeoutAfter?(delayNs: number, cookie: number): void;
  deliver(ioasid: string, group: FaultGroup): void;
  command(iommu: string, command: IommuCommand): void;
  ownerEvent(owner: string, fault: UnrecoverableFault): void;
  trace(event: TraceEvent): void;
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

export class ManagerState {
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
  readonly routing: RoutingTable;
  readonly pending: PendingGroups;
  /**
   * `settings.responseTimeout`: a group still pending this long after it was
   * routed is answered INVALID by the manager (cause `responseTimeout`), as
   * vendors' out-of-tree iopf timeout patches do; null = wait forever, as
   * mainline does.
   */
  responseTimeoutNs: number | null = null;
  private readonly pool: PasidPool;
  private readonly tables = new Map<string, PageTable>();
  private readonly assembly = new PrgAssembly();
  private readonly dispatch = new ServerQueue(DISPATCH_QUEUE_MAX);
  /** Pending cookies by (device, prgIndex, group): a re-issued group keeps its cookie and is delivered again. */
  private readonly cookieByGroup = new Map<string, number>();

  constructor(
    readonly host: HostConfig,
    private readonly random: Random,
    private readonly effects: ManagerEffects,
    /** The first cookie to give: a manager restarted after a crash starts past its predecessor's. */
    firstCookie = 1,
  ) {
    this.pending = new PendingGroups(firstCookie);
    this.pool = pasidPoolAssign(host.devices);
    this.routing = new RoutingTable(host, this.pool);
    for (const space of host.spaces) this.tables.set(space.name, new PageTable());
    for (const mapping of initialMappings(host, this.pool)) this.tableOf(mapping.space).map(mapping.page, mapping.perm);
  }

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
    const route = this.routing.route(record.iommu, record.sid, record.pasid, record.stage);
    if (!route.ok) {
      this.autoRespondRecord(nowNs, record, route.device, route.cause);
      return;
    }
    const records = this.assembly.add(route.device.name, record);
    if (records === null) return;
    const groupKey = `${route.device.name}/${record.prgIndex}/${record.group}`;
    const known = this.cookieByGroup.get(groupKey);
    if (known !== undefined) {
      this.counters.duplicateGroups++;
      this.redeliver(nowNs, known);
      return;
    }
    const handlerSpace = route.handlerSpace;
    const cookie = this.pending.cookieAllocate();
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
    this.pending.add(pending);
    this.cookieByGroup.set(groupKey, cookie);
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
    const lookup = this.pending.lookup(cookie);
    if (lookup.state !== 'pending' || !lookup.pending.delivered) return;
    const admission = this.dispatch.admit(nowNs, costSample(this.host.manager.service, this.random));
    assert(admission.accepted, 'manager: dispatch queue is bounded by the pending table');
    lookup.pending.delivered = false;
    this.counters.groupsRedelivered++;
    this.effects.dispatchAfter(admission.finishNs - nowNs, cookie);
  }

  /** The end of a group's modeled dispatch: deliver it, unless it was answered (or delivered) meanwhile. */
  dispatchComplete(nowNs: number, cookie: number): void {
    const lookup = this.pending.lookup(cookie);
    if (lookup.state !== 'pending' || lookup.pending.delivered) return;
    const pending = lookup.pending;
    pending.delivered = true;
    this.counters.groupsDelivered++;
    this.effects.deliver(pending.ioasid, {
      cookie,
      ioasid: pending.ioasid,
      device: pending.device,
      pasid: pasidAsSeen(this.pool, pending.device, pending.pasid),
      stage: pending.stage,
      faults: pending.faults,
      group: pending.group,
      issuedNs: pending.issuedNs,
      dispatchedNs: nowNs,
    });
  }

  /** The response timeout of a group ran out: answer it INVALID, unless it was answered meanwhile. */
  responseTimeoutElapsed(nowNs: number, cookie: number): void {
    const lookup = this.pending.lookup(cookie);
    if (lookup.state !== 'pending') return;
    this.autoRespond(nowNs, lookup.pending, 'responseTimeout', ResponseCode.invalid);
  }

  responses(nowNs: number, responses: readonly PageResponse[]): void {
    for (const response of responses) this.response(nowNs, response);
  }

  private response(nowNs: number, response: PageResponse): void {
    const lookup = this.pending.lookup(response.cookie);
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
      this.autoRespond(nowNs, pending, 'handlerError', ResponseCode.failure);
      return;
    }
    if (response.code !== ResponseCode.success && response.code !== ResponseCode.invalid) {
      this.reject(nowNs, response, 'failureCode');
      return;
    }
    this.take(pending);
    this.counters.responsesAccepted++;
    this.effects.trace({
      kind: 'groupAnswered',
      t: nowNs,
      host: this.host.name,
      device: pending.device,
      cookie: pending.cookie,
      group: pending.group,
      code: response.code,
      owner: response.owner,
    });
    this.pageResponseSend(pending, response.code);
  }

  control(nowNs: number, owner: string, operation: ControlOperation): ControlReply {
    switch (operation.op) {
      case 'map':
      case 'unmap': {
        const space = this.routing.spaces.get(operation.ioasid);
        if (space === undefined || space.destroyed) return refuse('notFound', `no space ${operation.ioasid}`);
        if (space.owner !== owner) return refuse('notOwner', `space ${space.name} belongs to ${space.owner}`);
        this.mapApply(operation);
        return { ok: true };
      }
      case 'attach':
      case 'replace':
      case 'detach':
        return this.attachmentChange(nowNs, owner, operation);
      case 'destroy':
        return this.spaceDestroy(nowNs, owner, operation.ioasid);
      case 'unplug':
        return this.deviceUnplug(nowNs, owner, operation.device);
      default:
        return unreachable(operation);
    }
  }

  private mapApply(operation: Extract<ControlOperation, { op: 'map' | 'unmap' }>): void {
    const table = this.tableOf(operation.ioasid);
    const commanded = new Set<string>();
    if (operation.op === 'map') for (const page of operation.pages) table.map(page, operation.perm);
    else for (const page of operation.pages) table.unmap(page);
    for (const device of this.routing.devices.values()) {
      if (commanded.has(device.iommu)) continue;
      commanded.add(device.iommu);
      this.effects.command(
        device.iommu,
        operation.op === 'map'
          ? { kind: 'map', ioasid: operation.ioasid, pages: operation.pages, perm: operation.perm }
          : { kind: 'unmap', ioasid: operation.ioasid, pages: operation.pages },
      );
    }
  }

  private attachmentChange(
    nowNs: number,
    owner: string,
    operation: Extract<ControlOperation, { op: 'attach' | 'replace' | 'detach' }>,
  ): ControlReply {
    const device = this.routing.devices.get(operation.device);
    if (device === undefined || !device.present) return refuse('notFound', `no device ${operation.device}`);
    if (device.owner !== owner) return refuse('notOwner', `device ${device.name} belongs to ${device.owner}`);
    const wire = pasidOnWire(this.pool, device.name, operation.pasid, operation.asid);
    const current = device.attachments.get(pasidKey(wire)) ?? null;
    let next: string | null = null;
    if (operation.op !== 'detach') {
      const space = this.routing.spaces.get(operation.ioasid);
      if (space === undefined || space.destroyed) return refuse('notFound', `no space ${operation.ioasid}`);
      if (space.owner !== owner) return refuse('notOwner', `space ${space.name} belongs to ${space.owner}`);
      if (operation.op === 'attach' && current !== null) {
        return refuse('busy', `${device.name} pasid ${String(wire)} is attached to ${current}`);
      }
      next = space.name;
    } else if (current === null) {
      return refuse('notFound', `${device.name} pasid ${String(wire)} is not attached`);
    }
    this.routing.attachmentSet(device.name, wire, next);
    this.effects.command(device.iommu, { kind: 'attach', sid: device.sid, pasid: wire, ioasid: next });
    this.effects.trace({
      kind: 'attachmentChanged',
      t: nowNs,
      host: this.host.name,
      device: device.name,
      pasid: wire,
      ioasid: next,
    });
    if (current !== null && current !== next) {
      const cause: AutoResponseCause = operation.op === 'detach' ? 'detach' : 'replace';
      const taken = this.pending.takeWhere(
        (pending) => pending.device === device.name && pending.attachmentPasid === wire,
      );
      for (const pending of taken) this.autoRespondTaken(nowNs, pending, cause, ResponseCode.invalid);
    }
    return { ok: true };
  }

  private spaceDestroy(nowNs: number, owner: string, ioasid: string): ControlReply {
    const space = this.routing.spaces.get(ioasid);
    if (space === undefined || space.destroyed) return refuse('notFound', `no space ${ioasid}`);
    if (space.owner !== owner) return refuse('notOwner', `space ${ioasid} belongs to ${space.owner}`);
    space.destroyed = true;
    this.tableOf(ioasid).clear();
    for (const device of this.routing.devices.values()) {
      for (const [key, attached] of device.attachments) {
        if (attached !== ioasid) continue;
        const pasid = key < 0 ? null : key;
        this.routing.attachmentSet(device.name, pasid, null);
        this.effects.command(device.iommu, { kind: 'attach', sid: device.sid, pasid, ioasid: null });
        this.effects.trace({ kind: 'attachmentChanged', t: nowNs, host: this.host.name, device: device.name, pasid, ioasid: null });
      }
    }
    const iommus = new Set([...this.routing.devices.values()].map((device) => device.iommu));
    for (const iommu of iommus) this.effects.command(iommu, { kind: 'destroy', ioasid });
    const taken = this.pending.takeWhere((pending) => pending.ioasid === ioasid);
    for (const pending of taken) this.autoRespondTaken(nowNs, pending, 'destroy', ResponseCode.invalid);
    return { ok: true };
  }

  private deviceUnplug(nowNs: number, owner: string, name: string): ControlReply {
    const device = this.routing.devices.get(name);
    if (device === undefined || !device.present) return refuse('notFound', `no device ${name}`);
    if (device.owner !== owner) return refuse('notOwner', `device ${name} belongs to ${device.owner}`);
    // iopf_queue_remove_device: drop partials, answer every pending group INVALID, then unpublish.
    const partials = this.assembly.discardDevice(name);
    for (const record of partials) this.dropTrace(nowNs, record, 'partialDiscarded');
    this.counters.partialsDiscarded += partials.length;
    const taken = this.pending.takeWhere((pending) => pending.device === name);
    for (const pending of taken) this.autoRespondTaken(nowNs, pending, 'unplug', ResponseCode.invalid);
    device.present = false;
    this.effects.command(device.iommu, { kind: 'unplug', sid: device.sid });
    return { ok: true };
  }

  private partialsDiscard(nowNs: number, iommu: string): void {
    const discarded = this.assembly.discardIommu(iommu);
    this.counters.partialsDiscarded += discarded.length;
    for (const record of discarded) this.dropTrace(nowNs, record, 'partialDiscarded');
  }

  private unrecoverable(fault: UnrecoverableFault): void {
    this.counters.unrecoverable++;
    const device = this.routing.devices.get(fault.device);
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

  private autoRespond(nowNs: number, pending: PendingGroup, cause: AutoResponseCause, code: ResponseCode): void {
    this.take(pending);
    this.autoRespondTaken(nowNs, pending, cause, code);
  }

  private autoRespondTaken(nowNs: number, pending: PendingGroup, cause: AutoResponseCause, code: ResponseCode): void {
    this.cookieByGroup.delete(`${pending.device}/${pending.prgIndex}/${pending.group}`);
    this.effects.trace({
      kind: 'groupAutoResponded',
      t: nowNs,
      host: this.host.name,
      device: pending.device,
      pasid: pending.pasid,
      group: pending.group,
      cookie: pending.cookie,
      code,
      cause,
    });
    this.pageResponseSend(pending, code);
  }

  private take(pending: PendingGroup): void {
    this.pending.take(pending.cookie);
    this.cookieByGroup.delete(`${pending.device}/${pending.prgIndex}/${pending.group}`);
  }

  private pageResponseSend(pending: PendingGroup, code: ResponseCode): void {
    this.effects.command(pending.iommu, {
      kind: 'pageResponse',
      sid: pending.sid,
      pasid: pending.pasid,
      prgIndex: pending.prgIndex,
      stall: pending.stall,
      code,
      group: pending.group,
      last: true,
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
    const device = this.routing.deviceBySidAny(record.iommu, record.sid);
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

  private tableOf(space: string): PageTable {
    const table = this.tables.get(space);
    assert(table !== undefined, `manager: no page table for space ${space}`);
    return table;
  }
}

function refuse(error: 'notFound' | 'notOwner' | 'busy' | 'invalidArgument', message: string): ControlReply {
  return { ok: false, error, message };
}

/** The per-hop timestamps a fault record carries into `faultRouted`, where the IOMMU set them. */
function faultRoutedStamps(record: FaultRecord): { issuedNs: number; iommuInNs?: number; iommuOutNs?: number; priQueueDepth?: number } {
  const stamps: { issuedNs: number; iommuInNs?: number; iommuOutNs?: number; priQueueDepth?: number } = { issuedNs: record.issuedNs };
  if (record.iommuInNs !== undefined) stamps.iommuInNs = record.iommuInNs;
  if (record.iommuOutNs !== undefined) stamps.iommuOutNs = record.iommuOutNs;
  if (record.priQueueDepth !== undefined) stamps.priQueueDepth = record.priQueueDepth;
  return stamps;
}
