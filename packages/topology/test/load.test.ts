/**
 * Loading valid topologies: the TOPOLOGY.md example and a minimal file come
 * out in normal form, with units resolved and every default applied.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HostConfig, Topology } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { topologyFromObject, topologyLoad, topologyParse } from '@ioasim/topology';
import type { TopologyResult } from '@ioasim/topology';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function loaded(result: TopologyResult): Topology {
  if (!result.ok) throw new Error(`expected a topology, got:\n${result.errors.map((error) => `${error.line}:${error.column} ${error.path}: ${error.message}`).join('\n')}`);
  return result.topology;
}

function firstHost(topology: Topology): HostConfig {
  const [host] = topology.hosts;
  if (host === undefined) throw new Error('no host');
  return host;
}

describe('the TOPOLOGY.md example', () => {
  const topology = loaded(topologyLoad(`${FIXTURES}example.yaml`));

  it('expands the fleet into 1000 copies of h0', () => {
    expect(topology.hosts).toHaveLength(1000);
    expect(topology.hosts[0]?.name).toBe('h0-0000');
    expect(topology.hosts[999]?.name).toBe('h0-0999');
  });

  it('resolves units and applies the defaults of every host object', () => {
    expect(firstHost(topology)).toEqual({
      name: 'h0-0000',
      iommus: [
        { name: 'smmu0', kind: 'smmuv3', priQueue: 64, eventQueue: 128, service: { dist: 'fixed', valueNs: 200 }, priQuota: null },
      ],
      manager: { service: { dist: 'fixed', valueNs: 1000 } },
      owners: [{ name: 'vm0', frontend: 'vfio', eventQueue: 64 }],
      spaces: [
        { name: 'gpa', owner: 'vm0', kind: 'unmanaged', parent: null, iopf: true, handler: { policy: 'map', service: { dist: 'fixed', valueNs: 4000 } } },
        { name: 'guest-s1', owner: 'vm0', kind: 'nested', parent: 'gpa', iopf: true, handler: { policy: 'map', service: { dist: 'exp', meanNs: 20_000 } } },
      ],
      devices: [
        {
          name: 'nic0',
          iommu: 'smmu0',
          sid: 0x100,
          owner: 'vm0',
          frontend: 'vfio',
          pasids: 16,
          asids: 0,
          pri: { credits: 32 },
          stall: false,
          vf: false,
          atc: 64,
          attach: [
            { space: 'gpa', pasid: null, asid: null },
            { space: 'guest-s1', pasid: 5, asid: null },
          ],
        },
        {
          name: 'vnet0',
          iommu: 'smmu0',
          sid: 0x200,
          owner: 'vm0',
          frontend: 'vdpa',
          pasids: 0,
          asids: 2,
          pri: { credits: 16 },
          stall: false,
          vf: false,
          atc: 64,
          attach: [
            { space: 'gpa', pasid: null, asid: 0 },
            { space: 'guest-s1', pasid: null, asid: 1 },
          ],
        },
      ],
      workloads: [
        {
          device: 'nic0',
          pasid: 5,
          asid: null,
          pages: 4096,
          pattern: { kind: 'uniform' },
          rate: [{ atNs: 0, perSecond: 200_000 }],
          count: 100_000,
          durationNs: null,
          write: 0.3,
          mapped: 0.9,
          arrival: 'poisson',
          prgSize: 1,
        },
      ],
    });
  });

  it('resolves links, timeline, settings and chaos', () => {
    expect(topology.version).toBe(1);
    expect(topology.name).toBe('single-host-iopf');
    expect(topology.seed).toBe(1);
    expect(topology.links).toEqual({
      deviceIommu: { dist: 'fixed', valueNs: 500 },
      iommuManager: { dist: 'fixed', valueNs: 2000 },
      managerHandler: { dist: 'fixed', valueNs: 5000 },
    });
    expect(topology.timeline).toEqual([
      { atNs: 2_000_000, host: null, action: { kind: 'detach', device: 'nic0', pasid: 5, asid: null } },
      { atNs: 3_000_000, host: null, action: { kind: 'attach', device: 'nic0', pasid: 5, asid: null, space: 'gpa' } },
      { atNs: 3_000_000, host: null, action: { kind: 'replace', device: 'nic0', pasid: null, asid: null, space: 'guest-s1' } },
      { atNs: 4_000_000, host: null, action: { kind: 'map', space: 'gpa', pages: 1024 } },
      { atNs: 5_000_000, host: null, action: { kind: 'destroy', space: 'guest-s1' } },
      { atNs: 6_000_000, host: null, action: { kind: 'unplug', device: 'vnet0' } },
    ]);
    expect(topology.settings).toEqual({
      batch: { records: 64, windowNs: 10_000 },
      delivery: 'at-most-once',
      deviceTimeoutNs: 1_000_000,
      retries: 3,
      translationTimeoutNs: 1_000_000,
      translationRetries: 3,
      responseTimeoutNs: null,
    });
    expect(topology.chaos).toEqual([
      { kind: 'message', match: '*.mgr.resp', drop: 0.01, duplicate: 0, delay: null, reorderNs: 0 },
      { kind: 'message', match: '*.dev.*.prgr', drop: 0, duplicate: 0.005, delay: { dist: 'fixed', valueNs: 20_000 }, reorderNs: 0 },
      { kind: 'partition', groups: ['h0-00*', 'h0-01*'], fromNs: 1_000_000, toNs: 2_000_000 },
      { kind: 'crash', actor: 'ioasid-manager', host: 'h0-0003', atNs: 5_000_000, restartAfterNs: 1_000_000 },
    ]);
  });
});

describe('defaults', () => {
  it('applies every default of TOPOLOGY.md to a minimal file', () => {
    const topology = loaded(topologyLoad(`${FIXTURES}minimal.yaml`));
    expect(topology).toEqual({
      version: 1,
      name: 'minimal',
      seed: null,
      hosts: [
        {
          name: 'h0',
          iommus: [{ name: 'smmu0', kind: 'smmuv3', priQueue: 256, eventQueue: 128, service: { dist: 'fixed', valueNs: 0 }, priQuota: null }],
          manager: { service: { dist: 'fixed', valueNs: 0 } },
          owners: [{ name: 'vm0', frontend: 'vdpa', eventQueue: 64 }],
          spaces: [{ name: 'gpa', owner: 'vm0', kind: 'unmanaged', parent: null, iopf: true, handler: { policy: 'map', service: { dist: 'fixed', valueNs: 1000 } } }],
          devices: [
            {
              name: 'vnet0',
              iommu: 'smmu0',
              sid: 1,
              owner: 'vm0',
              frontend: 'vdpa',
              pasids: 0,
              asids: 1,
              pri: null,
              stall: false,
              vf: false,
              atc: 64,
              attach: [{ space: 'gpa', pasid: null, asid: 0 }],
            },
          ],
          workloads: [
            {
              device: 'vnet0',
              pasid: null,
              asid: 0,
              pages: 16,
              pattern: { kind: 'uniform' },
              rate: [{ atNs: 0, perSecond: 10 }],
              count: null,
              durationNs: 1_000_000,
              write: 0,
              mapped: 0,
              arrival: 'poisson',
              prgSize: 1,
            },
          ],
        },
      ],
      links: {
        deviceIommu: { dist: 'fixed', valueNs: 0 },
        iommuManager: { dist: 'fixed', valueNs: 0 },
        managerHandler: { dist: 'fixed', valueNs: 0 },
      },
      timeline: [],
      settings: { batch: { records: 64, windowNs: 0 }, delivery: 'at-most-once', deviceTimeoutNs: 1_000_000, retries: 3, translationTimeoutNs: 1_000_000, translationRetries: 3, responseTimeoutNs: null },
      chaos: [],
      fleets: [],
    });
  });

  it('gives an omitted handler field its default and keeps the given one', () => {
    const text = readFileSync(`${FIXTURES}minimal.yaml`, 'utf8').replace('{ name: gpa, owner: vm0 }', '{ name: gpa, owner: vm0, handler: { policy: invalid } }');
    const space = firstHost(loaded(topologyParse(text, 'minimal.yaml'))).spaces[0];
    expect(space?.handler).toEqual({ policy: 'invalid', service: { dist: 'fixed', valueNs: 1000 } });
  });
});

describe('the forms of a field', () => {
  const host = (workload: string, extra = '') =>
    [
      'version: 1',
      'name: forms',
      'hosts:',
      '  - name: h0',
      '    iommus: [{ name: smmu0, kind: smmuv3, priQuota: 8, service: { dist: uniform, min: 1us, max: "1.5us" } }]',
      '    owners: [{ name: vm0, frontend: vfio, eventQueue: 4 }]',
      '    spaces: [{ name: gpa, owner: vm0, iopf: false }]',
      '    devices: [{ name: nic0, iommu: smmu0, sid: 0, owner: vm0, atc: 0, pri: { credits: 8 }, attach: [{ space: gpa }] }]',
      `    workloads: [${workload}]`,
      extra,
    ].join('\n');

  it('reads patterns as strings and as objects, with their defaults', () => {
    const patterns = ['zipf', '{ kind: zipf, exponent: 1.1 }', 'hotspot', '{ kind: hotspot, fraction: 0.2 }', 'sequential'].map((pattern) => {
      const topology = loaded(topologyParse(host(`{ device: nic0, pages: 8, rate: 1k/s, count: 1, pattern: ${pattern} }`), 'forms.yaml'));
      return firstHost(topology).workloads[0]?.pattern;
    });
    expect(patterns).toEqual([
      { kind: 'zipf', exponent: 1 },
      { kind: 'zipf', exponent: 1.1 },
      { kind: 'hotspot', hotFraction: 0.1, hotAccess: 0.9 },
      { kind: 'hotspot', hotFraction: 0.2, hotAccess: 0.9 },
      { kind: 'sequential' },
    ]);
  });

  it('reads a rate as a list of steps', () => {
    const workload = '{ device: nic0, pages: 8, count: 1, rate: [{ at: "0", rate: 50k/s }, { at: 2ms, rate: 2M/s }] }';
    const topology = loaded(topologyParse(host(workload), 'forms.yaml'));
    expect(firstHost(topology).workloads[0]?.rate).toEqual([
      { atNs: 0, perSecond: 50_000 },
      { atNs: 2_000_000, perSecond: 2_000_000 },
    ]);
  });

  it('reads distributions, quotas and optional settings', () => {
    const extra = ['settings:', '  responseTimeout: 5ms', '  delivery: at-least-once', '  retries: 0', 'links:', '  manager-handler: { dist: exp, mean: 5us }'].join('\n');
    const topology = loaded(topologyParse(host('{ device: nic0, pages: 8, rate: 1000, count: 1, prgSize: 8 }', extra), 'forms.yaml'));
    const iommu = firstHost(topology).iommus[0];
    expect(iommu?.service).toEqual({ dist: 'uniform', minNs: 1000, maxNs: 1500 });
    expect(iommu?.priQuota).toBe(8);
    expect(firstHost(topology).owners[0]?.eventQueue).toBe(4);
    expect(firstHost(topology).devices[0]?.atc).toBe(0);
    expect(topology.links.managerHandler).toEqual({ dist: 'exp', meanNs: 5000 });
    expect(topology.settings).toMatchObject({ responseTimeoutNs: 5_000_000, delivery: 'at-least-once', retries: 0 });
  });

  it('refuses a uniform distribution whose min is above its max', () => {
    const text = host('{ device: nic0, pages: 8, rate: 1k/s, count: 1 }').replace('min: 1us', 'min: 2us');
    const result = topologyParse(text, 'forms.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: 'hosts[0].iommus[0].service.max', line: 5, column: 97, message: 'max "1.5us" is below min "2us"; expected min <= max' },
    ]);
  });
});

describe('loading', () => {
  it('reports a missing file as an error, not a throw', () => {
    const result = topologyLoad(`${FIXTURES}no-such-file.yaml`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ path: '', line: 0, column: 0 });
    expect(result.errors[0]?.message).toMatch(/^cannot read ".*no-such-file\.yaml": no such file; expected a topology/);
  });

  it('reports an empty file', () => {
    expect(topologyParse('', 'empty.yaml')).toEqual({
      ok: false,
      errors: [{ path: '', line: 1, column: 1, message: '"empty.yaml" is empty; expected a topology: an object with version, name and hosts' }],
    });
  });

  it('says first that a binary file is not YAML text, quoting only its first characters', () => {
    const elf = `\u007fELF\u0002\u0001\u0001\u0000${'\u0000GNU coreutils: a long string of the binary\n'.repeat(1000)}`;
    expect(topologyParse(elf, 'ls')).toEqual({
      ok: false,
      errors: [
        {
          path: '',
          line: 1,
          column: 1,
          message:
            '"ls" is not YAML text: a binary file, with U+007F (a control character) at line 1, column 1; ' +
            'it starts "\\u007FELF\\u0002\\u0001\\u0001\\u0000\\u0000GNU cor"…; expected a topology: an object with version, name and hosts in a YAML file',
        },
      ],
    });
  });

  it('names the first byte that is not UTF-8, and cuts a YAML syntax error that quotes a long line', () => {
    const latin1 = topologyParse('version: 1\nname: caf\uFFFD\n', 'latin1.yaml');
    expect(latin1.ok ? [] : latin1.errors.map((error) => [error.line, error.column, error.message.split(';')[0]])).toEqual([
      [2, 10, '"latin1.yaml" is not YAML text: not UTF-8, with a byte that is not UTF-8 at line 2, column 10'],
    ]);
    const long = topologyParse(`- version: 1\nname: ${'y'.repeat(100_000)}\n`, 'long.yaml');
    expect(long.ok).toBe(false);
    if (long.ok) return;
    expect(long.errors.map((error) => error.message.length <= 200)).toEqual([true, true, true]);
  });

  it('checks an object by the same rules, without positions', () => {
    const result = topologyFromObject({ version: 1, name: 'x', hosts: [{ name: 'h0', devices: [{ name: 'nic0', iommu: 'smmu0', sid: 1, owner: 'vm0' }] }] });
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: 'hosts[0].devices[0].owner', line: 0, column: 0, message: 'unknown owner "vm0" on host h0; there are no owners' },
        { path: 'hosts[0].devices[0].iommu', line: 0, column: 0, message: 'unknown iommu "smmu0" on host h0; there are no iommus' },
      ],
    });
  });

  it('refuses what is not an object', () => {
    const result = topologyFromObject([1]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.message).toMatch(/^found a list \[1\]; expected an object with fields: version, name, seed, hosts/);
  });
});
