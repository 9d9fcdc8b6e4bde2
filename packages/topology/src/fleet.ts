/**
 * Fleets: host templates replicated into numbered copies.
 *
 * `{ template: h0, count: 1000 }` replaces host h0, at its position, by
 * h0-0000 … h0-0999 (zero-padded to max(4, digits of count - 1)). Templates
 * are validated once, before expansion; a copy is a new host object with a new
 * name that shares every nested (readonly) configuration object with its
 * template, so a fleet of 100,000 hosts costs 100,000 small objects. After
 * expansion every host name must still be unique, and a name the timeline
 * or chaos gives resolves through the directory of names after expansion.
 *
 * Counts are checked against FLEET_COUNT_MAX and HOSTS_MAX before any name
 * is made: a fleet over a limit is refused without being expanded, so that a
 * count of a billion is an error at once, not minutes of work and a crash.
 */
import type { FleetSummary, HostConfig } from '@ioasim/protocol';
import { unknownNameFinding } from './attachment-rules.js';
import { finding, quote } from './errors.js';
import type { Finding, Path } from './errors.js';
import type { HostFacts } from './host-facts.js';
import { rawList, rawName, rawWhole } from './raw.js';
import { FLEET_COUNT_MAX, HOSTS_MAX } from './schema.js';

export type FleetPlan = { readonly template: string; readonly count: number; readonly width: number };

/** Which written host a final host name is: a host kept as written, a copy, or a template (replaced). */
export type HostResolution =
  | { readonly kind: 'host'; readonly host: string }
  | { readonly kind: 'copy'; readonly host: string }
  | { readonly kind: 'template'; readonly plan: FleetPlan };

export type HostDirectory = {
  /** How a name given in the timeline or chaos resolves; null for no such host. */
  resolve(name: string): HostResolution | null;
  /** Every host name after expansion, for suggestions. */
  names(): readonly string[];
};

export function copyWidth(count: number): number {
  return Math.max(4, String(count - 1).length);
}

export function copyName(plan: FleetPlan, index: number): string {
  return `${plan.template}-${String(index).padStart(plan.width, '0')}`;
}

/** What a plan expands to, for the resolved topology's `fleets`. */
export function fleetSummary(plan: FleetPlan): FleetSummary {
  return { template: plan.template, count: plan.count, first: copyName(plan, 0), last: copyName(plan, plan.count - 1) };
}

/**
 * Templates that name a host, each once, with their plans. A count over
 * FLEET_COUNT_MAX is the schema's finding and gets no plan; a fleet that
 * would take the topology past HOSTS_MAX gets a finding here and no plan.
 */
function fleetPlans(fleet: unknown, hostNames: readonly string[]): { plans: Map<string, FleetPlan & { readonly index: number }>; findings: Finding[] } {
  const plans = new Map<string, FleetPlan & { readonly index: number }>();
  const known = new Set(hostNames);
  const findings: Finding[] = [];
  const firstIndex = new Map<string, number>();
  let hosts = hostNames.length;
  for (const { item, index } of rawList(fleet)) {
    const template = rawName(item['template']);
    const count = rawWhole(item['count']);
    if (template === null) continue;
    const path: Path = ['fleet', index, 'template'];
    const earlier = firstIndex.get(template);
    if (!known.has(template)) {
      findings.push(unknownNameFinding('host', template, hostNames, '', path));
    } else if (earlier !== undefined) {
      findings.push(finding(path, `template ${quote(template)} is already expanded by fleet[${earlier}]; expected each template once`));
    } else if (count !== null && count >= 1 && count <= FLEET_COUNT_MAX) {
      if (hosts - 1 + count > HOSTS_MAX) {
        findings.push(finding(['fleet', index, 'count'], `${count.toLocaleString('en-US')} copies of ${quote(template)} make ${(hosts - 1 + count).toLocaleString('en-US')} hosts; expected at most ${HOSTS_MAX.toLocaleString('en-US')} hosts after fleet expansion`));
      } else {
        hosts += count - 1;
        plans.set(template, { template, count, width: copyWidth(count), index });
      }
    }
    if (earlier === undefined) firstIndex.set(template, index);
  }
  return { plans, findings };
}

/**
 * The fleet rules (templates name hosts; names stay unique after expansion)
 * and the directory of host names after expansion. `hostNames` are the names
 * of the hosts as written, in order (unreadable names omitted).
 */
export function fleetRules(fleet: unknown, hostNames: readonly string[]): { directory: HostDirectory; findings: Finding[] } {
  const { plans, findings } = fleetPlans(fleet, hostNames);
  const finalNames = new Map<string, string>();
  for (const name of hostNames) if (!plans.has(name)) finalNames.set(name, name);
  for (const plan of plans.values()) {
    let collision: string | null = null;
    for (let copy = 0; copy < plan.count; copy += 1) {
      const name = copyName(plan, copy);
      if (finalNames.has(name)) collision ??= name;
      else finalNames.set(name, plan.template);
    }
    if (collision !== null) {
      const other = finalNames.get(collision);
      const owner = other === collision ? `host ${quote(collision)}` : `a copy of template ${quote(other)}`;
      findings.push(
        finding(['fleet', plan.index, 'template'], `copy ${quote(collision)} of template ${quote(plan.template)} collides with ${owner}; expected host names unique after fleet expansion`),
      );
    }
  }
  const directory: HostDirectory = {
    resolve(name) {
      const plan = plans.get(name);
      if (plan !== undefined) return { kind: 'template', plan };
      const host = finalNames.get(name);
      if (host === undefined) return null;
      return host === name ? { kind: 'host', host } : { kind: 'copy', host };
    },
    names: () => [...finalNames.keys()],
  };
  return { directory, findings };
}

/** Hosts with each fleet template replaced, at its position, by its copies. */
export function fleetExpand(hosts: readonly HostConfig[], plans: readonly FleetPlan[]): HostConfig[] {
  if (plans.length === 0) return [...hosts];
  const byTemplate = new Map(plans.map((plan) => [plan.template, plan]));
  const expanded: HostConfig[] = [];
  for (const host of hosts) {
    const plan = byTemplate.get(host.name);
    if (plan === undefined) {
      expanded.push(host);
      continue;
    }
    for (let copy = 0; copy < plan.count; copy += 1) expanded.push({ ...host, name: copyName(plan, copy) });
  }
  return expanded;
}

/** The host a timeline entry or chaos rule names, or why it names none. */
export function hostNamed(
  name: string,
  path: Path,
  hosts: ReadonlyMap<string, HostFacts>,
  directory: HostDirectory,
  mayOmit: boolean,
): HostFacts[] | Finding {
  const resolution = directory.resolve(name);
  if (resolution === null) return unknownNameFinding('host', name, directory.names(), '', path);
  if (resolution.kind === 'template') {
    const { plan } = resolution;
    return finding(
      path,
      `host ${quote(name)} is a fleet template, replaced by its copies ${copyName(plan, 0)} … ${copyName(plan, plan.count - 1)}; ` +
        `expected the name of one copy${mayOmit ? ', or no host to apply to every host that has the objects named' : ''}`,
    );
  }
  const facts = hosts.get(resolution.host);
  return facts === undefined ? [] : [facts];
}
