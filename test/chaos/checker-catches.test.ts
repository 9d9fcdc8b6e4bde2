/**
 * Goal (issue 7): the chaos checker can fail. A fault handed to the handler
 * of another tenant's space (a manager that routes one fault to a wrong
 * space, played by a probe on the wire) is caught as a safety failure of
 * isolation, with the seed and a trace excerpt; lost answers
 * under at-most-once are caught as a liveness failure.
 */
import { describe, expect, it } from 'vitest';
import { run, wireInject } from '@ioasim/sim';
import { CHAOS_EXIT, chaosExitCode, chaosOutcome, seedRun, type ChaosOutcome } from '@ioasim/sim/chaos';
import { hostSubjects } from '@ioasim/protocol';
import { chaosExample } from './chaos-kit.js';

describe('the chaos checker', () => {
  const topology = chaosExample(60);

  it('CH6 catches a fault routed to another tenant\'s space, under chaos and at-least-once, as a safety failure (exit 1)', () => {
    let outcome: ChaosOutcome | null = null;
    run(topology, {
      seed: 5,
      chaos: { rules: topology.chaos, delivery: 'at-least-once' },
      onStart: (simulation) => {
        const subjects = hostSubjects(simulation.run, 'h0');
        wireInject(simulation, 1_000_000, subjects.ioasidFaults('vq-data'), 'faultGroup', [
          { cookie: 1, ioasid: 'vq-data', device: 'nic0', pasid: null, stage: 1, faults: [{ page: 3, perm: 1, last: true }], group: 1, issuedNs: 0, dispatchedNs: 1_000_000 },
        ]);
      },
      onFinish: (checker, simulatedNs) => {
        outcome = chaosOutcome(checker, simulatedNs, topology, 5);
      },
    });
    const caught = outcome as ChaosOutcome | null;
    expect(caught?.verdict).toBe('safety');
    const invariants = caught?.violations.map((violation) => violation.invariant) ?? [];
    expect(invariants).toContain('isolation');
    expect(caught?.violations[0]?.message).toMatch(/a fault of nic0 \(owner vm0\) reached a handler of vm1/);
    for (const violation of caught?.violations ?? []) {
      expect(violation.seed).toBe(5);
      expect(violation.excerpt.length).toBeGreaterThan(0);
    }
    expect(chaosExitCode([caught as ChaosOutcome])).toBe(CHAOS_EXIT.safety);
  });

  it('CH7 catches lost answers under at-most-once as a liveness failure (exit 3), and passes the same seed with at-least-once', () => {
    const lossy = seedRun({ topology, schedule: { rules: topology.chaos, delivery: 'at-most-once' }, seed: 4, swarm: false }).outcome;
    const reliable = seedRun({ topology, schedule: { rules: topology.chaos, delivery: 'at-least-once' }, seed: 4, swarm: false }).outcome;
    expect(lossy.verdict).toBe('liveness');
    expect(lossy.abandoned + lossy.stuck).toBeGreaterThan(0);
    expect(chaosExitCode([lossy])).toBe(CHAOS_EXIT.liveness);
    expect(reliable.verdict).toBe('pass');
    expect(chaosExitCode([reliable, lossy])).toBe(CHAOS_EXIT.liveness);
  });
});
