/**
 * Goal (DESIGN.md, Chaos): a device re-issues a page request group after its
 * timeout, and the manager, which still holds the group, de-duplicates it
 * and delivers it to its handler again. So a fault group whose delivery to
 * the handler was lost is answered when its device re-issues it, even with
 * at-most-once delivery; a handler that still holds a group serves it once.
 * The same recovers the groups a crashed frontend (vfio, vdpa) held.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChaosTraceEvent, TraceEvent } from '@ioasim/protocol';
import { run } from '@ioasim/sim';
import { topologyWithChaos } from '@ioasim/sim/chaos';
import { CHAOS_EXAMPLE } from './chaos-kit.js';

/** The chaos example, its chaos replaced by `rule`. */
function chaosExampleWith(rule: string) {
  const text = readFileSync(CHAOS_EXAMPLE, 'utf8').replace(/\nchaos:[\s\S]*$/, '\n');
  const loaded = topologyWithChaos(text, CHAOS_EXAMPLE, [rule]);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.topology;
}

/** The chaos example, its chaos replaced by one rule that drops a share of the manager's deliveries to handlers. */
function lossyDeliveries(drop: number) {
  const topology = chaosExampleWith(`{ match: "*.ioasid.*.faults", drop: ${drop} }`);
  return { ...topology, settings: { ...topology.settings, retries: 5 } };
}

describe('re-delivery of a re-issued group', () => {
  it('answers the groups whose delivery to the handler was lost, when their device re-issues them', () => {
    const drops: ChaosTraceEvent[] = [];
    const routed = new Set<string>();
    const delivered = new Set<string>();
    let routings = 0;
    const report = run(lossyDeliveries(0.2), {
      seed: 7,
      chaos: { delivery: 'at-most-once', onChaos: (event) => drops.push(event) },
      onTrace: (event: TraceEvent) => {
        if (event.kind === 'faultRouted') {
          routings++;
          routed.add(`${event.ioasid}/${event.cookie}`);
        }
        if (event.kind === 'faultDelivered') delivered.add(`${event.ioasid}/${event.cookie}`);
      },
    });
    const faults = report.faults;
    expect(drops.filter((event) => event.action === 'drop').length).toBeGreaterThan(20);
    // Without re-delivery each lost delivery ends abandoned; with it, a group is lost only if every attempt is.
    expect(faults.abandoned).toBe(0);
    expect(faults.stuck).toBe(0);
    expect(faults.retried).toBeGreaterThan(0);
    expect(faults.responded + faults.autoResponded).toBe(faults.raised);
    expect(faults.success).toBe(faults.raised);
    // A re-issued group kept its cookie (routed once), and every cookie whose delivery was lost reached its handler later.
    expect(routings).toBe(faults.raised);
    expect([...routed].filter((cookie) => !delivered.has(cookie))).toEqual([]);
    expect(report.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
  });
});

describe('a frontend crash', () => {
  it.each(['vfio', 'vdpa'])('loses the groups the %s handlers held, and their devices and the manager recover every one', (actor) => {
    const chaos: ChaosTraceEvent[] = [];
    const delivered: { t: number; owner: string }[] = [];
    const topology = chaosExampleWith(`{ crash: ${actor}, host: h0, at: "300us", restartAfter: "200us" }`);
    const report = run(topology, {
      chaos: { delivery: 'at-most-once', onChaos: (event) => chaos.push(event) },
      onTrace: (event: TraceEvent) => {
        if (event.kind === 'faultDelivered') delivered.push({ t: event.t, owner: event.owner });
      },
    });
    expect(chaos.map((event) => `${event.action} ${event.target}`)).toEqual([`crash ${actor}`, `restart ${actor}`, 'heal >']);
    // vm0's spaces are vfio's, vm1's vdpa's (examples/chaos.yaml): the crashed frontend's handlers got nothing while it was down.
    const owner = actor === 'vfio' ? 'vm0' : 'vm1';
    const whileDown = delivered.filter((entry) => entry.owner === owner && entry.t >= 300_000 && entry.t < 500_000);
    expect(whileDown).toEqual([]);
    expect(delivered.filter((entry) => entry.owner === owner && entry.t >= 500_000).length).toBeGreaterThan(0);
    const faults = report.faults;
    expect(faults.retried).toBeGreaterThan(0);
    expect(faults.abandoned).toBe(0);
    expect(faults.stuck).toBe(0);
    expect(faults.responded + faults.autoResponded).toBe(faults.raised);
    expect(report.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
  });
});
