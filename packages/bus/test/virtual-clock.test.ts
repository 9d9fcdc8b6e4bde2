import { describe, expect, it } from 'vitest';
import { AssertionError, Priority, Scheduler, VirtualClock, millisecondsToNanoseconds } from '@ioasim/bus';

describe('VirtualClock', () => {
  it('reads the time of the scheduler', () => {
    const scheduler = new Scheduler();
    const clock = new VirtualClock(scheduler);
    const seen: number[] = [];
    clock.afterNs(250, () => seen.push(clock.nowNs()));
    scheduler.run();
    expect(seen).toEqual([250]);
    expect(clock.nowNs()).toBe(250);
  });

  it("converts xstate's setTimeout milliseconds to nanoseconds", () => {
    const scheduler = new Scheduler();
    const clock = new VirtualClock(scheduler);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.nowNs()), 3);
    clock.setTimeout(() => seen.push(clock.nowNs()), 0.0015);
    scheduler.run();
    expect(seen).toEqual([1500, 3_000_000]);
  });

  it('treats a negative or NaN xstate delay as 0, as Node does', () => {
    expect(millisecondsToNanoseconds(-5)).toBe(0);
    expect(millisecondsToNanoseconds(Number.NaN)).toBe(0);
    expect(millisecondsToNanoseconds(2)).toBe(2_000_000);
  });

  it('cancels a timer with clearTimeout and with cancel', () => {
    const scheduler = new Scheduler();
    const clock = new VirtualClock(scheduler);
    const ran: string[] = [];
    clock.clearTimeout(clock.setTimeout(() => ran.push('timeout'), 1));
    clock.cancel(clock.afterNs(5, () => ran.push('afterNs')));
    clock.afterNs(10, () => ran.push('kept'));
    scheduler.run();
    expect(ran).toEqual(['kept']);
  });

  it('runs afterNs(0, flush) at the end of the instant, after normal work scheduled later', () => {
    const scheduler = new Scheduler();
    const clock = new VirtualClock(scheduler);
    const ran: string[] = [];
    clock.afterNs(100, () => {
      clock.afterNs(0, () => ran.push(`flush@${clock.nowNs()}`), Priority.flush);
      clock.afterNs(0, () => {
        ran.push(`normal@${clock.nowNs()}`);
        clock.afterNs(0, () => ran.push(`normal again@${clock.nowNs()}`));
      });
    });
    scheduler.run();
    expect(ran).toEqual(['normal@100', 'normal again@100', 'flush@100']);
  });

  it('refuses a negative delay', () => {
    const clock = new VirtualClock(new Scheduler());
    expect(() => clock.afterNs(-1, () => undefined)).toThrow(AssertionError);
  });
});
