/**
 * The rules of one host, across its fields: unique names, references that
 * resolve, spaces, devices and workloads (TOPOLOGY.md "Rules the validator
 * enforces").
 *
 * A fleet template is checked once, here, like any host: its copies are
 * identical but for their names, so they break no rule the template keeps.
 */
import { addressFindings, bindingFindings, hostLabel, unknownNameFinding } from './attachment-rules.js';
import { finding, pathFormat, quote } from './errors.js';
import type { Finding, Path } from './errors.js';
import { deviceFactsRead, hostFactsRead, slotOf } from './host-facts.js';
import type { HostFacts } from './host-facts.js';
import { rawBoolean, rawDuration, rawList, rawName, rawWhole } from './raw.js';
import type { RawObject } from './raw.js';
import { ACCESS_COUNT_MAX, DEFAULTS, MAPPED_PAGES_MAX } from './schema.js';
import { parseRate } from './units.js';

const LISTS = { iommus: 'iommu', owners: 'owner', spaces: 'space', devices: 'device' } as const;

/** Names unique within a list: each repeat is reported where it repeats. */
export function duplicateFindings(list: unknown, path: Path, what: string, where: string): Finding[] {
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  for (const { item, index } of rawList(list)) {
    const name = rawName(item['name']);
    if (name === null) continue;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else {
      findings.push(
        finding(
          [...path, index, 'name'],
          `duplicate ${what} name ${quote(name)}${where}; expected a name unique in its list (first at ${pathFormat([...path, earlier])})`,
        ),
      );
    }
  }
  return findings;
}

function iommuFindings(host: RawObject, path: Path): Finding[] {
  return rawList(host['iommus']).flatMap(({ item, index }) => {
    const quota = rawWhole(item['priQuota']);
    const queue = rawWhole(item['priQueue']) ?? DEFAULTS.priQueue;
    if (quota === null || quota <= queue) return [];
    return [finding([...path, 'iommus', index, 'priQuota'], `priQuota ${quota} is more than the priQueue of ${queue} entries; expected at most ${queue}`)];
  });
}

function spaceFindings(facts: HostFacts, host: RawObject, path: Path): Finding[] {
  const findings: Finding[] = [];
  const where = ` on host ${hostLabel(facts)}`;
  for (const { item, index } of rawList(host['spaces'])) {
    const spacePath = [...path, 'spaces', index];
    const name = quote(item['name']);
    const owner = rawName(item['owner']);
    if (owner !== null && !facts.owners.has(owner)) findings.push(unknownNameFinding('owner', owner, facts.owners.keys(), where, [...spacePath, 'owner']));
    const parentName = rawName(item['parent']);
    const kind = item['kind'] ?? 'unmanaged';
    if (kind === 'unmanaged' && item['parent'] !== undefined) {
      findings.push(finding([...spacePath, 'parent'], `parent ${quote(item['parent'])} on unmanaged space ${name}; expected no parent: only a nested space has one`));
    }
    if (kind !== 'nested') continue;
    if (item['parent'] === undefined) {
      findings.push(finding([...spacePath, 'parent'], `nested space ${name} has no parent; expected parent: an unmanaged space of owner ${owner ?? '(its owner)'}`));
      continue;
    }
    if (parentName === null) continue;
    const parent = facts.spaces.get(parentName);
    if (parent === undefined) {
      findings.push(unknownNameFinding('space', parentName, facts.spaces.keys(), where, [...spacePath, 'parent']));
    } else if (parent.kind === 'nested') {
      findings.push(finding([...spacePath, 'parent'], `parent ${quote(parentName)} is a nested space; expected an unmanaged space: the parent is the stage-2 table`));
    } else if (owner !== null && parent.owner !== null && parent.owner !== owner) {
      findings.push(
        finding([...spacePath, 'parent'], `parent ${quote(parentName)} belongs to owner ${parent.owner}, not to owner ${owner} of space ${name}; expected a space of owner ${owner}`),
      );
    }
  }
  return findings;
}

function deviceFindings(facts: HostFacts, host: RawObject, path: Path): Finding[] {
  const findings: Finding[] = [];
  const where = ` on host ${hostLabel(facts)}`;
  const sids = new Map<string, string>();
  for (const { item, index } of rawList(host['devices'])) {
    const devicePath = [...path, 'devices', index];
    const device = deviceFactsRead(item, rawName(item['name']) ?? pathFormat(devicePath), facts.owners, devicePath);
    if (device.owner !== null && !facts.owners.has(device.owner)) {
      findings.push(unknownNameFinding('owner', device.owner, facts.owners.keys(), where, [...devicePath, 'owner']));
    }
    const iommu = device.iommu === null ? undefined : facts.iommus.get(device.iommu);
    if (device.iommu !== null && iommu === undefined) {
      findings.push(unknownNameFinding('iommu', device.iommu, facts.iommus.keys(), where, [...devicePath, 'iommu']));
    }
    const sid = rawWhole(item['sid']);
    if (sid !== null && device.iommu !== null) {
      const key = `${device.iommu}\u0000${sid}`;
      const holder = sids.get(key);
      if (holder === undefined) sids.set(key, device.name);
      else {
        findings.push(
          finding([...devicePath, 'sid'], `sid ${sid} (0x${sid.toString(16)}) is already used by device ${holder} on iommu ${device.iommu}; expected a Stream ID unique per iommu`),
        );
      }
    }
    if (rawBoolean(item['stall']) === true) {
      if (iommu?.kind === 'vtd') {
        findings.push(
          finding([...devicePath, 'stall'], `stall: true on device ${device.name}, whose iommu ${iommu.name} is vtd; expected stall only behind an smmuv3 iommu (the stall model is SMMUv3's)`),
        );
      }
      if (device.pri) {
        findings.push(
          finding([...devicePath, 'stall'], `stall: true together with pri on device ${device.name}; expected one of them: a device either stalls its transactions or issues page requests`),
        );
      }
    }
    if (device.frontend === 'vfio' && device.asids > 0) {
      findings.push(finding([...devicePath, 'asids'], `asids: ${device.asids} on vfio device ${device.name}; expected asids only on a vdpa device`));
    }
    const slots = new Map<string, number>();
    for (const { item: attachment, index: attachIndex } of rawList(item['attach'])) {
      const attachPath = [...devicePath, 'attach', attachIndex];
      const slot = slotOf(attachment);
      const earlier = slot === null ? undefined : slots.get(slot);
      if (slot !== null && earlier !== undefined) {
        findings.push(
          finding(
            attachPath,
            `second attachment at ${slot} of device ${device.name} (first at ${pathFormat([...devicePath, 'attach', earlier])}); expected at most one attachment at the RID and one per pasid or asid`,
          ),
        );
      } else if (slot !== null) slots.set(slot, attachIndex);
      findings.push(...addressFindings(device, attachment, attachPath));
      const space = rawName(attachment['space']);
      if (space !== null) findings.push(...bindingFindings(facts, device, space, [...attachPath, 'space']));
    }
  }
  return findings;
}

function rateFindings(rate: unknown, path: Path): Finding[] {
  const findings: Finding[] = [];
  let previous: { at: number; text: unknown } | null = null;
  for (const { item, index } of rawList(rate)) {
    const at = rawDuration(item['at']);
    if (at === null) continue;
    const atPath = [...path, index, 'at'];
    if (index === 0 && at !== 0) findings.push(finding(atPath, `found ${quote(item['at'])}; expected 0: the first rate step starts at 0`));
    if (previous !== null && at <= previous.at) {
      findings.push(finding(atPath, `found ${quote(item['at'])}, not after the previous step at ${quote(previous.text)}; expected steps in ascending at`));
    }
    previous = { at, text: item['at'] };
  }
  return findings;
}

/**
 * What a workload makes before and during the run stays within its limits:
 * the pages it maps before the run (each an entry of a page table), and the
 * accesses a `duration` implies at its highest rate.
 */
function workloadSizeFindings(item: RawObject, path: Path): Finding[] {
  const findings: Finding[] = [];
  const pages = rawWhole(item['pages']);
  const mapped = typeof item['mapped'] === 'number' ? item['mapped'] : 0;
  if (pages !== null && pages * mapped > MAPPED_PAGES_MAX) {
    findings.push(
      finding([...path, 'mapped'], `maps ${Math.ceil(pages * mapped)} pages before the run (pages ${pages} × mapped ${mapped}); expected at most ${MAPPED_PAGES_MAX} (2^24)`),
    );
  }
  const durationNs = rawDuration(item['duration']);
  const rate = rateHighest(item['rate']);
  if (durationNs !== null && rate !== null && (durationNs / 1e9) * rate > ACCESS_COUNT_MAX) {
    findings.push(
      finding([...path, 'duration'], `implies ${Math.ceil((durationNs / 1e9) * rate)} accesses at ${rate}/s; expected at most ${ACCESS_COUNT_MAX}, as for count`),
    );
  }
  return findings;
}

/** The highest rate of a rate or its steps, per second; null when none parses. */
function rateHighest(rate: unknown): number | null {
  const values = Array.isArray(rate) ? rawList(rate).map(({ item }) => item['rate']) : [rate];
  let highest: number | null = null;
  for (const value of values) {
    if (typeof value !== 'number' && typeof value !== 'string') continue;
    try {
      const perSecond = parseRate(value);
      highest = highest === null ? perSecond : Math.max(highest, perSecond);
    } catch {
      continue;
    }
  }
  return highest;
}

function workloadFindings(facts: HostFacts, host: RawObject, path: Path): Finding[] {
  const findings: Finding[] = [];
  for (const { item, index } of rawList(host['workloads'])) {
    const workloadPath = [...path, 'workloads', index];
    if (item['count'] !== undefined && item['duration'] !== undefined) {
      findings.push(finding([...workloadPath, 'duration'], 'both count and duration; expected exactly one: a workload ends after a number of accesses or after a time'));
    }
    if (item['count'] === undefined && item['duration'] === undefined) {
      findings.push(finding(workloadPath, 'neither count nor duration; expected exactly one: a workload ends after a number of accesses or after a time'));
    }
    findings.push(...rateFindings(item['rate'], [...workloadPath, 'rate']));
    findings.push(...workloadSizeFindings(item, workloadPath));
    const name = rawName(item['device']);
    if (name === null) continue;
    const device = facts.devices.get(name);
    if (device === undefined) {
      findings.push(unknownNameFinding('device', name, facts.devices.keys(), ` on host ${hostLabel(facts)}`, [...workloadPath, 'device']));
      continue;
    }
    const prgSize = rawWhole(item['prgSize']);
    if (prgSize !== null && device.credits !== null && prgSize > device.credits) {
      findings.push(
        finding([...workloadPath, 'prgSize'], `prgSize ${prgSize} is more than the ${device.credits} PRI credits of device ${device.name}; expected at most ${device.credits}: a group must fit in the credits`),
      );
    }
    const address = addressFindings(device, item, workloadPath);
    const slot = slotOf(item);
    if (address.length > 0 || slot === null) {
      findings.push(...address);
    } else if (!device.slots.has(slot)) {
      const field = item['pasid'] !== undefined ? 'pasid' : item['asid'] !== undefined ? 'asid' : null;
      const attached = device.slots.size === 0 ? `expected an attached one, but device ${device.name} has none` : `expected one that is attached: ${[...device.slots.keys()].join(', ')}`;
      findings.push(finding(field === null ? workloadPath : [...workloadPath, field], `${slot} is not attached on device ${device.name}; ${attached}`));
    }
  }
  return findings;
}

/** The rules of the host at `path`, and the facts the timeline and fleet rules read. */
export function hostRules(host: RawObject, path: Path): { readonly facts: HostFacts; readonly findings: Finding[] } {
  const facts = hostFactsRead(host, path);
  const where = ` on host ${hostLabel(facts)}`;
  const findings = Object.entries(LISTS).flatMap(([list, what]) => duplicateFindings(host[list], [...path, list], what, where));
  findings.push(...iommuFindings(host, path));
  findings.push(...spaceFindings(facts, host, path));
  findings.push(...deviceFindings(facts, host, path));
  findings.push(...workloadFindings(facts, host, path));
  return { facts, findings };
}
