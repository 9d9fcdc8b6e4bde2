import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox, RealClock, framesSubscribe, type BusMessage, type RequestResult } from '@ioasim/bus';
import { NatsBus } from '@ioasim/bus/nats';
import type { MetricsRecord } from '@ioasim/protocol';
import { loopbackPortFree, type NatsServers } from '@ioasim/sim/distributed';
import { NATS_BINARY, ProcessGroup, natsSkipped, natsStart, stopAll } from './harness.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (message: BusMessage): string => decoder.decode(message.data);

/** Resolves once `condition` holds, polling; rejects after `timeoutMs` with `what`. */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function requestOf(bus: NatsBus, subject: string, data: Uint8Array, timeoutNs: number): Promise<RequestResult> {
  return new Promise((resolve) => bus.request(subject, data, timeoutNs, resolve));
}

describe.skipIf(natsSkipped('NatsBus'))('NatsBus', () => {
  let single: NatsServers | null = null;
  let cluster: NatsServers | null = null;
  const buses: NatsBus[] = [];
  const open = async (servers: readonly string[], name: string): Promise<NatsBus> => {
    const bus = await NatsBus.connect({ servers, name });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    [single, cluster] = await Promise.all([natsStart(1), natsStart(3)]);
  });

  afterAll(async () => {
    await Promise.allSettled(buses.map((bus) => bus.close()));
    await stopAll(single, []);
    await stopAll(cluster, []);
  });

  it('waits for a server that is not up yet, telling why once, and connects when it comes up', async () => {
    const port = await loopbackPortFree();
    const statuses: string[] = [];
    const connecting = NatsBus.connect({ servers: [`nats://127.0.0.1:${port}`], name: 'test-early', onStatus: (status) => statuses.push(status) });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const late = new ProcessGroup();
    try {
      late.start('nats-server-late', NATS_BINARY ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(port)]);
      const bus = await connecting;
      buses.push(bus);
      expect(bus.server).toBe(`127.0.0.1:${port}`);
      expect(statuses).toEqual([`cannot reach NATS at nats://127.0.0.1:${port}: connection refused; waiting for a server`]);
      await bus.close();
    } finally {
      await late.stop();
    }
  });

  it('fails at once, without waiting, when told not to wait', async () => {
    const port = await loopbackPortFree();
    await expect(NatsBus.connect({ servers: [`nats://127.0.0.1:${port}`], name: 'test-now', waitOnFirstConnect: false })).rejects.toThrow(
      `cannot reach NATS at nats://127.0.0.1:${port}: connection refused`,
    );
  });

  it('delivers across two connections to every matching wildcard subscription', async () => {
    const urls = single?.urls ?? [];
    const [publisher, subscriber] = [await open(urls, 'test-pub'), await open(urls, 'test-sub')];
    const seen: string[] = [];
    for (const pattern of ['t1.a.*.c', 't1.a.>', 't1.*.b.c', 't1.x.>']) {
      subscriber.subscribe(pattern, (message) => seen.push(`${pattern} <- ${message.subject}:${text(message)}`));
    }
    await subscriber.flush();
    publisher.publish('t1.a.b.c', bytes('m'));
    await publisher.flush();
    await until(() => seen.length >= 3, 'three deliveries');
    expect(seen.sort()).toEqual(['t1.*.b.c <- t1.a.b.c:m', 't1.a.*.c <- t1.a.b.c:m', 't1.a.> <- t1.a.b.c:m']);
    expect(publisher.stats.published).toBe(1);
    expect(subscriber.stats.delivered).toBe(3);
  });

  it('gives each message of a queue group to exactly one member, plain subscribers get all', async () => {
    const urls = single?.urls ?? [];
    const publisher = await open(urls, 'test-queue-pub');
    const members = [await open(urls, 'test-member-0'), await open(urls, 'test-member-1')];
    const perMember = [0, 0];
    let plain = 0;
    members.forEach((member, index) =>
      member.subscribe('t2.work', () => perMember[index]!++, { queue: 'workers' }),
    );
    members[0]?.subscribe('t2.work', () => plain++);
    await Promise.all(members.map((member) => member.flush()));
    for (let index = 0; index < 200; index++) publisher.publish('t2.work', bytes(String(index)));
    await publisher.flush();
    await until(() => perMember[0]! + perMember[1]! === 200 && plain === 200, '200 queue deliveries');
    expect(perMember[0]! + perMember[1]!).toBe(200);
    expect(plain).toBe(200);
  });

  it('answers a request through its reply subject', async () => {
    const urls = single?.urls ?? [];
    const [client, server] = [await open(urls, 'test-client'), await open(urls, 'test-server')];
    server.subscribe('t3.echo', (message) => {
      if (message.reply !== null) server.publish(message.reply, bytes(`echo ${text(message)}`));
    });
    await server.flush();
    const result = await requestOf(client, 't3.echo', bytes('hi'), 2e9);
    expect(result.ok && text(result.message)).toBe('echo hi');
  });

  it('answers noResponders at once when nobody listens, requestTimeout when nobody answers', async () => {
    const urls = single?.urls ?? [];
    const client = await open(urls, 'test-lonely');
    const silent = await open(urls, 'test-silent');
    silent.subscribe('t4.silent', () => {});
    await silent.flush();
    const nobody = await requestOf(client, 't4.nobody', bytes('?'), 2e9);
    expect(nobody).toMatchObject({ ok: false, error: 'noResponders' });
    const unanswered = await requestOf(client, 't4.silent', bytes('?'), 100e6);
    expect(unanswered).toMatchObject({ ok: false, error: 'requestTimeout' });
  });

  it('carries Outbox frames that decode to the same records', async () => {
    const urls = single?.urls ?? [];
    const [sender, receiver] = [await open(urls, 'test-frames-out'), await open(urls, 'test-frames-in')];
    const received: MetricsRecord[] = [];
    const bad: string[] = [];
    framesSubscribe(receiver, 't5.metrics', 'metrics', (records) => received.push(...records), (frame) => bad.push(frame.error.message));
    await receiver.flush();
    const outbox = new Outbox({ bus: sender, clock: new RealClock(), sender: 'test', records: 3, windowNs: 0 });
    const records: MetricsRecord[] = Array.from({ length: 7 }, (_, index) => ({
      host: 'h0',
      actor: `device/d${index}`,
      t: index * 1000,
      counters: { accessesIssued: index, atcHits: index * 2 },
    }));
    for (const record of records) outbox.add('t5.metrics', 'metrics', record);
    await until(() => outbox.pendingCount === 0, 'the outbox to flush');
    await until(() => received.length === 7, 'seven records');
    expect(received).toEqual(records);
    expect(outbox.stats.frames).toBe(3);
    expect(bad).toEqual([]);
  });

  it('delivers from one node of a 3-node cluster to subscribers on the two others', async () => {
    const urls = cluster?.urls ?? [];
    const publisher = await open([urls[0]!], 'test-node-0');
    const subscribers = [await open([urls[1]!], 'test-node-1'), await open([urls[2]!], 'test-node-2')];
    const seen: string[] = [];
    subscribers.forEach((bus, index) => bus.subscribe('t6.>', (message) => seen.push(`${index}:${message.subject}`)));
    await Promise.all(subscribers.map((bus) => bus.flush()));
    // Interest crosses the routes asynchronously: publish until both nodes' subscribers see one.
    let sent = 0;
    await until(() => {
      publisher.publish(`t6.probe.${sent++}`, bytes('p'));
      return seen.some((entry) => entry.startsWith('0:')) && seen.some((entry) => entry.startsWith('1:'));
    }, 'cross-node delivery');
    expect(publisher.server).toContain(String(cluster?.nodes[0]?.clientPort));
    expect(subscribers[1]?.server).toContain(String(cluster?.nodes[2]?.clientPort));
  });

  it('counts a subscription that falls behind as a slow consumer, reports it, and still delivers every message', async () => {
    const urls = single?.urls ?? [];
    const publisher = await open(urls, 'test-fast');
    const reports: string[] = [];
    const slow = await NatsBus.connect({ servers: urls, name: 'test-slow', pendingMax: 100, onSlowConsumer: (pattern) => reports.push(pattern) });
    buses.push(slow);
    let handled = 0;
    slow.subscribe('t8.flood', () => {
      const busyUntil = Date.now() + 1;
      while (Date.now() < busyUntil) handled += 0;
      handled++;
    });
    await slow.flush();
    for (let index = 0; index < 2_000; index++) publisher.publish('t8.flood', bytes(String(index)));
    await publisher.flush();
    await until(() => handled === 2_000, 'every flooded message', 20_000);
    expect(slow.stats.slowConsumers).toBeGreaterThanOrEqual(1);
    expect(reports[0]).toBe('t8.flood');
    expect(slow.stats.dropped).toBe(0);
  });

  it('counts publishes made while cut off from every server as dropped, never throws', async () => {
    const lonely = await natsStart(1);
    try {
      const bus = await open(lonely.urls, 'test-cut-off');
      bus.publish('t9.before', bytes('x'));
      await bus.flush();
      expect(bus.stats.dropped).toBe(0);
      await lonely.stop();
      await until(() => {
        bus.publish('t9.during', bytes('x'));
        return bus.stats.dropped > 0;
      }, 'a publish counted as dropped');
      expect(bus.stats.dropped).toBeGreaterThan(0);
      await bus.close();
    } finally {
      await lonely.stop();
    }
  });

  it('counts publishes made after close as dropped, never throws', async () => {
    const bus = await open(single?.urls ?? [], 'test-closed');
    await bus.close();
    bus.publish('t7.late', bytes('x'));
    expect(bus.stats.dropped).toBe(1);
    const result = await requestOf(bus, 't7.late', bytes('x'), 1e9);
    expect(result).toMatchObject({ ok: false, error: 'busClosed' });
  });
});
