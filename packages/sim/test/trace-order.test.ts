import { describe, expect, it } from 'vitest';
import { TraceOrder } from '@ioasim/sim/distributed';
import type { TraceEvent } from '@ioasim/protocol';

const answered = (t: number): TraceEvent => ({ kind: 'groupAnswered', t, host: 'h0', device: 'nic0', owner: 'vm0', cookie: 1, group: 1, code: 0 });
const delivered = (t: number): TraceEvent => ({ kind: 'faultDelivered', t, host: 'h0', ioasid: 'gpa', owner: 'vm0', device: 'nic0', cookie: 1, group: 1 });
const retried = (t: number, group = 1): TraceEvent => ({ kind: 'groupRetried', t, host: 'h0', device: 'nic0', group });

describe('TraceOrder, the watermark in front of the checker', () => {
  it('releases an effect that arrived before its cause after the cause, once the watermark passes both', () => {
    const seen: string[] = [];
    const order = new TraceOrder((event) => seen.push(`${event.kind}@${event.t}`), 100);
    order.add(answered(120));
    order.add(delivered(110));
    order.add(retried(215));
    order.release(215);
    expect(seen).toEqual(['faultDelivered@110']);
    order.add(retried(220));
    order.release(220);
    expect(seen).toEqual(['faultDelivered@110', 'groupAnswered@120']);
    order.releaseAll();
    expect(order.heldCount).toBe(0);
  });

  it('holds what its clock passed but its ears did not: a coordinator that was descheduled releases only up to the newest event it has heard', () => {
    const seen: string[] = [];
    const order = new TraceOrder((event) => seen.push(`${event.kind}@${event.t}`), 100);
    order.add(answered(1_000));
    // Woken late: the clock says 5,000, while the events sent meanwhile still wait in the socket.
    order.release(5_000);
    expect(seen).toEqual([]);
    order.add(delivered(990));
    order.add(retried(1_200));
    order.release(5_000);
    expect(seen).toEqual(['faultDelivered@990', 'groupAnswered@1000']);
    expect(order.late).toBe(0);
  });

  it('keeps arrival order between events of the same time', () => {
    const seen: number[] = [];
    const order = new TraceOrder((event) => seen.push(event.kind === 'groupRetried' ? event.group : -1), 0);
    order.add(retried(5, 2));
    order.add(retried(5, 1));
    order.add(retried(5, 3));
    order.releaseAll();
    expect(seen).toEqual([2, 1, 3]);
  });

  it('still delivers an event that arrives after the watermark passed it, and counts it late', () => {
    const seen: number[] = [];
    const order = new TraceOrder((event) => seen.push(event.t), 10);
    order.add(retried(50));
    order.add(retried(60));
    order.release(100);
    order.add(retried(40));
    order.releaseAll();
    expect(seen).toEqual([50, 40, 60]);
    expect(order.late).toBe(1);
  });
});

describe('TraceOrder under load', () => {
  it('releases thousands of events from interleaved sources in time order, ties in arrival order, as a stable sort would', () => {
    let state = 7;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state;
    };
    // 5,000 events over 2,000 ns: many share an instant.
    const events = Array.from({ length: 5_000 }, (_, index) => retried(next() % 2_000, index));
    const sorted = (indices: readonly number[]): number[] =>
      [...indices].sort((left, right) => (events[left] as TraceEvent).t - (events[right] as TraceEvent).t || left - right);
    const seen: number[] = [];
    const order = new TraceOrder((event) => seen.push(event.kind === 'groupRetried' ? event.group : -1), 500);
    const firstHalf = Array.from({ length: 2_500 }, (_, index) => index);
    for (const index of firstHalf) order.add(events[index] as TraceEvent);
    // The newest event is near 2,000 ns: the watermark is about 1,500 ns.
    order.release(10_000);
    const newest = Math.max(...firstHalf.map((index) => (events[index] as TraceEvent).t));
    const releasedFirst = sorted(firstHalf.filter((index) => (events[index] as TraceEvent).t <= newest - 500));
    expect(seen).toEqual(releasedFirst);
    for (let index = 2_500; index < 5_000; index++) order.add(events[index] as TraceEvent);
    order.releaseAll();
    const rest = sorted(Array.from({ length: 5_000 }, (_, index) => index).filter((index) => !releasedFirst.includes(index)));
    expect(seen).toEqual([...releasedFirst, ...rest]);
    expect(order.heldCount).toBe(0);
  });
});
