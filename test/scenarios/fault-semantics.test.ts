/**
 * Goal: examples/fault-semantics.yaml, the example of every way the kernel
 * answers a fault by itself, shows each of them counted in its report.
 */
import { reportDeterministicJson, run, topologyLoad, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { violated } from './scenario-kit.js';

function example(): Topology {
  const loaded = topologyLoad(new URL('../../examples/fault-semantics.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.topology;
}

describe('examples/fault-semantics.yaml', () => {
  const report = run(example());

  it('plays its whole timeline', () => {
    expect(report.timeline.map((outcome) => [outcome.operation, outcome.ok])).toEqual([
      ['detach', true],
      ['replace', true],
      ['unplug', true],
      ['destroy', true],
      ['attach', true],
      ['map', true],
    ]);
  });

  it('counts every cause of an automatic response', () => {
    const byCause = report.faults.autoRespondedByCause;
    for (const cause of ['detach', 'replace', 'unplug', 'destroy', 'handlerError', 'noHandler'] as const) {
      expect(byCause[cause], cause).toBeGreaterThan(0);
    }
    // The handlers' answers that came after their groups were auto-responded were refused.
    expect(report.faults.rejectedResponses.answeredCookie).toBeGreaterThan(0);
  });

  it('counts the PRI queue overflow and the partial groups it discarded', () => {
    expect(report.overflows.priQueue).toBeGreaterThan(0);
    expect(report.faults.droppedByCause.priQueueFull).toBe(report.overflows.priQueue);
    expect(report.faults.droppedByCause.partialDiscarded).toBeGreaterThan(0);
    expect(report.perDevice.find((device) => device.device === 'burst0')).toMatchObject({ accessesIssued: 40, accessesCompleted: 40 });
  });

  it('shows the failed handler\'s device with PRI disabled, the stall device served, and the lost events', () => {
    expect(report.perDevice.find((device) => device.device === 'bad0')).toMatchObject({ state: 'priDisabled', priDisabled: true });
    expect(report.perDevice.find((device) => device.device === 'stall0')).toMatchObject({ state: 'active', priDisabled: false });
    expect(report.perDevice.find((device) => device.device === 'stall0')?.accessesCompleted).toBeGreaterThan(0);
    expect(report.perDevice.find((device) => device.device === 'vnet0')).toMatchObject({ state: 'unplugged' });
    expect(report.faults.failure).toBe(report.faults.autoRespondedByCause.handlerError);
    expect(report.faults.unrecoverable).toBeGreaterThan(0);
    expect(report.lostEvents).toBeGreaterThan(0);
  });

  it('keeps every invariant and leaves nothing stuck', () => {
    expect(violated(report)).toEqual({});
    expect(report.faults.stuck).toBe(0);
    const ended = report.faults.responded + report.faults.autoResponded + report.faults.abandoned;
    expect(ended).toBe(report.faults.raised);
  });

  it('gives the same report for the same seed', () => {
    expect(reportDeterministicJson(run(example()))).toBe(reportDeterministicJson(report));
  });
});
