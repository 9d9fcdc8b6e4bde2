import { describe, expect, it } from 'vitest';
import { AssertionError, Priority, Scheduler } from '@ioasim/bus';
import { generator } from './generator.js';

describe('Scheduler', () => {
  it('runs events in ascending time, whatever the order they were scheduled in', () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    for (const timeNs of [50, 10, 40, 20, 30]) scheduler.at(timeNs, Priority.normal, () => ran.push(timeNs));
    expect(scheduler.run()).toEqual({ events: 5, stoppedBy: 'empty' });
    expect(ran).toEqual([10, 20, 30, 40, 50]);
    expect(scheduler.nowNs).toBe(50);
  });

  it('runs same-time events in ascending priority', () => {
    const scheduler = new Scheduler();
    const ran: string[] = [];
    scheduler.at(10, Priority.observer, () => ran.push('observer'));
    scheduler.at(10, Priority.flush, () => ran.push('flush'));
    scheduler.at(10, Priority.normal, () => ran.push('normal'));
    scheduler.run();
    expect(ran).toEqual(['normal', 'flush', 'observer']);
  });

  it('runs same-time, same-priority events in the order they were scheduled', () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    for (let index = 0; index < 100; index++) scheduler.at(7, Priority.normal, () => ran.push(index));
    scheduler.run();
    expect(ran).toEqual([...Array(100).keys()]);
  });

  it('runs an event scheduled at the current instant after those already scheduled there', () => {
    const scheduler = new Scheduler();
    const ran: string[] = [];
    scheduler.at(5, Priority.normal, () => {
      ran.push('first');
      scheduler.at(5, Priority.normal, () => ran.push('scheduled by first'));
      scheduler.at(5, Priority.flush, () => ran.push('flush by first'));
    });
    scheduler.at(5, Priority.normal, () => ran.push('second'));
    scheduler.run();
    expect(ran).toEqual(['first', 'second', 'scheduled by first', 'flush by first']);
  });

  it('passes the argument of schedule to its callback', () => {
    const scheduler = new Scheduler();
    const seen: string[] = [];
    const record = (value: string): void => {
      seen.push(`${value}@${scheduler.nowNs}`);
    };
    scheduler.schedule(3, Priority.normal, record, 'b');
    scheduler.schedule(1, Priority.normal, record, 'a');
    scheduler.run();
    expect(seen).toEqual(['a@1', 'b@3']);
  });

  it('never runs a cancelled event', () => {
    const scheduler = new Scheduler();
    const ran: string[] = [];
    const kept = scheduler.at(10, Priority.normal, () => ran.push('kept'));
    const cancelled = scheduler.at(10, Priority.normal, () => ran.push('cancelled'));
    scheduler.cancel(cancelled);
    expect(scheduler.pendingCount).toBe(1);
    scheduler.run();
    expect(ran).toEqual(['kept']);
    // Cancelling an event that already ran, or twice, changes nothing.
    scheduler.cancel(kept);
    scheduler.cancel(cancelled);
    expect(scheduler.pendingCount).toBe(0);
  });

  it('lets an event cancel another event of the same instant', () => {
    const scheduler = new Scheduler();
    const ran: string[] = [];
    scheduler.at(0, Priority.normal, () => scheduler.cancel(victim));
    const victim = scheduler.at(0, Priority.flush, () => ran.push('victim'));
    scheduler.at(0, Priority.normal, () => ran.push('survivor'));
    scheduler.run();
    expect(ran).toEqual(['survivor']);
  });

  it('does not confuse a stale handle with the event that reused its slot', () => {
    const scheduler = new Scheduler();
    const ran: string[] = [];
    const old = scheduler.at(1, Priority.normal, () => ran.push('old'));
    scheduler.run();
    scheduler.at(2, Priority.normal, () => ran.push('new'));
    scheduler.cancel(old);
    scheduler.run();
    expect(ran).toEqual(['old', 'new']);
  });

  it('keeps the order of live events when many cancellations compact the heap', () => {
    const scheduler = new Scheduler();
    const random = generator(7);
    const ran: number[] = [];
    const handles = [];
    for (let index = 0; index < 5000; index++) {
      const timeNs = random(1000);
      handles.push({ timeNs, handle: scheduler.at(timeNs, Priority.normal, () => ran.push(timeNs)) });
    }
    const live = handles.filter((_, index) => index % 5 === 0);
    handles.filter((_, index) => index % 5 !== 0).forEach(({ handle }) => scheduler.cancel(handle));
    expect(scheduler.pendingCount).toBe(live.length);
    scheduler.run();
    expect(ran).toEqual(live.map(({ timeNs }) => timeNs).sort((left, right) => left - right));
  });

  it('runs until a time: events at that time run, later ones wait, and the clock is set to it', () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    for (const timeNs of [10, 20, 30]) scheduler.at(timeNs, Priority.normal, () => ran.push(timeNs));
    expect(scheduler.run({ untilNs: 25 })).toEqual({ events: 2, stoppedBy: 'until' });
    expect(scheduler.nowNs).toBe(25);
    expect(scheduler.run({ untilNs: 30 })).toEqual({ events: 1, stoppedBy: 'empty' });
    expect(ran).toEqual([10, 20, 30]);
  });

  it('moves the clock to the until time when the queue runs empty before it', () => {
    const scheduler = new Scheduler();
    scheduler.at(10, Priority.normal, () => undefined);
    expect(scheduler.run({ untilNs: 100 })).toEqual({ events: 1, stoppedBy: 'empty' });
    expect(scheduler.nowNs).toBe(100);
  });

  it('stops after maxEvents events', () => {
    const scheduler = new Scheduler();
    for (let index = 0; index < 5; index++) scheduler.at(index, Priority.normal, () => undefined);
    expect(scheduler.run({ maxEvents: 3 })).toEqual({ events: 3, stoppedBy: 'maxEvents' });
    expect(scheduler.nowNs).toBe(2);
    expect(scheduler.pendingCount).toBe(2);
  });

  it('steps one event at a time and reports the next time', () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    scheduler.at(4, Priority.normal, () => ran.push(4));
    const cancelled = scheduler.at(2, Priority.normal, () => ran.push(2));
    scheduler.cancel(cancelled);
    expect(scheduler.nextTimeNs()).toBe(4);
    expect(scheduler.step()).toBe(true);
    expect(scheduler.step()).toBe(false);
    expect(scheduler.nextTimeNs()).toBeNull();
    expect(ran).toEqual([4]);
  });

  it('refuses to schedule an event in the past: time never goes back', () => {
    const scheduler = new Scheduler();
    scheduler.at(100, Priority.normal, () => undefined);
    scheduler.run();
    expect(() => scheduler.at(99, Priority.normal, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.at(Number.NaN, Priority.normal, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.at(Number.POSITIVE_INFINITY, Priority.normal, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.run({ untilNs: 50 })).toThrow(AssertionError);
  });

  it('refuses a priority that is not a small integer', () => {
    const scheduler = new Scheduler();
    expect(() => scheduler.at(0, 1.5, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.at(0, -1, () => undefined)).toThrow(AssertionError);
    expect(() => scheduler.at(0, 256, () => undefined)).toThrow(AssertionError);
  });

  it('refuses to run from inside an event', () => {
    const scheduler = new Scheduler();
    let error: unknown = null;
    scheduler.at(0, Priority.normal, () => {
      try {
        scheduler.run();
      } catch (caught) {
        error = caught;
      }
    });
    scheduler.run();
    expect(error).toBeInstanceOf(AssertionError);
  });

  it('stays usable after an event throws', () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    scheduler.at(1, Priority.normal, () => {
      throw new Error('boom');
    });
    scheduler.at(2, Priority.normal, () => ran.push(2));
    expect(() => scheduler.run()).toThrow('boom');
    expect(scheduler.run()).toEqual({ events: 1, stoppedBy: 'empty' });
    expect(ran).toEqual([2]);
  });

  it('never goes back in time and keeps (time, priority, scheduling) order under random load', () => {
    const scheduler = new Scheduler();
    const random = generator(42);
    const priorities = [Priority.normal, Priority.flush, Priority.observer];
    const ran: { timeNs: number; priority: number; order: number }[] = [];
    const cancelled = new Set<number>();
    let order = 0;
    const add = (depth: number): void => {
      const timeNs = scheduler.nowNs + random(4) * random(50);
      const priority = priorities[random(3)] as number;
      const mine = order++;
      const handle = scheduler.at(timeNs, priority, () => {
        ran.push({ timeNs: scheduler.nowNs, priority, order: mine });
        if (depth < 3) for (let child = random(3); child > 0; child--) add(depth + 1);
      });
      if (random(10) === 0) {
        scheduler.cancel(handle);
        cancelled.add(mine);
      }
    };
    for (let index = 0; index < 2000; index++) add(0);
    scheduler.run();
    expect(ran.length + cancelled.size).toBe(order);
    expect(ran.some(({ order: mine }) => cancelled.has(mine))).toBe(false);
    for (let index = 1; index < ran.length; index++) {
      const previous = ran[index - 1] as (typeof ran)[number];
      const current = ran[index] as (typeof ran)[number];
      expect(current.timeNs).toBeGreaterThanOrEqual(previous.timeNs);
      if (current.timeNs === previous.timeNs && current.priority === previous.priority) {
        // At one instant and priority, events scheduled before this instant run in scheduling order.
        if (current.order < previous.order) expect.fail(`event ${current.order} ran after ${previous.order}`);
      }
    }
  });
});
