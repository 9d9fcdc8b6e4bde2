import { describe, expect, it } from 'vitest';
import { Priority, RealClock } from '@ioasim/bus';

describe('RealClock', () => {
  it('counts nanoseconds from its construction', async () => {
    const clock = new RealClock();
    const start = clock.nowNs();
    expect(start).toBeGreaterThanOrEqual(0);
    await new Promise<void>((resolve) => clock.afterNs(2_000_000, resolve));
    expect(clock.nowNs() - start).toBeGreaterThanOrEqual(1_000_000);
  });

  it('runs zero-delay callbacks in priority order, then in scheduling order', async () => {
    const clock = new RealClock();
    const ran: string[] = [];
    await new Promise<void>((resolve) => {
      clock.afterNs(0, () => ran.push('observer'), Priority.observer);
      clock.afterNs(0, () => ran.push('flush'), Priority.flush);
      clock.afterNs(0, () => ran.push('normal 1'));
      clock.setTimeout(() => ran.push('normal 2'), 0);
      clock.afterNs(0, resolve, Priority.observer);
    });
    expect(ran).toEqual(['normal 1', 'normal 2', 'flush', 'observer']);
  });

  it('never runs a cancelled timer', async () => {
    const clock = new RealClock();
    const ran: string[] = [];
    clock.cancel(clock.afterNs(0, () => ran.push('immediate')));
    clock.clearTimeout(clock.setTimeout(() => ran.push('timeout'), 1));
    await new Promise<void>((resolve) => clock.afterNs(5_000_000, resolve));
    expect(ran).toEqual([]);
  });
});
