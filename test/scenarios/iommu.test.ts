/**
 * Goal: the IOMMU's bounded PRI queue loses requests as the hardware does,
 * every loss is counted and the orphaned partial groups are discarded
 * without a response; Stop Markers are dropped (REFERENCE.md R11, R12).
 */
import { topology, wireInject, wireRecords, type WireRecord } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { observe, pageRequest, topologyOf, violated } from './scenario-kit.js';

describe('iommu queues', () => {
  it('R11 a burst larger than the PRI queue overflows; partial groups are discarded without response; later groups work', () => {
    const burst = topologyOf(
      topology('r11')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3', priQueue: 4, service: '1us' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0', handler: { policy: 'map', service: '1us' } })
            .space('late', { owner: 'vm0', handler: { policy: 'map', service: '1us' } })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 64 }, attach: [{ space: 'gpa' }] })
            .device('nic1', { iommu: 'smmu0', sid: 0x200, owner: 'vm0', pri: { credits: 8 }, attach: [{ space: 'late' }] })
            // 20 groups of two requests, one every 500ns: the queue drains one record a microsecond.
            .workload({ device: 'nic0', pages: 1024, pattern: 'sequential', rate: '2M/s', arrival: 'fixed', count: 20, mapped: 0, prgSize: 2 })
            // Groups long after the burst, on the same queue.
            .workload({ device: 'nic1', pages: 64, pattern: 'sequential', rate: '5k/s', arrival: 'fixed', count: 3, mapped: 0 }),
        )
        .settings({ deviceTimeout: '100us', retries: 20 })
        .build(),
    );
    let commands: WireRecord<'iommuCommand'>[] = [];
    const observed = observe(burst, (simulation) => {
      commands = wireRecords(simulation, simulation.subjects('h0').iommuCmd('smmu0'), 'iommuCommand');
    });
    const report = observed.report;
    expect(report.overflows.priQueue).toBeGreaterThan(0);
    expect(report.faults.droppedByCause.priQueueFull).toBe(report.overflows.priQueue);
    expect(report.overflows.perIommu).toEqual([{ host: 'h0', iommu: 'smmu0', priQueue: report.overflows.priQueue, eventQueue: 0 }]);
    expect(report.faults.droppedByCause.partialDiscarded).toBeGreaterThan(0);
    // No response for a discarded partial: one response per routed group, each for a whole group.
    const responses = commands.map((seen) => seen.record).filter((command) => command.kind === 'pageResponse');
    expect(responses.every((response) => response.last)).toBe(true);
    expect(responses).toHaveLength(observed.of('faultRouted').length);
    // The lost groups were re-issued by their device and completed; the later groups never needed to.
    expect(report.faults.retried).toBeGreaterThan(0);
    expect(report.faults).toMatchObject({ raised: 23, success: 23, abandoned: 0, stuck: 0 });
    const late = observed.of('groupRaised').filter((event) => event.device === 'nic1');
    expect(late).toHaveLength(3);
    expect(observed.of('groupRetried').filter((event) => event.device === 'nic1')).toEqual([]);
    expect(report.perDevice.find((device) => device.device === 'nic1')).toMatchObject({ accessesCompleted: 3 });
    expect(violated(report)).toEqual({});
  });

  it('R12 a Stop Marker is dropped: no response, nothing delivered, counted', () => {
    const quiet = topologyOf(
      topology('r12')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0' })
            .space('a', { owner: 'vm0' })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pasids: 4, pri: { credits: 8 }, attach: [{ space: 'gpa' }, { space: 'a', pasid: 1 }] }),
        )
        .build(),
    );
    let commands: WireRecord<'iommuCommand'>[] = [];
    let delivered: WireRecord<'faultGroup'>[] = [];
    let responses: WireRecord<'prgResponse'>[] = [];
    const observed = observe(quiet, (simulation) => {
      const subjects = simulation.subjects('h0');
      commands = wireRecords(simulation, subjects.iommuCmd('smmu0'), 'iommuCommand');
      delivered = wireRecords(simulation, subjects.ioasidFaults('*'), 'faultGroup');
      responses = wireRecords(simulation, subjects.devPrgr('nic0'), 'prgResponse');
      const stopMarker = pageRequest('nic0', 0x100, { pasid: 1, prgIndex: 4, page: 0, perm: 0, last: true, group: 1 });
      wireInject(simulation, 10_000, subjects.iommuPri('smmu0'), 'pageRequest', [stopMarker]);
    });
    expect(commands).toEqual([]);
    expect(delivered).toEqual([]);
    expect(responses).toEqual([]);
    expect(observed.report.faults.droppedByCause.stopMarker).toBe(1);
    expect(observed.report.faults.autoResponded).toBe(0);
    expect(observed.report.faults.invalid).toBe(0);
  });
});
