/**
 * Goal (issue 21): a frame the at-least-once layer gives up on after its
 * retransmission budget is lost, and the verdict says so: a liveness
 * failure naming the frame's host and subject, never only a log line.
 */
import { run } from '@ioasim/sim';
import { chaosOutcome, outcomeLine, type ChaosOutcome } from '@ioasim/sim/chaos';
import type { ChaosRule } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { chaosExample } from './chaos-kit.js';

describe('frames given up by the at-least-once layer', () => {
  it('fail the run for liveness, naming the first lost frame', () => {
    const topology = chaosExample(20);
    // Every response is dropped on the wire and the chaos never heals: the frames on mgr.resp are given up.
    const rules: ChaosRule[] = [{ kind: 'message', match: '*.mgr.resp', drop: 1, duplicate: 0, delay: null, reorderNs: 0 }];
    let outcome: ChaosOutcome | null = null;
    run(topology, {
      seed: 3,
      chaos: { rules, delivery: 'at-least-once', healAtNs: null },
      onFinish: (checker, simulatedNs) => {
        outcome = chaosOutcome(checker, simulatedNs, topology, 3);
      },
    });
    const finished = outcome as ChaosOutcome | null;
    expect(finished?.verdict).toBe('liveness');
    expect(finished?.framesLost).toBeGreaterThan(0);
    expect(finished?.framesLostFirst).toMatch(/^h0: a frame on ioasim\.[^ ]+\.h0\.mgr\.resp given up at t=\d+ns$/);
    expect(outcomeLine(finished as ChaosOutcome)).toContain('frame(s) lost');
  });
});
