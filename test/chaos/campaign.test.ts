/**
 * Goal (issue 7): under message loss, duplication, reordering and a crash of
 * the ioasid manager, at-least-once delivery keeps every invariant on every
 * seed, at-most-once does not, and the checker tells the two apart.
 */
import { describe, expect, it } from 'vitest';
import { run } from '@ioasim/sim';
import { chaosOutcome, outcomeSignature, seedRun, seedSchedule, seedsRun, type ChaosSchedule } from '@ioasim/sim/chaos';
import { chaosExample } from './chaos-kit.js';

const seeds = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);

describe('chaos campaign', () => {
  const topology = chaosExample(120);
  const atLeastOnce: ChaosSchedule = { rules: topology.chaos, delivery: 'at-least-once' };
  const atMostOnce: ChaosSchedule = { rules: topology.chaos, delivery: 'at-most-once' };

  it('CH1 holds every invariant on 200 seeds with at-least-once: 5% drop, 1% duplication, reorder and a manager crash on every hot subject', async () => {
    const results = await seedsRun(seeds(200).map((seed) => ({ topology, schedule: atLeastOnce, seed, swarm: false })), 2);
    expect(results).toHaveLength(200);
    const failing = results.filter((result) => result.outcome.verdict !== 'pass');
    expect(failing.map((result) => result.outcome)).toEqual([]);
    const chaosDone = results.reduce((sum, result) => sum + (result.outcome.chaos['drop'] ?? 0), 0);
    expect(chaosDone).toBeGreaterThan(200);
    expect(results.every((result) => result.outcome.chaos['crash'] === 1 && result.outcome.chaos['restart'] === 1)).toBe(true);
    expect(results.every((result) => result.outcome.raised > 0)).toBe(true);
  }, 240_000);

  it('CH2 reports unanswered groups with at-most-once under the same chaos, each with its device and age', () => {
    const outcomes = seeds(5).map((seed) => seedRun({ topology, schedule: atMostOnce, seed, swarm: false }).outcome);
    expect(outcomes.every((outcome) => outcome.verdict === 'liveness')).toBe(true);
    const group = outcomes[0]?.unanswered[0];
    expect(group?.device).toMatch(/^(nic0|vnet0)$/);
    expect(group?.ageNs).toBeGreaterThan(0);
  });

  it('CH3 is a function of the seed: the same seed gives the same outcome, another seed other chaos', () => {
    const once = seedRun({ topology, schedule: atMostOnce, seed: 7, swarm: false }).outcome;
    const again = seedRun({ topology, schedule: atMostOnce, seed: 7, swarm: false }).outcome;
    const other = seedRun({ topology, schedule: atMostOnce, seed: 8, swarm: false }).outcome;
    expect(outcomeSignature(again)).toBe(outcomeSignature(once));
    expect(JSON.stringify(again.chaos)).toBe(JSON.stringify(once.chaos));
    expect(JSON.stringify(other.chaos)).not.toBe(JSON.stringify(once.chaos));
  });

  it('CH4 with swarm, each seed draws its own probabilities from the base schedule, the same on every draw', () => {
    const draws = seeds(20).map((seed) => seedSchedule(atLeastOnce, seed, true));
    expect(new Set(draws.map((draw) => JSON.stringify(draw.rules))).size).toBeGreaterThan(5);
    expect(JSON.stringify(seedSchedule(atLeastOnce, 3, true))).toBe(JSON.stringify(draws[2]));
    for (const draw of draws) {
      for (const rule of draw.rules) if (rule.kind === 'message') expect(rule.drop).toBeLessThanOrEqual(0.1);
    }
  });

  it('CH5 leaves a topology without chaos as it was: no retries, the same report twice, and a pass of the final check', () => {
    const plain = { ...topology, chaos: [], settings: { ...topology.settings, delivery: 'at-most-once' as const } };
    const first = run(plain, { seed: 3 });
    const second = run(plain, { seed: 3 });
    expect(first.faults).toEqual(second.faults);
    expect(first.faults.retried).toBe(0);
    let verdict = '';
    run(plain, { seed: 3, chaos: {}, onFinish: (checker, simulatedNs) => (verdict = chaosOutcome(checker, simulatedNs, plain, 3).verdict) });
    expect(verdict).toBe('pass');
  });
});
