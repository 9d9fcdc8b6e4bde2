/**
 * Goal: `settings.responseTimeout` makes the manager answer INVALID for a
 * group pending longer than that (the kernel has no such timeout; vendors
 * patch one in), counted as its own auto-response cause, so that a handler
 * that never answers no longer holds its device's PRI credits until the
 * device gives up.
 */
import { fileURLToPath } from 'node:url';
import { run, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

function example(name: string): Topology {
  const loaded = topologyLoad(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  return loaded.topology;
}

const violations = (report: Report) => report.invariants.reduce((sum, invariant) => sum + invariant.violations, 0);

describe('response timeout (settings.responseTimeout)', () => {
  const stuck = run(example('stuck-handler.yaml'));
  const timeout = run(example('response-timeout.yaml'));

  it('without it, every group at the stuck handler waits out the device timeout and its retries, then is abandoned', () => {
    expect(stuck.faults.autoRespondedByCause.responseTimeout).toBe(0);
    expect(stuck.faults.abandoned).toBe(40);
    expect(stuck.faults.retried).toBe(80);
    expect(violations(stuck)).toBe(0);
  });

  it('answers INVALID, with cause responseTimeout, exactly the groups left pending past the timeout', () => {
    expect(timeout.faults.autoRespondedByCause.responseTimeout).toBe(40);
    expect(timeout.faults.autoResponded).toBe(40);
    expect(timeout.faults.abandoned).toBe(0);
    expect(timeout.faults.retried).toBe(0);
    expect(timeout.faults.success).toBe(200);
    expect(timeout.faults.raised).toBe(timeout.faults.responded + timeout.faults.autoResponded);
    expect(violations(timeout)).toBe(0);
  });

  it('gives the stuck groups\' PRI credits back, so the healthy PASID\'s work ends sooner', () => {
    expect(timeout.simulatedNs * 2).toBeLessThan(stuck.simulatedNs);
    expect(timeout.perDevice[0]?.accessesCompleted).toBe(stuck.perDevice[0]?.accessesCompleted);
  });

  it('answers a stuck group one timeout after it was routed', () => {
    const answeredAfterNs: number[] = [];
    const routedNs = new Map<number, number>();
    run(example('response-timeout.yaml'), {
      onTrace: (event) => {
        if (event.kind === 'faultRouted') routedNs.set(event.cookie, event.t);
        if (event.kind === 'groupAutoResponded' && event.cause === 'responseTimeout') answeredAfterNs.push(event.t - (routedNs.get(event.cookie) ?? Number.NaN));
      },
    });
    expect(answeredAfterNs).toHaveLength(40);
    expect(new Set(answeredAfterNs)).toEqual(new Set([20_000]));
  });
});
