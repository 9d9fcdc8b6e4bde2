/**
 * Goal (issue 7): at-least-once delivery works on NatsBus as on LocalBus: it
 * only uses the Bus and Clock interfaces. Over a real 3-node NATS cluster,
 * with ChaosBus dropping, duplicating and reordering on the wall clock,
 * every message arrives exactly once at a subscriber on another node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosBus, RealClock, ReliableBus, type ChaosAction } from '@ioasim/bus';
import { NatsBus } from '@ioasim/bus/nats';
import type { NatsServers } from '@ioasim/sim/distributed';
import { natsSkipped, natsStart, stopAll } from '../nats/harness.js';

const RUN = 'chaos-nats';
const SUBJECT = `ioasim.${RUN}.h0.mgr.resp`;
const MESSAGES = 300;

/** A seeded source for the chaos (mulberry32). */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { chance: (numerator: number, denominator: number) => Math.floor(next() * denominator) < numerator, below: (bound: number) => Math.floor(next() * bound) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(natsSkipped('at-least-once over NATS'))('at-least-once over NATS', () => {
  let cluster: NatsServers | null = null;
  const buses: NatsBus[] = [];
  const clock = new RealClock();

  beforeAll(async () => {
    cluster = await natsStart(3);
  });

  afterAll(async () => {
    await Promise.allSettled(buses.map((bus) => bus.close()));
    await stopAll(cluster, []);
  });

  it('CH11 delivers every message exactly once across a 3-node cluster while ChaosBus drops 10%, duplicates 5% and reorders', async () => {
    const urls = cluster?.urls ?? [];
    const sending = await NatsBus.connect({ servers: [urls[0] as string], name: 'chaos-sender' });
    const receiving = await NatsBus.connect({ servers: [urls[2] as string], name: 'chaos-receiver' });
    buses.push(sending, receiving);
    const actions: ChaosAction[] = [];
    const chaosOf = (bus: NatsBus, seed: number) =>
      new ChaosBus(bus, {
        run: RUN,
        rules: [{ kind: 'message', match: '>', drop: 0.1, duplicate: 0.05, delay: null, reorderNs: 2_000_000 }],
        clock,
        random: seeded(seed),
        delaySample: () => 0,
        onChaos: (action) => actions.push(action),
      });
    const sender = new ReliableBus(chaosOf(sending, 1).endpoint('h0'), { run: RUN, endpoint: 'h0', clock, retransmitFirstNs: 20_000_000, retransmitMaxNs: 200_000_000 });
    const receiver = new ReliableBus(chaosOf(receiving, 2).endpoint('h1'), { run: RUN, endpoint: 'h1', clock });
    const seen: number[] = [];
    receiver.subscribe(SUBJECT, (message) => seen.push(Number(new TextDecoder().decode(message.data))));
    await receiving.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let index = 0; index < MESSAGES; index++) sender.publish(SUBJECT, new TextEncoder().encode(String(index)));
    await sending.flush();
    await until(() => sender.unacknowledgedCount === 0 && seen.length >= MESSAGES, 'every message acknowledged');
    expect(seen).toHaveLength(MESSAGES);
    expect(new Set(seen).size).toBe(MESSAGES);
    expect(actions.filter((action) => action.action === 'drop').length).toBeGreaterThan(0);
    expect(sender.reliableStats.retransmits).toBeGreaterThan(0);
    await sender.close();
    await receiver.close();
  }, 60_000);
});
