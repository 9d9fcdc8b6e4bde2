/**
 * The single-handler topology of the queueing tests: one device, one space,
 * one handler, every modeled cost zero except the handler's service, every
 * access a fault on a page never seen before (sequential over a huge unmapped
 * working set), so the handler is a single FIFO server fed by the workload's
 * Poisson arrivals. Nothing here computes a latency: waiting emerges from the
 * simulated queues, and the tests compare it with queueing theory.
 *
 * The standard deviation of a sample mean of n sojourn times grows as
 * (1−ρ)^-2 near saturation. Measured on the Lindley recursion over 100
 * independent seeds, at the fault counts of the tests it is: M/M/1 0.5/100k
 * 1.0%, 0.8/250k 1.8%, 0.9/800k 2.1%; M/D/1 0.5/40k 0.6%, 0.8/120k 1.6%,
 * 0.9/400k 1.9%. The seed is fixed, so a run replays exactly; a change to how
 * the run draws its random numbers is a new sample, and the farther it lands
 * from theory the more likely the simulator is wrong.
 */
import { expect } from 'vitest';
import { run, topologyFromObject, type Report, type Topology } from '@ioasim/sim';

export const SERVICE_MEAN_NS = 10_000;
const SERVICE_RATE_PER_SECOND = 1e9 / SERVICE_MEAN_NS;
const SEED = 11;

export function singleHandler(options: { readonly utilisation: number; readonly faults: number; readonly service: 'exp' | 'fixed' }): Topology {
  const service = options.service === 'exp' ? { dist: 'exp', mean: SERVICE_MEAN_NS } : SERVICE_MEAN_NS;
  const loaded = topologyFromObject({
    version: 1,
    name: `single-handler-${options.service}-${Math.round(options.utilisation * 100)}`,
    seed: SEED,
    hosts: [
      {
        name: 'h0',
        iommus: [{ name: 'smmu0', kind: 'smmuv3', priQueue: 1_000_000, eventQueue: 16, service: 0 }],
        manager: { service: 0 },
        owners: [{ name: 'vm0', frontend: 'vfio' }],
        spaces: [{ name: 'gpa', owner: 'vm0', handler: { policy: 'map', service } }],
        devices: [{ name: 'nic0', iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 1_000_000 }, attach: [{ space: 'gpa' }] }],
        workloads: [
          {
            device: 'nic0',
            pages: 1_000_000_000,
            pattern: 'sequential',
            arrival: 'poisson',
            rate: options.utilisation * SERVICE_RATE_PER_SECOND,
            count: options.faults,
            mapped: 0,
          },
        ],
      },
    ],
    links: { 'device-iommu': 0, 'iommu-manager': 0, 'manager-handler': 0 },
  });
  if (!loaded.ok) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  return loaded.topology;
}

/** The exact mean of every fault's end-to-end latency, from the trace (not from a histogram's buckets). */
export function sojournMeanNs(topology: Topology): { readonly meanNs: number; readonly faults: number; readonly report: Report } {
  let sum = 0;
  let faults = 0;
  const report = run(topology, {
    onTrace: (event) => {
      if (event.kind !== 'groupCompleted') return;
      sum += event.latencyNs;
      faults++;
    },
  });
  expect(report.faults.raised).toBe(faults);
  expect(report.faults.success).toBe(faults);
  expect(report.overflows.priQueue).toBe(0);
  expect(report.faults.retried).toBe(0);
  if (process.env['IOASIM_QUEUEING_PRINT'] === '1') {
    const depths = report.load.series.depthMean.handlerQueue.filter((depth) => depth > 0);
    const depthMean = depths.reduce((total, depth) => total + depth, 0) / depths.length;
    console.log(`${topology.name}: ${faults} faults, mean sojourn ${(sum / faults).toFixed(1)} ns, handler depth seen ${depthMean.toFixed(3)}`);
  }
  return { meanNs: sum / faults, faults, report };
}

export function mm1MeanNs(utilisation: number): number {
  const mu = 1 / SERVICE_MEAN_NS;
  return 1 / (mu - utilisation * mu);
}

export function md1MeanNs(utilisation: number): number {
  const mu = 1 / SERVICE_MEAN_NS;
  return 1 / mu + utilisation / (2 * mu * (1 - utilisation));
}

/** A test of this many faults may take this long on a slow machine (an embedded run does several thousand a second). */
export function timeoutFor(faults: number): number {
  return 60_000 + faults;
}
