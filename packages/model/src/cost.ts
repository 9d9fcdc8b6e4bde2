/**
 * Modeled costs: fixed durations or distributions, sampled in whole nanoseconds.
 */
import type { Cost } from '@ioasim/protocol';
import { unreachable } from './assert.js';
import { randomExponential, type Random } from './random.js';

export function costSample(cost: Cost, random: Random): number {
  switch (cost.dist) {
    case 'fixed':
      return cost.valueNs;
    case 'exp':
      return Math.round(randomExponential(random, cost.meanNs));
    case 'uniform':
      return cost.minNs + Math.round(random.float() * (cost.maxNs - cost.minNs));
    default:
      return unreachable(cost);
  }
}

export function costMeanNs(cost: Cost): number {
  switch (cost.dist) {
    case 'fixed':
      return cost.valueNs;
    case 'exp':
      return cost.meanNs;
    case 'uniform':
      return (cost.minNs + cost.maxNs) / 2;
    default:
      return unreachable(cost);
  }
}

export function costIsZero(cost: Cost): boolean {
  return costMeanNs(cost) === 0;
}

export const COST_ZERO: Cost = { dist: 'fixed', valueNs: 0 };
