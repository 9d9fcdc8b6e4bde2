/**
 * The account of DMA accesses, kept beside the groups' account of invariant
 * 1: every access a device issues ends once, completed, failed or abandoned
 * (its translation request unanswered after `translationRetries` re-sends),
 * and none is still in flight at the end of a run that ended by itself.
 *
 *   issued = completed + failed + abandoned + in flight
 *
 * The checker cannot follow accesses one by one: a trace event per access
 * would cost more than the access. It takes each device's final counters
 * (its metrics record) and checks that they balance, that nothing is left in
 * flight, and that the device's count of abandoned accesses is the count of
 * `accessAbandoned` events the trace showed, each of which names the access.
 * Memory: the first ACCESSES_REMEMBERED abandoned accesses; the rest are
 * counted.
 */
import type { MetricsRecord, TraceEvent } from '@ioasim/protocol';

/** One device's accesses at the end of a run, from its final counters. */
export type DeviceAccesses = {
  readonly host: string;
  readonly device: string;
  readonly issued: number;
  readonly completed: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly inFlight: number;
};

/** Accesses a device gave up with their translation request, as its `accessAbandoned` event names them. */
export type AbandonedAccess = {
  readonly host: string;
  readonly device: string;
  readonly pasid: number | null;
  readonly page: number;
  /** Accesses that waited on this translation. */
  readonly accesses: number;
  /** Translation requests sent for it, the first and its re-sends. */
  readonly requests: number;
  readonly abandonedNs: number;
  readonly waitedNs: number;
};

/** A problem of the account, for the checker to report under invariant 1. */
export type AccessProblem = {
  readonly message: string;
  /** True when accesses were left in flight by a run that ended by itself (liveness, like a stuck group). */
  readonly stuck: boolean;
};

/** Abandoned accesses remembered with their device and page; the rest are only counted. */
const ACCESSES_REMEMBERED = 64;

/** The accesses of each device in `metrics` (the `device/<name>` records; a device's last record counts), in the order first seen. */
export function deviceAccessesOf(metrics: readonly MetricsRecord[]): DeviceAccesses[] {
  const devices = new Map<string, DeviceAccesses>();
  for (const record of metrics) {
    if (!record.actor.startsWith('device/')) continue;
    const counters = record.counters;
    const device = record.actor.slice('device/'.length);
    devices.set(`${record.host}/${device}`, {
      host: record.host,
      device,
      issued: counters['accessesIssued'] ?? 0,
      completed: counters['accessesCompleted'] ?? 0,
      failed: counters['accessesFailed'] ?? 0,
      abandoned: counters['accessesAbandoned'] ?? 0,
      inFlight: counters['accessesInFlight'] ?? 0,
    });
  }
  return [...devices.values()];
}

/** How a message names an access: its device, page and PASID (or the RID). */
export function accessName(access: { readonly host: string; readonly device: string; readonly pasid: number | null; readonly page: number }): string {
  return `${access.host}/${access.device} access to page ${access.page} of ${access.pasid === null ? 'the RID' : `PASID ${access.pasid}`}`;
}

/** An abandoned access in words: which access, how many waited on it, and how long its device tried. */
export function abandonedAccessLine(access: AbandonedAccess): string {
  return (
    `${accessName(access)} abandoned after ${access.requests} translation request(s) unanswered for ${access.waitedNs}ns` +
    ` (${access.accesses} access(es), at ${access.abandonedNs}ns)`
  );
}

export class AccessAccount {
  /** Accesses abandoned, as the trace showed them. */
  abandoned = 0;
  /** Translation requests re-sent after their timeout. */
  translationsRetried = 0;
  /** Accesses left in flight by a run that ended by itself, and at a requested cut-off. */
  stuck = 0;
  inFlightAtCut = 0;
  /** The first abandoned accesses (see ACCESSES_REMEMBERED). */
  readonly abandonedAccesses: AbandonedAccess[] = [];
  /** Abandoned accesses by `host/device`, from the trace, to check against each device's own count. */
  private readonly abandonedByDevice = new Map<string, number>();

  translationRetried(): void {
    this.translationsRetried++;
  }

  accessAbandoned(event: Extract<TraceEvent, { kind: 'accessAbandoned' }>): void {
    this.abandoned += event.accesses;
    const key = `${event.host}/${event.device}`;
    this.abandonedByDevice.set(key, (this.abandonedByDevice.get(key) ?? 0) + event.accesses);
    if (this.abandonedAccesses.length >= ACCESSES_REMEMBERED) return;
    const { host, device, pasid, page, accesses, requests, waitedNs } = event;
    this.abandonedAccesses.push({ host, device, pasid, page, accesses, requests, abandonedNs: event.t, waitedNs });
  }

  /**
   * Checks each device's account at the end of the run. At a requested
   * cut-off (`cut`) what is in flight is counted apart, not stuck.
   */
  finish(devices: readonly DeviceAccesses[], cut: boolean): AccessProblem[] {
    const problems: AccessProblem[] = [];
    const abandonedSeen = new Map(this.abandonedByDevice);
    for (const account of devices) {
      const name = `${account.host}/${account.device}`;
      const ended = account.completed + account.failed + account.abandoned;
      if (ended + account.inFlight !== account.issued) {
        problems.push({
          message: `${name} accesses: issued ${account.issued} != completed + failed + abandoned ${ended} + in flight ${account.inFlight}`,
          stuck: false,
        });
      }
      const traced = abandonedSeen.get(name) ?? 0;
      abandonedSeen.delete(name);
      if (traced !== account.abandoned) {
        problems.push({ message: `${name} counts ${account.abandoned} access(es) abandoned, its trace named ${traced}`, stuck: false });
      }
      if (account.inFlight === 0) continue;
      if (cut) {
        this.inFlightAtCut += account.inFlight;
        continue;
      }
      this.stuck += account.inFlight;
      problems.push({ message: `${name}: ${account.inFlight} access(es) issued never ended (stuck)`, stuck: true });
    }
    for (const [name, traced] of abandonedSeen) {
      problems.push({ message: `${name} has no account, its trace named ${traced} access(es) abandoned`, stuck: false });
    }
    return problems;
  }
}
