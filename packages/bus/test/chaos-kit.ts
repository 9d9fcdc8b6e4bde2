/**
 * Test kit for the chaos and at-least-once decorators: a LocalBus on a
 * virtual clock, a small seeded random source, and a message rule builder.
 */
import { LocalBus, Scheduler, VirtualClock, type ChaosRandom } from '@ioasim/bus';
import type { ChaosRule } from '@ioasim/protocol';

/** mulberry32: a seeded source good enough to drive chaos in tests. */
export function seededRandom(seed: number): ChaosRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    chance: (numerator, denominator) => Math.floor(next() * denominator) < numerator,
    below: (bound) => Math.floor(next() * bound),
  };
}

export function messageRule(match: string, fields: Partial<Omit<Extract<ChaosRule, { kind: 'message' }>, 'kind' | 'match'>>): ChaosRule {
  return { kind: 'message', match, drop: 0, duplicate: 0, delay: null, reorderNs: 0, ...fields };
}

export function localSetup(latencyNs = 100): { scheduler: Scheduler; clock: VirtualClock; bus: LocalBus } {
  const scheduler = new Scheduler();
  return { scheduler, clock: new VirtualClock(scheduler), bus: new LocalBus(scheduler, { latencyNs: () => latencyNs }) };
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();
