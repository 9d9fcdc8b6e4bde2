import { describe, expect, it } from 'vitest';
import { ChaosBus, type ChaosAction } from '@ioasim/bus';
import type { ChaosRule } from '@ioasim/protocol';
import { decoder, encoder, localSetup, messageRule, seededRandom } from './chaos-kit.js';

const RUN = 'r';
const subject = (rest: string): string => `ioasim.${RUN}.${rest}`;

function chaosSetup(rules: readonly ChaosRule[], seed = 1) {
  const { scheduler, clock, bus } = localSetup();
  const actions: ChaosAction[] = [];
  const chaos = new ChaosBus(bus, {
    run: RUN,
    rules,
    clock,
    random: seededRandom(seed),
    delaySample: (cost) => (cost.dist === 'fixed' ? cost.valueNs : 0),
    onChaos: (action) => actions.push(action),
  });
  return { scheduler, clock, bus, chaos, actions };
}

function received(bus: ReturnType<typeof localSetup>['bus'], pattern: string, scheduler: ReturnType<typeof localSetup>['scheduler']): string[] {
  const seen: string[] = [];
  bus.subscribe(pattern, (message) => seen.push(`${decoder.decode(message.data)}@${scheduler.nowNs}`));
  return seen;
}

describe('ChaosBus', () => {
  it('drops about the given share of matching messages and reports each drop', () => {
    const { scheduler, bus, chaos, actions } = chaosSetup([messageRule('*.mgr.resp', { drop: 0.2 })]);
    const seen = received(bus, subject('>'), scheduler);
    const h0 = chaos.endpoint('h0');
    for (let index = 0; index < 1000; index++) h0.publish(subject('h0.mgr.resp'), encoder.encode(String(index)));
    for (let index = 0; index < 100; index++) h0.publish(subject('h0.mgr.faults'), encoder.encode('f'));
    scheduler.run();
    const drops = actions.filter((action) => action.action === 'drop');
    expect(drops.length).toBeGreaterThan(150);
    expect(drops.length).toBeLessThan(250);
    expect(seen.length).toBe(1100 - drops.length);
    expect(drops.every((drop) => drop.subject === 'h0.mgr.resp' && drop.host === 'h0' && drop.rule === 0)).toBe(true);
  });

  it('never touches the trace and metrics subjects, nor subjects of other runs', () => {
    const { scheduler, bus, chaos, actions } = chaosSetup([messageRule('>', { drop: 1 })]);
    const seen = received(bus, '>', scheduler);
    const h0 = chaos.endpoint('h0');
    h0.publish(subject('trace.h0'), encoder.encode('t'));
    h0.publish(subject('metrics.h0'), encoder.encode('m'));
    h0.publish('ioasim.other.h0.mgr.resp', encoder.encode('o'));
    h0.publish(subject('h0.mgr.resp'), encoder.encode('x'));
    scheduler.run();
    expect(seen.map((entry) => entry.split('@')[0])).toEqual(['t', 'm', 'o']);
    expect(actions).toHaveLength(1);
  });

  it('duplicates, delays and reorders, each reported', () => {
    const { scheduler, bus, chaos, actions } = chaosSetup([
      messageRule('h0.dev.*.prgr', { duplicate: 1 }),
      messageRule('h0.mgr.faults', { delay: { dist: 'fixed', valueNs: 5000 } }),
    ]);
    const seen = received(bus, subject('>'), scheduler);
    const h0 = chaos.endpoint('h0');
    h0.publish(subject('h0.mgr.faults'), encoder.encode('late'));
    h0.publish(subject('h0.dev.nic0.prgr'), encoder.encode('twice'));
    scheduler.run();
    expect(seen).toEqual(['twice@100', 'twice@100', 'late@5100']);
    expect(actions.map((action) => action.action)).toEqual(['delay', 'duplicate']);
  });

  it('reorders within the window: later messages overtake held ones', () => {
    const { scheduler, bus, chaos } = chaosSetup([messageRule('>', { reorderNs: 10_000 })], 7);
    const seen = received(bus, subject('>'), scheduler);
    const h0 = chaos.endpoint('h0');
    for (let index = 0; index < 50; index++) h0.publish(subject('h0.mgr.resp'), encoder.encode(String(index)));
    scheduler.run();
    const order = seen.map((entry) => Number(entry.split('@')[0]));
    expect(order).toHaveLength(50);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(seen.every((entry) => Number(entry.split('@')[1]) <= 10_100)).toBe(true);
  });

  it('partitions two host groups for a time window, never a host from itself', () => {
    const { scheduler, clock, bus, chaos, actions } = chaosSetup([{ kind: 'partition', groups: ['h0', 'rack1-*'], fromNs: 1000, toNs: 2000 }]);
    const seen = received(bus, subject('>'), scheduler);
    const send = (from: string, to: string) => chaos.endpoint(from).publish(subject(`${to}.mgr.faults`), encoder.encode(`${from}>${to}`));
    send('h0', 'rack1-a');
    clock.afterNs(1500, () => {
      send('h0', 'rack1-a');
      send('rack1-a', 'h0');
      send('h0', 'h0');
      send('h0', 'h2');
    });
    clock.afterNs(2500, () => send('rack1-a', 'h0'));
    scheduler.run();
    expect(seen.map((entry) => entry.split('@')[0])).toEqual(['h0>rack1-a', 'h0>h0', 'h0>h2', 'rack1-a>h0']);
    expect(actions.map((action) => `${action.action} ${action.host} ${action.subject}`)).toEqual([
      'partition h0 rack1-a.mgr.faults',
      'partition rack1-a h0.mgr.faults',
    ]);
  });

  it('passes everything once healed', () => {
    const { scheduler, bus, chaos, actions } = chaosSetup([messageRule('>', { drop: 1 })]);
    const seen = received(bus, subject('>'), scheduler);
    chaos.heal();
    chaos.endpoint('h0').publish(subject('h0.mgr.resp'), encoder.encode('x'));
    scheduler.run();
    expect(seen).toHaveLength(1);
    expect(actions).toHaveLength(0);
  });

  it('makes the same choices for the same seed', () => {
    const drops = (seed: number) => {
      const { scheduler, chaos, actions } = chaosSetup([messageRule('>', { drop: 0.3, duplicate: 0.1, reorderNs: 1000 })], seed);
      for (let index = 0; index < 200; index++) chaos.endpoint('h0').publish(subject('h0.mgr.resp'), encoder.encode('x'));
      scheduler.run();
      return JSON.stringify(actions);
    };
    expect(drops(3)).toBe(drops(3));
    expect(drops(3)).not.toBe(drops(4));
  });
});
