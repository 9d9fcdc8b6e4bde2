/**
 * The chaos of one serve process: the topology's chaos rules applied on the
 * wire of a distributed run, as an embedded run applies them
 * (chaos/wiring.ts). Each host's services publish through a ChaosBus
 * endpoint over the process's NatsBus (and through their at-least-once
 * endpoint over that, with `delivery: at-least-once`); the crash rules stop
 * and restart this process's services of the kind and host they name.
 *
 * Times count from the run's start (`started()`), as in an embedded run;
 * chaos draws from a random stream of its own per process, seeded by the
 * run's seed. The coordinator heals the chaos of every process once every
 * workload has issued its last access (run-chaos.ts); what chaos did is
 * counted (by action, and per rule) and sent with `finished`.
 *
 * Invariants: a process with no message or partition rule publishes on its
 * NatsBus directly; a crashed ioasid-manager comes back with the
 * configuration of its journal and cookies past its predecessor's.
 */
import { ChaosBus, type Bus, type ChaosAction, type Clock, type TimerHandle } from '@ioasim/bus';
import { costSample, randomCreate } from '@ioasim/model';
import type { ChaosActionName, ChaosCounters, ChaosRule } from '@ioasim/protocol';
import { ManagerService } from '@ioasim/service-ioasid-manager';
import { COOKIE_INCARNATION_SPAN } from '../chaos/wiring.js';
import type { RunClock } from './run-clock.js';
import { serviceStart, type Running } from './serve-services.js';

export type ServeChaosOptions = {
  readonly bus: Bus;
  readonly run: string;
  readonly rules: readonly ChaosRule[];
  readonly clock: RunClock;
  readonly seed: number;
  /** The process's name: its random stream. */
  readonly stream: string;
  readonly log: (line: string) => void;
};

export class ServeChaos {
  readonly #options: ServeChaosOptions;
  readonly #clock: SinceStartClock;
  readonly #chaos: ChaosBus | null;
  readonly #actions = new Map<ChaosActionName, number>();
  readonly #acted: number[];

  constructor(options: ServeChaosOptions) {
    this.#options = options;
    this.#clock = new SinceStartClock(options.clock);
    this.#acted = options.rules.map(() => 0);
    const onWire = options.rules.some((rule) => rule.kind === 'message' || rule.kind === 'partition');
    const random = randomCreate(options.seed, `chaos ${options.stream}`);
    this.#chaos = onWire
      ? new ChaosBus(options.bus, {
          run: options.run,
          rules: options.rules,
          clock: this.#clock,
          random,
          delaySample: (cost) => costSample(cost, random),
          onChaos: (action: ChaosAction) => this.#count(action.action, action.rule),
        })
      : null;
  }

  /** The bus the services of `host` publish through. */
  endpoint(host: string): Bus {
    return this.#chaos === null ? this.#options.bus : this.#chaos.endpoint(host);
  }

  /** Whether a crash rule names `kind` on `host`: its manager must keep a journal from the start. */
  crashes(kind: string, host: string): boolean {
    return this.#options.rules.some((rule) => rule.kind === 'crash' && rule.actor === kind && rule.host === host);
  }

  /** The run starts: chaos times count from now, and the crashes of this process's services are scheduled. */
  started(running: Running[]): void {
    this.#clock.start();
    this.#options.rules.forEach((rule, index) => {
      if (rule.kind !== 'crash') return;
      const entry = running.find((candidate) => candidate.kind === rule.actor && candidate.host === rule.host);
      if (entry === undefined) return;
      let incarnation = 0;
      this.#clock.afterNs(rule.atNs, () => {
        const crashed = entry.service;
        crashed.stop();
        this.#count('crash', index);
        this.#options.log(`chaos[${index}]: crashed ${rule.actor} of ${rule.host}`);
        this.#clock.afterNs(rule.restartAfterNs, () => {
          incarnation++;
          entry.service = serviceRestart(entry, crashed, incarnation);
          this.#count('restart', index);
          this.#options.log(`chaos[${index}]: restarted ${rule.actor} of ${rule.host}`);
        });
      });
    });
  }

  /** Chaos off (the coordinator counts the heal, once for the run). */
  heal(): void {
    this.#chaos?.heal();
  }

  /** What the chaos did: by action, and per rule (messages a message rule took, else its actions). */
  get counters(): ChaosCounters {
    return {
      actions: Object.fromEntries(this.#actions),
      perRule: this.#options.rules.map((rule, index) => (rule.kind === 'message' ? (this.#chaos?.matched[index] ?? 0) : (this.#acted[index] ?? 0))),
    };
  }

  #count(action: ChaosActionName, rule: number): void {
    this.#actions.set(action, (this.#actions.get(action) ?? 0) + 1);
    if (rule >= 0) this.#acted[rule] = (this.#acted[rule] ?? 0) + 1;
  }
}

/** A fresh service in place of a crashed one; a manager restores its predecessor's journal. */
function serviceRestart(entry: Running, crashed: Running['service'], incarnation: number): Running['service'] {
  if (!(crashed instanceof ManagerService)) {
    const fresh = serviceStart(entry.kind, entry.options);
    fresh.errors.push(...crashed.errors);
    return fresh;
  }
  const fresh = new ManagerService(entry.options, { firstCookie: incarnation * COOKIE_INCARNATION_SPAN + 1 });
  fresh.journalKeep();
  fresh.restore(crashed.journal);
  fresh.errors.push(...crashed.errors);
  return fresh;
}

/** The run clock counted from the run's start instead of its origin (the time chaos rules are written in). */
class SinceStartClock implements Clock {
  #startNs = 0;

  constructor(private readonly clock: RunClock) {}

  start(): void {
    this.#startNs = this.clock.nowNs();
  }

  nowNs(): number {
    return this.clock.nowNs() - this.#startNs;
  }

  afterNs(delayNs: number, callback: () => void): TimerHandle {
    return this.clock.afterNs(delayNs, callback);
  }

  afterNsWith<Argument>(delayNs: number, callback: (argument: Argument) => void, argument: Argument): void {
    this.clock.afterNsWith(delayNs, callback, argument);
  }

  cancel(handle: TimerHandle): void {
    this.clock.cancel(handle);
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.clock.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.clock.clearTimeout(handle);
  }
}
