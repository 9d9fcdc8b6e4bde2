/**
 * Goal: every fault reaches exactly the handler the kernel would pick, by
 * (Stream ID, PASID, stage), or is answered INVALID at once when there is
 * none (REFERENCE.md R1, R2, R3, R4, R6, R7).
 */
import { Perm, ResponseCode, type IommuKind } from '@ioasim/protocol';
import { topology, wireInject, wireRecords } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { observe, pageRequest, topologyOf, violated } from './scenario-kit.js';

describe('routing', () => {
  it('R1 a RID fault reaches its space with no PASID, is mapped, and the access completes', () => {
    const rid = topologyOf(
      topology('r1')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0', handler: { policy: 'map', service: '2us' } })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 8 }, attach: [{ space: 'gpa' }] })
            .workload({ device: 'nic0', pages: 1, rate: '10k/s', count: 1, mapped: 0 }),
        )
        .build(),
    );
    let delivered: ReturnType<typeof wireRecords<'faultGroup'>> = [];
    let translations: ReturnType<typeof wireRecords<'translationRequest'>> = [];
    let commands: ReturnType<typeof wireRecords<'iommuCommand'>> = [];
    const { report } = observe(rid, (simulation) => {
      const subjects = simulation.subjects('h0');
      delivered = wireRecords(simulation, subjects.ioasidFaults('gpa'), 'faultGroup');
      translations = wireRecords(simulation, subjects.iommuAts('smmu0'), 'translationRequest');
      commands = wireRecords(simulation, subjects.iommuCmd('smmu0'), 'iommuCommand');
    });
    expect(delivered.map((seen) => seen.record.pasid)).toEqual([null]);
    expect(delivered[0]?.record.faults).toEqual([{ page: 0, perm: Perm.read, last: true }]);
    const responses = commands.map((seen) => seen.record).filter((command) => command.kind === 'pageResponse');
    expect(responses).toMatchObject([{ pasid: null, code: ResponseCode.success }]);
    // The device asked twice: the miss, then the retry after SUCCESS, which hit.
    expect(translations.map((seen) => seen.record.page)).toEqual([0, 0]);
    expect(report.faults).toMatchObject({ raised: 1, delivered: 1, responded: 1, success: 1, autoResponded: 0 });
    expect(report.accesses).toMatchObject({ issued: 1, completed: 1, failed: 0 });
    expect(violated(report)).toEqual({});
  });

  it('R2 each page table of one device gets only its own faults', () => {
    const several = topologyOf(
      topology('r2')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0' })
            .space('a', { owner: 'vm0' })
            .space('b', { owner: 'vm0' })
            .device('nic0', {
              iommu: 'smmu0',
              sid: 0x100,
              owner: 'vm0',
              pasids: 4,
              pri: { credits: 16 },
              attach: [{ space: 'gpa' }, { space: 'a', pasid: 1 }, { space: 'b', pasid: 2 }],
            })
            .workload({ device: 'nic0', pages: 64, rate: '100k/s', count: 200, mapped: 0.5 })
            .workload({ device: 'nic0', pasid: 1, pages: 64, rate: '100k/s', count: 300, mapped: 0.5 })
            .workload({ device: 'nic0', pasid: 2, pages: 64, rate: '100k/s', count: 100, mapped: 0.5 }),
        )
        .build(),
    );
    const observed = observe(several);
    const raisedByPasid = new Map<number | null, number>();
    for (const raised of observed.of('groupRaised')) raisedByPasid.set(raised.pasid, (raisedByPasid.get(raised.pasid) ?? 0) + 1);
    const delivered = Object.fromEntries(observed.report.perIoasid.map((space) => [space.name, space.delivered]));
    expect(raisedByPasid.get(null)).toBeGreaterThan(0);
    expect(raisedByPasid.get(1)).toBeGreaterThan(0);
    expect(raisedByPasid.get(2)).toBeGreaterThan(0);
    expect(delivered).toEqual({ gpa: raisedByPasid.get(null), a: raisedByPasid.get(1), b: raisedByPasid.get(2) });
    const routedTo = new Set(observed.of('faultRouted').map((routed) => `${String(routed.pasid)}->${routed.ioasid}`));
    expect([...routedTo].sort()).toEqual(['1->a', '2->b', 'null->gpa']);
    expect(violated(observed.report)).toEqual({});
  });

  function nestedAtRid(kind: IommuKind) {
    return topologyOf(
      topology(`r3-${kind}`)
        .host('h0', (h) =>
          h
            .iommu('iommu0', { kind })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0' })
            .space('s1', { owner: 'vm0', kind: 'nested', parent: 'gpa' })
            .device('nic0', { iommu: 'iommu0', sid: 0x100, owner: 'vm0', pasids: 8, pri: { credits: 8 }, attach: [{ space: 's1' }] }),
        )
        .build(),
    );
  }

  it('R3 a PASID fault with no attachment of its own falls back to the nested space at the RID on smmuv3', () => {
    let delivered: ReturnType<typeof wireRecords<'faultGroup'>> = [];
    const observed = observe(nestedAtRid('smmuv3'), (simulation) => {
      const subjects = simulation.subjects('h0');
      delivered = wireRecords(simulation, subjects.ioasidFaults('s1'), 'faultGroup');
      const request = pageRequest('nic0', 0x100, { pasid: 3, prgIndex: 7, page: 42, perm: Perm.read, last: true, group: 1 });
      wireInject(simulation, 10_000, subjects.iommuPri('iommu0'), 'pageRequest', [request]);
    });
    expect(delivered.map((seen) => ({ pasid: seen.record.pasid, stage: seen.record.stage }))).toEqual([{ pasid: 3, stage: 1 }]);
    expect(observed.of('faultRouted').map((routed) => routed.ioasid)).toEqual(['s1']);
    expect(observed.report.faults.autoRespondedByCause.noHandler).toBe(0);
  });

  it('R3 the same PASID fault on vtd is answered INVALID and delivered nowhere', () => {
    let commands: ReturnType<typeof wireRecords<'iommuCommand'>> = [];
    const observed = observe(nestedAtRid('vtd'), (simulation) => {
      const subjects = simulation.subjects('h0');
      commands = wireRecords(simulation, subjects.iommuCmd('iommu0'), 'iommuCommand');
      const request = pageRequest('nic0', 0x100, { pasid: 3, prgIndex: 7, page: 42, perm: Perm.read, last: true, group: 1 });
      wireInject(simulation, 10_000, subjects.iommuPri('iommu0'), 'pageRequest', [request]);
    });
    expect(commands.map((seen) => seen.record)).toEqual([
      { kind: 'pageResponse', sid: 0x100, pasid: 3, prgIndex: 7, stall: false, code: ResponseCode.invalid, group: 1, last: true },
    ]);
    expect(observed.of('faultRouted')).toEqual([]);
    expect(observed.report.faults.delivered).toBe(0);
    expect(observed.report.faults.autoRespondedByCause.noHandler).toBe(1);
  });

  it('R4 a space without a fault queue gets nothing: every request of the group is answered INVALID at once', () => {
    const noQueue = topologyOf(
      topology('r4')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('pinned', { owner: 'vm0', iopf: false })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 8 }, attach: [{ space: 'pinned' }] })
            .workload({ device: 'nic0', pages: 8, pattern: 'sequential', rate: '10k/s', count: 4, mapped: 0, prgSize: 3 }),
        )
        .build(),
    );
    let commands: ReturnType<typeof wireRecords<'iommuCommand'>> = [];
    const observed = observe(noQueue, (simulation) => {
      commands = wireRecords(simulation, simulation.subjects('h0').iommuCmd('smmu0'), 'iommuCommand');
    });
    const responses = commands.map((seen) => seen.record).filter((command) => command.kind === 'pageResponse');
    // Four groups of three requests: twelve INVALID answers, the non-last requests' too.
    expect(responses).toHaveLength(12);
    expect(responses.every((response) => response.code === ResponseCode.invalid)).toBe(true);
    expect(responses.filter((response) => !response.last)).toHaveLength(8);
    const report = observed.report;
    expect(report.faults).toMatchObject({ raised: 4, delivered: 0, autoResponded: 4, invalid: 4 });
    expect(report.faults.autoRespondedByCause.iopfDisabled).toBe(4);
    expect(report.faults.autoRespondedPartials).toBe(8);
    expect(report.accesses).toMatchObject({ issued: 4, failed: 4 });
    expect(violated(report)).toEqual({});
  });

  it('R4 a non-last request of an unattached (device, pasid) is answered INVALID at once, and counted', () => {
    let commands: ReturnType<typeof wireRecords<'iommuCommand'>> = [];
    const observed = observe(nestedAtRid('vtd'), (simulation) => {
      const subjects = simulation.subjects('h0');
      commands = wireRecords(simulation, subjects.iommuCmd('iommu0'), 'iommuCommand');
      const partial = pageRequest('nic0', 0x100, { pasid: 5, prgIndex: 3, page: 1, perm: Perm.write, last: false, group: 9 });
      wireInject(simulation, 10_000, subjects.iommuPri('iommu0'), 'pageRequest', [partial]);
    });
    expect(commands.map((seen) => seen.record)).toMatchObject([{ kind: 'pageResponse', pasid: 5, code: ResponseCode.invalid, last: false }]);
    expect(observed.report.faults.delivered).toBe(0);
    expect(observed.report.faults.autoRespondedPartials).toBe(1);
  });

  function nested(parentQueue: boolean) {
    return topologyOf(
      topology('r6')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm0', { frontend: 'vfio' })
            .space('gpa', { owner: 'vm0', iopf: parentQueue })
            .space('s1', { owner: 'vm0', kind: 'nested', parent: 'gpa' })
            .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pasids: 4, pri: { credits: 8 }, attach: [{ space: 's1', pasid: 1 }] })
            .workload({ device: 'nic0', pasid: 1, pages: 4, pattern: 'sequential', rate: '10k/s', count: 4, mapped: 0 }),
        )
        .build(),
    );
  }

  it('R6 on a nested space stage 1 reaches the nested handler with the vPASID, stage 2 the parent handler', () => {
    let nestedSeen: ReturnType<typeof wireRecords<'faultGroup'>> = [];
    let parentSeen: ReturnType<typeof wireRecords<'faultGroup'>> = [];
    const observed = observe(nested(true), (simulation) => {
      const subjects = simulation.subjects('h0');
      nestedSeen = wireRecords(simulation, subjects.ioasidFaults('s1'), 'faultGroup');
      parentSeen = wireRecords(simulation, subjects.ioasidFaults('gpa'), 'faultGroup');
    });
    // Each page faults twice: at stage 1 first, then (once the guest mapped it) at stage 2.
    expect(nestedSeen.map((seen) => [seen.record.stage, seen.record.pasid])).toEqual([[1, 1], [1, 1], [1, 1], [1, 1]]);
    expect(parentSeen.map((seen) => [seen.record.stage, seen.record.pasid])).toEqual([[2, 1], [2, 1], [2, 1], [2, 1]]);
    const routes = new Set(observed.of('faultRouted').map((routed) => `${routed.stage}->${routed.ioasid}`));
    expect([...routes].sort()).toEqual(['1->s1', '2->gpa']);
    expect(observed.report.accesses).toMatchObject({ issued: 4, completed: 4 });
    expect(violated(observed.report)).toEqual({});
  });

  it('R6 with no fault queue on the parent a stage-2 fault is answered INVALID', () => {
    const observed = observe(nested(false));
    expect(observed.report.faults.autoRespondedByCause.stage2NoQueue).toBe(4);
    expect(observed.of('faultRouted').every((routed) => routed.stage === 1 && routed.ioasid === 's1')).toBe(true);
    expect(observed.report.accesses).toMatchObject({ issued: 4, completed: 0, failed: 4 });
    expect(violated(observed.report)).toEqual({});
  });

  it('R7 a vdpa device puts physical PASIDs on the wire; its handlers see the ASIDs', () => {
    const vdpa = topologyOf(
      topology('r7')
        .host('h0', (h) =>
          h
            .iommu('smmu0', { kind: 'smmuv3' })
            .owner('vm1', { frontend: 'vdpa' })
            .space('vq-data', { owner: 'vm1' })
            .space('vq-ctrl', { owner: 'vm1' })
            .device('vnet0', {
              iommu: 'smmu0',
              sid: 0x200,
              owner: 'vm1',
              asids: 2,
              pri: { credits: 8 },
              attach: [{ space: 'vq-data', asid: 0 }, { space: 'vq-ctrl', asid: 1 }],
            })
            .workload({ device: 'vnet0', asid: 0, pages: 16, rate: '100k/s', count: 20, mapped: 0 })
            .workload({ device: 'vnet0', asid: 1, pages: 16, rate: '100k/s', count: 20, mapped: 0 }),
        )
        .build(),
    );
    let onWire: ReturnType<typeof wireRecords<'pageRequest'>> = [];
    let data: ReturnType<typeof wireRecords<'faultGroup'>> = [];
    let control: ReturnType<typeof wireRecords<'faultGroup'>> = [];
    let responses: ReturnType<typeof wireRecords<'prgResponse'>> = [];
    const observed = observe(vdpa, (simulation) => {
      const subjects = simulation.subjects('h0');
      onWire = wireRecords(simulation, subjects.iommuPri('smmu0'), 'pageRequest');
      data = wireRecords(simulation, subjects.ioasidFaults('vq-data'), 'faultGroup');
      control = wireRecords(simulation, subjects.ioasidFaults('vq-ctrl'), 'faultGroup');
      responses = wireRecords(simulation, subjects.devPrgr('vnet0'), 'prgResponse');
    });
    const wirePasids = new Set(onWire.map((seen) => seen.record.pasid));
    expect(wirePasids.size).toBe(2);
    for (const pasid of wirePasids) expect(pasid === 0 || pasid === 1 || pasid === null).toBe(false);
    expect(new Set(data.map((seen) => seen.record.pasid))).toEqual(new Set([0]));
    expect(new Set(control.map((seen) => seen.record.pasid))).toEqual(new Set([1]));
    expect(new Set(responses.map((seen) => seen.record.pasid))).toEqual(wirePasids);
    expect(data.length + control.length).toBe(observed.report.faults.raised);
    expect(violated(observed.report)).toEqual({});
  });
});
