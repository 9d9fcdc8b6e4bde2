/**
 * Goal (issue 7): under chaos, the verdict fails a run on a violation of any
 * of the six invariants. Each case plays a buggy actor: a probe reports, on
 * the trace subject, what that actor would report if it broke the invariant,
 * in the middle of an at-least-once run with drops, duplicates, reordering
 * and a manager crash; the outcome is a safety failure naming the invariant,
 * with the seed and a trace excerpt.
 */
import { describe, expect, it } from 'vitest';
import { run, wireInject } from '@ioasim/sim';
import { CHAOS_EXIT, chaosExitCode, chaosOutcome, type ChaosOutcome } from '@ioasim/sim/chaos';
import { traceSubject, type TraceEvent } from '@ioasim/protocol';
import { chaosExample } from './chaos-kit.js';

const AT_NS = 1_500_000;
const SEED = 11;

function withBug(events: readonly TraceEvent[]): ChaosOutcome {
  const topology = chaosExample(60);
  let outcome: ChaosOutcome | null = null;
  run(topology, {
    seed: SEED,
    chaos: { rules: topology.chaos, delivery: 'at-least-once' },
    onStart: (simulation) => wireInject(simulation, AT_NS, traceSubject(simulation.run, 'h0'), 'trace', events),
    onFinish: (checker, simulatedNs) => {
      outcome = chaosOutcome(checker, simulatedNs, topology, SEED);
    },
  });
  if (outcome === null) throw new Error('no outcome');
  return outcome;
}

const h0 = { t: AT_NS, host: 'h0' } as const;

const BUGS: readonly { invariant: string; what: string; events: TraceEvent[] }[] = [
  {
    invariant: 'accounting',
    what: 'a device reports a response for a group it never raised',
    events: [{ ...h0, kind: 'groupCompleted', device: 'nic0', pasid: null, group: 999_999, code: 0, latencyNs: 1 }],
  },
  {
    invariant: 'routing',
    what: 'the manager routes a RID fault of nic0 to dma-pool, attached to PASID 1',
    events: [{ ...h0, kind: 'faultRouted', device: 'nic0', pasid: null, stage: 1, ioasid: 'dma-pool', cookie: 999_999, group: 999_999 }],
  },
  {
    invariant: 'isolation',
    what: "a fault of vm0's nic0 reaches a handler of vm1",
    events: [{ ...h0, kind: 'faultDelivered', owner: 'vm1', ioasid: 'vq-data', device: 'nic0', cookie: 999_999, group: 999_999 }],
  },
  {
    invariant: 'ownership',
    what: "the manager accepts vm1's answer to a cookie of vm0",
    events: [
      { ...h0, kind: 'faultRouted', device: 'nic0', pasid: null, stage: 1, ioasid: 'gpa', cookie: 999_999, group: 999_999 },
      { ...h0, kind: 'groupAnswered', device: 'nic0', cookie: 999_999, group: 999_999, code: 0, owner: 'vm1' },
    ],
  },
  {
    invariant: 'detach',
    what: 'a SUCCESS reaches the device after its group was answered INVALID at detach',
    events: [
      { ...h0, kind: 'groupRaised', device: 'nic0', pasid: null, prgIndex: 0, group: 999_999, requests: 1, outstanding: 1, credits: 16 },
      { ...h0, kind: 'groupAutoResponded', device: 'nic0', pasid: null, group: 999_999, cookie: 999_999, code: 1, cause: 'detach' },
      { ...h0, kind: 'groupCompleted', device: 'nic0', pasid: null, group: 999_999, code: 0, latencyNs: 1 },
    ],
  },
  {
    invariant: 'credits',
    what: 'a device issues a group beyond its PRI credits',
    events: [{ ...h0, kind: 'groupRaised', device: 'vnet0', pasid: 0, prgIndex: 0, group: 999_999, requests: 1, outstanding: 99, credits: 8 }],
  },
];

describe('the chaos verdict on each invariant', () => {
  for (const bug of BUGS) {
    it(`CH12 fails the run as unsafe (exit 1) when ${bug.what} (${bug.invariant})`, () => {
      const outcome = withBug(bug.events);
      expect(outcome.verdict).toBe('safety');
      expect(chaosExitCode([outcome])).toBe(CHAOS_EXIT.safety);
      const violation = outcome.violations.find((candidate) => candidate.invariant === bug.invariant);
      expect(violation?.seed).toBe(SEED);
      expect(violation?.excerpt.length).toBeGreaterThan(0);
      expect(outcome.chaos['crash']).toBe(1);
    });
  }

  it('CH12 passes the same run without the bug', () => {
    expect(withBug([]).verdict).toBe('pass');
  });
});
