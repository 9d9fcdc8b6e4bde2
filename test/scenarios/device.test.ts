/**
 * Goal: the PCIe function behaves as PRI, the SMMUv3 stall model and a
 * device without either do (REFERENCE.md R10, R14, R15, R16, R17).
 */
import { ResponseCode } from '@ioasim/protocol';
import { topology, topologyLoad, wireRecords, type Simulation, type WireRecord } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { observe, topologyOf, violated, type HandlerInput } from './scenario-kit.js';

function oneDevice(
  name: string,
  handler: HandlerInput,
  device: { pri?: { credits: number }; stall?: boolean },
  workload: { count: number; rate: string; pages?: number },
  eventQueue?: { iommu: number; owner: number },
) {
  return topologyOf(
    topology(name)
      .host('h0', (h) =>
        h
          .iommu('smmu0', { kind: 'smmuv3', service: '200ns', ...(eventQueue === undefined ? {} : { eventQueue: eventQueue.iommu }) })
          .owner('vm0', { frontend: 'vfio', ...(eventQueue === undefined ? {} : { eventQueue: eventQueue.owner }) })
          .space('gpa', { owner: 'vm0', handler })
          .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', ...device, attach: [{ space: 'gpa' }] })
          .workload({
            device: 'nic0',
            pages: workload.pages ?? 1024,
            pattern: 'sequential',
            rate: workload.rate,
            arrival: 'fixed',
            count: workload.count,
            mapped: 0,
          }),
      )
      .build(),
  );
}

describe('device', () => {
  it('R10 a handler error makes the manager answer FAILURE; the device sets RF and its later faults are unrecoverable', () => {
    const failing = oneDevice('r10', { policy: 'error', service: '5us' }, { pri: { credits: 4 } }, { count: 40, rate: '200k/s' });
    const observed = observe(failing);
    const report = observed.report;
    const failures = observed.of('groupCompleted').filter((event) => event.code === ResponseCode.failure);
    expect(failures.length).toBeGreaterThan(0);
    expect(report.faults.autoRespondedByCause.handlerError).toBe(failures.length);
    expect(report.faults.failure).toBe(failures.length);
    const firstFailureNs = failures[0]?.t ?? 0;
    // RF set: no page request group leaves the device after the first FAILURE reached it.
    expect(observed.of('groupRaised').filter((event) => event.t > firstFailureNs)).toEqual([]);
    expect(report.perDevice).toMatchObject([{ device: 'nic0', state: 'priDisabled', priDisabled: true }]);
    expect(report.faults.unrecoverable).toBe(40 - report.faults.raised);
    expect(report.faults.unrecoverable).toBeGreaterThan(0);
    expect(report.accesses).toMatchObject({ issued: 40, failed: 40, completed: 0 });
    expect(violated(report)).toEqual({});
  });

  it('R10 makes a device actor only when its lifecycle changes: none for a device that only faults, one once RF is set', () => {
    let healthy: Simulation | undefined;
    observe(oneDevice('r10-healthy', { policy: 'map', service: '2us' }, {}, { count: 20, rate: '200k/s' }), (simulation) => {
      healthy = simulation;
    });
    expect(healthy?.services[0]?.device.actorCount).toBe(0);
    expect(healthy?.services[0]?.device.stateOf('nic0')).toBe('active');
    let failing: Simulation | undefined;
    observe(oneDevice('r10-actor', { policy: 'error', service: '5us' }, { pri: { credits: 4 } }, { count: 40, rate: '200k/s' }), (simulation) => {
      failing = simulation;
    });
    expect(failing?.services[0]?.device.actorCount).toBe(1);
    expect(failing?.services[0]?.device.stateOf('nic0')).toBe('priDisabled');
  });

  it('R14 a VF with PRI attached to a space with a fault queue is refused with a clear error', () => {
    const file = new URL('../../packages/topology/test/broken/vf-pri-iopf.yaml', import.meta.url).pathname;
    const loaded = topologyLoad(file);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors).toMatchObject([
      { path: 'hosts[0].devices[0].attach[0].space', message: expect.stringContaining('is a VF with PRI and cannot attach to space "gpa"') },
    ]);
  });

  it('R15 a stall device resumes its stalled transaction on SUCCESS', () => {
    const stall = oneDevice('r15-success', { policy: 'map', service: '2us' }, { stall: true }, { count: 8, rate: '100k/s' });
    let requests: WireRecord<'pageRequest'>[] = [];
    let responses: WireRecord<'prgResponse'>[] = [];
    const observed = observe(stall, (simulation) => {
      requests = wireRecords(simulation, simulation.subjects('h0').iommuPri('smmu0'), 'pageRequest');
      responses = wireRecords(simulation, simulation.subjects('h0').devPrgr('nic0'), 'prgResponse');
    });
    expect(requests).toHaveLength(8);
    expect(requests.every((seen) => seen.record.stall && seen.record.last)).toBe(true);
    expect(responses.map((seen) => seen.record.code)).toEqual(Array(8).fill(ResponseCode.success));
    expect(observed.report.accesses).toMatchObject({ issued: 8, completed: 8, failed: 0 });
    expect(violated(observed.report)).toEqual({});
  });

  it('R15 a stall device aborts its stalled transaction on INVALID', () => {
    const stall = oneDevice('r15-invalid', { policy: 'invalid', service: '2us' }, { stall: true }, { count: 8, rate: '100k/s' });
    const observed = observe(stall);
    expect(observed.report.faults).toMatchObject({ raised: 8, responded: 8, invalid: 8 });
    expect(observed.report.accesses).toMatchObject({ issued: 8, completed: 0, failed: 8 });
    // A stall device has no PRI to disable.
    expect(observed.report.perDevice).toMatchObject([{ state: 'active', priDisabled: false }]);
    expect(violated(observed.report)).toEqual({});
  });

  it('R16 a device never has more requests outstanding than its credits; at zero it waits, and resumes on a response', () => {
    const credits = oneDevice('r16', { policy: 'map', service: '20us' }, { pri: { credits: 2 } }, { count: 12, rate: '10M/s' });
    const observed = observe(credits);
    const raised = observed.of('groupRaised');
    expect(raised).toHaveLength(12);
    expect(Math.max(...raised.map((event) => event.outstanding))).toBe(2);
    // Every group past the first two left at the instant a response freed its credits.
    const completedAt = new Set(observed.of('groupCompleted').map((event) => event.t));
    const waited = raised.slice(2);
    expect(waited.every((event) => completedAt.has(event.t))).toBe(true);
    expect(observed.report.faults).toMatchObject({ raised: 12, success: 12 });
    expect(observed.report.accesses).toMatchObject({ issued: 12, completed: 12 });
    expect(violated(observed.report)).toEqual({});
  });

  it('R17 a device without PRI or stall reports unrecoverable faults to its owner event queue, with no response; lost events are counted', () => {
    const noPri = oneDevice('r17', { policy: 'map' }, {}, { count: 20, rate: '100M/s' }, { iommu: 128, owner: 4 });
    let requests: WireRecord<'pageRequest'>[] = [];
    let responses: WireRecord<'prgResponse'>[] = [];
    let events: WireRecord<'unrecoverableFault'>[] = [];
    let simulation: Simulation | null = null;
    const observed = observe(noPri, (started) => {
      simulation = started;
      const subjects = started.subjects('h0');
      requests = wireRecords(started, subjects.iommuPri('smmu0'), 'pageRequest');
      responses = wireRecords(started, subjects.devPrgr('nic0'), 'prgResponse');
      events = wireRecords(started, subjects.ownerEvents('vm0'), 'unrecoverableFault');
    });
    expect(requests).toEqual([]);
    expect(responses).toEqual([]);
    expect(events).toHaveLength(20);
    expect(events.every((seen) => seen.record.device === 'nic0' && seen.record.reason === 'noPri')).toBe(true);
    const owner = (simulation as Simulation | null)?.services[0]?.vfio.frontend.owners.get('vm0');
    const report = observed.report;
    expect(report.faults.unrecoverable).toBe(20);
    expect(report.lostEvents).toBeGreaterThan(0);
    expect((owner?.received ?? 0) + report.lostEvents).toBe(20);
    expect(report.faults.raised).toBe(0);
    expect(report.accesses).toMatchObject({ issued: 20, failed: 20 });
  });

  it('R17 the IOMMU event queue is bounded too: its overflow is counted per IOMMU', () => {
    const noPri = oneDevice('r17-iommu', { policy: 'map' }, {}, { count: 20, rate: '100M/s' }, { iommu: 4, owner: 64 });
    const observed = observe(noPri);
    const report = observed.report;
    expect(report.overflows.eventQueue).toBeGreaterThan(0);
    expect(report.overflows.perIommu).toEqual([{ host: 'h0', iommu: 'smmu0', priQueue: 0, eventQueue: report.overflows.eventQueue }]);
    expect(report.lostEvents + report.overflows.eventQueue).toBeLessThanOrEqual(20);
  });
});
