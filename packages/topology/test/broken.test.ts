/**
 * Broken topologies: each file under broken/ holds one kind of mistake (named
 * by the file and by its first-line comment), and the loader reports exactly
 * these errors — path, line, column, message — all at once, sorted by line.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { topologyErrorFormat, topologyLoad } from '@ioasim/topology';

const BROKEN = fileURLToPath(new URL('./broken/', import.meta.url));

type Expected = readonly [path: string, line: number, column: number, message: string];

const EXPECTED: Record<string, readonly Expected[]> = {
  'asid-on-vfio': [
    ['hosts[0].devices[0].attach[1].asid', 19, 33, 'asid 0 on vfio device nic0; expected pasid, or neither for the RID: a vfio device is addressed by PASID'],
  ],
  'attach-other-owner': [
    ['hosts[0].devices[0].attach[0].space', 20, 20, `space "gpa1" belongs to owner vm1, not to owner vm0 of device nic0; expected a space of owner vm0: a device attaches only to its own owner's spaces (tenant isolation)`],
  ],
  'bad-duration-unit': [
    ['hosts[0].iommus[0].service', 7, 47, 'found "5xs"; expected a duration of at most 3600s: nanoseconds as a number, or a string with a unit ns, us, µs, ms or s ("500ns", "1.5us", "2ms")'],
  ],
  'bad-rate': [
    ['hosts[0].workloads[0].rate', 21, 42, 'found "100k"; expected a rate above zero and at most 10G/s: a number, or a string like "10/s", "200k/s", "1.5M/s", "2G/s"'],
    ['hosts[0].workloads[1].rate', 22, 42, 'found "0/s"; expected a rate above zero and at most 10G/s: a number, or a string like "10/s", "200k/s", "1.5M/s", "2G/s"'],
  ],
  'chaos-rules': [
    ['chaos[0]', 23, 5, 'a message rule without an action; expected at least one of: drop, duplicate, delay, reorder'],
    ['chaos[1].drop', 24, 34, 'found 1.5; expected at most 1'],
    ['chaos[2].match', 25, 14, 'found "a..b"; expected a NATS subject pattern starting at the host: tokens separated by ".", "*" for one token, ">" last'],
    ['chaos[3].to', 26, 49, 'to "1ms" is before from "2ms"; expected to at or after from'],
    ['chaos[4].crash', 27, 14, 'found "manager"; expected one of: device, iommu, ioasid-manager, vfio, vdpa'],
    ['chaos[5].host', 28, 27, 'unknown host "h9"; expected one of: h0 (did you mean "h0"?)'],
  ],
  'count-and-duration': [
    ['hosts[0].workloads[0].duration', 21, 73, 'both count and duration; expected exactly one: a workload ends after a number of accesses or after a time'],
    ['hosts[0].workloads[1]', 22, 9, 'neither count nor duration; expected exactly one: a workload ends after a number of accesses or after a time'],
  ],
  'credits-zero': [
    ['hosts[0].devices[0].pri.credits', 17, 25, 'found 0; expected at least 1'],
  ],
  'duplicate-names': [
    ['hosts[0].owners[1].name', 10, 17, 'duplicate owner name "vm0" on host h0; expected a name unique in its list (first at hosts[0].owners[0])'],
    ['hosts[0].devices[1].name', 15, 17, 'duplicate device name "nic0" on host h0; expected a name unique in its list (first at hosts[0].devices[0])'],
  ],
  'duplicate-sid': [
    ['hosts[0].devices[1].sid', 14, 42, 'sid 256 (0x100) is already used by device nic0 on iommu smmu0; expected a Stream ID unique per iommu'],
  ],
  'fleet-collision': [
    ['fleet[0].template', 24, 17, 'copy "h0-0001" of template "h0" collides with host "h0-0001"; expected host names unique after fleet expansion'],
  ],
  'fleet-unknown-template': [
    ['fleet[0].template', 23, 17, 'unknown host "h1"; expected one of: h0 (did you mean "h0"?)'],
  ],
  'fraction-above-one': [
    ['hosts[0].workloads[0].write', 25, 16, 'found 1.5; expected at most 1'],
    ['hosts[0].workloads[0].mapped', 26, 17, 'found -0.1; expected at least 0'],
  ],
  'missing-fields': [
    ['hosts[0].iommus[0].kind', 7, 9, 'missing field "kind"; expected one of: smmuv3, vtd'],
    ['hosts[0].devices[0].iommu', 13, 9, 'missing field "iommu"; expected a name of letters, digits, "_" and "-" (it becomes a NATS subject token)'],
    ['hosts[0].devices[0].sid', 13, 9, 'missing field "sid"; expected a Stream ID from 0 to 4294967295'],
  ],
  'misspelt-space': [
    ['hosts[0].devices[0].attach[0].space', 20, 20, 'unknown space "gap" on host h0; expected one of: gpa, guest-s1 (did you mean "gpa"?)'],
  ],
  'name-with-dot': [
    ['hosts[0].devices[0].name', 13, 15, 'found "nic.0"; expected a name of letters, digits, "_" and "-" (it becomes a NATS subject token)'],
    ['hosts[0].workloads[0].device', 20, 19, 'found "nic.0"; expected a name of letters, digits, "_" and "-" (it becomes a NATS subject token)'],
  ],
  'nested-parent-nested': [
    ['hosts[0].spaces[2].parent', 13, 61, 'parent "guest-s1" is a nested space; expected an unmanaged space: the parent is the stage-2 table'],
  ],
  'nested-parent-other-owner': [
    ['hosts[0].spaces[2].parent', 14, 61, 'parent "gpa1" belongs to owner vm1, not to owner vm0 of space "guest-s1"; expected a space of owner vm0'],
  ],
  'nested-without-parent': [
    ['hosts[0].spaces[1].parent', 12, 9, 'nested space "guest-s1" has no parent; expected parent: an unmanaged space of owner vm0'],
  ],
  'pasid-out-of-range': [
    ['hosts[0].devices[0].attach[1].pasid', 20, 34, 'pasid 16 on device nic0, which has pasids: 16; expected a pasid from 0 to 15'],
  ],
  'prg-size-above-credits': [
    ['hosts[0].workloads[0].prgSize', 21, 72, 'prgSize 8 is more than the 4 PRI credits of device nic0; expected at most 4: a group must fit in the credits'],
  ],
  'queue-zero': [
    ['hosts[0].iommus[0].priQueue', 7, 48, 'found 0; expected at least 1'],
    ['hosts[0].iommus[0].eventQueue', 7, 63, 'found -1; expected at least 1'],
  ],
  'rate-steps': [
    ['hosts[0].workloads[0].rate[0].at', 25, 19, 'found "1ms"; expected 0: the first rate step starts at 0'],
    ['hosts[0].workloads[0].rate[2].at', 27, 19, 'found "2ms", not after the previous step at "3ms"; expected steps in ascending at'],
  ],
  'several-errors': [
    ['seed', 4, 7, 'found -1; expected at least 0'],
    ['hosts[0].iommus[0].kind', 8, 30, 'found "smmu3"; expected one of: smmuv3, vtd (did you mean "smmuv3"?)'],
    ['hosts[0].spaces[0].owner', 12, 29, 'unknown owner "vm1" on host h0; expected one of: vm0 (did you mean "vm0"?)'],
    ['hosts[0].devices[0].attach[0].space', 20, 20, 'unknown space "gap" on host h0; expected one of: gpa (did you mean "gpa"?)'],
    ['hosts[0].workloads[0].pages', 22, 32, 'found 0; expected at least 1'],
    ['hosts[0].workloads[0].pattern', 22, 71, 'found "zipff"; expected one of: uniform, zipf, sequential, hotspot (did you mean "zipf"?)'],
    ['settings.delivery', 24, 13, 'found "exactly-once"; expected one of: at-most-once, at-least-once'],
    ['settings.retry', 25, 3, 'unknown field "retry"; expected one of: batch, delivery, deviceTimeout, retries, translationTimeout, translationRetries, responseTimeout'],
  ],
  'stall-on-vtd': [
    ['hosts[0].devices[0].stall', 17, 16, `stall: true on device nic0, whose iommu vtd0 is vtd; expected stall only behind an smmuv3 iommu (the stall model is SMMUv3's)`],
  ],
  'stall-with-pri': [
    ['hosts[0].devices[0].stall', 17, 16, 'stall: true together with pri on device nic0; expected one of them: a device either stalls its transactions or issues page requests'],
  ],
  'timeline-names': [
    ['timeline[0].detach.device', 25, 34, 'unknown device "nic9" on any host; expected one of: nic0 (did you mean "nic0"?)'],
    ['timeline[1].host', 26, 22, 'host "h0" is a fleet template, replaced by its copies h0-0000 … h0-0001; expected the name of one copy, or no host to apply to every host that has the objects named'],
    ['timeline[2].map.space', 27, 45, 'unknown space "gap" on host h0-0001; expected one of: gpa (did you mean "gpa"?)'],
    ['timeline[3]', 28, 5, 'no action; expected one of: detach, attach, replace, map, unmap, destroy, unplug'],
    ['timeline[4].destroy', 29, 30, 'a second action "destroy" after "unplug"; expected one action per entry'],
  ],
  'two-rid-attachments': [
    ['hosts[0].devices[0].attach[1]', 20, 13, 'second attachment at the RID of device nic0 (first at hosts[0].devices[0].attach[0]); expected at most one attachment at the RID and one per pasid or asid'],
  ],
  'unknown-field': [
    ['hosts[0].iommus[0].priQeue', 9, 9, 'unknown field "priQeue"; expected one of: name, kind, priQueue, eventQueue, service, priQuota (did you mean "priQueue"?)'],
  ],
  'vdpa-by-pasid': [
    ['hosts[0].devices[1].attach[0].pasid', 27, 34, 'pasid 1 on vdpa device vnet0; expected an asid from 0 to 1: a vdpa device is addressed by ASID, never by PASID'],
    ['hosts[0].devices[1].attach[1]', 28, 13, 'no asid for vdpa device vnet0; expected an asid from 0 to 1: a vdpa device is addressed by ASID, never at the RID'],
  ],
  'vf-pri-iopf': [
    ['hosts[0].devices[0].attach[0].space', 20, 20, 'device nic0 is a VF with PRI and cannot attach to space "gpa", which has a fault queue (iopf: true): PRI is shared between a PF and its VFs, so the kernel refuses IOPF on a VF; expected a space with iopf: false, or a VF without pri'],
  ],
  'workload-pasid-not-attached': [
    ['hosts[0].workloads[0].pasid', 22, 32, 'pasid 2 is not attached on device nic0; expected one that is attached: the RID, pasid 1'],
  ],
  'workload-unknown-device': [
    ['hosts[0].workloads[0].device', 21, 19, 'unknown device "nic1" on host h0; expected one of: nic0 (did you mean "nic0"?)'],
  ],
  'wrong-version': [
    ['version', 2, 10, 'found 2; expected 1'],
  ],
  'yaml-syntax': [
    ['', 8, 5, 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }'],
  ],
};

describe('broken topologies', () => {
  it('has an expectation for every file under broken/ and a file for every expectation', () => {
    const files = readdirSync(BROKEN).filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -'.yaml'.length));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`reports ${name}`, () => {
      const result = topologyLoad(`${BROKEN}${name}.yaml`);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toEqual(expected.map(([path, line, column, message]) => ({ path, line, column, message })));
    });
  }

  it('formats an error as one line: file, line, column, path, message', () => {
    const result = topologyLoad(`${BROKEN}misspelt-space.yaml`);
    if (result.ok) throw new Error('misspelt-space.yaml loaded');
    const [error] = result.errors;
    if (error === undefined) throw new Error('no error');
    expect(topologyErrorFormat(error, 'misspelt-space.yaml')).toBe(
      'misspelt-space.yaml:20:20: hosts[0].devices[0].attach[0].space: unknown space "gap" on host h0; ' +
        'expected one of: gpa, guest-s1 (did you mean "gpa"?)',
    );
  });

  it('formats an error about the whole file without a path', () => {
    const result = topologyLoad(`${BROKEN}yaml-syntax.yaml`);
    if (result.ok) throw new Error('yaml-syntax.yaml loaded');
    const [error] = result.errors;
    if (error === undefined) throw new Error('no error');
    expect(topologyErrorFormat(error, 'yaml-syntax.yaml')).toBe(
      'yaml-syntax.yaml:8:5: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
    );
  });
});
