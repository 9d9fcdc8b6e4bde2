/**
 * Per-hop latency of each fault group, from the timestamps its trace events
 * carry: the last request leaves the device (`issuedNs`), reaches the IOMMU
 * and leaves its PRI queue (`iommuInNs`, `iommuOutNs`, in `faultRouted`),
 * reaches the manager (`faultRouted.t`), leaves its dispatch queue
 * (`dispatchedNs`, in `faultDelivered`), reaches the handler
 * (`faultDelivered.t`), is answered at the manager (`groupAnswered.t`), and
 * its PRG response reaches the device (`groupCompleted.t`).
 *
 * A group's hops are recorded when it completes at the device after its
 * handler answered; an auto-responded or abandoned group has no handler hops
 * and counts only end to end. Memory is bounded by the groups in flight: an
 * entry is made at routing and removed at completion or abandonment. Hops are
 * kept in total, and per device and per space for the first
 * HOP_BREAKDOWN_MAX of each (a fleet would need thousands of histograms);
 * the groups of the others are counted in `breakdownOmitted`.
 */
import type { TraceEvent } from '@ioasim/protocol';
import { latencyHistogram, latencyRecord, latencyTallyNew, type LatencyHistogram, type LatencyTally } from './latency.js';
import { HostMap, TraceKeys, type TraceKey } from './trace-keys.js';

/** The hops of the fault path, in path order. */
export const HOPS = [
  'deviceToIommu',
  'iommuQueue',
  'iommuToManager',
  'managerDispatch',
  'managerToHandler',
  'handler',
  'handlerToDevice',
] as const;
export type HopName = (typeof HOPS)[number];

export const HOP_DESCRIPTIONS: Readonly<Record<HopName, string>> = {
  deviceToIommu: 'device to iommu: the link',
  iommuQueue: 'iommu PRI queue: waiting and processing',
  iommuToManager: 'iommu to manager: the link',
  managerDispatch: 'manager: routing and dispatch queue',
  managerToHandler: 'manager to handler: the link',
  handler: 'handler: queue, service, mapping, answer to the manager',
  handlerToDevice: 'manager to device: page response, iommu, PRG response',
};

/** Devices, and spaces, that get histograms of their own hops. */
export const HOP_BREAKDOWN_MAX = 64;

export type HopHistograms = Readonly<Record<HopName, LatencyHistogram>>;

/** Full HDR histograms for the totals, tallies for a device's or a space's own. */
function hopHistograms(histogram: () => LatencyHistogram): HopHistograms {
  return {
    deviceToIommu: histogram(),
    iommuQueue: histogram(),
    iommuToManager: histogram(),
    managerDispatch: histogram(),
    managerToHandler: histogram(),
    handler: histogram(),
    handlerToDevice: histogram(),
  };
}

function hopTallies(): HopHistograms {
  return hopHistograms(latencyTallyNew);
}

type InFlight = {
  readonly ioasid: string;
  readonly issuedNs: number | null;
  readonly iommuInNs: number | null;
  readonly iommuOutNs: number | null;
  readonly routedNs: number;
  dispatchedNs: number | null;
  deliveredNs: number | null;
  answeredNs: number | null;
};

export class HopBook {
  readonly hops: HopHistograms = hopHistograms(latencyHistogram);
  /** End-to-end latency per space of the groups routed to it. */
  readonly perSpace = new HostMap<LatencyTally>();
  /** Hops per device and per space, for the first HOP_BREAKDOWN_MAX of each. */
  readonly perDeviceHops = new HostMap<HopHistograms>();
  readonly perSpaceHops = new HostMap<HopHistograms>();
  /** Group records left out of a device's or a space's hops (beyond HOP_BREAKDOWN_MAX); they count in total. */
  breakdownOmitted = 0;
  private readonly keys = new TraceKeys();
  private readonly inFlight = new Map<TraceKey, InFlight>();

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  observe(event: TraceEvent): void {
    switch (event.kind) {
      case 'faultRouted':
        this.inFlight.set(this.keys.group(event.host, event.device, event.group), {
          ioasid: event.ioasid,
          issuedNs: event.issuedNs ?? null,
          iommuInNs: event.iommuInNs ?? null,
          iommuOutNs: event.iommuOutNs ?? null,
          routedNs: event.t,
          dispatchedNs: null,
          deliveredNs: null,
          answeredNs: null,
        });
        return;
      case 'faultDelivered': {
        const entry = this.inFlight.get(this.keys.group(event.host, event.device, event.group));
        if (entry === undefined) return;
        entry.dispatchedNs = event.dispatchedNs ?? null;
        entry.deliveredNs = event.t;
        return;
      }
      case 'groupAnswered': {
        const entry = this.inFlight.get(this.keys.group(event.host, event.device, event.group));
        if (entry !== undefined) entry.answeredNs = event.t;
        return;
      }
      case 'groupCompleted':
        this.completed(event);
        return;
      case 'groupAbandoned':
        this.inFlight.delete(this.keys.group(event.host, event.device, event.group));
        return;
      default:
        return;
    }
  }

  private completed(event: Extract<TraceEvent, { kind: 'groupCompleted' }>): void {
    const key = this.keys.group(event.host, event.device, event.group);
    const entry = this.inFlight.get(key);
    if (entry === undefined) return;
    this.inFlight.delete(key);
    latencyRecord(this.perSpace.ensure(event.host, entry.ioasid, latencyTallyNew), event.latencyNs);
    if (entry.answeredNs === null || entry.deliveredNs === null) return;
    const targets = [this.hops];
    const device = this.breakdown(this.perDeviceHops, event.host, event.device);
    if (device !== null) targets.push(device);
    const space = this.breakdown(this.perSpaceHops, event.host, entry.ioasid);
    if (space !== null) targets.push(space);
    const { issuedNs, iommuInNs, iommuOutNs, routedNs, dispatchedNs, deliveredNs, answeredNs } = entry;
    for (const hops of targets) {
      if (issuedNs !== null && iommuInNs !== null && iommuOutNs !== null) {
        latencyRecord(hops.deviceToIommu, iommuInNs - issuedNs);
        latencyRecord(hops.iommuQueue, iommuOutNs - iommuInNs);
        latencyRecord(hops.iommuToManager, routedNs - iommuOutNs);
      }
      if (dispatchedNs !== null) {
        latencyRecord(hops.managerDispatch, dispatchedNs - routedNs);
        latencyRecord(hops.managerToHandler, deliveredNs - dispatchedNs);
      }
      latencyRecord(hops.handler, answeredNs - deliveredNs);
      latencyRecord(hops.handlerToDevice, event.t - answeredNs);
    }
  }

  private breakdown(map: HostMap<HopHistograms>, host: string, name: string): HopHistograms | null {
    const hops = map.get(host, name);
    if (hops !== undefined) return hops;
    if (map.size >= HOP_BREAKDOWN_MAX) {
      this.breakdownOmitted++;
      return null;
    }
    return map.ensure(host, name, hopTallies);
  }
}
