/**
 * The IOMMU: its stream table and its view of the page tables, a bounded PRI
 * queue and a bounded event queue. It answers translation requests by walking
 * the attached space (stage 1, then the parent's stage 2 for a nested space),
 * queues page requests and reports them to the manager as fault records with
 * the stage that failed, and turns the manager's page responses into PRG
 * responses to the device.
 *
 * When the PRI queue is full, a page request is dropped and counted, and the
 * manager is told, so that it discards the partial groups of this queue
 * (iopf_queue_discard_partial): the L=1 request of any of them may be lost.
 * With a `priQuota`, a device holding that many entries of the queue has its
 * next request dropped the same way (cause `priQuota`), even if the queue
 * has room: the other devices keep their share.
 */
import {
  type AtcInvalidation,
  type DeviceConfig,
  type FaultRecord,
  type HostConfig,
  type IommuCommand,
  type IommuConfig,
  type IommuReport,
  type PageRequest,
  type PrgResponse,
  type Stage,
  type TraceEvent,
  type TranslationCompletion,
  type TranslationRequest,
} from '@ioasim/protocol';
import { unreachable } from './assert.js';
import { costSample } from './cost.js';
import { ObjectTable } from './object-table.js';
import { PriQuota } from './pri-quota.js';
import type { Random } from './random.js';
import type { RoutingTable } from './routing-table.js';
import { ServerQueue } from './server-queue.js';

export interface IommuEffects {
  translationCompletion(device: string, completion: TranslationCompletion): void;
  /** Reports to the manager after `delayNs` of modeled processing (0 = now). */
  report(delayNs: number, report: IommuReport): void;
  prgResponse(device: string, response: PrgResponse): void;
  /** An ATS invalidation to a device whose cached translations may have changed (none when absent: no device ATC to keep). */
  atcInvalidation?(device: string, invalidation: AtcInvalidation): void;
  trace(event: TraceEvent): void;
}

export type Walk = { readonly ok: true } | { readonly ok: false; readonly stage: Stage };

export type IommuCounters = {
  translations: number;
  translationMisses: number;
  pageRequests: number;
  priOverflows: number;
  /** Page requests dropped because their device held its whole `priQuota` (counted in priOverflows too). */
  priQuotaDrops: number;
  eventOverflows: number;
  unrecoverable: number;
  responsesToAbsentDevices: number;
  responsesForPartials: number;
  /** Commands refused because they name a space or a stream this IOMMU does not have, or a space still in use (see commandRefusal). */
  commandsRefused: number;
};

export class IommuState {
  readonly counters: IommuCounters = {
    translations: 0,
    translationMisses: 0,
    pageRequests: 0,
    priOverflows: 0,
    priQuotaDrops: 0,
    eventOverflows: 0,
    unrecoverable: 0,
    responsesToAbsentDevices: 0,
    responsesForPartials: 0,
    commandsRefused: 0,
  };
  /** The IOMMU's view of the host's objects: built as the manager's are, kept equal by its commands. */
  readonly objects: ObjectTable;
  private readonly routing: RoutingTable;
  private readonly devices = new Map<number, DeviceConfig>();
  private readonly priQueue: ServerQueue;
  private readonly eventQueue: ServerQueue;
  private readonly priQuota: PriQuota | null;
  /** PRI records dropped since the last overflow report. */
  private priDroppedUnreported = 0;
  /** When the last admitted PRI record leaves the queue. */
  private priLastFinishNs = 0;

  constructor(
    readonly host: HostConfig,
    readonly config: IommuConfig,
    private readonly random: Random,
    private readonly effects: IommuEffects,
  ) {
    this.objects = new ObjectTable(host);
    this.routing = this.objects.routing;
    for (const device of host.devices) if (device.iommu === config.name) this.devices.set(device.sid, device);
    this.priQueue = new ServerQueue(config.priQueue);
    this.eventQueue = new ServerQueue(config.eventQueue);
    this.priQuota = config.priQuota === null ? null : new PriQuota(config.priQuota);
  }

  get name(): string {
    return this.config.name;
  }

  priQueueDepth(nowNs: number): number {
    return this.priQueue.depth(nowNs);
  }

  walk(sid: number, pasid: number | null, page: number, perm: number): Walk {
    const device = this.routing.deviceBySid(this.config.name, sid);
    if (device === null) return { ok: false, stage: 1 };
    const attached = this.routing.attachedSpace(device, pasid);
    if (attached === null) return { ok: false, stage: 1 };
    const space = this.routing.spaces.get(attached.space);
    if (space === undefined || space.destroyed) return { ok: false, stage: 1 };
    if (!this.objects.tableOf(space.name).permits(page, perm)) return { ok: false, stage: 1 };
    if (space.kind === 'nested' && space.parent !== null && !this.objects.tableOf(space.parent).permits(page, perm)) {
      return { ok: false, stage: 2 };
    }
    return { ok: true };
  }

  translationRequests(nowNs: number, requests: readonly TranslationRequest[]): void {
    for (const request of requests) {
      this.counters.translations++;
      const walk = this.walk(request.sid, request.pasid, request.page, request.perm);
      if (!walk.ok) this.counters.translationMisses++;
      const device = this.devices.get(request.sid);
      if (!walk.ok && device !== undefined && device.pri === null && !device.stall) {
        this.unrecoverableReport(nowNs, device, request, walk.stage);
      }
      this.effects.translationCompletion(request.device, {
        pasid: request.pasid,
        page: request.page,
        perm: request.perm,
        ok: walk.ok,
      });
    }
  }

  pageRequests(nowNs: number, requests: readonly PageRequest[]): void {
    for (const request of requests) {
      this.counters.pageRequests++;
      if (this.priQuota !== null && !this.priQuota.admits(nowNs, request.device)) {
        this.counters.priQuotaDrops++;
        this.priOverflow(nowNs, request, 'priQuota');
        continue;
      }
      const admission = this.priQueue.admit(nowNs, costSample(this.config.service, this.random));
      if (!admission.accepted) {
        this.priOverflow(nowNs, request, 'priQueueFull');
        continue;
      }
      this.priQuota?.take(request.device, admission.finishNs);
      this.priLastFinishNs = admission.finishNs;
      const walk = this.walk(request.sid, request.pasid, request.page, request.perm);
      const record: FaultRecord = {
        kind: 'pageRequest',
        iommu: this.config.name,
        sid: request.sid,
        pasid: request.pasid,
        prgIndex: request.prgIndex,
        page: request.page,
        perm: request.perm,
        last: request.last,
        stall: request.stall,
        stage: walk.ok ? 1 : walk.stage,
        group: request.group,
        issuedNs: request.issuedNs,
        iommuInNs: nowNs,
        iommuOutNs: admission.finishNs,
        priQueueDepth: this.priQueue.depth(nowNs),
      };
      this.effects.report(admission.finishNs - nowNs, record);
    }
    // The overflow report follows every record queued before it, as the OVF flag follows the queue.
    if (this.priDroppedUnreported > 0) this.overflowReport(Math.max(0, this.priLastFinishNs - nowNs));
  }

  commands(nowNs: number, commands: readonly IommuCommand[]): void {
    for (const command of commands) this.command(nowNs, command);
  }

  /**
   * Why the IOMMU refuses a command, as the kernel refuses an ioctl naming an
   * object it does not hold; null when it applies. The manager never sends
   * these (it checks the same against its own table first, and detaches a
   * space everywhere before destroying it, on this same ordered subject): a
   * refused command comes from outside the system and is counted.
   */
  commandRefusal(command: IommuCommand): string | null {
    switch (command.kind) {
      case 'pageResponse':
        return null;
      case 'map':
      case 'unmap':
        return this.spaceRefusal(command.ioasid);
      case 'attach':
        if (this.routing.deviceBySidAny(this.config.name, command.sid) === null) return `no stream ${command.sid} at ${this.config.name}`;
        return command.ioasid === null ? null : this.spaceRefusal(command.ioasid);
      case 'destroy': {
        const refusal = this.spaceRefusal(command.ioasid);
        if (refusal !== null) return refusal;
        for (const device of this.routing.devices.values()) {
          if (device.iommu !== this.config.name) continue;
          for (const attached of device.attachments.values()) {
            if (attached === command.ioasid || this.routing.spaces.get(attached)?.parent === command.ioasid) {
              return `space ${command.ioasid} is in use by ${device.name}`;
            }
          }
        }
        return null;
      }
      case 'unplug':
        return this.routing.deviceBySidAny(this.config.name, command.sid) === null ? `no stream ${command.sid} at ${this.config.name}` : null;
      default:
        return unreachable(command);
    }
  }

  private spaceRefusal(ioasid: string): string | null {
    const space = this.routing.spaces.get(ioasid);
    if (space === undefined || this.objects.tableFind(ioasid) === undefined) return `no space ${ioasid}`;
    return space.destroyed ? `space ${ioasid} is destroyed` : null;
  }

  private command(nowNs: number, command: IommuCommand): void {
    if (this.commandRefusal(command) !== null) {
      this.counters.commandsRefused++;
      return;
    }
    switch (command.kind) {
      case 'pageResponse':
        this.pageResponse(command);
        return;
      case 'map':
        for (const page of command.pages) this.objects.tableOf(command.ioasid).map(page, command.perm);
        return;
      case 'unmap':
        for (const page of command.pages) this.objects.tableOf(command.ioasid).unmap(page);
        this.atcInvalidateUsers(command.ioasid, command.pages);
        return;
      case 'attach': {
        const device = this.routing.deviceBySidAny(this.config.name, command.sid);
        if (device === null) return;
        this.routing.attachmentSet(device.name, command.pasid, command.ioasid);
        // Detach, replace and attach change what the device may translate: its ATC is flushed.
        if (device.present) this.effects.atcInvalidation?.(device.name, { pages: null });
        return;
      }
      case 'destroy': {
        const space = this.routing.spaces.get(command.ioasid);
        if (space !== undefined) space.destroyed = true;
        this.objects.tableFind(command.ioasid)?.clear();
        return;
      }
      case 'unplug': {
        const device = this.routing.deviceBySidAny(this.config.name, command.sid);
        if (device !== null) device.present = false;
        return;
      }
      default:
        unreachable(command);
    }
    void nowNs;
  }

  /** Invalidates `pages` at every present device of this iommu attached to `ioasid` or to a space nested over it. */
  private atcInvalidateUsers(ioasid: string, pages: readonly number[]): void {
    for (const device of this.routing.devices.values()) {
      if (device.iommu !== this.config.name || !device.present) continue;
      let uses = false;
      for (const attached of device.attachments.values()) {
        if (attached === ioasid || this.routing.spaces.get(attached)?.parent === ioasid) uses = true;
      }
      if (uses) this.effects.atcInvalidation?.(device.name, { pages });
    }
  }

  private pageResponse(command: Extract<IommuCommand, { kind: 'pageResponse' }>): void {
    if (!command.last) {
      this.counters.responsesForPartials++;
      return;
    }
    const device = this.routing.deviceBySid(this.config.name, command.sid);
    if (device === null) {
      this.counters.responsesToAbsentDevices++;
      return;
    }
    this.effects.prgResponse(device.name, {
      pasid: command.pasid,
      prgIndex: command.prgIndex,
      code: command.code,
      group: command.group,
    });
  }

  private priOverflow(nowNs: number, request: PageRequest, cause: 'priQueueFull' | 'priQuota'): void {
    this.counters.priOverflows++;
    this.priDroppedUnreported++;
    this.effects.trace({
      kind: 'recordDropped',
      t: nowNs,
      host: this.host.name,
      actor: `iommu/${this.config.name}`,
      cause,
      device: request.device,
      group: request.group,
      pasid: request.pasid,
    });
  }

  private overflowReport(delayNs: number): void {
    this.effects.report(delayNs, {
      kind: 'overflow',
      iommu: this.config.name,
      queue: 'pri',
      dropped: this.priDroppedUnreported,
    });
    this.priDroppedUnreported = 0;
  }

  /**
   * An event record costs the queue's modeled service like a PRI record, so
   * that a burst fills the bounded event queue; a full queue loses the event
   * (the OVF flag) and counts it.
   */
  private unrecoverableReport(nowNs: number, device: DeviceConfig, request: TranslationRequest, stage: Stage): void {
    const admission = this.eventQueue.admit(nowNs, costSample(this.config.service, this.random));
    if (!admission.accepted) {
      this.counters.eventOverflows++;
      return;
    }
    this.counters.unrecoverable++;
    this.effects.report(admission.finishNs - nowNs, {
      kind: 'unrecoverable',
      iommu: this.config.name,
      device: device.name,
      sid: request.sid,
      pasid: request.pasid,
      page: request.page,
      perm: request.perm,
      stage,
      reason: 'noPri',
      t: nowNs,
    });
  }

}
