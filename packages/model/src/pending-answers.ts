/**
 * The answers the manager owes: every fault group delivered to a handler and
 * not yet answered (PendingGroups, by cookie), the cookie of each pending
 * group by the (device, prgIndex, group) its page requests name, so that a
 * re-issued group keeps its cookie, and the page responses that end them.
 *
 * A group leaves the table exactly once: answered by its handler (`answer`),
 * or by the manager on the handler's behalf (`autoRespond`, `autoRespondWhere`:
 * a detach, replace, destroy, unplug, handler error or response timeout).
 * Either way its page response goes to the group's IOMMU on the ordered
 * command subject, after any page-table update already commanded.
 *
 * The fault path adds groups and answers them; the control operations
 * answer the groups of what they end. Both depend on this; neither on the
 * other.
 */
import { ResponseCode, type AutoResponseCause, type IommuCommand, type PageResponse, type TraceEvent } from '@ioasim/protocol';
import { PendingGroups, type CookieLookup, type PendingGroup } from './pending-groups.js';

/** What answering a group sends: the page response to its IOMMU, and the trace. */
export interface AnswerEffects {
  command(iommu: string, command: IommuCommand): void;
  trace(event: TraceEvent): void;
}

export class PendingAnswers {
  readonly groups: PendingGroups;
  /** Pending cookies by (device, prgIndex, group): a re-issued group keeps its cookie and is delivered again. */
  private readonly cookieByGroup = new Map<string, number>();

  constructor(
    private readonly host: string,
    private readonly effects: AnswerEffects,
    /** The first cookie to give: a manager restarted after a crash starts past its predecessor's. */
    firstCookie = 1,
  ) {
    this.groups = new PendingGroups(firstCookie);
  }

  cookieAllocate(): number {
    return this.groups.cookieAllocate();
  }

  /** The cookie of the pending group a device's page requests name; undefined when none is pending. */
  cookieOf(device: string, prgIndex: number, group: number): number | undefined {
    return this.cookieByGroup.get(groupKeyOf(device, prgIndex, group));
  }

  lookup(cookie: number): CookieLookup {
    return this.groups.lookup(cookie);
  }

  add(pending: PendingGroup): void {
    this.groups.add(pending);
    this.cookieByGroup.set(groupKeyOf(pending.device, pending.prgIndex, pending.group), pending.cookie);
  }

  /** The handler's answer to a pending group, checked by the fault path: the group ends with its code. */
  answer(nowNs: number, pending: PendingGroup, response: PageResponse): void {
    this.take(pending);
    this.effects.trace({
      kind: 'groupAnswered',
      t: nowNs,
      host: this.host,
      device: pending.device,
      cookie: pending.cookie,
      group: pending.group,
      code: response.code,
      owner: response.owner,
    });
    this.pageResponseSend(pending, response.code);
  }

  /** Answers a pending group on its handler's behalf. */
  autoRespond(nowNs: number, pending: PendingGroup, cause: AutoResponseCause, code: ResponseCode): void {
    this.take(pending);
    this.autoRespondTaken(nowNs, pending, cause, code);
  }

  /** Answers INVALID every pending group matching `predicate`: those of an attachment, space or device that ended. */
  autoRespondWhere(nowNs: number, predicate: (pending: PendingGroup) => boolean, cause: AutoResponseCause): void {
    const taken = this.groups.takeWhere(predicate);
    for (const pending of taken) this.autoRespondTaken(nowNs, pending, cause, ResponseCode.invalid);
  }

  private autoRespondTaken(nowNs: number, pending: PendingGroup, cause: AutoResponseCause, code: ResponseCode): void {
    this.cookieByGroup.delete(groupKeyOf(pending.device, pending.prgIndex, pending.group));
    this.effects.trace({
      kind: 'groupAutoResponded',
      t: nowNs,
      host: this.host,
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
    this.groups.take(pending.cookie);
    this.cookieByGroup.delete(groupKeyOf(pending.device, pending.prgIndex, pending.group));
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
}

/** The key of `cookieByGroup`: a device's group as its page requests name it. */
function groupKeyOf(device: string, prgIndex: number, group: number): string {
  return `${device}/${prgIndex}/${group}`;
}
