import { describe, expect, it } from 'vitest';
import { LocalBus, Scheduler, VirtualClock, type BusMessage } from '@ioasim/bus';
import { frameDecode, frameEncode, frameRecordsOf, type ControlReply, type ControlRequest } from '@ioasim/protocol';
import { ControlOutbox, controlRepliesOf } from '@ioasim/service-frontend';

const SUBJECT = 'ioasim.r.h0.mgr.ctl';

/** A map request of space `ioasid`, page `page`. */
const map = (ioasid: string, page: number): ControlRequest => ({ owner: 'vm0', operation: { op: 'map', ioasid, pages: [page], perm: 1 } });

/**
 * A ControlOutbox on a LocalBus whose links take 100 ns, a manager stand-in
 * that answers each request frame with `answer(records)`, and every request
 * frame it received, as [time, ioasids].
 */
function setup(records: number, answer: (requests: readonly ControlRequest[]) => readonly ControlReply[] | null) {
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  const bus = new LocalBus(scheduler, { latencyNs: () => 100 });
  const frames: [number, string[]][] = [];
  bus.subscribe(SUBJECT, (message: BusMessage) => {
    const decoded = frameDecode(message.data);
    const requests = decoded.ok ? (frameRecordsOf(decoded.frame, 'controlRequest') ?? []) : [];
    frames.push([scheduler.nowNs, requests.map((request) => (request.operation.op === 'map' ? request.operation.ioasid : '?'))]);
    const replies = answer(requests);
    if (replies !== null && message.reply !== null) bus.publish(message.reply, frameEncode('controlReply', 'h0/mgr', frames.length, replies));
  });
  const outbox = new ControlOutbox({
    clock,
    sender: 'h0/vfio',
    subject: SUBJECT,
    records,
    timeoutNs: 1_000_000,
    request: (subject, data, timeoutNs, callback) => bus.request(subject, data, timeoutNs, callback),
  });
  const replied: [string, number, ControlReply | null][] = [];
  const add = (ioasid: string, page: number) => outbox.add(map(ioasid, page), (reply) => replied.push([ioasid, scheduler.nowNs, reply]));
  return { scheduler, clock, outbox, frames, replied, add };
}

const refused: ControlReply = { ok: false, error: 'notFound', message: 'no space b' };

describe('ControlOutbox', () => {
  it('sends the requests of one instant as one frame, and hands each request the reply at its place', () => {
    const { scheduler, clock, frames, replied, add } = setup(64, (requests) =>
      requests.map((request) => (request.operation.op === 'map' && request.operation.ioasid === 'b' ? refused : { ok: true })),
    );
    clock.afterNs(10, () => {
      add('a', 1);
      add('b', 2);
      add('c', 3);
    });
    clock.afterNs(20, () => add('d', 4));
    scheduler.run();
    expect(frames).toEqual([
      [110, ['a', 'b', 'c']],
      [120, ['d']],
    ]);
    expect(replied).toEqual([
      ['a', 210, { ok: true }],
      ['b', 210, refused],
      ['c', 210, { ok: true }],
      ['d', 220, { ok: true }],
    ]);
  });

  it('sends a frame as soon as it holds `records` requests', () => {
    const { scheduler, clock, frames, add } = setup(2, (requests) => requests.map(() => ({ ok: true })));
    clock.afterNs(0, () => {
      for (const [index, ioasid] of ['a', 'b', 'c', 'd', 'e'].entries()) add(ioasid, index);
    });
    scheduler.run();
    expect(frames.map(([, ioasids]) => ioasids)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('answers null to every request of a frame that got no reply, or a reply that is not one per request', () => {
    let frame = 0;
    const { scheduler, clock, replied, add } = setup(64, (requests) => {
      frame++;
      if (frame === 1) return null;
      return requests.slice(1).map(() => ({ ok: true }));
    });
    clock.afterNs(0, () => {
      add('a', 1);
      add('b', 2);
    });
    clock.afterNs(2_000_000, () => {
      add('c', 3);
      add('d', 4);
    });
    scheduler.run();
    expect(replied).toEqual([
      ['a', 1_000_000, null],
      ['b', 1_000_000, null],
      ['c', 2_000_200, null],
      ['d', 2_000_200, null],
    ]);
  });

  it('sends the waiting requests at once on flush, and never calls back inside add', () => {
    const { scheduler, outbox, frames, replied, add } = setup(1, (requests) => requests.map(() => ({ ok: true })));
    add('a', 1);
    expect(replied).toEqual([]);
    const other = setup(64, (requests) => requests.map(() => ({ ok: true })));
    other.add('b', 2);
    expect(other.outbox.pendingCount).toBe(1);
    other.outbox.flush();
    expect(other.outbox.pendingCount).toBe(0);
    scheduler.run();
    other.scheduler.run();
    expect(frames.map(([, ioasids]) => ioasids)).toEqual([['a']]);
    expect(other.frames.map(([, ioasids]) => ioasids)).toEqual([['b']]);
    expect(outbox.pendingCount).toBe(0);
  });
});

describe('controlRepliesOf', () => {
  it('reads the replies of a reply frame, and null from a failed request or another frame type', () => {
    const message = (data: Uint8Array): BusMessage => ({ subject: '_INBOX.1', data, reply: null });
    const replies: ControlReply[] = [{ ok: true }, refused];
    expect(controlRepliesOf({ ok: true, message: message(frameEncode('controlReply', 'h0/mgr', 1, replies)) })).toEqual(replies);
    expect(controlRepliesOf({ ok: true, message: message(frameEncode('controlRequest', 'h0/vfio', 1, [map('a', 1)])) })).toBeNull();
    expect(controlRepliesOf({ ok: true, message: message(new Uint8Array([0xc1])) })).toBeNull();
    expect(controlRepliesOf({ ok: false, error: 'requestTimeout', message: 'no reply' })).toBeNull();
  });
});
