import { describe, expect, it } from 'vitest';
import { LocalBus, Outbox, Priority, Scheduler, VirtualClock } from '@ioasim/bus';
import type { PageResponse } from '@ioasim/protocol';

type Seen = { readonly subject: string; readonly timeNs: number; readonly sequence: number; readonly cookies: readonly number[] };

/** Outboxes of two senders on a LocalBus carrying objects, with the given latency per subject, and every frame seen. */
function setup(latencyNs: (subject: string) => number, records = 64) {
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  const bus = new LocalBus(scheduler, { latencyNs, wire: 'objects' });
  const outbox = (sender: string): Outbox => new Outbox({ bus, clock, sender, records, windowNs: 0 });
  const seen: Seen[] = [];
  bus.subscribe('>', (message) => {
    const frame = message.frame;
    if (frame === undefined) throw new Error(`no frame object on ${message.subject}`);
    expect(frame.header.count).toBe(frame.records.length);
    seen.push({
      subject: message.subject,
      timeNs: scheduler.nowNs,
      sequence: frame.header.sequence,
      cookies: (frame.records as PageResponse[]).map(({ cookie }) => cookie),
    });
  });
  return { scheduler, clock, outbox, seen };
}

const response = (cookie: number): PageResponse => ({ cookie, code: 0, owner: 'vm0', handlerFailed: false });

describe('link batches', () => {
  it('deliver the records of one sender on one subject in one instant as one frame, at one scheduler event', () => {
    const { scheduler, clock, outbox, seen } = setup(() => 100);
    const sender = outbox('h0/mgr');
    clock.afterNs(10, () => sender.add('resp', 'pageResponse', response(1)));
    clock.afterNs(10, () => sender.add('resp', 'pageResponse', response(2)));
    clock.afterNs(10, () => sender.add('resp', 'pageResponse', response(3)), Priority.flush);
    const { events } = scheduler.run();
    expect(seen).toEqual([{ subject: 'resp', timeNs: 110, sequence: 1, cookies: [1, 2, 3] }]);
    // Three timers and one delivery: no flush event.
    expect(events).toBe(4);
  });

  it('are FIFO: a batch never arrives before the one sent before it on its subject', () => {
    const latencies = [500, 100, 300];
    let sample = 0;
    const { scheduler, clock, outbox, seen } = setup(() => latencies[sample++ % latencies.length] as number);
    const sender = outbox('h0/iommu');
    for (const [index, atNs] of [0, 10, 20].entries()) clock.afterNs(atNs, () => sender.add('prgr', 'pageResponse', response(index + 1)));
    scheduler.run();
    // Sent at 0, 10, 20 with latencies 500, 100, 300: arrival = max(send + latency, previous arrival).
    expect(seen.map(({ timeNs, cookies }) => ({ timeNs, cookies }))).toEqual([
      { timeNs: 500, cookies: [1] },
      { timeNs: 500, cookies: [2] },
      { timeNs: 500, cookies: [3] },
    ]);
  });

  it('open the next batch when the one of this instant is full or was already delivered', () => {
    const full = setup(() => 50, 2);
    const sender = full.outbox('h0/mgr');
    full.clock.afterNs(0, () => {
      for (let cookie = 1; cookie <= 5; cookie++) sender.add('resp', 'pageResponse', response(cookie));
    });
    full.scheduler.run();
    expect(full.seen.map(({ sequence, cookies }) => ({ sequence, cookies }))).toEqual([
      { sequence: 1, cookies: [1, 2] },
      { sequence: 2, cookies: [3, 4] },
      { sequence: 3, cookies: [5] },
    ]);

    const instant = setup(() => 0);
    const late = instant.outbox('h0/mgr');
    instant.clock.afterNs(10, () => late.add('resp', 'pageResponse', response(1)));
    // Scheduled after the first batch's delivery (same instant, later sequence): it cannot join it.
    instant.clock.afterNs(10, () => instant.clock.afterNs(0, () => late.add('resp', 'pageResponse', response(2))));
    instant.scheduler.run();
    expect(instant.seen.map(({ timeNs, sequence, cookies }) => ({ timeNs, sequence, cookies }))).toEqual([
      { timeNs: 10, sequence: 1, cookies: [1] },
      { timeNs: 10, sequence: 2, cookies: [2] },
    ]);
  });

  it('tie-break equal arrival times by the order their batches opened', () => {
    const { scheduler, clock, outbox, seen } = setup((subject) => (subject === 'slow' ? 300 : 100));
    const first = outbox('a');
    const second = outbox('b');
    clock.afterNs(0, () => first.add('slow', 'pageResponse', response(1)));
    clock.afterNs(200, () => second.add('fast', 'pageResponse', response(2)));
    clock.afterNs(200, () => first.add('fast2', 'pageResponse', response(3)));
    scheduler.run();
    // All three arrive at 300: in the order their batches opened.
    expect(seen.map(({ subject, timeNs }) => `${subject}@${timeNs}`)).toEqual(['slow@300', 'fast@300', 'fast2@300']);
  });
});
