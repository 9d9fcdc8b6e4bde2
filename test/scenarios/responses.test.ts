/**
 * Goal: the manager accepts a page response only for a pending cookie, from
 * its owner, with a user code; everything else is rejected, counted, and
 * never reaches a device (REFERENCE.md R8).
 */
import { ResponseCode, type PageResponse } from '@ioasim/protocol';
import { topology, wireInject, wireRecords, type WireRecord } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { observe, topologyOf, violated } from './scenario-kit.js';

describe('page responses', () => {
  it('R8 unknown, answered, FAILURE and other-owner responses are rejected, counted, and reach no device', () => {
    const twoTenants = topologyOf(
      topology('r8')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .owner('vm1', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0', handler: { policy: 'map', service: '100us' } })
            .space('other', { owner: 'vm1' })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 8 }, attach: [{ space: 'gpa' }] })
            .workload({ device: 'nic0', pages: 1, rate: '10k/s', arrival: 'fixed', count: 1, mapped: 0 }),
        )
        .build(),
    );
    // The one access leaves at 100us; its group (cookie 1) is pending at its handler until about 210us.
    const response = (cookie: number, code: PageResponse['code'], owner: string): PageResponse => ({
      cookie,
      code,
      owner,
      handlerFailed: false,
    });
    let responses: WireRecord<'prgResponse'>[] = [];
    const observed = observe(twoTenants, (simulation) => {
      const subjects = simulation.subjects('h0');
      responses = wireRecords(simulation, subjects.devPrgr('nic0'), 'prgResponse');
      wireInject(simulation, 150_000, subjects.mgrResp(), 'pageResponse', [
        response(99, ResponseCode.success, 'vm0'),
        response(1, ResponseCode.failure, 'vm0'),
        response(1, ResponseCode.success, 'vm1'),
      ]);
      wireInject(simulation, 500_000, subjects.mgrResp(), 'pageResponse', [response(1, ResponseCode.invalid, 'vm0')]);
    });
    expect(observed.of('faultRouted').map((routed) => routed.cookie)).toEqual([1]);
    expect(observed.of('groupAnswered').map((answered) => [answered.cookie, answered.owner, answered.code])).toEqual([
      [1, 'vm0', ResponseCode.success],
    ]);
    expect(observed.of('groupAnswered')[0]?.t).toBeGreaterThan(150_000);
    expect(observed.of('groupAnswered')[0]?.t).toBeLessThan(500_000);
    expect(observed.report.faults.rejectedResponses).toEqual({
      unknownCookie: 1,
      answeredCookie: 1,
      failureCode: 1,
      otherOwner: 1,
    });
    expect(observed.report.faults.securityEvents).toBe(1);
    // Only the handler's own answer reached the device.
    expect(responses.map((seen) => seen.record.code)).toEqual([ResponseCode.success]);
    expect(observed.report.faults).toMatchObject({ raised: 1, responded: 1, success: 1, lateResponses: 0 });
    expect(observed.report.accesses).toMatchObject({ issued: 1, completed: 1 });
    expect(violated(observed.report)).toEqual({});
  });
});
