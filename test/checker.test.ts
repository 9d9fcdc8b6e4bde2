/**
 * Goal: the checker catches what it claims to. Each invariant of DESIGN.md
 * that a scenario run cannot break on purpose (4 ownership, 5 detach,
 * 6 credits) is fed a hand-built trace that breaks it, and the checker must
 * report exactly that violation; the same trace without the fault is clean.
 */
import { Checker, topology, type DeviceAccesses, type InvariantName } from '@ioasim/sim';
import { ResponseCode, type TraceEvent } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { topologyOf } from './scenarios/scenario-kit.js';

/** Two tenants: nic0 (vm0, two credits) on `gpa`, and vm1's space `other`. */
const twoTenants = topologyOf(
  topology('checker')
    .host('h0', (h) =>
      h
        .iommu('smmu0', { kind: 'smmuv3' })
        .owner('vm0', { frontend: 'vfio' })
        .owner('vm1', { frontend: 'vfio' })
        .space('gpa', { owner: 'vm0' })
        .space('other', { owner: 'vm1' })
        .device('nic0', { iommu: 'smmu0', sid: 0x100, owner: 'vm0', pasids: 4, pri: { credits: 2 }, attach: [{ space: 'gpa' }] }),
    )
    .build(),
);

const host = 'h0';
const device = 'nic0';

const raised = (t: number, group: number, requests: number, outstanding: number): TraceEvent => ({
  kind: 'groupRaised', t, host, device, pasid: null, prgIndex: group, group, requests, outstanding, credits: 2,
});
const routed = (t: number, group: number, cookie: number): TraceEvent => ({
  kind: 'faultRouted', t, host, device, pasid: null, stage: 1, ioasid: 'gpa', cookie, group,
});
const answered = (t: number, group: number, cookie: number, owner: string): TraceEvent => ({
  kind: 'groupAnswered', t, host, device, cookie, group, code: ResponseCode.success, owner,
});
const autoResponded = (t: number, group: number, cookie: number): TraceEvent => ({
  kind: 'groupAutoResponded', t, host, device, pasid: null, group, cookie, code: ResponseCode.invalid, cause: 'detach',
});
const completed = (t: number, group: number, code: ResponseCode): TraceEvent => ({
  kind: 'groupCompleted', t, host, device, pasid: null, group, code, latencyNs: t,
});
const detached: TraceEvent = { kind: 'attachmentChanged', t: 15, host, device, pasid: null, ioasid: null };

function check(trace: readonly TraceEvent[]): Record<InvariantName, number> {
  const checker = new Checker(twoTenants, 1);
  for (const event of trace) checker.observe(event);
  checker.finish();
  return Object.fromEntries(checker.violationCounts) as Record<InvariantName, number>;
}

const clean = { accounting: 0, routing: 0, isolation: 0, ownership: 0, detach: 0, credits: 0 };

describe('checker', () => {
  it('passes a trace that keeps every invariant', () => {
    expect(check([raised(0, 1, 1, 1), routed(1, 1, 7), answered(2, 1, 7, 'vm0'), completed(3, 1, ResponseCode.success)])).toEqual(clean);
  });

  it('invariant 4: reports a response accepted from another owner than the cookie\'s', () => {
    const violations = check([raised(0, 1, 1, 1), routed(1, 1, 7), answered(2, 1, 7, 'vm1'), completed(3, 1, ResponseCode.success)]);
    expect(violations).toEqual({ ...clean, ownership: 1 });
  });

  it('invariant 5: reports a handler answer accepted after the group was auto-responded at detach', () => {
    const violations = check([
      raised(0, 1, 1, 1),
      routed(1, 1, 7),
      detached,
      autoResponded(15, 1, 7),
      answered(20, 1, 7, 'vm0'),
      completed(21, 1, ResponseCode.invalid),
    ]);
    expect(violations).toEqual({ ...clean, detach: 1 });
  });

  it('invariant 5: reports a response reaching the device that is not the auto-response of a detached group', () => {
    const violations = check([
      raised(0, 1, 1, 1),
      routed(1, 1, 7),
      detached,
      autoResponded(15, 1, 7),
      completed(21, 1, ResponseCode.success),
    ]);
    expect(violations).toEqual({ ...clean, detach: 1 });
  });

  it('invariant 5: passes the same detach when the device hears only the INVALID', () => {
    expect(check([raised(0, 1, 1, 1), routed(1, 1, 7), detached, autoResponded(15, 1, 7), completed(21, 1, ResponseCode.invalid)])).toEqual(clean);
  });

  it('invariant 6: reports more requests outstanding than the credits, from its own count, even when the device claims fewer', () => {
    const violations = check([
      raised(0, 1, 2, 2),
      raised(1, 2, 1, 1),
      completed(5, 1, ResponseCode.success),
      completed(6, 2, ResponseCode.success),
    ]);
    expect(violations).toEqual({ ...clean, credits: 1 });
  });

  it('invariant 6: passes a group that waits for a response to free the credits', () => {
    expect(
      check([
        raised(0, 1, 2, 2),
        completed(5, 1, ResponseCode.success),
        raised(5, 2, 1, 1),
        completed(6, 2, ResponseCode.success),
      ]),
    ).toEqual(clean);
  });

  it('keeps groups apart whatever their tags: a group tag past 2^32 is not taken for another group, and a stuck one is named', () => {
    const big = 2 ** 32 + 1;
    expect(check([raised(0, big, 1, 1), routed(1, big, 7), answered(2, big, 7, 'vm0'), completed(3, big, ResponseCode.success)])).toEqual(clean);
    // The same tag on two devices is two groups, also where a number key would run out of precision (2^53).
    const other = (event: TraceEvent): TraceEvent => ({ ...event, device: 'nic1' }) as TraceEvent;
    const checker = new Checker(twoTenants, 1);
    for (const event of [raised(0, big, 1, 1), other(raised(1, big, 1, 1)), routed(2, big, 7), answered(3, big, 7, 'vm0'), completed(4, big, ResponseCode.success)]) {
      checker.observe(event);
    }
    expect(checker.stuckGroups(10)).toEqual([{ host, device: 'nic1', group: big, raisedNs: 1, ageNs: 9, state: 'stuck' }]);
    checker.finish();
    expect(checker.violations[0]?.message).toBe(`group h0/nic1/${big} raised at 1ns never ended (stuck)`);
  });

  it('counts a group in flight at a requested cut-off apart: not stuck, not a violation', () => {
    const checker = new Checker(twoTenants, 1);
    for (const event of [raised(0, 1, 1, 1), raised(1, 2, 1, 2), completed(3, 1, ResponseCode.success)]) checker.observe(event);
    checker.finish(true);
    expect([checker.inFlightAtCut, checker.stuck, checker.stuckGroups(10)]).toEqual([1, 0, []]);
    expect(checker.violations).toEqual([]);
  });

  describe('the accesses\' account (invariant 1)', () => {
    const account = (change: Partial<DeviceAccesses>): DeviceAccesses => ({
      host, device, issued: 10, completed: 7, failed: 1, abandoned: 2, inFlight: 0, ...change,
    });
    const abandoned = (t: number, page: number, accesses: number): TraceEvent => ({
      kind: 'accessAbandoned', t, host, device, pasid: 1, page, accesses, requests: 4, waitedNs: 4_000_000,
    });
    const finished = (trace: readonly TraceEvent[], devices: readonly DeviceAccesses[], cut = false): Checker => {
      const checker = new Checker(twoTenants, 1);
      for (const event of trace) checker.observe(event);
      checker.finish(cut, devices);
      return checker;
    };

    it('passes a device whose accesses all ended, the abandoned ones named by the trace', () => {
      const checker = finished([abandoned(5, 3, 2)], [account({})]);
      expect(checker.violations).toEqual([]);
      expect(checker.accesses.abandonedAccesses).toEqual([
        { host, device, pasid: 1, page: 3, accesses: 2, requests: 4, abandonedNs: 5, waitedNs: 4_000_000 },
      ]);
    });

    it('reports accesses left in flight by a run that ended by itself as stuck, naming the device', () => {
      const checker = finished([abandoned(5, 3, 2)], [account({ completed: 4, inFlight: 3 })]);
      expect(checker.violations.map((violation) => [violation.invariant, violation.message])).toEqual([
        ['accounting', 'h0/nic0: 3 access(es) issued never ended (stuck)'],
      ]);
      expect([checker.accesses.stuck, checker.stuckViolations]).toEqual([3, 1]);
    });

    it('counts accesses in flight at a requested cut-off apart: not stuck, not a violation', () => {
      const checker = finished([abandoned(5, 3, 2)], [account({ completed: 4, inFlight: 3 })], true);
      expect(checker.violations).toEqual([]);
      expect([checker.accesses.inFlightAtCut, checker.accesses.stuck]).toEqual([3, 0]);
    });

    it('reports an account that does not balance, and abandoned accesses the trace did not name', () => {
      const checker = finished([abandoned(5, 3, 1)], [account({ completed: 6 })]);
      expect(checker.violations.map((violation) => violation.message)).toEqual([
        'h0/nic0 accesses: issued 10 != completed + failed + abandoned 9 + in flight 0',
        'h0/nic0 counts 2 access(es) abandoned, its trace named 1',
      ]);
      expect(checker.stuckViolations).toBe(0);
    });
  });
});
