/**
 * The rules of the timeline: each entry holds exactly one action, and the
 * names it gives resolve on its host.
 *
 * An entry with `host:` applies to that host (a host as written, or one copy
 * of a fleet template; a template itself no longer exists after expansion).
 * An entry without it applies to every host that has the objects it names,
 * which must be at least one. Attachments made by the timeline follow the
 * same rules as those written on a device (attachment-rules.ts), checked on
 * every host the entry applies to.
 */
import { addressFindings, bindingFindings, unknownNameFinding } from './attachment-rules.js';
import { finding, quote } from './errors.js';
import type { Finding, Path } from './errors.js';
import { hostNamed } from './fleet.js';
import type { HostDirectory } from './fleet.js';
import type { HostFacts } from './host-facts.js';
import { rawList, rawName, rawObject } from './raw.js';
import type { RawObject } from './raw.js';
import { TIMELINE_ACTIONS } from './schema.js';

type TimelineAction = (typeof TIMELINE_ACTIONS)[number];

/** The names an action gives, each with where it is written. */
type ActionNames = {
  readonly device: { readonly name: string; readonly path: Path } | null;
  readonly space: { readonly name: string; readonly path: Path } | null;
  readonly target: RawObject | null;
};

function actionNames(action: TimelineAction, value: unknown, path: Path): ActionNames {
  const actionPath = [...path, action];
  if (action === 'destroy' || action === 'unplug') {
    const name = rawName(value);
    const named = name === null ? null : { name, path: actionPath };
    return action === 'destroy' ? { device: null, space: named, target: null } : { device: named, space: null, target: null };
  }
  const target = rawObject(value);
  if (target === null) return { device: null, space: null, target: null };
  const device = rawName(target['device']);
  const space = rawName(target['space']);
  return {
    device: device === null ? null : { name: device, path: [...actionPath, 'device'] },
    space: space === null ? null : { name: space, path: [...actionPath, 'space'] },
    target,
  };
}

/** The hosts an entry may apply to, or a finding about its `host:`. */
function candidateHosts(item: RawObject, path: Path, hosts: ReadonlyMap<string, HostFacts>, directory: HostDirectory): HostFacts[] | Finding {
  if (item['host'] === undefined) return [...hosts.values()];
  const name = rawName(item['host']);
  if (name === null) return [];
  return hostNamed(name, [...path, 'host'], hosts, directory, true);
}

/** Findings of an entry whose names no candidate host has all of; `hostName` is the host the entry names, if any. */
function unmatchedFindings(names: ActionNames, candidates: readonly HostFacts[], hostName: string | null, path: Path): Finding[] {
  const findings: Finding[] = [];
  for (const kind of ['device', 'space'] as const) {
    const named = names[kind];
    if (named === null) continue;
    const owning = candidates.filter((host) => (kind === 'device' ? host.devices : host.spaces).has(named.name));
    if (owning.length > 0) continue;
    const known = new Set(candidates.flatMap((host) => [...(kind === 'device' ? host.devices : host.spaces).keys()]));
    const where = hostName === null ? ' on any host' : ` on host ${hostName}`;
    findings.push(unknownNameFinding(kind, named.name, known, where, named.path));
  }
  if (findings.length === 0 && names.device !== null && names.space !== null) {
    findings.push(
      finding(
        path,
        `no host has both device ${quote(names.device.name)} and space ${quote(names.space.name)}; expected a device and a space of one host`,
      ),
    );
  }
  return findings;
}

function entryFindings(item: RawObject, path: Path, hosts: ReadonlyMap<string, HostFacts>, directory: HostDirectory): Finding[] {
  // In the order written, so that the second action reported is the second in the file.
  const actions = Object.keys(item).filter((key): key is TimelineAction => TIMELINE_ACTIONS.some((action) => action === key));
  const [action, second] = actions;
  if (action === undefined) return [finding(path, `no action; expected one of: ${TIMELINE_ACTIONS.join(', ')}`)];
  const findings: Finding[] = [];
  if (second !== undefined) {
    findings.push(finding([...path, second], `a second action ${quote(second)} after ${quote(action)}; expected one action per entry`, 'key'));
  }
  const candidates = candidateHosts(item, path, hosts, directory);
  if (!Array.isArray(candidates)) return [...findings, candidates];
  const names = actionNames(action, item[action], path);
  const matching = candidates.filter(
    (host) => (names.device === null || host.devices.has(names.device.name)) && (names.space === null || host.spaces.has(names.space.name)),
  );
  if (matching.length === 0 && candidates.length > 0) {
    return [...findings, ...unmatchedFindings(names, candidates, rawName(item['host']), path)];
  }
  for (const host of matching) {
    const device = names.device === null ? undefined : host.devices.get(names.device.name);
    if (device === undefined || names.target === null || (action !== 'attach' && action !== 'replace' && action !== 'detach')) continue;
    findings.push(...addressFindings(device, names.target, [...path, action]));
    if (names.space !== null && action !== 'detach') findings.push(...bindingFindings(host, device, names.space.name, names.space.path));
  }
  return findings;
}

/** The timeline's findings; `hosts` are the hosts as written (templates stand for their copies). */
export function timelineRules(timeline: unknown, hosts: ReadonlyMap<string, HostFacts>, directory: HostDirectory): Finding[] {
  return rawList(timeline).flatMap(({ item, index }) => entryFindings(item, ['timeline', index], hosts, directory));
}
