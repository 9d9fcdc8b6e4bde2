import type { Cost, HostConfig } from '@ioasim/protocol';

export const fixed = (valueNs: number): Cost => ({ dist: 'fixed', valueNs });

/** A host of two owners: vm0 (vfio, nic0 with RID gpa, PASID 1 s1, PASID 2 pool) and vm1 (vdpa, vnet0). */
export function hostFixture(kind: 'smmuv3' | 'vtd' = 'smmuv3'): HostConfig {
  return {
    name: 'h0',
    iommus: [{ name: 'iommu0', kind, priQueue: 8, eventQueue: 8, service: fixed(0), priQuota: null }],
    manager: { service: fixed(0) },
    owners: [
      { name: 'vm0', frontend: 'vfio', eventQueue: 4 },
      { name: 'vm1', frontend: 'vdpa', eventQueue: 4 },
    ],
    spaces: [
      { name: 'gpa', owner: 'vm0', kind: 'unmanaged', parent: null, iopf: true, handler: { policy: 'map', service: fixed(0) } },
      { name: 's1', owner: 'vm0', kind: 'nested', parent: 'gpa', iopf: true, handler: { policy: 'map', service: fixed(0) } },
      { name: 'pool', owner: 'vm0', kind: 'unmanaged', parent: null, iopf: false, handler: { policy: 'map', service: fixed(0) } },
      { name: 'vq', owner: 'vm1', kind: 'unmanaged', parent: null, iopf: true, handler: { policy: 'map', service: fixed(0) } },
    ],
    devices: [
      {
        name: 'nic0', iommu: 'iommu0', sid: 0x100, owner: 'vm0', frontend: 'vfio', pasids: 8, asids: 0,
        pri: { credits: 4 }, stall: false, vf: false, atc: 4,
        attach: [
          { space: 'gpa', pasid: null, asid: null },
          { space: 's1', pasid: 1, asid: null },
          { space: 'pool', pasid: 2, asid: null },
        ],
      },
      {
        name: 'vnet0', iommu: 'iommu0', sid: 0x200, owner: 'vm1', frontend: 'vdpa', pasids: 0, asids: 2,
        pri: { credits: 4 }, stall: false, vf: false, atc: 4,
        attach: [{ space: 'vq', pasid: null, asid: 1 }],
      },
    ],
    workloads: [],
  };
}
