/**
 * M/D/1: Poisson arrivals, fixed service, one FIFO handler. The mean sojourn
 * time must be 1/μ + ρ/(2μ(1−ρ)) within 3%; with no waiting it is the
 * service time exactly, which shows that nothing else on the path adds
 * latency when every link and every other service is zero.
 */
import { describe, expect, it } from 'vitest';
import { SERVICE_MEAN_NS, md1MeanNs, singleHandler, sojournMeanNs, timeoutFor } from './single-handler.js';

describe('queueing: M/D/1, a single handler with fixed service', () => {
  it('adds no latency of its own when every link and every other service is zero', () => {
    const measured = sojournMeanNs(singleHandler({ utilisation: 0.0001, faults: 200, service: 'fixed' }));
    expect(measured.meanNs).toBe(SERVICE_MEAN_NS);
    const hops = measured.report.load.hopsNs;
    for (const hop of ['deviceToIommu', 'iommuQueue', 'iommuToManager', 'managerDispatch', 'managerToHandler', 'handlerToDevice'] as const) {
      expect(hops[hop].max, hop).toBe(0);
    }
    expect(hops.handler.count).toBe(200);
  });

  for (const { utilisation, faults } of [
    { utilisation: 0.5, faults: 40_000 },
    { utilisation: 0.8, faults: 120_000 },
    { utilisation: 0.9, faults: 400_000 },
  ]) {
    it(
      `gives the mean sojourn 1/μ + ρ/(2μ(1−ρ)) within 3% at utilisation ${utilisation}`,
      () => {
        const measured = sojournMeanNs(singleHandler({ utilisation, faults, service: 'fixed' }));
        expect(measured.faults).toBe(faults);
        expect(Math.abs(measured.meanNs / md1MeanNs(utilisation) - 1)).toBeLessThan(0.03);
      },
      timeoutFor(faults),
    );
  }
});
