import { describe, expect, it } from 'vitest';
import { AssertionError, LocalBus, Outbox, Scheduler, VirtualClock } from '@ioasim/bus';
import {
  FRAME_BYTES_MAX,
  FrameType,
  frameDecode,
  type FaultGroup,
  type FrameHeader,
  type PageResponse,
  type PrgResponse,
} from '@ioasim/protocol';

type Received = {
  readonly subject: string;
  readonly timeNs: number;
  readonly header: FrameHeader;
  readonly records: readonly unknown[];
  readonly bytes: number;
};

/** An outbox on a zero-latency LocalBus, and every frame it publishes, decoded. */
function setup(records: number, windowNs: number) {
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  const bus = new LocalBus(scheduler, { latencyNs: () => 0 });
  const outbox = new Outbox({ bus, clock, sender: 'h0/mgr', records, windowNs });
  const frames: Received[] = [];
  bus.subscribe('>', (message) => {
    const decoded = frameDecode(message.data);
    if (!decoded.ok) throw new Error(decoded.error.message);
    const { header, records: frameRecords } = decoded.frame;
    const bytes = message.data.length;
    frames.push({ subject: message.subject, timeNs: scheduler.nowNs, header, records: frameRecords, bytes });
  });
  return { scheduler, clock, outbox, frames };
}

const response = (cookie: number): PageResponse => ({ cookie, code: 0, owner: 'vm0', handlerFailed: false });
const prgResponse = (group: number): PrgResponse => ({ pasid: null, prgIndex: group % 512, code: 0, group });
const cookies = (frame: Received | undefined): number[] =>
  (frame?.records as PageResponse[]).map(({ cookie }) => cookie);

describe('Outbox', () => {
  it('publishes a batch as soon as it holds `records` records', () => {
    const { scheduler, clock, outbox, frames } = setup(3, 1_000_000);
    clock.afterNs(10, () => {
      for (let cookie = 1; cookie <= 7; cookie++) outbox.add('resp', 'pageResponse', response(cookie));
    });
    scheduler.run();
    expect(frames.map((frame) => ({ timeNs: frame.timeNs, cookies: cookies(frame) }))).toEqual([
      { timeNs: 10, cookies: [1, 2, 3] },
      { timeNs: 10, cookies: [4, 5, 6] },
      { timeNs: 1_000_010, cookies: [7] },
    ]);
    for (const frame of frames) {
      expect(frame.header).toMatchObject({ type: FrameType.pageResponse, sender: 'h0/mgr' });
    }
  });

  it('publishes a batch windowNs after its first record', () => {
    const { scheduler, clock, outbox, frames } = setup(100, 1000);
    clock.afterNs(0, () => outbox.add('resp', 'pageResponse', response(1)));
    clock.afterNs(500, () => outbox.add('resp', 'pageResponse', response(2)));
    // Added at the very instant the window ends: still in the batch, which leaves after normal work.
    clock.afterNs(1000, () => outbox.add('resp', 'pageResponse', response(3)));
    clock.afterNs(1500, () => outbox.add('resp', 'pageResponse', response(4)));
    scheduler.run();
    expect(frames.map((frame) => ({ timeNs: frame.timeNs, cookies: cookies(frame) }))).toEqual([
      { timeNs: 1000, cookies: [1, 2, 3] },
      { timeNs: 2500, cookies: [4] },
    ]);
  });

  it('starts the window of a new batch at its own first record after a full batch left', () => {
    const { scheduler, clock, outbox, frames } = setup(2, 1000);
    clock.afterNs(0, () => {
      outbox.add('resp', 'pageResponse', response(1));
      outbox.add('resp', 'pageResponse', response(2));
    });
    clock.afterNs(600, () => outbox.add('resp', 'pageResponse', response(3)));
    scheduler.run();
    expect(frames.map((frame) => frame.timeNs)).toEqual([0, 1600]);
  });

  it('with windowNs 0, publishes at the end of the current instant, after the normal work of that instant', () => {
    const { scheduler, clock, outbox, frames } = setup(100, 0);
    clock.afterNs(50, () => {
      outbox.add('resp', 'pageResponse', response(1));
      clock.afterNs(0, () => outbox.add('resp', 'pageResponse', response(2)));
    });
    clock.afterNs(50, () => outbox.add('resp', 'pageResponse', response(3)));
    clock.afterNs(51, () => outbox.add('resp', 'pageResponse', response(4)));
    scheduler.run();
    expect(frames.map((frame) => ({ timeNs: frame.timeNs, cookies: cookies(frame) }))).toEqual([
      { timeNs: 50, cookies: [1, 3, 2] },
      { timeNs: 51, cookies: [4] },
    ]);
  });

  it('numbers the frames of each subject 1, 2, 3...', () => {
    const { scheduler, clock, outbox, frames } = setup(2, 0);
    clock.afterNs(0, () => {
      for (let index = 0; index < 5; index++) outbox.add('a', 'prgResponse', prgResponse(index));
      for (let index = 0; index < 3; index++) outbox.add('b', 'prgResponse', prgResponse(index));
    });
    clock.afterNs(10, () => outbox.send('a', 'prgResponse', [prgResponse(9)]));
    scheduler.run();
    const sequences = (subject: string): number[] =>
      frames.filter((frame) => frame.subject === subject).map((frame) => frame.header.sequence);
    expect(sequences('a')).toEqual([1, 2, 3, 4]);
    expect(sequences('b')).toEqual([1, 2]);
  });

  it('splits a batch whose frame would exceed FRAME_BYTES_MAX, keeping record order', () => {
    const { scheduler, clock, outbox, frames } = setup(1000, 0);
    // A group of 4096 faults encodes to about 40 KB: 20 of them do not fit one frame.
    const group = (cookie: number): FaultGroup => ({
      cookie,
      ioasid: 'gpa0',
      device: 'nic0',
      pasid: null,
      stage: 1,
      faults: Array.from({ length: 4096 }, (_, index) => ({ page: 0x100000 + index, perm: 3, last: index === 4095 })),
      group: cookie,
      issuedNs: 1_000_000 + cookie,
    });
    clock.afterNs(0, () => {
      for (let cookie = 1; cookie <= 20; cookie++) outbox.add('h0.faults', 'faultGroup', group(cookie));
    });
    scheduler.run();
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((frame) => frame.bytes <= FRAME_BYTES_MAX)).toBe(true);
    expect(frames.flatMap((frame) => (frame.records as FaultGroup[]).map(({ cookie }) => cookie))).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    expect(frames.map((frame) => frame.header.sequence)).toEqual(frames.map((_, index) => index + 1));
    expect(outbox.stats.splits).toBeGreaterThan(0);
    expect(outbox.stats).toMatchObject({ frames: frames.length, records: 20 });
  });

  it('refuses one record that alone exceeds FRAME_BYTES_MAX', () => {
    const { outbox } = setup(10, 0);
    const huge: FaultGroup = {
      cookie: 1,
      ioasid: 'gpa0',
      device: 'nic0',
      pasid: null,
      stage: 1,
      faults: Array.from({ length: 40_000 }, (_, index) => ({ page: 0x100000 + index, perm: 3, last: false })),
      group: 1,
      issuedNs: 0,
    };
    expect(() => outbox.send('h0.faults', 'faultGroup', [huge])).toThrow(AssertionError);
  });

  it('sends a frame at once, after the records already waiting on its subject', () => {
    const { scheduler, clock, outbox, frames } = setup(100, 1000);
    clock.afterNs(0, () => {
      outbox.add('resp', 'pageResponse', response(1));
      outbox.add('resp', 'pageResponse', response(2));
      outbox.send('resp', 'pageResponse', [response(3), response(4), response(5)]);
    });
    scheduler.run();
    const summary = frames.map((frame) => ({
      timeNs: frame.timeNs,
      sequence: frame.header.sequence,
      cookies: cookies(frame),
    }));
    expect(summary).toEqual([
      { timeNs: 0, sequence: 1, cookies: [1, 2] },
      { timeNs: 0, sequence: 2, cookies: [3, 4, 5] },
    ]);
  });

  it('publishes every waiting batch on flushAll', () => {
    const { scheduler, clock, outbox, frames } = setup(100, 1_000_000);
    clock.afterNs(5, () => {
      outbox.add('a', 'pageResponse', response(1));
      outbox.add('b', 'pageResponse', response(2));
      expect(outbox.pendingCount).toBe(2);
      outbox.flushAll();
      expect(outbox.pendingCount).toBe(0);
    });
    scheduler.run();
    expect(frames.map((frame) => [frame.subject, frame.timeNs])).toEqual([
      ['a', 5],
      ['b', 5],
    ]);
  });

  it('refuses a second frame type on a subject', () => {
    const { outbox } = setup(100, 1000);
    outbox.add('resp', 'pageResponse', response(1));
    expect(() => outbox.add('resp', 'prgResponse', prgResponse(1))).toThrow(AssertionError);
  });

  it('refuses a batch size below 1 and a negative window', () => {
    const scheduler = new Scheduler();
    const clock = new VirtualClock(scheduler);
    const bus = new LocalBus(scheduler, { latencyNs: () => 0 });
    expect(() => new Outbox({ bus, clock, sender: 's', records: 0, windowNs: 0 })).toThrow(AssertionError);
    expect(() => new Outbox({ bus, clock, sender: 's', records: 1, windowNs: -1 })).toThrow(AssertionError);
  });
});
