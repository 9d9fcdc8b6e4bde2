/**
 * The coordinator's side of chaos in a distributed run: the serve processes
 * apply the message, partition and crash rules to their own services
 * (serve-chaos.ts); the coordinator heals them all once every workload has
 * issued its last access and then either the devices hold no access in
 * flight or half a device timeout has passed. (An embedded run heals as
 * soon as the workloads have issued everything, chaos/wiring.ts; on the
 * wall clock a workload issues within milliseconds, long before its faults
 * are answered, and healing then would spare most of the run's messages.
 * Half a device timeout later, the groups whose messages chaos took are
 * still to be re-issued, after the heal, as in an embedded run.) It kills
 * and restarts the NATS nodes of the `nats-kill` rules (only nodes the run
 * started itself), and adds up what every process's chaos did for the
 * report.
 *
 * Invariants: `heal` is repeated until the run ends (a command published
 * while the coordinator reconnects is lost); every node a rule killed is
 * running again before the run's final metrics are asked for; rule times
 * count from the run's start.
 */
import type { ChaosCounters, ChaosRule, RunControl } from '@ioasim/protocol';
import type { Checker } from '../checker.js';

/** The NATS nodes a run started itself, which `nats-kill` rules may kill and restart. */
export type NatsNodes = {
  readonly count: number;
  /** Kills node `index` at once (SIGKILL); resolves when it has exited. */
  kill(index: number): Promise<void>;
  /** Starts node `index` again on its ports; resolves when it accepts clients and routes. */
  restart(index: number): Promise<void>;
};

/** How often `heal` is repeated once sent. */
const HEAL_REPEAT_MS = 500;

export class RunChaos {
  readonly #rules: readonly ChaosRule[];
  readonly #checker: Checker;
  readonly #nodes: NatsNodes | null;
  readonly #log: (line: string) => void;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #acted: number[];
  readonly #down = new Map<number, Promise<void>>();
  readonly #healAfterMs: number;
  #workloadsDoneMs: number | null = null;
  #healedMs: number | null = null;

  /** `deviceTimeoutNs`: the run's (on the real clock), half of which after the workloads the chaos heals at the latest. */
  constructor(rules: readonly ChaosRule[], deviceTimeoutNs: number, checker: Checker, nodes: NatsNodes | null, log: (line: string) => void) {
    this.#rules = rules;
    this.#healAfterMs = deviceTimeoutNs / 2e6;
    this.#checker = checker;
    this.#nodes = nodes;
    this.#log = log;
    this.#acted = rules.map(() => 0);
  }

  /** The run started: schedules the `nats-kill` rules. */
  started(): void {
    this.#rules.forEach((rule, index) => {
      if (rule.kind !== 'natsKill' || this.#nodes === null) return;
      this.#after(rule.atNs, () => this.#kill(rule.node, index, rule.restartAfterNs));
    });
  }

  /** Called on every tick: heals the chaos of every process when it is time (then repeats the heal). */
  tick(workloadsDone: boolean, devicesIdle: boolean, claim: string, command: (record: RunControl) => void): void {
    if (!workloadsDone || this.#rules.length === 0) return;
    const nowMs = Date.now();
    this.#workloadsDoneMs ??= nowMs;
    if (!devicesIdle && nowMs - this.#workloadsDoneMs < this.#healAfterMs) return;
    if (this.#healedMs === null) {
      this.#count('heal', -1);
      this.#log(`every workload issued its last access ${devicesIdle ? 'and no access is in flight' : `${Math.round(nowMs - this.#workloadsDoneMs)} ms ago`}: chaos healed`);
    } else if (nowMs - this.#healedMs < HEAL_REPEAT_MS) {
      return;
    }
    this.#healedMs = nowMs;
    command({ kind: 'heal', claim });
  }

  /** The run ended: no more kills; every node killed is started again (awaited). */
  async end(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#down.values());
  }

  /** Adds what the processes' chaos did (from their `finished`) to the run's counts. */
  add(counters: readonly (ChaosCounters | undefined)[]): void {
    for (const counter of counters) {
      if (counter === undefined) continue;
      for (const [action, count] of Object.entries(counter.actions)) this.#checker.chaosCounts.set(action, (this.#checker.chaosCounts.get(action) ?? 0) + count);
      counter.perRule.forEach((count, index) => (this.#acted[index] = (this.#acted[index] ?? 0) + count));
    }
  }

  /** The rules that did nothing in any process, by index. */
  get idleRules(): number[] {
    return this.#acted.flatMap((count, index) => (count === 0 ? [index] : []));
  }

  #kill(node: number, rule: number, restartAfterNs: number): void {
    const nodes = this.#nodes as NatsNodes;
    if (this.#down.has(node)) return;
    const restarted = (async () => {
      await nodes.kill(node);
      this.#count('crash', rule);
      this.#log(`chaos[${rule}]: killed NATS node ${node}`);
      await new Promise((resolve) => setTimeout(resolve, restartAfterNs / 1e6));
      await nodes.restart(node);
      this.#count('restart', rule);
      this.#log(`chaos[${rule}]: restarted NATS node ${node}`);
    })().finally(() => this.#down.delete(node));
    this.#down.set(node, restarted);
  }

  #after(delayNs: number, callback: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      callback();
    }, delayNs / 1e6);
    this.#timers.add(timer);
  }

  #count(action: string, rule: number): void {
    this.#checker.chaosCounts.set(action, (this.#checker.chaosCounts.get(action) ?? 0) + 1);
    if (rule >= 0) this.#acted[rule] = (this.#acted[rule] ?? 0) + 1;
  }
}
