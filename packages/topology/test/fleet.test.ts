/**
 * Fleets: a template host replaced, at its position, by numbered copies that
 * share the template's configuration; names stay unique; large fleets load fast.
 */
import { describe, expect, it } from 'vitest';
import { topologyParse } from '@ioasim/topology';

function fleetText(count: number, before = '', timeline = ''): string {
  return [
    'version: 1',
    'name: fleet',
    'hosts:',
    before,
    '  - name: rack',
    '    iommus: [{ name: smmu0, kind: smmuv3 }]',
    '    owners: [{ name: vm0, frontend: vfio }]',
    '    spaces: [{ name: gpa, owner: vm0 }]',
    '    devices: [{ name: nic0, iommu: smmu0, sid: 1, owner: vm0, pri: { credits: 8 }, attach: [{ space: gpa }] }]',
    '    workloads: [{ device: nic0, pages: 8, rate: 1k/s, count: 10 }]',
    '  - name: edge',
    'fleet:',
    `  - { template: rack, count: ${count} }`,
    timeline,
  ].join('\n');
}

describe('fleet expansion', () => {
  it('replaces the template by copies at its position, zero-padded to four digits', () => {
    const result = topologyParse(fleetText(3, '  - name: front'), 'fleet.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.topology.hosts.map((host) => host.name)).toEqual(['front', 'rack-0000', 'rack-0001', 'rack-0002', 'edge']);
  });

  it('records each fleet with its template, count and first and last copy', () => {
    const result = topologyParse(fleetText(3, '  - name: front'), 'fleet.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.topology.fleets).toEqual([{ template: 'rack', count: 3, first: 'rack-0000', last: 'rack-0002' }]);
  });

  it('pads to the digits of the last copy when there are more than 10,000', () => {
    const result = topologyParse(fleetText(10_001), 'fleet.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.topology.hosts[0]?.name).toBe('rack-00000');
    expect(result.topology.hosts[10_000]?.name).toBe('rack-10000');
  });

  it('shares the nested configuration of the template among its copies', () => {
    const result = topologyParse(fleetText(3), 'fleet.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [first, second] = result.topology.hosts;
    expect(first).not.toBe(second);
    expect(first?.devices).toBe(second?.devices);
    expect(first?.iommus).toBe(second?.iommus);
    expect(first?.manager).toBe(second?.manager);
  });

  it('lets the timeline name one copy, and refuses the template itself', () => {
    const copy = topologyParse(fleetText(3, '', 'timeline: [{ at: 1ms, host: rack-0002, unplug: nic0 }]'), 'fleet.yaml');
    if (!copy.ok) throw new Error(JSON.stringify(copy.errors));
    expect(copy.topology.timeline).toEqual([{ atNs: 1_000_000, host: 'rack-0002', action: { kind: 'unplug', device: 'nic0' } }]);
    const template = topologyParse(fleetText(3, '', 'timeline: [{ at: 1ms, host: rack, unplug: nic0 }]'), 'fleet.yaml');
    expect(template.ok).toBe(false);
    if (template.ok) return;
    expect(template.errors).toEqual([
      {
        path: 'timeline[0].host',
        line: 14,
        column: 29,
        message:
          'host "rack" is a fleet template, replaced by its copies rack-0000 … rack-0002; ' +
          'expected the name of one copy, or no host to apply to every host that has the objects named',
      },
    ]);
  });

  it('refuses copies whose names collide with another host', () => {
    const result = topologyParse(fleetText(3, '  - name: rack-0001'), 'fleet.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        path: 'fleet[0].template',
        line: 13,
        column: 17,
        message: 'copy "rack-0001" of template "rack" collides with host "rack-0001"; expected host names unique after fleet expansion',
      },
    ]);
  });

  it('loads and validates a fleet of 100,000 hosts in well under a few seconds', () => {
    const started = performance.now();
    const result = topologyParse(fleetText(100_000), 'fleet.yaml');
    const elapsedMs = performance.now() - started;
    expect(result.ok && result.topology.hosts.length).toBe(100_001);
    expect(elapsedMs).toBeLessThan(1500);
  });

  it('refuses a count of a billion at its line and column before expanding anything', () => {
    const started = performance.now();
    const result = topologyParse(fleetText(1_000_000_000), 'fleet.yaml');
    const elapsedMs = performance.now() - started;
    expect(result.ok ? [] : result.errors).toEqual([
      { path: 'fleet[0].count', line: 13, column: 30, message: 'found 1000000000; expected at most 1000000' },
    ]);
    expect(elapsedMs).toBeLessThan(500);
  });

  it('refuses a fleet that takes the topology past a million hosts in all, without expanding it', () => {
    const started = performance.now();
    const result = topologyParse(fleetText(1_000_000), 'fleet.yaml');
    const elapsedMs = performance.now() - started;
    expect(result.ok ? [] : result.errors).toEqual([
      {
        path: 'fleet[0].count',
        line: 13,
        column: 30,
        message: '1,000,000 copies of "rack" make 1,000,001 hosts; expected at most 1,000,000 hosts after fleet expansion',
      },
    ]);
    expect(elapsedMs).toBeLessThan(500);
  });
});
