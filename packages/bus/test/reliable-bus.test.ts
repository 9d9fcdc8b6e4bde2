import { describe, expect, it } from 'vitest';
import {
  ChaosBus,
  HOT_PATH_KINDS,
  RECEIVE_STREAMS_MAX,
  RECEIVE_WINDOW,
  RETRANSMIT_FIRST_NS,
  ReliableBus,
  acknowledgementsEncode,
  envelopeEncode,
  originEncode,
  type Bus,
  type ChaosAction,
  type ReliableOverflow,
} from '@ioasim/bus';
import { acknowledgementSubject, type ChaosRule } from '@ioasim/protocol';
import { decoder, encoder, localSetup, messageRule, seededRandom } from './chaos-kit.js';

const RUN = 'r';
const SUBJECT = `ioasim.${RUN}.h0.mgr.resp`;

function reliableSetup(rules: readonly ChaosRule[], seed = 1) {
  const { scheduler, clock, bus } = localSetup();
  const actions: ChaosAction[] = [];
  const chaos = new ChaosBus(bus, {
    run: RUN,
    rules,
    clock,
    random: seededRandom(seed),
    delaySample: () => 0,
    onChaos: (action) => actions.push(action),
  });
  const endpoint = (name: string): ReliableBus => new ReliableBus(chaos.endpoint(name), { run: RUN, endpoint: name, clock });
  return { scheduler, clock, chaos, actions, endpoint };
}

function listen(bus: Bus, pattern = SUBJECT): number[] {
  const seen: number[] = [];
  bus.subscribe(pattern, (message) => seen.push(Number(decoder.decode(message.data))));
  return seen;
}

const numbers = (count: number): number[] => Array.from({ length: count }, (_, index) => index);

describe('ReliableBus (at-least-once)', () => {
  it('delivers every message exactly once through drops, duplicates and reordering', () => {
    const { scheduler, actions, endpoint } = reliableSetup([messageRule('>', { drop: 0.3, duplicate: 0.2, reorderNs: 20_000 })]);
    const sender = endpoint('h0');
    const receiver = endpoint('h1');
    const seen = listen(receiver);
    for (const index of numbers(500)) sender.publish(SUBJECT, encoder.encode(String(index)));
    scheduler.run();
    expect(seen).toHaveLength(500);
    expect([...seen].sort((a, b) => a - b)).toEqual(numbers(500));
    expect(actions.some((action) => action.action === 'drop')).toBe(true);
    expect(sender.reliableStats.retransmits).toBeGreaterThan(0);
    expect(receiver.reliableStats.duplicates).toBeGreaterThan(0);
    expect(sender.unacknowledgedCount).toBe(0);
  });

  it('loses messages on the same chaos without it (the comparison users make)', () => {
    const { scheduler, chaos } = reliableSetup([messageRule('>', { drop: 0.3 })]);
    const seen = listen(chaos.inner);
    for (const index of numbers(200)) chaos.endpoint('h0').publish(SUBJECT, encoder.encode(String(index)));
    scheduler.run();
    expect(seen.length).toBeLessThan(200);
  });

  it('retransmits with backoff until a subscriber appears, and a late subscriber starts at the oldest unacknowledged message', () => {
    const { scheduler, clock, endpoint } = reliableSetup([]);
    const sender = endpoint('h0');
    const receiver = endpoint('h1');
    let seen: number[] = [];
    clock.afterNs(RETRANSMIT_FIRST_NS * 5, () => {
      seen = listen(receiver);
    });
    for (const index of numbers(3)) sender.publish(SUBJECT, encoder.encode(String(index)));
    scheduler.run();
    expect(seen).toEqual([0, 1, 2]);
    expect(sender.reliableStats.retransmits).toBeGreaterThanOrEqual(3 * 3);
    expect(sender.unacknowledgedCount).toBe(0);
  });

  it('passes requests and subjects off the hot path unchanged', () => {
    const { scheduler, chaos, endpoint } = reliableSetup([]);
    const sender = endpoint('h0');
    const raw: string[] = [];
    chaos.inner.subscribe(`ioasim.${RUN}.>`, (message) => raw.push(decoder.decode(message.data)));
    sender.publish(`ioasim.${RUN}.h0.mgr.ctl`, encoder.encode('ctl'));
    sender.publish(`ioasim.${RUN}.trace.h0`, encoder.encode('trace'));
    scheduler.run();
    expect(raw).toEqual(['ctl', 'trace']);
    expect(sender.reliableStats.sent).toBe(0);
  });

  it('gives up on a message nobody acknowledges, counts it, and reports it lost with its subject', () => {
    const { scheduler, chaos, clock } = reliableSetup([]);
    const overflows: ReliableOverflow[] = [];
    const sender = new ReliableBus(chaos.endpoint('h0'), { run: RUN, endpoint: 'h0', clock, onOverflow: (overflow) => overflows.push(overflow) });
    sender.publish(SUBJECT, encoder.encode('0'));
    scheduler.run();
    expect(sender.reliableStats.gaveUp).toBe(1);
    expect(sender.unacknowledgedCount).toBe(0);
    expect(overflows).toEqual([{ buffer: 'transmissions', subject: SUBJECT }]);
  });

  it('refuses envelopes it could not have been sent: below their base, or beyond the window, and the stream goes on', () => {
    const { scheduler, chaos, endpoint } = reliableSetup([]);
    const sender = endpoint('h0');
    const receiver = endpoint('h1');
    const seen = listen(receiver);
    for (const index of numbers(5)) sender.publish(SUBJECT, encoder.encode(String(index)));
    scheduler.run();
    // A forged envelope of h0's stream that would move its floor far ahead, and one whose sequence is below its base.
    const forged = (sequence: number, base: number): Uint8Array => envelopeEncode(originEncode('h0'), sequence, base, encoder.encode('666'));
    chaos.inner.publish(SUBJECT, forged(2 ** 31, 2 ** 31 - 1));
    chaos.inner.publish(SUBJECT, forged(6 + RECEIVE_WINDOW, 6));
    chaos.inner.publish(SUBJECT, forged(3, 9));
    scheduler.run();
    for (const index of numbers(5)) sender.publish(SUBJECT, encoder.encode(String(5 + index)));
    scheduler.run();
    expect(seen).toEqual(numbers(10));
    expect(receiver.reliableStats.envelopesRefused).toBe(3);
    expect(receiver.reliableStats.duplicates).toBe(0);
    expect(sender.unacknowledgedCount).toBe(0);
  });

  it('takes acknowledgements only for messages in flight, and counts the others', () => {
    const { scheduler, chaos, endpoint } = reliableSetup([]);
    const sender = endpoint('h0');
    sender.publish(SUBJECT, encoder.encode('0'));
    chaos.inner.publish(
      acknowledgementSubject(RUN, 'h0'),
      acknowledgementsEncode([
        { sequence: 7, subject: SUBJECT },
        { sequence: 1, subject: `ioasim.${RUN}.h0.mgr.faults` },
      ]),
    );
    scheduler.run({ untilNs: 1_000 });
    expect(sender.reliableStats.acknowledgementsRefused).toBe(2);
    expect(sender.unacknowledgedCount).toBe(1);
  });

  it('keeps at most RECEIVE_STREAMS_MAX streams per subscription, forgetting the oldest, and counts it', () => {
    const { scheduler, chaos, clock, endpoint } = reliableSetup([]);
    const overflows: ReliableOverflow[] = [];
    const receiver = new ReliableBus(chaos.endpoint('h1'), { run: RUN, endpoint: 'h1', clock, onOverflow: (overflow) => overflows.push(overflow) });
    const seen = listen(receiver);
    const forgedOrigins = RECEIVE_STREAMS_MAX + 10;
    for (let origin = 0; origin < forgedOrigins; origin++) {
      chaos.inner.publish(SUBJECT, envelopeEncode(originEncode(`forged${origin}`), 1, 1, encoder.encode('1')));
    }
    scheduler.run();
    const sender = endpoint('h0');
    for (const index of numbers(3)) sender.publish(SUBJECT, encoder.encode(String(index)));
    scheduler.run();
    expect(seen.slice(forgedOrigins)).toEqual(numbers(3));
    expect(receiver.reliableStats.streamsEvicted).toBe(11);
    expect(overflows.filter((overflow) => overflow.buffer === 'receiveStreams')).toHaveLength(11);
    expect(sender.unacknowledgedCount).toBe(0);
  });

  it('sequences the subject kinds it is given: the trace of a distributed run is acknowledged, and passes bare by default', () => {
    const { scheduler, clock, chaos } = reliableSetup([]);
    const TRACE = `ioasim.${RUN}.trace.h0`;
    const kinds = new Set([...HOT_PATH_KINDS, 'trace' as const]);
    const sender = new ReliableBus(chaos.endpoint('h0'), { run: RUN, endpoint: 'h0', clock, kinds });
    const receiver = new ReliableBus(chaos.endpoint('coordinator'), { run: RUN, endpoint: 'coordinator', clock, kinds });
    const bare = new ReliableBus(chaos.endpoint('h1'), { run: RUN, endpoint: 'h1', clock });
    const seen = listen(receiver, TRACE);
    for (const index of numbers(100)) sender.publish(TRACE, encoder.encode(String(index)));
    for (const index of numbers(100)) bare.publish(TRACE, encoder.encode(String(1000 + index)));
    scheduler.run();
    expect([...seen].sort((a, b) => a - b)).toEqual([...numbers(100), ...numbers(100).map((index) => 1000 + index)]);
    expect(sender.reliableStats.sent).toBe(100);
    expect(sender.reliableStats.acknowledged).toBe(100);
    expect(sender.unacknowledgedCount).toBe(0);
    expect(bare.reliableStats.sent).toBe(0);
  });
});
