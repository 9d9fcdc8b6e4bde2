import { describe, expect, it } from 'vitest';
import {
  AssertionError,
  LocalBus,
  Scheduler,
  patternMatches,
  type BusMessage,
  type RequestResult,
} from '@ioasim/bus';
import { generator } from './generator.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (message: BusMessage): string => decoder.decode(message.data);

function setup(latencyNs: (subject: string) => number = () => 100): { scheduler: Scheduler; bus: LocalBus } {
  const scheduler = new Scheduler();
  return { scheduler, bus: new LocalBus(scheduler, { latencyNs }) };
}

describe('LocalBus', () => {
  it('delivers a message at now + the latency of its subject, never inside publish', () => {
    const { scheduler, bus } = setup((subject) => (subject === 'slow' ? 500 : 100));
    const seen: string[] = [];
    bus.subscribe('fast', (message) => seen.push(`${text(message)}@${scheduler.nowNs}`));
    bus.subscribe('slow', (message) => seen.push(`${text(message)}@${scheduler.nowNs}`));
    bus.publish('slow', bytes('s'));
    bus.publish('fast', bytes('f'));
    expect(seen).toEqual([]);
    scheduler.run();
    expect(seen).toEqual(['f@100', 's@500']);
  });

  it('delivers to every subscription whose pattern matches, wildcards included', () => {
    const { scheduler, bus } = setup();
    const seen: string[] = [];
    for (const pattern of ['a.b.c', 'a.*.c', 'a.>', '>', 'a.b', 'x.>']) {
      bus.subscribe(pattern, (message) => seen.push(`${pattern} <- ${message.subject}`));
    }
    bus.publish('a.b.c', bytes(''));
    scheduler.run();
    expect(seen).toEqual(['a.b.c <- a.b.c', 'a.*.c <- a.b.c', 'a.> <- a.b.c', '> <- a.b.c']);
  });

  it('agrees with patternMatches on random patterns and subjects', () => {
    const { scheduler, bus } = setup();
    const tokens = ['a', 'b', 'c'];
    const pick = generator(12345);
    const literal = (length: number): string[] => Array.from({ length }, () => tokens[pick(3)] as string);
    const patterns = new Set<string>();
    while (patterns.size < 60) {
      const parts = literal(1 + pick(4)).map((token) => (pick(4) === 0 ? '*' : token));
      if (pick(4) === 0) parts[parts.length - 1] = '>';
      patterns.add(parts.join('.'));
    }
    const received = new Map<string, string[]>();
    for (const pattern of patterns) {
      received.set(pattern, []);
      bus.subscribe(pattern, (message) => received.get(pattern)?.push(message.subject));
    }
    const subjects = Array.from({ length: 200 }, () => literal(1 + pick(4)).join('.'));
    for (const subject of subjects) bus.publish(subject, bytes(''));
    scheduler.run();
    for (const pattern of patterns) {
      expect(received.get(pattern), pattern).toEqual(subjects.filter((subject) => patternMatches(pattern, subject)));
    }
  });

  it('counts a message no subscription matches as unrouted', () => {
    const { scheduler, bus } = setup();
    bus.subscribe('a', () => undefined);
    bus.publish('a', bytes(''));
    bus.publish('b', bytes(''));
    scheduler.run();
    expect(bus.stats).toEqual({ published: 2, delivered: 1, unrouted: 1, dropped: 0, handlerErrors: 0 });
  });

  it('delivers each message to one member of a queue group, and to every plain subscriber', () => {
    const { scheduler, bus } = setup();
    const seen: string[] = [];
    const subscriber = (name: string) => (message: BusMessage) => seen.push(`${name}:${text(message)}`);
    bus.subscribe('work.*', subscriber('g1-m1'), { queue: 'g1' });
    bus.subscribe('work.*', subscriber('g1-m2'), { queue: 'g1' });
    bus.subscribe('work.>', subscriber('g1-m3'), { queue: 'g1' });
    bus.subscribe('work.job', subscriber('g2-m1'), { queue: 'g2' });
    bus.subscribe('work.job', subscriber('plain1'));
    bus.subscribe('work.*', subscriber('plain2'));
    for (let index = 0; index < 6; index++) bus.publish('work.job', bytes(String(index)));
    scheduler.run();
    const receivers = (index: number): string[] =>
      seen.filter((entry) => entry.endsWith(`:${index}`)).map((entry) => entry.split(':')[0] as string);
    for (let index = 0; index < 6; index++) {
      const got = receivers(index);
      expect(got.filter((name) => name.startsWith('g1')).length, `message ${index}`).toBe(1);
      expect(got.filter((name) => name.startsWith('g2'))).toEqual(['g2-m1']);
      expect(got.filter((name) => name.startsWith('plain'))).toEqual(['plain1', 'plain2']);
    }
  });

  it('chooses queue members round-robin, so that runs are deterministic', () => {
    const { scheduler, bus } = setup();
    const chosen: string[] = [];
    for (const name of ['m1', 'm2', 'm3']) bus.subscribe('jobs', () => chosen.push(name), { queue: 'workers' });
    for (let index = 0; index < 7; index++) bus.publish('jobs', bytes(''));
    scheduler.run();
    expect(chosen).toEqual(['m1', 'm2', 'm3', 'm1', 'm2', 'm3', 'm1']);
  });

  it('keeps deliveries FIFO per subject when the latency varies per message', () => {
    const latencies = [1000, 10, 500, 0, 300, 20];
    let sampled = 0;
    const latencyNs = (subject: string): number =>
      subject === 'ordered' ? (latencies[sampled++ % latencies.length] as number) : 1;
    const { scheduler, bus } = setup(latencyNs);
    const seen: { body: string; timeNs: number }[] = [];
    const other: number[] = [];
    bus.subscribe('ordered', (message) => seen.push({ body: text(message), timeNs: scheduler.nowNs }));
    bus.subscribe('other', () => other.push(scheduler.nowNs));
    for (let index = 0; index < latencies.length; index++) bus.publish('ordered', bytes(String(index)));
    bus.publish('other', bytes(''));
    scheduler.run();
    expect(seen.map(({ body }) => body)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(seen.every(({ timeNs }) => timeNs === 1000)).toBe(true);
    // Another subject is not held back by the slow message.
    expect(other).toEqual([1]);
    expect(sampled).toBe(latencies.length);
  });

  it('delivers a message only to the subscriptions that matched when it was published', () => {
    const { scheduler, bus } = setup();
    const seen: string[] = [];
    const leaving = bus.subscribe('s', () => seen.push('leaving'));
    bus.subscribe('s', () => seen.push('staying'));
    bus.publish('s', bytes(''));
    leaving.unsubscribe();
    bus.subscribe('s', () => seen.push('late'));
    scheduler.run();
    expect(seen).toEqual(['staying']);
    bus.publish('s', bytes(''));
    scheduler.run();
    expect(seen).toEqual(['staying', 'staying', 'late']);
  });

  it('answers a request with the first reply', () => {
    const { scheduler, bus } = setup();
    bus.subscribe('service', (message) => {
      if (message.reply === null) return;
      bus.publish(message.reply, bytes(`first:${text(message)}`));
      bus.publish(message.reply, bytes('second'));
    });
    const results: RequestResult[] = [];
    bus.request('service', bytes('ping'), 10_000, (result) => results.push(result));
    scheduler.run();
    expect(results).toHaveLength(1);
    const [result] = results;
    expect(result?.ok).toBe(true);
    if (result?.ok !== true) return;
    expect(text(result.message)).toBe('first:ping');
    expect(result.message.subject).toMatch(/^_INBOX\.\d+$/);
    expect(scheduler.nowNs).toBe(200);
  });

  it('times out a request with no reply after timeoutNs of virtual time', () => {
    const { scheduler, bus } = setup();
    bus.subscribe('silent', () => undefined);
    const results: { result: RequestResult; timeNs: number }[] = [];
    bus.request('silent', bytes(''), 5000, (result) => results.push({ result, timeNs: scheduler.nowNs }));
    scheduler.run();
    expect(results).toHaveLength(1);
    expect(results[0]?.timeNs).toBe(5000);
    expect(results[0]?.result).toMatchObject({ ok: false, error: 'requestTimeout' });
  });

  it('ignores a reply that comes after the timeout', () => {
    const { scheduler, bus } = setup();
    bus.subscribe('late', (message) => {
      scheduler.at(scheduler.nowNs + 10_000, 1, () => bus.publish(message.reply ?? 'nowhere', bytes('late')));
    });
    const results: RequestResult[] = [];
    bus.request('late', bytes(''), 1000, (result) => results.push(result));
    scheduler.run();
    expect(results.map((result) => (result.ok ? 'ok' : result.error))).toEqual(['requestTimeout']);
  });

  it('answers noResponders, in a later event, when nobody subscribes to the subject', () => {
    const { scheduler, bus } = setup();
    const results: RequestResult[] = [];
    bus.request('nobody', bytes(''), 1000, (result) => results.push(result));
    expect(results).toEqual([]);
    scheduler.run();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, error: 'noResponders' });
    expect(scheduler.nowNs).toBe(100);
  });

  it('drops publishes after close, counts them, and fails requests with busClosed', async () => {
    const { scheduler, bus } = setup();
    const seen: string[] = [];
    bus.subscribe('s', (message) => seen.push(text(message)));
    bus.subscribe('silent', () => undefined);
    bus.publish('s', bytes('in flight'));
    const results: string[] = [];
    bus.request('silent', bytes(''), 1000, (result) => results.push(result.ok ? 'ok' : result.error));
    await bus.close();
    bus.publish('s', bytes('after close'));
    bus.request('s', bytes(''), 1000, (result) => results.push(result.ok ? 'ok' : result.error));
    expect(results).toEqual([]);
    scheduler.run();
    expect(seen).toEqual([]);
    expect(results).toEqual(['busClosed', 'busClosed']);
    // The publish after close, the message in flight and the pending request's message.
    expect(bus.stats.dropped).toBe(3);
    await expect(bus.flush()).resolves.toBeUndefined();
  });

  it('counts a handler that throws, keeps its error, and goes on delivering', () => {
    const { scheduler, bus } = setup();
    const seen: string[] = [];
    const failure = new Error('handler bug');
    bus.subscribe('s', () => {
      throw failure;
    });
    bus.subscribe('s', (message) => seen.push(text(message)));
    bus.publish('s', bytes('1'));
    bus.publish('s', bytes('2'));
    expect(() => scheduler.run()).not.toThrow();
    expect(seen).toEqual(['1', '2']);
    expect(bus.stats.handlerErrors).toBe(2);
    expect(bus.lastHandlerError).toBe(failure);
  });

  it('refuses to publish on a subject with a wildcard and to subscribe to an invalid pattern', () => {
    const { bus } = setup();
    expect(() => bus.publish('a.*', bytes(''))).toThrow(AssertionError);
    expect(() => bus.publish('a..b', bytes(''))).toThrow(AssertionError);
    expect(() => bus.subscribe('a.>.b', () => undefined)).toThrow(AssertionError);
    expect(() => bus.subscribe('a', () => undefined, { queue: '' })).toThrow(AssertionError);
  });

  it('refuses a latency that is negative or not finite', () => {
    const { bus } = setup(() => -1);
    bus.subscribe('s', () => undefined);
    expect(() => bus.publish('s', bytes(''))).toThrow(AssertionError);
  });
});
