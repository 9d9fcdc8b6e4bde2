/**
 * Goal: page request groups are assembled, answered and retired as the
 * kernel and PCIe PRI do it (REFERENCE.md R5, R19, R20).
 */
import { ResponseCode } from '@ioasim/protocol';
import { topology, wireRecords, type Simulation, type WireRecord } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { observe, topologyOf, violated } from './scenario-kit.js';

describe('page request groups', () => {
  it('R5 partial requests are delivered as one group with one cookie; one response retires all three', () => {
    const partials = topologyOf(
      topology('r5')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0', handler: { policy: 'map', service: '5us' } })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 3 }, attach: [{ space: 'gpa' }] })
            .workload({ device: 'nic0', pages: 64, pattern: 'sequential', rate: '1M/s', arrival: 'fixed', count: 2, mapped: 0, prgSize: 3 }),
        )
        .build(),
    );
    let requests: WireRecord<'pageRequest'>[] = [];
    let delivered: WireRecord<'faultGroup'>[] = [];
    let commands: WireRecord<'iommuCommand'>[] = [];
    let simulation: Simulation | null = null;
    const observed = observe(partials, (started) => {
      simulation = started;
      const subjects = started.subjects('h0');
      requests = wireRecords(started, subjects.iommuPri('smmu0'), 'pageRequest');
      delivered = wireRecords(started, subjects.ioasidFaults('gpa'), 'faultGroup');
      commands = wireRecords(started, subjects.iommuCmd('smmu0'), 'iommuCommand');
    });
    expect(requests.map((seen) => seen.record.last)).toEqual([false, false, true, false, false, true]);
    expect(new Set(requests.slice(0, 3).map((seen) => seen.record.prgIndex)).size).toBe(1);
    expect(delivered).toHaveLength(2);
    for (const seen of delivered) expect(seen.record.faults.map((fault) => fault.last)).toEqual([false, false, true]);
    expect(new Set(delivered.map((seen) => seen.record.cookie)).size).toBe(2);
    const responses = commands.map((seen) => seen.record).filter((command) => command.kind === 'pageResponse');
    expect(responses).toHaveLength(2);
    // Three credits: the second group waits for the first one's single response, and leaves at that instant.
    const raised = observed.of('groupRaised');
    const completed = observed.of('groupCompleted');
    expect(raised.map((event) => event.outstanding)).toEqual([3, 3]);
    expect(raised[1]?.t).toBe(completed[0]?.t);
    const device = (simulation as Simulation | null)?.services[0]?.device.devices.get('nic0');
    expect(device?.outstandingRequests).toBe(0);
    expect(observed.report.faults).toMatchObject({ raised: 2, responded: 2, success: 2 });
    expect(violated(observed.report)).toEqual({});
  });

  const twoHandlers = topologyOf(
    topology('r19-r20')
      .host('h0', (h) =>
        h
          .iommu('smmu0', { kind: 'smmuv3' })
          .owner('vm0', { frontend: 'vfio' })
          .space('gpa', { owner: 'vm0', handler: { policy: 'map', service: '2us' } })
          .space('slow', { owner: 'vm0', handler: { policy: 'map', service: '40us' } })
          .space('fast', { owner: 'vm0', handler: { policy: 'map', service: '1us' } })
          .device('nic0', {
            iommu: 'smmu0',
            sid: 0x100,
            owner: 'vm0',
            pasids: 4,
            pri: { credits: 32 },
            attach: [{ space: 'gpa' }, { space: 'slow', pasid: 1 }, { space: 'fast', pasid: 2 }],
          })
          .workload({ device: 'nic0', pages: 64, rate: '200k/s', count: 60, mapped: 0 })
          .workload({ device: 'nic0', pasid: 1, pages: 64, rate: '200k/s', count: 60, mapped: 0 })
          .workload({ device: 'nic0', pasid: 2, pages: 64, rate: '200k/s', count: 60, mapped: 0 }),
      )
      .build(),
  );

  it('R19 a response carries a PASID exactly when its request did', () => {
    let requests: WireRecord<'pageRequest'>[] = [];
    let commands: WireRecord<'iommuCommand'>[] = [];
    let responses: WireRecord<'prgResponse'>[] = [];
    const observed = observe(twoHandlers, (simulation) => {
      const subjects = simulation.subjects('h0');
      requests = wireRecords(simulation, subjects.iommuPri('smmu0'), 'pageRequest');
      commands = wireRecords(simulation, subjects.iommuCmd('smmu0'), 'iommuCommand');
      responses = wireRecords(simulation, subjects.devPrgr('nic0'), 'prgResponse');
    });
    const requestPasid = new Map(requests.map((seen) => [seen.record.group, seen.record.pasid]));
    expect(new Set(requestPasid.values())).toEqual(new Set([null, 1, 2]));
    expect(responses).toHaveLength(requestPasid.size);
    for (const seen of responses) expect(seen.record.pasid).toBe(requestPasid.get(seen.record.group));
    for (const command of commands) {
      if (command.record.kind === 'pageResponse') expect(command.record.pasid).toBe(requestPasid.get(command.record.group));
    }
    expect(observed.report.faults.lateResponses).toBe(0);
    expect(violated(observed.report)).toEqual({});
  });

  it('R20 each group is answered at most once, and groups complete out of order', () => {
    let responses: WireRecord<'prgResponse'>[] = [];
    const observed = observe(twoHandlers, (simulation) => {
      responses = wireRecords(simulation, simulation.subjects('h0').devPrgr('nic0'), 'prgResponse');
    });
    const answers = new Map<number, number>();
    for (const seen of responses) answers.set(seen.record.group, (answers.get(seen.record.group) ?? 0) + 1);
    expect(answers.size).toBe(observed.report.faults.raised);
    expect([...answers.values()].every((count) => count === 1)).toBe(true);
    const completedOrder = observed.of('groupCompleted').map((event) => event.group);
    const raisedOrder = observed.of('groupRaised').map((event) => event.group);
    expect(completedOrder).not.toEqual(raisedOrder);
    expect([...completedOrder].sort((a, b) => a - b)).toEqual([...raisedOrder].sort((a, b) => a - b));
    expect(observed.report.faults.success).toBe(observed.report.faults.raised);
    expect(responses.every((seen) => seen.record.code === ResponseCode.success)).toBe(true);
    expect(violated(observed.report)).toEqual({});
  });
});
