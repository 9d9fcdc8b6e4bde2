/**
 * Goal: the maps a frontend's handlers make in one instant reach the manager
 * as one control request frame, answered by one reply frame, so that the
 * report counts fewer mgrCtl frames than map operations, while every fault
 * is still answered, after its map, with no invariant broken.
 */
import { frameEncode, type ControlReply, type ControlRequest } from '@ioasim/protocol';
import { controlRepliesOf } from '@ioasim/service-frontend';
import { run, topology, wireRecords, type Report, type Topology, type WireRecord } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { topologyOf, violated } from '../scenarios/scenario-kit.js';

/**
 * Two tenants, one on vfio and one on vdpa, whose map handlers take no time:
 * the fault groups of a batch (20us window) reach a handler in one frame and
 * are all served, and so mapped, in the instant they arrive.
 */
function mapStorm(): Topology {
  return topologyOf(
    topology('map-requests')
      .host('h0', (h) =>
        h
          .iommu('smmu0', { kind: 'smmuv3' })
          .owner('vm0', { frontend: 'vfio' })
          .owner('vm1', { frontend: 'vdpa' })
          .space('gpa', { owner: 'vm0', handler: { policy: 'map', service: '0' } })
          .space('vq', { owner: 'vm1', handler: { policy: 'map', service: '0' } })
          .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 64 }, attach: [{ space: 'gpa' }] })
          .device('vnet0', { iommu: 'smmu0', sid: 0x200, owner: 'vm1', asids: 1, pri: { credits: 64 }, attach: [{ space: 'vq', asid: 0 }] })
          .workload({ device: 'nic0', pages: 4096, rate: '1M/s', count: 200, write: 1, mapped: 0 })
          .workload({ device: 'vnet0', asid: 0, pages: 4096, rate: '1M/s', count: 200, write: 1, mapped: 0 }),
      )
      .settings({ batch: { records: 64, window: '20us' } })
      .build(),
  );
}

function mgrCtlSent(report: Report, actor: string): number {
  return report.messages.perActor.find((row) => row.actor === actor)?.bySubjectKind['mgrCtl']?.sent ?? 0;
}

describe('map requests', () => {
  it('sends the maps of one instant as one mgrCtl frame: fewer frames than maps, every fault answered', () => {
    let requests: WireRecord<'controlRequest'>[] = [];
    const report = run(mapStorm(), {
      onStart: (simulation) => {
        requests = wireRecords(simulation, simulation.subjects('h0').mgrCtl(), 'controlRequest');
      },
    });
    const maps = requests.filter((seen) => seen.record.operation.op === 'map');
    const vfioMaps = maps.filter((seen) => seen.record.owner === 'vm0').length;
    const vdpaMaps = maps.filter((seen) => seen.record.owner === 'vm1').length;
    expect(vfioMaps).toBeGreaterThan(0);
    expect(vdpaMaps).toBeGreaterThan(0);
    // Each map request is one frame sent and its reply one frame received, by the frontend; the manager the other way round.
    expect(mgrCtlSent(report, 'vfio')).toBeLessThan(vfioMaps / 4);
    expect(mgrCtlSent(report, 'vdpa')).toBeLessThan(vdpaMaps / 4);
    const manager = report.messages.perActor.find((row) => row.actor === 'ioasid-manager');
    expect(manager?.bySubjectKind['mgrCtl']).toMatchObject({
      received: mgrCtlSent(report, 'vfio') + mgrCtlSent(report, 'vdpa'),
      sent: mgrCtlSent(report, 'vfio') + mgrCtlSent(report, 'vdpa'),
    });
    // One map per group, and each answered SUCCESS after its map.
    expect(maps.length).toBe(report.faults.delivered);
    expect(report.faults).toMatchObject({ raised: report.faults.delivered, responded: report.faults.raised, success: report.faults.raised, invalid: 0, stuck: 0 });
    expect(report.accesses.failed).toBe(0);
    expect(report.messages.totals).toMatchObject({ dropped: 0, pending: 0 });
    expect(violated(report)).toEqual({});
  });

  it('answers a frame of control requests with one frame of their replies in order, and journals only what it accepted, only when asked', () => {
    const requests: ControlRequest[] = [
      { owner: 'vm0', operation: { op: 'map', ioasid: 'gpa', pages: [7], perm: 1 } },
      { owner: 'vm0', operation: { op: 'map', ioasid: 'vq', pages: [7], perm: 1 } },
      { owner: 'vm1', operation: { op: 'map', ioasid: 'vq', pages: [8], perm: 1 } },
    ];
    let replies: readonly ControlReply[] | null = null;
    let journal: readonly unknown[] = [];
    run(mapStorm(), {
      onStart: (simulation) => {
        const manager = simulation.services[0]!.manager;
        manager.journalKeep();
        simulation.clock.afterNs(1000, () =>
          simulation.bus.request(simulation.subjects('h0').mgrCtl(), frameEncode('controlRequest', 'probe', 1, requests), 1_000_000, (result) => {
            replies = controlRepliesOf(result);
            journal = [...manager.journal];
          }),
        );
      },
    });
    expect(replies).toEqual([{ ok: true }, { ok: false, error: 'notOwner', message: expect.stringContaining('vm1') }, { ok: true }]);
    expect(journal).toEqual([
      { owner: 'vm0', operation: requests[0]?.operation },
      { owner: 'vm1', operation: requests[2]?.operation },
    ]);
  });

  it('keeps no journal in a run whose chaos cannot crash the manager: it would copy every page mapped', () => {
    let manager: { readonly journal: readonly unknown[] } | null = null;
    const report = run(mapStorm(), { onStart: (simulation) => (manager = simulation.services[0]!.manager) });
    expect(report.faults.responded).toBeGreaterThan(100);
    expect(manager).not.toBeNull();
    expect(manager!.journal).toEqual([]);
  });
});
