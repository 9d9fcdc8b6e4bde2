/**
 * M/M/1: Poisson arrivals, exponential service, one FIFO handler. The mean
 * sojourn time must be 1/(μ−λ) within 3%, and the queue depth the report's
 * series show must be the M/M/1 number in system.
 */
import { describe, expect, it } from 'vitest';
import { mm1MeanNs, singleHandler, sojournMeanNs, timeoutFor } from './single-handler.js';

describe('queueing: M/M/1, a single handler with exponential service', () => {
  for (const { utilisation, faults } of [
    { utilisation: 0.5, faults: 100_000 },
    { utilisation: 0.8, faults: 250_000 },
  ]) {
    it(
      `gives the mean sojourn 1/(μ−λ) within 3% at utilisation ${utilisation}`,
      () => {
        const measured = sojournMeanNs(singleHandler({ utilisation, faults, service: 'exp' }));
        expect(measured.faults).toBe(faults);
        expect(Math.abs(measured.meanNs / mm1MeanNs(utilisation) - 1)).toBeLessThan(0.03);
        // Poisson arrivals see time averages: the handler depth an arrival sees, itself included, is 1/(1−ρ) on average.
        const depths = measured.report.load.series.depthMean.handlerQueue.filter((depth) => depth > 0);
        const depthMean = depths.reduce((sum, depth) => sum + depth, 0) / depths.length;
        expect(Math.abs(depthMean * (1 - utilisation) - 1)).toBeLessThan(0.05);
      },
      timeoutFor(faults),
    );
  }
});
