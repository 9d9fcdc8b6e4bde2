import { describe, expect, it } from 'vitest';
import { ChaosBus, HOT_PATH_KINDS, RETRANSMIT_FIRST_NS, ReliableBus, type Bus, type ChaosAction } from '@ioasim/bus';
import type { ChaosRule } from '@ioasim/protocol';
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

  it('gives up on a message nobody acknowledges, and counts it', () => {
    const { scheduler, endpoint } = reliableSetup([]);
    const sender = endpoint('h0');
    sender.publish(SUBJECT, encoder.encode('0'));
    scheduler.run();
    expect(sender.reliableStats.gaveUp).toBe(1);
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
