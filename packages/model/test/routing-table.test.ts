import { PASID_POOL_BASE, RoutingTable, pasidPoolAssign } from '@ioasim/model';
import { describe, expect, it } from 'vitest';
import { hostFixture } from './fixtures.js';

function table(kind: 'smmuv3' | 'vtd' = 'smmuv3', nestedAtRid = false): RoutingTable {
  const host = hostFixture(kind);
  if (nestedAtRid) {
    const nic = host.devices[0]!;
    (host.devices as unknown as typeof nic[]).splice(0, 1, { ...nic, attach: [{ space: 's1', pasid: null, asid: null }] });
  }
  return new RoutingTable(host, pasidPoolAssign(host.devices));
}

describe('RoutingTable', () => {
  it('finds a device by (iommu, stream ID) and nothing for an unknown stream', () => {
    const routing = table();
    expect(routing.deviceBySid('iommu0', 0x100)?.name).toBe('nic0');
    expect(routing.deviceBySid('iommu0', 0x999)).toBeNull();
  });

  it('routes a RID fault to the space attached at the RID', () => {
    const route = table().route('iommu0', 0x100, null, 1);
    expect(route.ok && route.handlerSpace.name).toBe('gpa');
  });

  it('routes each PASID to its own space', () => {
    const route = table().route('iommu0', 0x100, 1, 1);
    expect(route.ok && route.handlerSpace.name).toBe('s1');
  });

  it('routes a stage-2 fault of a nested space to its parent', () => {
    const route = table().route('iommu0', 0x100, 1, 2);
    expect(route.ok && route.handlerSpace.name).toBe('gpa');
    expect(route.ok && route.attached).toBe('s1');
  });

  it('answers noHandler for an unattached PASID and iopfDisabled for a space without a fault queue', () => {
    const routing = table();
    expect(routing.route('iommu0', 0x100, 7, 1)).toMatchObject({ ok: false, cause: 'noHandler' });
    expect(routing.route('iommu0', 0x100, 2, 1)).toMatchObject({ ok: false, cause: 'iopfDisabled' });
    expect(routing.route('iommu0', 0x555, null, 1)).toMatchObject({ ok: false, cause: 'noHandler', device: null });
  });

  it('falls back to the nested space at the RID for a PASID without attachment on smmuv3 only (R3)', () => {
    const smmu = table('smmuv3', true).route('iommu0', 0x100, 3, 1);
    expect(smmu.ok && smmu.handlerSpace.name).toBe('s1');
    expect(smmu.ok && smmu.attachmentPasid).toBeNull();
    expect(table('vtd', true).route('iommu0', 0x100, 3, 1)).toMatchObject({ ok: false, cause: 'noHandler' });
  });

  it('keys vdpa attachments by the physical PASID from the pool', () => {
    const routing = table();
    const route = routing.route('iommu0', 0x200, PASID_POOL_BASE + 1, 1);
    expect(route.ok && route.handlerSpace.name).toBe('vq');
    expect(routing.route('iommu0', 0x200, 1, 1)).toMatchObject({ ok: false, cause: 'noHandler' });
  });

  it('changes a route when an attachment is replaced or removed', () => {
    const routing = table();
    routing.attachmentSet('nic0', 1, 'gpa');
    const replaced = routing.route('iommu0', 0x100, 1, 1);
    expect(replaced.ok && replaced.handlerSpace.name).toBe('gpa');
    routing.attachmentSet('nic0', 1, null);
    expect(routing.route('iommu0', 0x100, 1, 1)).toMatchObject({ ok: false, cause: 'noHandler' });
  });
});
