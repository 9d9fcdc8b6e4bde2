import { IommuState, randomCreate, type IommuEffects } from '@ioasim/model';
import { Perm, type AtcInvalidation, type HostConfig, type IommuReport } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { fixed, hostFixture } from './fixtures.js';

/** nic0 without PRI or stall, behind an iommu whose queues hold two records of 1us each. */
function noPriHost(): HostConfig {
  const host = hostFixture('smmuv3');
  const [nic, ...rest] = host.devices;
  return {
    ...host,
    iommus: [{ name: 'iommu0', kind: 'smmuv3', priQueue: 2, eventQueue: 2, service: fixed(1000), priQuota: null }],
    devices: [{ ...nic!, pri: null }, ...rest],
  };
}

function iommuWith(host: HostConfig) {
  const reports: { delayNs: number; report: IommuReport }[] = [];
  const invalidations: { device: string; invalidation: AtcInvalidation }[] = [];
  const effects: IommuEffects = {
    translationCompletion: () => {},
    report: (delayNs, report) => reports.push({ delayNs, report }),
    prgResponse: () => {},
    atcInvalidation: (device, invalidation) => invalidations.push({ device, invalidation }),
    trace: () => {},
  };
  const iommu = new IommuState(host, host.iommus[0]!, randomCreate(1, 'iommu'), effects);
  return { iommu, reports, invalidations };
}

describe('IommuState event queue', () => {
  it('queues unrecoverable faults at the modeled service cost and loses what a full queue cannot hold', () => {
    const { iommu, reports } = iommuWith(noPriHost());
    const requests = [0, 1, 2, 3, 4].map((page) => ({ device: 'nic0', sid: 0x100, pasid: null, page: 1000 + page, perm: Perm.read }));
    iommu.translationRequests(0, requests);
    expect(reports.map((entry) => [entry.report.kind, entry.delayNs])).toEqual([
      ['unrecoverable', 1000],
      ['unrecoverable', 2000],
    ]);
    expect(iommu.counters).toMatchObject({ unrecoverable: 2, eventOverflows: 3 });
  });

  it('takes events again once the queue has drained', () => {
    const { iommu, reports } = iommuWith(noPriHost());
    const request = (page: number) => ({ device: 'nic0', sid: 0x100, pasid: null, page, perm: Perm.read });
    iommu.translationRequests(0, [request(1000), request(1001), request(1002)]);
    iommu.translationRequests(5000, [request(1003)]);
    expect(reports).toHaveLength(3);
    expect(iommu.counters.eventOverflows).toBe(1);
  });
});

describe('IommuState ATS invalidation', () => {
  it('flushes the ATC of a device whose attachment changes (detach, replace, attach)', () => {
    const { iommu, invalidations } = iommuWith(hostFixture('smmuv3'));
    iommu.commands(0, [{ kind: 'attach', sid: 0x100, pasid: 1, ioasid: null }]);
    expect(invalidations).toEqual([{ device: 'nic0', invalidation: { pages: null } }]);
    expect(iommu.walk(0x100, 1, 0, Perm.read)).toEqual({ ok: false, stage: 1 });
  });

  it('invalidates unmapped pages at the devices that use the space, directly or as the parent of a nested space', () => {
    const { iommu, invalidations } = iommuWith(hostFixture('smmuv3'));
    iommu.commands(0, [{ kind: 'unmap', ioasid: 'gpa', pages: [3, 4] }]);
    expect(invalidations).toEqual([{ device: 'nic0', invalidation: { pages: [3, 4] } }]);
    invalidations.length = 0;
    iommu.commands(0, [{ kind: 'unmap', ioasid: 'vq', pages: [9] }]);
    expect(invalidations).toEqual([{ device: 'vnet0', invalidation: { pages: [9] } }]);
  });
});
