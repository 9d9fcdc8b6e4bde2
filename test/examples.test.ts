/**
 * Goal: every topology in examples/ is one a newcomer can trust. It passes
 * the JSON Schema that `ioasim schema` prints (checked by a real JSON Schema
 * validator, as an editor would), it loads, and it runs to the end with every
 * invariant holding; the examples of the format deliver faults at every
 * space and answer each with SUCCESS. multi-tenant.yaml shows isolation
 * fault by fault: each tenant's faults reach its own spaces only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { run, topologyJsonSchema, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const FILES = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

function loaded(file: string): Topology {
  const result = topologyLoad(join(EXAMPLES, file));
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return result.topology;
}

const reports = new Map<string, Report>();

/** The report of a full run of an example, run once per file. */
function reportOf(file: string): Report {
  let report = reports.get(file);
  if (report === undefined) {
    report = run(loaded(file));
    reports.set(file, report);
  }
  return report;
}

function violations(report: Report): Record<string, number> {
  return Object.fromEntries(report.invariants.map((invariant) => [invariant.name, invariant.violations]));
}

const NO_VIOLATIONS = { accounting: 0, routing: 0, isolation: 0, ownership: 0, detach: 0, credits: 0 };

/** The examples of the topology format: every space is meant to take faults, and every fault to be mapped. */
const ROUTING_EXAMPLES = ['fleet-1000.yaml', 'multi-tenant.yaml', 'nested-vsva.yaml', 'single-host.yaml', 'vdpa-multi-asid.yaml'];

describe('examples/', () => {
  it('holds the five examples of the topology format', () => {
    expect(FILES).toEqual(expect.arrayContaining(ROUTING_EXAMPLES));
  });

  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(topologyJsonSchema());

  describe.each(FILES)('%s', (file) => {
    it('validates against the JSON Schema of ioasim schema', () => {
      const document: unknown = parse(readFileSync(join(EXAMPLES, file), 'utf8'), { merge: true });
      const valid = validate(document);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('loads with topologyLoad', () => {
      expect(loaded(file).hosts.length).toBeGreaterThan(0);
    });

    it('runs with no invariant violated and every group accounted for', () => {
      const report = reportOf(file);
      expect(violations(report)).toEqual(NO_VIOLATIONS);
      expect(report.faults.raised).toBeGreaterThan(0);
      expect(report.faults.responded + report.faults.autoResponded + report.faults.abandoned).toBe(report.faults.raised);
      expect(report.faults.stuck).toBe(0);
    });
  });

  // These examples show routing, not the kernel's refusals: every group is
  // answered by a handler, and every space gets faults.
  describe.each(ROUTING_EXAMPLES)('%s', (file) => {
    it('answers every group with SUCCESS from a handler and delivers faults at every space', () => {
      const report = reportOf(file);
      expect(report.faults.success).toBe(report.faults.raised);
      expect(report.faults.delivered).toBe(report.faults.raised);
      expect(report.faults.dropped).toBe(0);
      expect(report.perIoasid.filter((space) => space.delivered === 0)).toEqual([]);
    });
  });

  it('refuses, by the same JSON Schema, a file an editor should flag', () => {
    const document = parse(readFileSync(join(EXAMPLES, 'single-host.yaml'), 'utf8')) as { hosts: { iommus: Record<string, unknown>[] }[] };
    const iommu = document.hosts[0]?.iommus[0];
    if (iommu === undefined) throw new Error('single-host.yaml has no iommu');
    iommu['kind'] = 'amd-vi';
    iommu['priQueues'] = 4;
    expect(validate(document)).toBe(false);
    const messages = (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
    expect(messages).toContain('/hosts/0/iommus/0/kind must be equal to one of the allowed values');
    expect(messages).toContain('/hosts/0/iommus/0 must NOT have additional properties');
  });
});

describe('multi-tenant.yaml', () => {
  it('delivers each tenant\'s faults only to that tenant\'s handlers, with faults at both tenants', () => {
    const topology = loaded('multi-tenant.yaml');
    const host = topology.hosts[0];
    if (host === undefined) throw new Error('multi-tenant.yaml has no host');
    const deviceOwner = new Map(host.devices.map((device) => [device.name, device.owner]));
    const spaceOwner = new Map(host.spaces.map((space) => [space.name, space.owner]));
    const deliveredByOwner = new Map<string, number>();
    const crossed: string[] = [];
    const report = run(topology, {
      onTrace: (event) => {
        if (event.kind !== 'faultDelivered') return;
        deliveredByOwner.set(event.owner, (deliveredByOwner.get(event.owner) ?? 0) + 1);
        if (deviceOwner.get(event.device) !== event.owner) crossed.push(`${event.device} -> ${event.owner}`);
      },
    });
    expect(crossed).toEqual([]);
    expect(deliveredByOwner.get('tenant-a')).toBeGreaterThan(0);
    expect(deliveredByOwner.get('tenant-b')).toBeGreaterThan(0);
    for (const space of report.perIoasid) expect(space.owner).toBe(spaceOwner.get(space.name));
    const perTenant = (owner: string) => report.perIoasid.filter((space) => space.owner === owner).reduce((sum, space) => sum + space.delivered, 0);
    expect(perTenant('tenant-a')).toBe(deliveredByOwner.get('tenant-a'));
    expect(perTenant('tenant-b')).toBe(deliveredByOwner.get('tenant-b'));
    expect(violations(report)).toEqual(NO_VIOLATIONS);
  });
});
