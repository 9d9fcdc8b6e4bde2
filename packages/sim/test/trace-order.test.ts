import { describe, expect, it } from 'vitest';
import { TraceOrder } from '@ioasim/sim';
import type { TraceEvent } from '@ioasim/protocol';

const answered = (t: number): TraceEvent => ({ kind: 'groupAnswered', t, host: 'h0', device: 'nic0', owner: 'vm0', cookie: 1, group: 1, code: 0 });
const delivered = (t: number): TraceEvent => ({ kind: 'faultDelivered', t, host: 'h0', ioasid: 'gpa', owner: 'vm0', device: 'nic0', cookie: 1, group: 1 });
const retried = (t: number, group = 1): TraceEvent => ({ kind: 'groupRetried', t, host: 'h0', device: 'nic0', group });

describe('TraceOrder, the watermark in front of the checker', () => {
  it('releases an effect that arrived before its cause after the cause, once the watermark passes both', () => {
    const seen: string[] = [];
    const order = new TraceOrder((event) => seen.push(`${event.kind}@${event.t}`), 100);
    order.add(answered(20));
    order.add(delivered(10));
    order.release(115);
    expect(seen).toEqual(['faultDelivered@10']);
    order.release(120);
    expect(seen).toEqual(['faultDelivered@10', 'groupAnswered@20']);
    expect(order.heldCount).toBe(0);
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
    order.release(100);
    order.add(retried(40));
    order.releaseAll();
    expect(seen).toEqual([50, 40]);
    expect(order.late).toBe(1);
  });
});
