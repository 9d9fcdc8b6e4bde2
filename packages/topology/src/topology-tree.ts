/**
 * `ioasim topo show`: a resolved topology as a tree a person reads top down.
 *
 * Each host shows its manager, IOMMUs, owners (with the devices and spaces
 * they hold), spaces (kind, parent, owner, fault queue, handler), devices
 * (Stream ID in hex, PRI / stall / neither, VF, each attachment keyed by RID,
 * PASID or ASID) and workloads; then the links, settings, timeline and chaos
 * of the whole topology. A fleet is one node, titled with its copies, whose
 * children are the template's configuration: the output grows with the hosts
 * as written, not with the hosts after expansion.
 */
import type {
  ChaosRule,
  Cost,
  DeviceConfig,
  HostConfig,
  SpaceConfig,
  TimelineAction,
  TimelineEntry,
  Topology,
  WorkloadConfig,
  WorkloadPattern,
} from '@ioasim/protocol';
import { attachmentKey, hostGroupTitle, hostGroups } from './host-groups.js';
import { durationFormat, rateFormat } from './units.js';

/** A line of the tree and the lines under it. */
type TreeNode = { readonly label: string; readonly children: readonly TreeNode[] };

const leaf = (label: string): TreeNode => ({ label, children: [] });

function treeLines(node: TreeNode, prefix: string, connector: string, lines: string[]): void {
  lines.push(`${prefix}${connector}${node.label}`);
  const childPrefix = prefix + (connector === '├─ ' ? '│  ' : connector === '└─ ' ? '   ' : '');
  node.children.forEach((child, index) => treeLines(child, childPrefix, index === node.children.length - 1 ? '└─ ' : '├─ ', lines));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function costFormat(cost: Cost): string {
  switch (cost.dist) {
    case 'fixed':
      return durationFormat(cost.valueNs);
    case 'exp':
      return `exp(mean ${durationFormat(cost.meanNs)})`;
    case 'uniform':
      return `uniform(${durationFormat(cost.minNs)} … ${durationFormat(cost.maxNs)})`;
    default: {
      const exhaustive: never = cost;
      return exhaustive;
    }
  }
}

function spaceLabel(space: SpaceConfig): string {
  const kind = space.kind === 'nested' ? `nested over ${space.parent ?? '?'}` : space.kind;
  const queue = space.iopf ? 'iopf' : 'no fault queue';
  return `${space.name}: ${kind}, owner ${space.owner}, ${queue}, handler ${space.handler.policy} ${costFormat(space.handler.service)}`;
}

function deviceNode(device: DeviceConfig): TreeNode {
  const recovery = [
    ...(device.pri === null ? [] : [`PRI ${plural(device.pri.credits, 'credit')}`]),
    ...(device.stall ? ['stall'] : []),
  ];
  const facts = [
    `sid 0x${device.sid.toString(16)} on ${device.iommu}`,
    `owner ${device.owner} via ${device.frontend}`,
    recovery.length === 0 ? 'no PRI (faults unrecoverable)' : recovery.join(', '),
    ...(device.pasids > 0 ? [plural(device.pasids, 'PASID')] : []),
    ...(device.asids > 0 ? [plural(device.asids, 'ASID')] : []),
    ...(device.vf ? ['VF'] : []),
    `ATC ${device.atc}`,
  ];
  const attachments = device.attach.map((attachment) => leaf(`${attachmentKey(attachment)} -> ${attachment.space}`));
  return { label: `${device.name}: ${facts.join(', ')}`, children: attachments.length > 0 ? attachments : [leaf('(not attached)')] };
}

function patternFormat(pattern: WorkloadPattern): string {
  switch (pattern.kind) {
    case 'uniform':
    case 'sequential':
      return pattern.kind;
    case 'zipf':
      return `zipf(${pattern.exponent})`;
    case 'hotspot':
      return `hotspot(${pattern.hotFraction} of pages get ${pattern.hotAccess} of accesses)`;
    default: {
      const exhaustive: never = pattern;
      return exhaustive;
    }
  }
}

function workloadLabel(workload: WorkloadConfig): string {
  const rate = workload.rate.map((step) => (step.atNs === 0 ? rateFormat(step.perSecond) : `${rateFormat(step.perSecond)} from ${durationFormat(step.atNs)}`));
  const bound = workload.count !== null ? `${workload.count} ${workload.count === 1 ? 'access' : 'accesses'}` : `for ${durationFormat(workload.durationNs ?? 0)}`;
  return (
    `${workload.device} ${attachmentKey(workload)}: ${workload.pages} pages ${patternFormat(workload.pattern)}, ` +
    `${rate.join(', ')} ${workload.arrival}, ${bound}, writes ${workload.write}, mapped ${workload.mapped}, ${plural(workload.prgSize, 'page request')} per group`
  );
}

function hostChildren(host: HostConfig): TreeNode[] {
  const ownerNode = (name: string, frontend: string): TreeNode => {
    const devices = host.devices.filter((device) => device.owner === name).map((device) => device.name);
    const spaces = host.spaces.filter((space) => space.owner === name).map((space) => space.name);
    return leaf(`${name}: frontend ${frontend}; devices ${devices.join(', ') || '(none)'}; spaces ${spaces.join(', ') || '(none)'}`);
  };
  const section = (title: string, children: readonly TreeNode[]): TreeNode[] => (children.length === 0 ? [] : [{ label: title, children }]);
  return [
    leaf(`manager: service ${costFormat(host.manager.service)}`),
    ...section(
      'iommus',
      host.iommus.map((iommu) =>
        leaf(
          `${iommu.name}: ${iommu.kind}, PRI queue ${iommu.priQueue}, event queue ${iommu.eventQueue}, service ${costFormat(iommu.service)}` +
            (iommu.priQuota === null ? '' : `, PRI quota ${iommu.priQuota} per device`),
        ),
      ),
    ),
    ...section('owners', host.owners.map((owner) => ownerNode(owner.name, owner.frontend))),
    ...section('spaces', host.spaces.map((space) => leaf(spaceLabel(space)))),
    ...section('devices', host.devices.map(deviceNode)),
    ...section('workloads', host.workloads.map((workload) => leaf(workloadLabel(workload)))),
  ];
}

function actionFormat(action: TimelineAction): string {
  const target = (device: string, pasid: number | null, asid: number | null) => `${device} ${attachmentKey({ pasid, asid })}`;
  switch (action.kind) {
    case 'detach':
      return `detach ${target(action.device, action.pasid, action.asid)}`;
    case 'attach':
      return `attach ${target(action.device, action.pasid, action.asid)} -> ${action.space}`;
    case 'replace':
      return `replace ${target(action.device, action.pasid, action.asid)} -> ${action.space}`;
    case 'map':
    case 'unmap':
      return `${action.kind} ${action.pages} pages of ${action.space}`;
    case 'destroy':
      return `destroy ${action.space}`;
    case 'unplug':
      return `unplug ${action.device}`;
    default: {
      const exhaustive: never = action;
      return exhaustive;
    }
  }
}

function timelineLabel(entry: TimelineEntry): string {
  return `at ${durationFormat(entry.atNs)} on ${entry.host ?? 'every host that has it'}: ${actionFormat(entry.action)}`;
}

/** A chaos rule in words: `*.mgr.resp: drop 0.01`, `crash ioasid-manager on h0 at 2ms, restart after 1ms`. */
export function chaosRuleFormat(rule: ChaosRule): string {
  switch (rule.kind) {
    case 'message': {
      const acts = [
        ...(rule.drop > 0 ? [`drop ${rule.drop}`] : []),
        ...(rule.duplicate > 0 ? [`duplicate ${rule.duplicate}`] : []),
        ...(rule.delay === null ? [] : [`delay ${costFormat(rule.delay)}`]),
        ...(rule.reorderNs > 0 ? [`reorder within ${durationFormat(rule.reorderNs)}`] : []),
      ];
      return `${rule.match}: ${acts.join(', ') || 'no action'}`;
    }
    case 'partition':
      return `partition ${rule.groups[0]} | ${rule.groups[1]} from ${durationFormat(rule.fromNs)} to ${durationFormat(rule.toNs)}`;
    case 'crash':
      return `crash ${rule.actor} on ${rule.host} at ${durationFormat(rule.atNs)}, restart after ${durationFormat(rule.restartAfterNs)}`;
    case 'natsKill':
      return `kill NATS node ${rule.node} at ${durationFormat(rule.atNs)}, restart after ${durationFormat(rule.restartAfterNs)}`;
    default: {
      const exhaustive: never = rule;
      return exhaustive;
    }
  }
}

/** The tree of a topology, as lines joined by "\n". */
export function topologyTree(topology: Topology): string {
  const devices = topology.hosts.reduce((sum, host) => sum + host.devices.length, 0);
  const spaces = topology.hosts.reduce((sum, host) => sum + host.spaces.length, 0);
  const { links, settings } = topology;
  const children: TreeNode[] = [
    ...hostGroups(topology).map((group) => ({ label: hostGroupTitle(group), children: hostChildren(group.host) })),
    leaf(
      `links: device-iommu ${costFormat(links.deviceIommu)}, iommu-manager ${costFormat(links.iommuManager)}, manager-handler ${costFormat(links.managerHandler)}`,
    ),
    leaf(
      `settings: batch ${settings.batch.records} records, window ${durationFormat(settings.batch.windowNs)}, ${settings.delivery}, ` +
        `device timeout ${durationFormat(settings.deviceTimeoutNs)}, retries ${settings.retries}, ` +
        `translation timeout ${durationFormat(settings.translationTimeoutNs)}, retries ${settings.translationRetries}` +
        (settings.responseTimeoutNs === null ? '' : `, response timeout ${durationFormat(settings.responseTimeoutNs)}`),
    ),
    { label: `timeline: ${plural(topology.timeline.length, 'operation')}`, children: topology.timeline.map((entry) => leaf(timelineLabel(entry))) },
    { label: `chaos: ${plural(topology.chaos.length, 'rule')}`, children: topology.chaos.map((rule) => leaf(chaosRuleFormat(rule))) },
  ];
  const title =
    `topology ${topology.name} (version ${topology.version}, seed ${topology.seed ?? 'none'}): ` +
    `${plural(topology.hosts.length, 'host')}, ${plural(devices, 'device')}, ${plural(spaces, 'space')}`;
  const lines: string[] = [];
  treeLines({ label: title, children }, '', '', lines);
  return lines.join('\n');
}
