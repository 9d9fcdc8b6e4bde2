/**
 * The rules of naming a device's address space and binding it to a space,
 * shared by a device's `attach` list, its workloads and the timeline.
 *
 * - A vfio device is addressed by `pasid` (below its `pasids`) or by neither
 *   (the RID); a vdpa device by `asid` (below its `asids`), never by pasid and
 *   never at the RID.
 * - A device attaches only to spaces of its own owner (tenant isolation).
 * - R14: a VF with PRI cannot attach to a space with a fault queue, because
 *   PRI is shared between a PF and its VFs and the kernel refuses IOPF on a VF.
 */
import { finding, pathFormat, quote } from './errors.js';
import type { Finding, Path } from './errors.js';
import type { DeviceFacts, HostFacts } from './host-facts.js';
import { rawWhole } from './raw.js';
import type { RawObject } from './raw.js';
import { expectedOneOf } from './suggest.js';

/** A host as messages name it. */
export function hostLabel(host: HostFacts): string {
  return host.name ?? pathFormat(host.path);
}

/** `unknown space "gap" on host h0; expected one of: gpa, guest-s1 (did you mean "gpa"?)` */
export function unknownNameFinding(
  kind: 'iommu' | 'owner' | 'space' | 'device' | 'host',
  found: string,
  names: Iterable<string>,
  where: string,
  path: Path,
): Finding {
  const candidates = [...names];
  const plural = kind === 'iommu' ? 'iommus' : `${kind}s`;
  const tail = candidates.length === 0 ? `there are no ${plural}` : expectedOneOf(found, candidates);
  return finding(path, `unknown ${kind} ${quote(found)}${where}; ${tail}`);
}

function rangeText(count: number): string {
  return count === 1 ? '0' : `from 0 to ${count - 1}`;
}

function vfioAddressFindings(device: DeviceFacts, pasid: number | null, asid: number | null, path: Path): Finding[] {
  const findings: Finding[] = [];
  if (asid !== null) {
    findings.push(
      finding([...path, 'asid'], `asid ${asid} on vfio device ${device.name}; expected pasid, or neither for the RID: a vfio device is addressed by PASID`),
    );
  }
  if (pasid !== null && pasid >= device.pasids) {
    const expected = device.pasids === 0 ? 'no pasid (the RID)' : `a pasid ${rangeText(device.pasids)}`;
    findings.push(finding([...path, 'pasid'], `pasid ${pasid} on device ${device.name}, which has pasids: ${device.pasids}; expected ${expected}`));
  }
  return findings;
}

function vdpaAddressFindings(device: DeviceFacts, target: RawObject, pasid: number | null, asid: number | null, path: Path): Finding[] {
  const expected = device.asids === 0 ? `asids on device ${device.name} first (it has asids: 0)` : `an asid ${rangeText(device.asids)}`;
  if (pasid !== null) {
    return [finding([...path, 'pasid'], `pasid ${pasid} on vdpa device ${device.name}; expected ${expected}: a vdpa device is addressed by ASID, never by PASID`)];
  }
  if (asid !== null && asid >= device.asids) {
    return [finding([...path, 'asid'], `asid ${asid} on device ${device.name}, which has asids: ${device.asids}; expected ${expected}`)];
  }
  if (asid === null && target['asid'] === undefined) {
    return [finding(path, `no asid for vdpa device ${device.name}; expected ${expected}: a vdpa device is addressed by ASID, never at the RID`)];
  }
  return [];
}

/** The pasid or asid of `target` (at `path`) as an address on `device`. */
export function addressFindings(device: DeviceFacts, target: RawObject, path: Path): Finding[] {
  const pasid = rawWhole(target['pasid']);
  const asid = rawWhole(target['asid']);
  switch (device.frontend) {
    case 'vfio':
      return vfioAddressFindings(device, pasid, asid, path);
    case 'vdpa':
      return vdpaAddressFindings(device, target, pasid, asid, path);
    case null:
      return pasid !== null && asid !== null ? [finding([...path, 'asid'], 'both pasid and asid; expected at most one of them')] : [];
    default: {
      const exhaustive: never = device.frontend;
      return exhaustive;
    }
  }
}

/** `device` attaching to the space named at `path` on `host`. */
export function bindingFindings(host: HostFacts, device: DeviceFacts, spaceName: string, path: Path): Finding[] {
  const space = host.spaces.get(spaceName);
  if (space === undefined) return [unknownNameFinding('space', spaceName, host.spaces.keys(), ` on host ${hostLabel(host)}`, path)];
  const findings: Finding[] = [];
  if (space.owner !== null && device.owner !== null && space.owner !== device.owner) {
    findings.push(
      finding(
        path,
        `space ${quote(spaceName)} belongs to owner ${space.owner}, not to owner ${device.owner} of device ${device.name}; ` +
          `expected a space of owner ${device.owner}: a device attaches only to its own owner's spaces (tenant isolation)`,
      ),
    );
  }
  if (device.vf && device.pri && space.iopf) {
    findings.push(
      finding(
        path,
        `device ${device.name} is a VF with PRI and cannot attach to space ${quote(spaceName)}, which has a fault queue (iopf: true): ` +
          'PRI is shared between a PF and its VFs, so the kernel refuses IOPF on a VF; expected a space with iopf: false, or a VF without pri',
      ),
    );
  }
  return findings;
}
