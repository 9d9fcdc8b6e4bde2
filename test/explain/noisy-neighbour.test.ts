/**
 * Goal: when one device's fault storm fills an IOMMU's shared PRI queue, the
 * report says which device and PASID lost page requests (the kernel only
 * says "PRQ overflow" per IOMMU), and a per-device `priQuota` keeps the
 * other devices' requests out of the storm's way.
 */
import { cliMain } from '@ioasim/cli';
import { fileURLToPath } from 'node:url';
import { IommuState, randomCreate } from '@ioasim/model';
import { Perm, type TraceEvent } from '@ioasim/protocol';
import { run, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

function example(name: string): Topology {
  const loaded = topologyLoad(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  return loaded.topology;
}

function lostBy(report: Report, device: string): number {
  return report.overflowsByDevice.filter((row) => row.device === device).reduce((sum, row) => sum + row.dropped, 0);
}

describe('PRI quota (iommus[].priQuota)', () => {
  const topology = example('noisy-neighbour-quota.yaml');
  const host = topology.hosts[0]!;
  const iommuConfig = { ...host.iommus[0]!, priQueue: 4, priQuota: 2, service: { dist: 'fixed', valueNs: 1000 } as const };
  const request = (device: string, sid: number, pasid: number, page: number) => ({
    device, sid, pasid, prgIndex: page, page, perm: Perm.read, last: true, stall: false, group: page, issuedNs: 0,
  });

  it('drops a request over its device\'s quota with cause priQuota while the queue still has room for another device', () => {
    const traces: TraceEvent[] = [];
    const iommu = new IommuState(host, iommuConfig, randomCreate(1, 'iommu'), {
      translationCompletion: () => {},
      report: () => {},
      prgResponse: () => {},
      trace: (event) => traces.push(event),
    });
    iommu.pageRequests(0, [request('storm0', 0x100, 1, 1), request('storm0', 0x100, 1, 2), request('storm0', 0x100, 1, 3), request('nic1', 0x200, 2, 4)]);
    expect(traces).toEqual([expect.objectContaining({ kind: 'recordDropped', cause: 'priQuota', device: 'storm0', pasid: 1, group: 3 })]);
    expect(iommu.counters).toMatchObject({ pageRequests: 4, priOverflows: 1, priQuotaDrops: 1 });
    expect(iommu.priQueueDepth(0)).toBe(3);
  });

  it('gives a device its share back as its records leave the queue', () => {
    const traces: TraceEvent[] = [];
    const iommu = new IommuState(host, iommuConfig, randomCreate(1, 'iommu'), {
      translationCompletion: () => {},
      report: () => {},
      prgResponse: () => {},
      trace: (event) => traces.push(event),
    });
    iommu.pageRequests(0, [request('storm0', 0x100, 1, 1), request('storm0', 0x100, 1, 2)]);
    iommu.pageRequests(1000, [request('storm0', 0x100, 1, 3)]);
    expect(traces).toEqual([]);
    expect(iommu.counters.priQuotaDrops).toBe(0);
  });
});

describe('examples/noisy-neighbour.yaml', () => {
  const shared = run(example('noisy-neighbour.yaml'));
  const quota = run(example('noisy-neighbour-quota.yaml'));

  it('shows the quiet device losing page requests to its neighbour\'s storm in a shared queue', () => {
    expect(lostBy(shared, 'storm0')).toBeGreaterThan(0);
    expect(lostBy(shared, 'nic1')).toBeGreaterThan(0);
    expect(shared.overflowsByDevice.map((row) => [row.iommu, row.device, row.pasid])).toEqual([
      ['smmu0', 'nic1', 2],
      ['smmu0', 'storm0', 1],
    ]);
    expect(shared.faults.droppedByCause.priQuota).toBe(0);
  });

  it('attributes every dropped page request: the rows sum to the IOMMU\'s overflow count', () => {
    for (const report of [shared, quota]) {
      const rows = report.overflowsByDevice.reduce((sum, row) => sum + row.dropped, 0);
      expect(rows).toBe(report.overflows.priQueue);
      expect(rows).toBe(report.faults.droppedByCause.priQueueFull + report.faults.droppedByCause.priQuota);
    }
  });

  it('with priQuota, only the storming device loses requests, by its quota, and the quiet one completes every access', () => {
    expect(quota.overflowsByDevice).toEqual([
      expect.objectContaining({ host: 'h0', iommu: 'smmu0', device: 'storm0', pasid: 1, priQueueFull: 0 }),
    ]);
    expect(quota.faults.droppedByCause.priQuota).toBeGreaterThan(0);
    const nic = (report: Report) => report.perDevice.find((device) => device.device === 'nic1')!;
    expect(nic(shared).accessesFailed).toBeGreaterThan(0);
    expect(nic(quota).accessesFailed).toBe(0);
    expect(nic(quota).latencyNs.p99).toBeLessThan(nic(shared).latencyNs.p99 / 4);
  });

  it('names, in the terminal summary, the device and PASID that lost page requests', async () => {
    const out: string[] = [];
    const code = await cliMain(['run', fileURLToPath(new URL('../../examples/noisy-neighbour.yaml', import.meta.url))], { out: (text) => out.push(text), error: () => {}, tty: false });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(`h0/smmu0: nic1 PASID 2 lost ${lostBy(shared, 'nic1')} page request(s) (${lostBy(shared, 'nic1')} queue full)`);
  });
});
