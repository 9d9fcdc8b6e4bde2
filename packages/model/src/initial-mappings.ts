/**
 * The pages mapped at the start of a run: for each workload, the first
 * `mapped` fraction of its working set, in the space attached for its
 * traffic and, for a nested space, in its parent too (so that the whole walk
 * succeeds). A pure function of the host, so that the manager's tables and
 * the iommu's view start equal without a message between them.
 */
import { Perm, type HostConfig } from '@ioasim/protocol';
import type { PasidPool } from './pasid-pool.js';
import { workloadPagesMapped } from './workload.js';

export type InitialMapping = { readonly space: string; readonly page: number; readonly perm: number };

export function initialMappings(host: HostConfig, _pool?: PasidPool): InitialMapping[] {
  const mappings: InitialMapping[] = [];
  const spaces = new Map(host.spaces.map((space) => [space.name, space]));
  for (const workload of host.workloads) {
    const device = host.devices.find((candidate) => candidate.name === workload.device);
    if (device === undefined) continue;
    const attachment = device.attach.find(
      (candidate) => candidate.pasid === workload.pasid && candidate.asid === workload.asid,
    );
    if (attachment === undefined) continue;
    const space = spaces.get(attachment.space);
    if (space === undefined) continue;
    const count = workloadPagesMapped(workload);
    const perm = Perm.read | Perm.write;
    for (let page = 0; page < count; page++) {
      mappings.push({ space: space.name, page, perm });
      if (space.parent !== null) mappings.push({ space: space.parent, page, perm });
    }
  }
  return mappings;
}
