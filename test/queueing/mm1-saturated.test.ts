/**
 * M/M/1 near saturation (ρ = 0.9), in a file of its own so that it runs in
 * parallel with the other queueing tests: it needs the most faults.
 */
import { describe, expect, it } from 'vitest';
import { mm1MeanNs, singleHandler, sojournMeanNs, timeoutFor } from './single-handler.js';

describe('queueing: M/M/1, a single handler with exponential service', () => {
  const utilisation = 0.9;
  const faults = 800_000;
  it(
    `gives the mean sojourn 1/(μ−λ) within 3% at utilisation ${utilisation}`,
    () => {
      const measured = sojournMeanNs(singleHandler({ utilisation, faults, service: 'exp' }));
      expect(measured.faults).toBe(faults);
      expect(Math.abs(measured.meanNs / mm1MeanNs(utilisation) - 1)).toBeLessThan(0.03);
    },
    timeoutFor(faults),
  );
});
