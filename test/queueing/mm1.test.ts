/**
 * M/M/1: Poisson arrivals, exponential service, one FIFO handler. The mean
 * sojourn time must be 1/(μ−λ) within 3%.
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
      },
      timeoutFor(faults),
    );
  }
});
