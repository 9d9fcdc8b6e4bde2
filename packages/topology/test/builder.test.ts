/**
 * The builder: the same format as a file, written as calls, validated by the
 * same rules; its YAML loads back to the same topology.
 */
import { describe, expect, it } from 'vitest';
import { topology, topologyParse } from '@ioasim/topology';
import type { TopologyBuilder } from '@ioasim/topology';

function built(): TopologyBuilder {
  return topology('built')
    .seed(1)
    .host('h0', (h) =>
      h
        .iommu('smmu0', { kind: 'smmuv3', priQueue: 64 })
        .manager({ service: '1us' })
        .owner('vm0', { frontend: 'vfio' })
        .space('gpa', { owner: 'vm0' })
        .space('guest-s1', { owner: 'vm0', kind: 'nested', parent: 'gpa', handler: { service: { dist: 'exp', mean: '20us' } } })
        .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pasids: 8, pri: { credits: 32 }, attach: [{ space: 'gpa' }, { space: 'guest-s1', pasid: 5 }] })
        .workload({ device: 'nic0', pages: 64, rate: '100k/s', count: 1000 })
        .workload({ device: 'nic0', pasid: 5, pages: 64, rate: [{ at: '0', rate: '50k/s' }, { at: '2ms', rate: '2M/s' }], duration: '5ms', pattern: { kind: 'zipf', exponent: 1.1 } }),
    )
    .links({ 'device-iommu': '500ns', 'iommu-manager': '2us' })
    .settings({ batch: { records: 32, window: '10us' }, delivery: 'at-least-once' })
    .timeline({ at: '2ms', detach: { device: 'nic0', pasid: 5 } })
    .chaos({ match: '*.mgr.resp', drop: 0.01 }, { crash: 'ioasid-manager', host: 'h0-0003', at: '5ms', restartAfter: '1ms' })
    .fleet('h0', 10);
}

const SAME_AS_YAML = `
version: 1
name: built
seed: 1
hosts:
  - name: h0
    iommus: [{ name: smmu0, kind: smmuv3, priQueue: 64 }]
    manager: { service: 1us }
    owners: [{ name: vm0, frontend: vfio }]
    spaces:
      - { name: gpa, owner: vm0 }
      - { name: guest-s1, owner: vm0, kind: nested, parent: gpa, handler: { service: { dist: exp, mean: 20us } } }
    devices:
      - name: nic0
        iommu: smmu0
        sid: 0x100
        owner: vm0
        pasids: 8
        pri: { credits: 32 }
        attach: [{ space: gpa }, { space: guest-s1, pasid: 5 }]
    workloads:
      - { device: nic0, pages: 64, rate: 100k/s, count: 1000 }
      - device: nic0
        pasid: 5
        pages: 64
        rate: [{ at: "0", rate: 50k/s }, { at: 2ms, rate: 2M/s }]
        duration: 5ms
        pattern: { kind: zipf, exponent: 1.1 }
fleet: [{ template: h0, count: 10 }]
links: { device-iommu: 500ns, iommu-manager: 2us }
timeline: [{ at: 2ms, detach: { device: nic0, pasid: 5 } }]
settings: { batch: { records: 32, window: 10us }, delivery: at-least-once }
chaos:
  - { match: "*.mgr.resp", drop: 0.01 }
  - { crash: ioasid-manager, host: h0-0003, at: 5ms, restartAfter: 1ms }
`;

describe('topology builder', () => {
  it('builds the same topology as the equivalent YAML file', () => {
    const fromBuilder = built().build();
    const fromYaml = topologyParse(SAME_AS_YAML, 'built.yaml');
    expect(fromBuilder.ok).toBe(true);
    expect(fromBuilder).toEqual(fromYaml);
    if (fromBuilder.ok) expect(fromBuilder.topology.hosts).toHaveLength(10);
  });

  it('round-trips through toYaml and topologyParse', () => {
    const builder = built();
    expect(topologyParse(builder.toYaml(), 'round-trip.yaml')).toEqual(builder.build());
  });

  it('gives the raw input object, with only the fields that were set', () => {
    const object = topology('small')
      .host('h0', (h) => h.owner('vm0', { frontend: 'vdpa' }))
      .toObject();
    expect(object).toEqual({ version: 1, name: 'small', hosts: [{ name: 'h0', owners: [{ name: 'vm0', frontend: 'vdpa' }] }] });
  });

  it('validates by the same rules as a file, without positions', () => {
    const result = topology('broken')
      .host('h0', (h) =>
        h
          .iommu('vtd0', { kind: 'vtd' })
          .owner('vm0', { frontend: 'vfio' })
          .space('gpa', { owner: 'vm0' })
          .device('vf0', { iommu: 'vtd0', sid: 1, owner: 'vm0', vf: true, pri: { credits: 4 }, attach: [{ space: 'gpa' }] })
          .workload({ device: 'vf1', pages: 1, rate: 1, count: 1 }),
      )
      .build();
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: 'hosts[0].devices[0].attach[0].space',
          line: 0,
          column: 0,
          message:
            'device vf0 is a VF with PRI and cannot attach to space "gpa", which has a fault queue (iopf: true): ' +
            'PRI is shared between a PF and its VFs, so the kernel refuses IOPF on a VF; expected a space with iopf: false, or a VF without pri',
        },
        {
          path: 'hosts[0].workloads[0].device',
          line: 0,
          column: 0,
          message: 'unknown device "vf1" on host h0; expected one of: vf0 (did you mean "vf0"?)',
        },
      ],
    });
  });
});
