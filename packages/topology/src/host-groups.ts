/**
 * The hosts of a resolved topology as a person reads them: each host written
 * on its own, and each fleet as one group (its copies share the template's
 * configuration, so one copy shows them all). Views print a group once, never
 * a thousand times.
 *
 * A fleet's copies are consecutive in `hosts`, from `first` to `last`; a group
 * is formed only when they are, so a topology made by hand with a `fleets`
 * entry that does not match its hosts still shows every host.
 */
import type { FleetSummary, HostConfig, Topology } from '@ioasim/protocol';

export type HostGroup =
  | { readonly kind: 'host'; readonly host: HostConfig }
  /** `host` is the first copy; every copy has its configuration. */
  | { readonly kind: 'fleet'; readonly fleet: FleetSummary; readonly host: HostConfig };

export function hostGroups(topology: Topology): HostGroup[] {
  const fleetByFirst = new Map(topology.fleets.map((fleet) => [fleet.first, fleet]));
  const groups: HostGroup[] = [];
  let index = 0;
  while (index < topology.hosts.length) {
    const host = topology.hosts[index];
    if (host === undefined) break;
    const fleet = fleetByFirst.get(host.name);
    if (fleet !== undefined && topology.hosts[index + fleet.count - 1]?.name === fleet.last) {
      groups.push({ kind: 'fleet', fleet, host });
      index += fleet.count;
    } else {
      groups.push({ kind: 'host', host });
      index += 1;
    }
  }
  return groups;
}

/** How a group is titled: "host h0", or "hosts h0-0000 … h0-0999: 1000 copies of template h0". */
export function hostGroupTitle(group: HostGroup): string {
  switch (group.kind) {
    case 'host':
      return `host ${group.host.name}`;
    case 'fleet':
      return `hosts ${group.fleet.first} … ${group.fleet.last}: ${group.fleet.count} copies of template ${group.fleet.template}`;
    default: {
      const exhaustive: never = group;
      return exhaustive;
    }
  }
}

/** "RID", "PASID 5" or "ASID 1": what an attachment is keyed by. */
export function attachmentKey(attachment: { readonly pasid: number | null; readonly asid: number | null }): string {
  if (attachment.pasid !== null) return `PASID ${attachment.pasid}`;
  if (attachment.asid !== null) return `ASID ${attachment.asid}`;
  return 'RID';
}
