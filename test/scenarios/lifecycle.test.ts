/**
 * Goal: when an attachment, a space or a device goes away with faults
 * pending, the manager answers each of them INVALID itself, counts it by
 * cause, leaves every other group alone, and rejects the handler's late
 * answer (REFERENCE.md R9, R13, R18), all driven by the topology's timeline.
 */
import { Perm, ResponseCode } from '@ioasim/protocol';
import { topology, wireInject, wireRecords, type Simulation, type WireRecord } from '@ioasim/sim';
import type { TimelineEntryInput } from '@ioasim/topology';
import { describe, expect, it } from 'vitest';
import { observe, pageRequest, topologyOf, violated, type Observed } from './scenario-kit.js';

/**
 * nic0: PASID 1 -> `a`, PASID 2 -> `b`, both handlers slow (200us a group), so
 * that at 120us every group raised so far is still pending. Accesses leave at
 * 10, 20, ... 50us on each PASID.
 */
function pendingAt120us(...timeline: TimelineEntryInput[]) {
  return topologyOf(
    topology('pending')
      .host('h0', (h) =>
        h
          .iommu('smmu0', { kind: 'smmuv3' })
          .owner('vm0', { frontend: 'vfio' })
          .space('gpa', { owner: 'vm0' })
          .space('a', { owner: 'vm0', handler: { policy: 'map', service: '200us' } })
          .space('b', { owner: 'vm0', handler: { policy: 'map', service: '200us' } })
          .space('c', { owner: 'vm0', handler: { policy: 'map', service: '1us' } })
          .device('nic0', {
            iommu: 'smmu0',
            sid: 0x100,
            owner: 'vm0',
            pasids: 4,
            pri: { credits: 32 },
            attach: [{ space: 'gpa' }, { space: 'a', pasid: 1 }, { space: 'b', pasid: 2 }],
          })
          .workload({ device: 'nic0', pasid: 1, pages: 64, pattern: 'sequential', rate: '100k/s', arrival: 'fixed', count: 5, mapped: 0 })
          .workload({ device: 'nic0', pasid: 2, pages: 64, pattern: 'sequential', rate: '100k/s', arrival: 'fixed', count: 5, mapped: 0 }),
      )
      .timeline(...timeline)
      .build(),
  );
}

type Seen = { responses: WireRecord<'prgResponse'>[] };

function observeWithResponses(topologyToRun: ReturnType<typeof pendingAt120us>, probe: (simulation: Simulation) => void = () => {}) {
  const seen: Seen = { responses: [] };
  const observed = observe(topologyToRun, (simulation) => {
    seen.responses = wireRecords(simulation, simulation.subjects('h0').devPrgr('nic0'), 'prgResponse');
    probe(simulation);
  });
  return { observed, seen };
}

/** The cookies auto-responded for `cause`, and checks common to every teardown. */
function autoAnswered(observed: Observed, seen: Seen, cause: string): Set<number> {
  const cookies = new Set(observed.of('groupAutoResponded').filter((event) => event.cause === cause).map((event) => event.cookie));
  // The handler's late answers to them are rejected, and never accepted.
  const rejected = observed.of('responseRejected');
  expect(rejected.length).toBeGreaterThan(0);
  for (const event of rejected) {
    expect(event.cause).toBe('answeredCookie');
    expect(cookies.has(event.cookie)).toBe(true);
  }
  for (const answered of observed.of('groupAnswered')) expect(cookies.has(answered.cookie)).toBe(false);
  // The device hears at most one answer per group.
  const answers = new Map<number, number>();
  for (const response of seen.responses) answers.set(response.record.group, (answers.get(response.record.group) ?? 0) + 1);
  expect([...answers.values()].every((count) => count === 1)).toBe(true);
  expect(violated(observed.report)).toEqual({});
  return cookies;
}

describe('lifecycle with faults pending', () => {
  it('R9 detach answers the pending groups of that attachment INVALID and leaves the others alone', () => {
    const { observed, seen } = observeWithResponses(pendingAt120us({ at: '120us', detach: { device: 'nic0', pasid: 1 } }));
    const cookies = autoAnswered(observed, seen, 'detach');
    const detached = observed.of('groupAutoResponded').filter((event) => event.cause === 'detach');
    expect(detached).toHaveLength(5);
    expect(detached.every((event) => event.pasid === 1 && event.code === ResponseCode.invalid && event.t === 120_000)).toBe(true);
    expect(cookies.size).toBe(5);
    const pasid2 = observed.of('groupCompleted').filter((event) => event.pasid === 2);
    expect(pasid2.map((event) => event.code)).toEqual(Array(5).fill(ResponseCode.success));
    expect(observed.report.faults.autoRespondedByCause.detach).toBe(5);
    expect(observed.report.faults.rejectedResponses.answeredCookie).toBe(observed.of('responseRejected').length);
    expect(observed.report.timeline).toMatchObject([{ operation: 'detach', ok: true }]);
  });

  it('R9 replace answers the pending groups INVALID; later faults of that PASID reach the new space', () => {
    const { observed, seen } = observeWithResponses(
      pendingAt120us({ at: '120us', replace: { device: 'nic0', pasid: 1, space: 'c' } }),
    );
    autoAnswered(observed, seen, 'replace');
    expect(observed.report.faults.autoRespondedByCause.replace).toBe(5);
    const pasid2 = observed.of('groupCompleted').filter((event) => event.pasid === 2);
    expect(pasid2.every((event) => event.code === ResponseCode.success)).toBe(true);
    // The accesses that were answered INVALID fail; nothing later is routed to the old space.
    expect(observed.of('faultRouted').filter((event) => event.t > 120_000 && event.ioasid === 'a')).toEqual([]);
  });

  it('R9 detach flushes the device ATC: later accesses of that PASID fault and are answered INVALID', () => {
    const cached = topologyOf(
      topology('r9-atc')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0' })
            .space('a', { owner: 'vm0' })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pasids: 4, pri: { credits: 8 }, attach: [{ space: 'gpa' }, { space: 'a', pasid: 1 }] })
            // Eight pages, all mapped: before the detach every access completes, most from the ATC.
            .workload({ device: 'nic0', pasid: 1, pages: 8, rate: '100k/s', arrival: 'fixed', count: 100, mapped: 1 }),
        )
        .timeline({ at: '505us', detach: { device: 'nic0', pasid: 1 } })
        .build(),
    );
    let invalidations: WireRecord<'atcInvalidation'>[] = [];
    const observed = observe(cached, (simulation) => {
      invalidations = wireRecords(simulation, simulation.subjects('h0').devInv('nic0'), 'atcInvalidation');
    });
    expect(invalidations.map((seen) => seen.record)).toEqual([{ pages: null }]);
    const report = observed.report;
    expect(report.accesses.atcHits).toBeGreaterThan(0);
    // Accesses 1-50 came before the detach, 51-100 after it: those fault, with no space to go to.
    expect(report.accesses).toMatchObject({ issued: 100, completed: 50, failed: 50 });
    expect(report.faults.autoRespondedByCause.noHandler).toBe(report.faults.raised);
    expect(violated(report)).toEqual({});
  });

  it('R18 destroying a space answers all its pending groups INVALID', () => {
    const { observed, seen } = observeWithResponses(pendingAt120us({ at: '120us', destroy: 'a' }));
    autoAnswered(observed, seen, 'destroy');
    expect(observed.report.faults.autoRespondedByCause.destroy).toBe(5);
    const pasid2 = observed.of('groupCompleted').filter((event) => event.pasid === 2);
    expect(pasid2.every((event) => event.code === ResponseCode.success)).toBe(true);
    expect(observed.of('attachmentChanged')).toMatchObject([{ device: 'nic0', pasid: 1, ioasid: null }]);
  });

  it('R13 unplugging a device answers its pending groups INVALID, drops its partials, and late responses change nothing', () => {
    const { observed, seen } = observeWithResponses(pendingAt120us({ at: '120us', unplug: 'nic0' }), (simulation) => {
      // A lone partial request of nic0, waiting for its L=1 when the device goes.
      const partial = pageRequest('nic0', 0x100, { pasid: 2, prgIndex: 500, page: 60, perm: Perm.read, last: false, group: 1000 });
      wireInject(simulation, 100_000, simulation.subjects('h0').iommuPri('smmu0'), 'pageRequest', [partial]);
    });
    autoAnswered(observed, seen, 'unplug');
    expect(observed.report.faults.autoRespondedByCause.unplug).toBe(10);
    expect(observed.report.faults.droppedByCause.partialDiscarded).toBe(1);
    // The handlers' answers after the unplug reach no device.
    expect(seen.responses.filter((response) => response.t > 130_000)).toEqual([]);
    const device = observed.report.perDevice.find((entry) => entry.device === 'nic0');
    expect(device?.state).toBe('unplugged');
    expect(observed.report.faults.stuck).toBe(0);
  });
});
