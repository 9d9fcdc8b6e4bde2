/**
 * The checker: reads the trace as a stream, online, and checks the
 * invariants of DESIGN.md. Its memory is bounded by what is in flight (the
 * groups raised and not yet ended, the cookies delivered and not yet
 * answered) and by fixed-size rings of recent events for excerpts, never by
 * the length of the run.
 *
 *   1 accounting   every group ends once: completed at the device or abandoned;
 *                  and every access ends once: completed, failed or abandoned
 *                  (access-account.ts)
 *   2 routing      a fault reaches only the handler of the space attached for
 *                  its (device, pasid, stage) at that moment
 *   3 isolation    a fault never reaches a handler of another owner
 *   4 ownership    a response is accepted only from the owner of the cookie
 *   5 detach       after detach/replace no response reaches the device for the
 *                  groups that were auto-responded
 *   6 credits      outstanding page requests never exceed the PRI credits
 *
 * It keeps its own view of the attachments, from the topology and the
 * manager's `attachmentChanged` events, and routes independently of the
 * manager's code.
 */
import type { AutoResponseCause, ChaosTraceEvent, DropCause, RejectCause, Topology, TraceEvent } from '@ioasim/protocol';
import { AUTO_RESPONSE_CAUSES, DROP_CAUSES, REJECT_CAUSES } from '@ioasim/protocol';
import { AccessAccount, type DeviceAccesses } from './access-account.js';
import { hostView, pasidKey, routeExpected, type HostView } from './checker-view.js';
import { HostMap, TraceKeys, type TraceKey } from './trace-keys.js';

export const INVARIANTS = [
  { id: 1, name: 'accounting', description: 'every page request group ends exactly once: answered at the device or abandoned' },
  { id: 2, name: 'routing', description: 'a fault reaches only the handler of the space attached for its (device, pasid, stage)' },
  { id: 3, name: 'isolation', description: 'a fault never reaches a handler of another owner' },
  { id: 4, name: 'ownership', description: 'a response is accepted only from the owner of the cookie' },
  { id: 5, name: 'detach', description: 'no response reaches the device for a group auto-responded at detach or replace' },
  { id: 6, name: 'credits', description: 'a device never has more outstanding page requests than its credits' },
] as const;
export type InvariantName = (typeof INVARIANTS)[number]['name'];

export type Violation = {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly seed: number;
  readonly t: number;
  readonly excerpt: readonly TraceEvent[];
};

/** Violations kept with their excerpt per invariant; the rest are only counted. */
const VIOLATION_EXAMPLES_MAX = 5;
/** Events of recent history shown with a violation. */
const EXCERPT_EVENTS = 12;
/** Auto-responded cookies remembered for invariant 5. */
const AUTO_RESPONDED_REMEMBERED = 1 << 16;

type InFlight = {
  readonly host: string;
  readonly device: string;
  readonly group: number;
  readonly raisedNs: number;
  readonly requests: number;
  answer: 'handler' | 'auto' | null;
  /** The cookies routed for the group: what its end frees from `routed`. */
  cookies: TraceKey[] | null;
};
type Routed = { readonly ioasid: string; readonly device: string; readonly owner: string };

export type CheckerCounts = {
  raised: number;
  delivered: number;
  responded: number;
  autoResponded: number;
  abandoned: number;
  success: number;
  invalid: number;
  failure: number;
  retried: number;
  lateResponses: number;
  unrecoverable: number;
  autoRespondedByCause: Record<AutoResponseCause, number>;
  rejectedByCause: Record<RejectCause, number>;
  droppedByCause: Record<DropCause, number>;
  securityEvents: number;
};

export type SpaceCounts = { delivered: number; responded: number };

/** A group that never got its answer: still in flight at the end (stuck), or given up by its device (abandoned). */
export type UnansweredGroup = {
  readonly host: string;
  readonly device: string;
  readonly group: number;
  readonly raisedNs: number;
  /** How long it waited: to the end of the run if stuck, to its abandonment otherwise. */
  readonly ageNs: number;
  readonly state: 'stuck' | 'abandoned';
};

/** Abandoned groups remembered with their device and age; the rest are only counted. */
const ABANDONED_REMEMBERED = 64;

function zeroed<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
}

export class Checker {
  readonly counts: CheckerCounts = {
    raised: 0,
    delivered: 0,
    responded: 0,
    autoResponded: 0,
    abandoned: 0,
    success: 0,
    invalid: 0,
    failure: 0,
    retried: 0,
    lateResponses: 0,
    unrecoverable: 0,
    autoRespondedByCause: zeroed(AUTO_RESPONSE_CAUSES),
    rejectedByCause: zeroed(REJECT_CAUSES),
    droppedByCause: zeroed(DROP_CAUSES),
    securityEvents: 0,
  };
  readonly violationCounts = new Map<InvariantName, number>(INVARIANTS.map((invariant) => [invariant.name, 0]));
  readonly violations: Violation[] = [];
  readonly perSpace = new HostMap<SpaceCounts>();
  /** Chaos actions seen beside the trace, by action: counted, never a violation. */
  readonly chaosCounts = new Map<string, number>();
  /** The first abandoned groups, with their device and age (see ABANDONED_REMEMBERED). */
  readonly abandonedGroups: UnansweredGroup[] = [];
  /** Groups in flight when a requested cut-off (`--until`) stopped the run: counted apart, never stuck. */
  inFlightAtCut = 0;
  /** The accesses' account: abandoned and stuck accesses, checked at the end against each device's counters. */
  readonly accesses = new AccessAccount();
  /** Violations for work left in flight at the end (stuck groups and accesses): liveness, not safety. */
  stuckViolations = 0;
  /** Frames the at-least-once layer gave up on after its retransmission budget: lost, a liveness failure. */
  framesLost = 0;
  /** The first frames lost, each with its host and subject (see ABANDONED_REMEMBERED). */
  readonly framesLostFirst: { readonly host: string; readonly subject: string; readonly t: number }[] = [];
  /** End-to-end latency of each completed group, to a sink (histograms live in the report). */
  latencySink: (host: string, device: string, latencyNs: number) => void = () => {};
  private readonly hosts = new Map<string, HostView>();
  private readonly keys = new TraceKeys();
  /** Groups raised and not yet ended, by group key. */
  private readonly inFlight = new Map<TraceKey, InFlight>();
  /**
   * Cookies routed and not yet answered, by cookie key; freed once they can
   * no longer be answered (answered, auto-answered, their group ended or
   * abandoned, the run over), so that they are bounded by what is in flight.
   */
  private readonly routed = new Map<TraceKey, Routed>();
  /** The most cookies `routed` held at once. */
  routedPeak = 0;
  private readonly autoResponded = new Set<TraceKey>();
  /** The cookie key and group key of each auto-responded group, oldest first: the sets above forget the oldest. */
  private readonly autoRespondedOrder: (readonly [TraceKey, TraceKey])[] = [];
  /** The code each auto-responded group was answered with, by group key: no other answer may reach the device. */
  private readonly autoRespondedGroups = new Map<TraceKey, number>();
  private readonly recent: TraceEvent[] = [];
  private lastNs = 0;

  constructor(
    topology: Topology,
    private readonly seed: number,
  ) {
    for (const host of topology.hosts) this.hosts.set(host.name, hostView(host));
  }

  observe(event: TraceEvent): void {
    this.recent.push(event);
    if (this.recent.length > EXCERPT_EVENTS) this.recent.shift();
    if (event.t > this.lastNs) this.lastNs = event.t;
    switch (event.kind) {
      case 'groupRaised':
        this.groupRaised(event);
        return;
      case 'groupCompleted':
        this.completed(event);
        return;
      case 'groupAbandoned': {
        const key = this.keys.group(event.host, event.device, event.group);
        const inFlight = this.inFlight.get(key);
        if (inFlight === undefined) {
          this.violate('accounting', event.t, `group ${groupName(event)} abandoned but not in flight`);
          return;
        }
        this.inFlight.delete(key);
        this.cookiesFree(inFlight);
        this.creditsRelease(event.host, event.device, inFlight.requests);
        this.counts.abandoned++;
        if (this.abandonedGroups.length < ABANDONED_REMEMBERED) {
          this.abandonedGroups.push({ host: event.host, device: event.device, group: event.group, raisedNs: inFlight.raisedNs, ageNs: event.t - inFlight.raisedNs, state: 'abandoned' });
        }
        return;
      }
      case 'groupRetried':
        this.counts.retried++;
        return;
      case 'translationRetried':
        this.accesses.translationRetried();
        return;
      case 'accessAbandoned':
        this.accesses.accessAbandoned(event);
        return;
      case 'responseUnexpected':
        this.counts.lateResponses++;
        return;
      case 'faultRouted':
        this.faultRouted(event);
        return;
      case 'faultDelivered':
        this.faultDelivered(event);
        return;
      case 'groupAnswered':
        this.groupAnswered(event);
        return;
      case 'groupAutoResponded':
        this.groupAutoResponded(event);
        return;
      case 'responseRejected':
        this.counts.rejectedByCause[event.cause]++;
        if (event.cause === 'otherOwner') this.counts.securityEvents++;
        return;
      case 'attachmentChanged': {
        const device = this.hosts.get(event.host)?.devices.get(event.device);
        if (device === undefined) return;
        if (event.ioasid === null) device.attachments.delete(pasidKey(event.pasid));
        else device.attachments.set(pasidKey(event.pasid), event.ioasid);
        return;
      }
      case 'recordDropped':
        this.counts.droppedByCause[event.cause]++;
        return;
      case 'faultUnrecoverable':
        this.counts.unrecoverable++;
        return;
      case 'accessesCompleted':
        return;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  /**
   * The end of a run. A run that ended by itself has nothing left to answer
   * what is still in flight: those groups and accesses are stuck. A run
   * stopped at a requested cut-off (`cut`) still had work to do: what is in
   * flight then is counted as in flight at the cut-off, not as a broken
   * invariant. Either way the accounting must balance. `devices` are the
   * devices' final access counters; none: the accesses are not checked.
   */
  finish(cut = false, devices: readonly DeviceAccesses[] | null = null): void {
    if (cut) this.inFlightAtCut = this.inFlight.size;
    else {
      for (const inFlight of this.inFlight.values()) {
        this.stuckViolations++;
        this.violate('accounting', this.lastNs, `group ${groupName(inFlight)} raised at ${inFlight.raisedNs}ns never ended (stuck)`);
      }
    }
    for (const problem of devices === null ? [] : this.accesses.finish(devices, cut)) {
      if (problem.stuck) this.stuckViolations++;
      this.violate('accounting', this.lastNs, problem.message);
    }
    // Nothing can answer a cookie once the run is over.
    this.routed.clear();
    const ended = this.counts.responded + this.counts.autoResponded + this.counts.abandoned;
    if (ended + this.inFlight.size !== this.counts.raised) {
      const open = cut ? 'in flight at the cut-off' : 'stuck';
      this.violate('accounting', this.lastNs, `raised ${this.counts.raised} != responded + autoResponded + abandoned ${ended} + ${open} ${this.inFlight.size}`);
    }
  }

  /** Groups in flight and not at a cut-off: during the run, every open group; at its end, the stuck ones. */
  get stuck(): number {
    return this.inFlight.size - this.inFlightAtCut;
  }

  /** The stuck report: groups still in flight, oldest first, with their device and age at `nowNs`. */
  stuckGroups(nowNs: number, limit = 64): UnansweredGroup[] {
    const groups: UnansweredGroup[] = [];
    if (this.inFlightAtCut > 0) return groups;
    for (const { host, device, group, raisedNs } of this.inFlight.values()) {
      if (groups.length >= limit) break;
      groups.push({ host, device, group, raisedNs, ageNs: nowNs - raisedNs, state: 'stuck' });
    }
    return groups;
  }

  /** A chaos action (ChaosBus, a crash, a heal): counted beside the trace. */
  /** A frame given up by the at-least-once layer of `host` on `subject`: nothing will carry it again. */
  frameLost(host: string, subject: string, t: number): void {
    this.framesLost++;
    if (this.framesLostFirst.length < ABANDONED_REMEMBERED) this.framesLostFirst.push({ host, subject, t });
  }

  chaosObserve(event: ChaosTraceEvent): void {
    this.chaosCounts.set(event.action, (this.chaosCounts.get(event.action) ?? 0) + 1);
  }

  /**
   * Invariant 6 from the checker's own count: the requests of the device's
   * groups in flight, against the credits of the topology, whatever the
   * device says of itself.
   */
  private groupRaised(event: Extract<TraceEvent, { kind: 'groupRaised' }>): void {
    this.counts.raised++;
    this.inFlight.set(this.keys.group(event.host, event.device, event.group), {
      host: event.host,
      device: event.device,
      group: event.group,
      raisedNs: event.t,
      requests: event.requests,
      answer: null,
      cookies: null,
    });
    const device = this.hosts.get(event.host)?.devices.get(event.device);
    if (device === undefined) return;
    device.outstanding += event.requests;
    const credits = device.credits;
    if (credits === null) return;
    if (device.outstanding > credits || event.outstanding > credits) {
      const outstanding = Math.max(device.outstanding, event.outstanding);
      this.violate('credits', event.t, `${event.device} has ${outstanding} page requests outstanding, credits ${credits}`);
    }
  }

  private creditsRelease(host: string, deviceName: string, requests: number): void {
    const device = this.hosts.get(host)?.devices.get(deviceName);
    if (device !== undefined) device.outstanding -= requests;
  }

  private completed(event: Extract<TraceEvent, { kind: 'groupCompleted' }>): void {
    const key = this.keys.group(event.host, event.device, event.group);
    const inFlight = this.inFlight.get(key);
    const autoCode = this.autoRespondedGroups.get(key);
    if (autoCode !== undefined && (inFlight === undefined || event.code !== autoCode)) {
      this.violate('detach', event.t, `group ${groupName(event)} was auto-responded with code ${autoCode}, then a response with code ${event.code} reached the device`);
    }
    if (inFlight === undefined) {
      this.violate('accounting', event.t, `a second response for group ${groupName(event)} reached the device`);
      return;
    }
    this.inFlight.delete(key);
    this.cookiesFree(inFlight);
    this.creditsRelease(event.host, event.device, inFlight.requests);
    if (inFlight.answer === 'auto') this.counts.autoResponded++;
    else this.counts.responded++;
    if (event.code === 0) this.counts.success++;
    else if (event.code === 1) this.counts.invalid++;
    else this.counts.failure++;
    this.latencySink(event.host, event.device, event.latencyNs);
  }

  private faultRouted(event: Extract<TraceEvent, { kind: 'faultRouted' }>): void {
    const host = this.hosts.get(event.host);
    const expected = host === undefined ? null : routeExpected(host, event.device, event.pasid, event.stage);
    if (expected !== event.ioasid) {
      this.violate('routing', event.t, `${event.device} pasid ${String(event.pasid)} stage ${event.stage} routed to ${event.ioasid}, attached: ${String(expected)}`);
    }
    const owner = host?.spaces.get(event.ioasid)?.owner ?? '';
    const cookieKey = this.keys.cookie(event.host, event.cookie);
    this.routed.set(cookieKey, { ioasid: event.ioasid, device: event.device, owner });
    if (this.routed.size > this.routedPeak) this.routedPeak = this.routed.size;
    const inFlight = this.inFlight.get(this.keys.group(event.host, event.device, event.group));
    if (inFlight === undefined) return;
    if (inFlight.cookies === null) inFlight.cookies = [cookieKey];
    else inFlight.cookies.push(cookieKey);
  }

  /** Frees the cookies of a group that ended: no answer to them can reach its device any more. */
  private cookiesFree(inFlight: InFlight): void {
    if (inFlight.cookies === null) return;
    for (const cookieKey of inFlight.cookies) this.routed.delete(cookieKey);
    inFlight.cookies = null;
  }

  private faultDelivered(event: Extract<TraceEvent, { kind: 'faultDelivered' }>): void {
    this.counts.delivered++;
    this.space(event.host, event.ioasid).delivered++;
    const routed = this.routed.get(this.keys.cookie(event.host, event.cookie));
    if (routed !== undefined && routed.ioasid !== event.ioasid) {
      this.violate('routing', event.t, `cookie ${event.cookie} routed to ${routed.ioasid} reached the handler of ${event.ioasid}`);
    }
    const host = this.hosts.get(event.host);
    const deviceOwner = host?.devices.get(event.device)?.owner;
    const spaceOwner = host?.spaces.get(event.ioasid)?.owner;
    if (deviceOwner !== event.owner || spaceOwner !== event.owner) {
      this.violate('isolation', event.t, `a fault of ${event.device} (owner ${String(deviceOwner)}) reached a handler of ${event.owner}`);
    }
  }

  private groupAnswered(event: Extract<TraceEvent, { kind: 'groupAnswered' }>): void {
    const cookieKey = this.keys.cookie(event.host, event.cookie);
    const routed = this.routed.get(cookieKey);
    this.routed.delete(cookieKey);
    if (routed !== undefined) {
      this.space(event.host, routed.ioasid).responded++;
      if (routed.owner !== event.owner) {
        this.violate('ownership', event.t, `cookie ${event.cookie} of ${routed.owner} answered by ${event.owner}`);
      }
    }
    if (this.autoResponded.has(cookieKey)) {
      this.violate('detach', event.t, `cookie ${event.cookie} was auto-responded, then answered by its handler`);
    }
    const inFlight = this.inFlight.get(this.keys.group(event.host, event.device, event.group));
    if (inFlight !== undefined) inFlight.answer = 'handler';
  }

  private groupAutoResponded(event: Extract<TraceEvent, { kind: 'groupAutoResponded' }>): void {
    this.counts.autoRespondedByCause[event.cause]++;
    const groupKey = this.keys.group(event.host, event.device, event.group);
    const cookieKey = this.keys.cookie(event.host, event.cookie);
    if (event.cookie !== 0) {
      this.routed.delete(cookieKey);
      this.autoResponded.add(cookieKey);
    }
    this.autoRespondedGroups.set(groupKey, event.code);
    this.autoRespondedOrder.push([cookieKey, groupKey]);
    if (this.autoRespondedOrder.length > AUTO_RESPONDED_REMEMBERED) {
      const [oldCookieKey, oldGroupKey] = this.autoRespondedOrder.shift() as readonly [TraceKey, TraceKey];
      this.autoResponded.delete(oldCookieKey);
      this.autoRespondedGroups.delete(oldGroupKey);
    }
    const inFlight = this.inFlight.get(groupKey);
    if (inFlight !== undefined) inFlight.answer = 'auto';
  }

  private space(host: string, ioasid: string): SpaceCounts {
    return this.perSpace.ensure(host, ioasid, spaceCountsZero);
  }

  private violate(invariant: InvariantName, t: number, message: string): void {
    const count = (this.violationCounts.get(invariant) ?? 0) + 1;
    this.violationCounts.set(invariant, count);
    if (count <= VIOLATION_EXAMPLES_MAX) {
      this.violations.push({ invariant, message, seed: this.seed, t, excerpt: [...this.recent] });
    }
  }
}

function spaceCountsZero(): SpaceCounts {
  return { delivered: 0, responded: 0 };
}

/** How a violation names a group: `host/device/group`. */
function groupName(group: { readonly host: string; readonly device: string; readonly group: number }): string {
  return `${group.host}/${group.device}/${group.group}`;
}
