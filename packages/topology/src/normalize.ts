/**
 * From a valid input to the normal form (`Topology` in @ioasim/protocol):
 * units resolved to nanoseconds and per-second rates, every default applied,
 * fleets expanded.
 *
 * It runs only on an input that passed validation, so it checks nothing; the
 * defaults are those of TOPOLOGY.md and are written here and in `DEFAULTS`
 * only.
 */
import type {
  AttachmentConfig,
  ChaosRule,
  Cost,
  DeviceConfig,
  FrontendKind,
  HostConfig,
  IommuConfig,
  LinksConfig,
  OwnerConfig,
  RateStep,
  Settings,
  SpaceConfig,
  TimelineAction,
  TimelineEntry,
  Topology,
  WorkloadConfig,
  WorkloadPattern,
} from '@ioasim/protocol';
import { copyWidth, fleetExpand, fleetSummary } from './fleet.js';
import { DEFAULTS } from './schema.js';
import type {
  ChaosRuleInput,
  CostInput,
  DeviceInput,
  HostInput,
  IommuInput,
  OwnerInput,
  SettingsInput,
  SpaceInput,
  TimelineEntryInput,
  TopologyInput,
  WorkloadInput,
} from './schema.js';
import { parseDuration, parseRate } from './units.js';

export function costNormalize(value: CostInput): Cost {
  if (typeof value === 'number' || typeof value === 'string') return { dist: 'fixed', valueNs: parseDuration(value) };
  switch (value.dist) {
    case 'exp':
      return { dist: 'exp', meanNs: parseDuration(value.mean) };
    case 'uniform':
      return { dist: 'uniform', minNs: parseDuration(value.min), maxNs: parseDuration(value.max) };
    case 'fixed':
      return { dist: 'fixed', valueNs: parseDuration(value.value) };
    default: {
      const exhaustive: never = value;
      return exhaustive;
    }
  }
}

function iommuNormalize(iommu: IommuInput): IommuConfig {
  return {
    name: iommu.name,
    kind: iommu.kind,
    priQueue: iommu.priQueue ?? DEFAULTS.priQueue,
    eventQueue: iommu.eventQueue ?? DEFAULTS.eventQueueIommu,
    service: costNormalize(iommu.service ?? 0),
    priQuota: iommu.priQuota ?? null,
  };
}

function ownerNormalize(owner: OwnerInput): OwnerConfig {
  return { name: owner.name, frontend: owner.frontend, eventQueue: owner.eventQueue ?? DEFAULTS.eventQueueOwner };
}

function spaceNormalize(space: SpaceInput): SpaceConfig {
  return {
    name: space.name,
    owner: space.owner,
    kind: space.kind ?? 'unmanaged',
    parent: space.parent ?? null,
    iopf: space.iopf ?? true,
    handler: {
      policy: space.handler?.policy ?? 'map',
      service: costNormalize(space.handler?.service ?? DEFAULTS.handlerService),
    },
  };
}

function deviceNormalize(device: DeviceInput, owners: ReadonlyMap<string, FrontendKind>): DeviceConfig {
  const attach: AttachmentConfig[] = (device.attach ?? []).map((attachment) => ({
    space: attachment.space,
    pasid: attachment.pasid ?? null,
    asid: attachment.asid ?? null,
  }));
  return {
    name: device.name,
    iommu: device.iommu,
    sid: device.sid,
    owner: device.owner,
    // Validation found the owner, so its frontend is known.
    frontend: device.frontend ?? owners.get(device.owner) ?? 'vfio',
    pasids: device.pasids ?? 0,
    asids: device.asids ?? 0,
    pri: device.pri === undefined ? null : { credits: device.pri.credits },
    stall: device.stall ?? false,
    vf: device.vf ?? false,
    atc: device.atc ?? DEFAULTS.atc,
    attach,
  };
}

function patternNormalize(pattern: WorkloadInput['pattern']): WorkloadPattern {
  const given = typeof pattern === 'string' ? { kind: pattern } : (pattern ?? { kind: 'uniform' as const });
  switch (given.kind) {
    case 'uniform':
    case 'sequential':
      return { kind: given.kind };
    case 'zipf':
      return { kind: 'zipf', exponent: ('exponent' in given ? given.exponent : undefined) ?? DEFAULTS.zipfExponent };
    case 'hotspot':
      return {
        kind: 'hotspot',
        hotFraction: ('fraction' in given ? given.fraction : undefined) ?? DEFAULTS.hotspotFraction,
        hotAccess: ('access' in given ? given.access : undefined) ?? DEFAULTS.hotspotAccess,
      };
    default: {
      const exhaustive: never = given;
      return exhaustive;
    }
  }
}

function rateNormalize(rate: WorkloadInput['rate']): RateStep[] {
  if (!Array.isArray(rate)) return [{ atNs: 0, perSecond: parseRate(rate) }];
  return rate.map((step) => ({ atNs: parseDuration(step.at), perSecond: parseRate(step.rate) }));
}

function workloadNormalize(workload: WorkloadInput): WorkloadConfig {
  return {
    device: workload.device,
    pasid: workload.pasid ?? null,
    asid: workload.asid ?? null,
    pages: workload.pages,
    pattern: patternNormalize(workload.pattern),
    rate: rateNormalize(workload.rate),
    count: workload.count ?? null,
    durationNs: workload.duration === undefined ? null : parseDuration(workload.duration),
    write: workload.write ?? 0,
    mapped: workload.mapped ?? 0,
    arrival: workload.arrival ?? 'poisson',
    prgSize: workload.prgSize ?? 1,
  };
}

function hostNormalize(host: HostInput): HostConfig {
  const owners = (host.owners ?? []).map(ownerNormalize);
  const frontends = new Map(owners.map((owner) => [owner.name, owner.frontend]));
  return {
    name: host.name,
    iommus: (host.iommus ?? []).map(iommuNormalize),
    manager: { service: costNormalize(host.manager?.service ?? 0) },
    owners,
    spaces: (host.spaces ?? []).map(spaceNormalize),
    devices: (host.devices ?? []).map((device) => deviceNormalize(device, frontends)),
    workloads: (host.workloads ?? []).map(workloadNormalize),
  };
}

function actionNormalize(entry: TimelineEntryInput): TimelineAction {
  const target = (value: { device: string; pasid?: number | undefined; asid?: number | undefined }) => ({
    device: value.device,
    pasid: value.pasid ?? null,
    asid: value.asid ?? null,
  });
  // Validation let exactly one action through, so the first present is the one.
  if (entry.detach !== undefined) return { kind: 'detach', ...target(entry.detach) };
  if (entry.attach !== undefined) return { kind: 'attach', ...target(entry.attach), space: entry.attach.space };
  if (entry.replace !== undefined) return { kind: 'replace', ...target(entry.replace), space: entry.replace.space };
  if (entry.map !== undefined) return { kind: 'map', space: entry.map.space, pages: entry.map.pages };
  if (entry.unmap !== undefined) return { kind: 'unmap', space: entry.unmap.space, pages: entry.unmap.pages };
  if (entry.destroy !== undefined) return { kind: 'destroy', space: entry.destroy };
  if (entry.unplug !== undefined) return { kind: 'unplug', device: entry.unplug };
  throw new Error('timeline entry without an action passed validation');
}

function timelineNormalize(entry: TimelineEntryInput): TimelineEntry {
  return { atNs: parseDuration(entry.at), host: entry.host ?? null, action: actionNormalize(entry) };
}

function settingsNormalize(settings: SettingsInput | undefined): Settings {
  return {
    batch: {
      records: settings?.batch?.records ?? DEFAULTS.batchRecords,
      windowNs: parseDuration(settings?.batch?.window ?? 0),
    },
    delivery: settings?.delivery ?? 'at-most-once',
    deviceTimeoutNs: parseDuration(settings?.deviceTimeout ?? DEFAULTS.deviceTimeout),
    retries: settings?.retries ?? DEFAULTS.retries,
    translationTimeoutNs: parseDuration(settings?.translationTimeout ?? DEFAULTS.translationTimeout),
    translationRetries: settings?.translationRetries ?? DEFAULTS.translationRetries,
    responseTimeoutNs: settings?.responseTimeout === undefined ? null : parseDuration(settings.responseTimeout),
  };
}

function chaosNormalize(rule: ChaosRuleInput): ChaosRule {
  if ('match' in rule) {
    return {
      kind: 'message',
      match: rule.match,
      drop: rule.drop ?? 0,
      duplicate: rule.duplicate ?? 0,
      delay: rule.delay === undefined ? null : costNormalize(rule.delay),
      reorderNs: parseDuration(rule.reorder ?? 0),
    };
  }
  if ('partition' in rule) {
    return { kind: 'partition', groups: [rule.partition[0], rule.partition[1]], fromNs: parseDuration(rule.from), toNs: parseDuration(rule.to) };
  }
  if ('nats-kill' in rule) {
    return { kind: 'natsKill', node: rule['nats-kill'], atNs: parseDuration(rule.at), restartAfterNs: parseDuration(rule.restartAfter) };
  }
  return { kind: 'crash', actor: rule.crash, host: rule.host, atNs: parseDuration(rule.at), restartAfterNs: parseDuration(rule.restartAfter) };
}

function linksNormalize(links: TopologyInput['links']): LinksConfig {
  return {
    deviceIommu: costNormalize(links?.['device-iommu'] ?? 0),
    iommuManager: costNormalize(links?.['iommu-manager'] ?? 0),
    managerHandler: costNormalize(links?.['manager-handler'] ?? 0),
  };
}

/** The normal form of a validated input; each template is normalized once and shared by its copies. */
export function topologyNormalize(input: TopologyInput): Topology {
  const plans = (input.fleet ?? []).map((entry) => ({ template: entry.template, count: entry.count, width: copyWidth(entry.count) }));
  return {
    version: 1,
    name: input.name,
    seed: input.seed ?? null,
    hosts: fleetExpand(input.hosts.map(hostNormalize), plans),
    links: linksNormalize(input.links),
    timeline: (input.timeline ?? []).map(timelineNormalize),
    settings: settingsNormalize(input.settings),
    chaos: (input.chaos ?? []).map(chaosNormalize),
    fleets: plans.map(fleetSummary),
  };
}
