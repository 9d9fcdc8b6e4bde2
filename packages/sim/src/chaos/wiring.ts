/**
 * The chaos of one embedded run: what the runner puts between the services
 * and LocalBus, and the crashes it performs. Each host's services publish
 * through `busFor(host)`: Reliable(Chaos(LocalBus)) with `at-least-once`,
 * Chaos(LocalBus) with `at-most-once`, LocalBus itself when the run has no
 * chaos and no at-least-once delivery (a run without chaos is unchanged).
 *
 * Phases: chaos is on while the workloads issue; once every workload has
 * issued its last access the chaos heals (ChaosBus passes everything), the
 * run drains, and the final check follows (see outcome.ts).
 *
 * Invariants:
 * - every chaos action becomes a `chaos` trace event, to the checker and to
 *   `onChaos`; chaos draws from its own random stream (`chaos`), so the
 *   workloads and links draw the same numbers with or without it;
 * - a crash stops the host's service of that kind and starts a fresh one
 *   after `restartAfterNs`. The ioasid-manager keeps its configuration (see
 *   services/ioasid-manager/src/service.ts) and loses its pending groups; a
 *   frontend (vfio, vdpa) loses the groups its handlers held, which their
 *   devices re-issue and the manager, still holding them, delivers again.
 *   The device and the iommu cannot crash (they hold the hardware's state);
 *   a rule naming them is refused before the run starts;
 * - the host's at-least-once endpoint stands for the host's transport and
 *   outlives a crash of one service: what the crashed service had handed
 *   over is still retransmitted, what it had received and not yet handled
 *   is lost with it, and the restarted service hears each stream from the
 *   oldest frame still unacknowledged.
 */
import { ChaosBus, ReliableBus, type Bus, type ChaosAction, type ReliableOverflow, type ServiceOptions, type VirtualClock } from '@ioasim/bus';
import { costSample, randomCreate } from '@ioasim/model';
import type { ChaosActionName, ChaosRule, ChaosTraceEvent, Delivery, Topology } from '@ioasim/protocol';
import { FrontendService } from '@ioasim/service-frontend';
import { ManagerService } from '@ioasim/service-ioasid-manager';
import type { Checker } from '../checker.js';
import type { HostServices } from '../host-services.js';

/** How often the runner looks whether every workload is done, to heal the chaos. */
export const HEAL_POLL_NS = 100_000;
/** Cookies of each manager incarnation start this far past the previous one's. */
export const COOKIE_INCARNATION_SPAN = 1 << 28;
/** The actor kinds a crash rule may name in this version. */
export const CRASHABLE_ACTORS: readonly string[] = ['ioasid-manager', 'vfio', 'vdpa'];

export type ChaosRunOptions = {
  /** The rules; default: the topology's `chaos`. */
  readonly rules?: readonly ChaosRule[];
  /** Overrides `settings.delivery`. */
  readonly delivery?: Delivery;
  /** Heal at this simulated time instead of when the workloads are done; null = never heal. */
  readonly healAtNs?: number | null;
  /** Sees every chaos action. */
  readonly onChaos?: (event: ChaosTraceEvent) => void;
};

export type ChaosWiring = {
  /** The bus a host's services get. */
  busFor(host: string): Bus;
  /** Schedules the crashes and the heal, once the services are built. */
  start(services: HostServices[], serviceOptions: (host: HostServices['host']) => ServiceOptions): void;
  readonly active: boolean;
  readonly reliable: readonly ReliableBus[];
  readonly rules: readonly ChaosRule[];
  readonly delivery: Delivery;
  /**
   * The rules that did nothing, by index: a message rule whose `match` took
   * no message of the run (a typo, or a subject the topology does not use), a
   * crash or partition that never acted (its time outside the run).
   */
  idleRules(): number[];
};

export type ChaosWireOptions = {
  readonly topology: Topology;
  readonly seed: number;
  readonly run: string;
  readonly bus: Bus;
  readonly clock: VirtualClock;
  readonly checker: Checker;
  readonly options: ChaosRunOptions | undefined;
  /** Sees every chaos action, as `options.onChaos` does, without making the run a chaos run. */
  readonly onChaos?: ((event: ChaosTraceEvent) => void) | undefined;
};

/**
 * Refuses what a runner cannot do; a message for each refusal. `natsNodes`
 * is how many NATS servers the run started itself (a distributed run with
 * `--spawn`), which a `nats-kill` rule needs; none in an embedded run.
 */
export function chaosRulesCheck(rules: readonly ChaosRule[], natsNodes = 0): string[] {
  return rules.flatMap((rule, index) => {
    if (rule.kind === 'crash' && !CRASHABLE_ACTORS.includes(rule.actor)) {
      return [`chaos[${index}]: a crash of '${rule.actor}' is not supported; crashable: ${CRASHABLE_ACTORS.join(', ')}`];
    }
    if (rule.kind !== 'natsKill') return [];
    if (natsNodes === 0) {
      return [
        `chaos[${index}]: nats-kill kills a NATS server the run started itself, and this run starts none; ` +
          `run it distributed with the servers spawned: ioasim run <file> --transport nats --spawn --nats-nodes 3`,
      ];
    }
    if (rule.node >= natsNodes) return [`chaos[${index}]: nats-kill names node ${rule.node}, but the run starts ${natsNodes} (nodes 0 to ${natsNodes - 1})`];
    return [];
  });
}

export function chaosWire(wire: ChaosWireOptions): ChaosWiring {
  const { topology, seed, run, bus, clock, checker } = wire;
  const rules = wire.options?.rules ?? topology.chaos;
  const delivery = wire.options?.delivery ?? topology.settings.delivery;
  const active = rules.length > 0 || delivery === 'at-least-once' || wire.options !== undefined;
  const refusals = chaosRulesCheck(rules);
  if (refusals.length > 0) throw new RangeError(refusals.join('\n'));
  const onChaos = wire.options?.onChaos;
  const observe = wire.onChaos;
  const acted = rules.map(() => 0);
  const report = (host: string, action: ChaosActionName, target: string, rule: number, delayNs: number): void => {
    if (rule >= 0) acted[rule] = (acted[rule] ?? 0) + 1;
    const event: ChaosTraceEvent = { kind: 'chaos', t: clock.nowNs(), host, action, target, rule, delayNs };
    checker.chaosObserve(event);
    onChaos?.(event);
    observe?.(event);
  };
  const random = randomCreate(seed, 'chaos');
  const chaos = new ChaosBus(bus, {
    run,
    rules,
    clock,
    random,
    delaySample: (cost) => costSample(cost, random),
    onChaos: (action: ChaosAction) => report(action.host, action.action, action.subject, action.rule, action.delayNs),
  });
  const buses = new Map<string, Bus>();
  const reliable: ReliableBus[] = [];
  const busFor = (host: string): Bus => {
    if (!active) return bus;
    let hostBus = buses.get(host);
    if (hostBus === undefined) {
      const endpoint = chaos.endpoint(host);
      if (delivery === 'at-least-once') {
        const reliableBus = new ReliableBus(endpoint, {
          run,
          endpoint: host,
          clock,
          onOverflow: (overflow: ReliableOverflow) => {
            report(host, 'bufferFull', `${overflow.buffer} ${overflow.subject}`, -1, 0);
            if (overflow.buffer === 'transmissions') checker.frameLost(host, overflow.subject, clock.nowNs());
          },
        });
        reliable.push(reliableBus);
        hostBus = reliableBus;
      } else {
        hostBus = endpoint;
      }
      buses.set(host, hostBus);
    }
    return hostBus;
  };
  const start = (services: HostServices[], serviceOptions: (host: HostServices['host']) => ServiceOptions): void => {
    if (!active) return;
    const incarnations = new Map<string, number>();
    rules.forEach((rule, index) => {
      if (rule.kind !== 'crash') return;
      const position = services.findIndex((host) => host.host.name === rule.host);
      if (position < 0) return;
      if (rule.actor === 'ioasid-manager') (services[position] as HostServices).manager.journalKeep();
      const restarted = (restart: (host: HostServices) => HostServices): void => {
        clock.afterNs(rule.restartAfterNs, () => {
          services[position] = restart(services[position] as HostServices);
          report(rule.host, 'restart', rule.actor, index, rule.restartAfterNs);
        });
      };
      clock.afterNs(rule.atNs, () => {
        const crashed = services[position] as HostServices;
        switch (rule.actor) {
          case 'ioasid-manager': {
            if (crashed.manager.stopped) return;
            crashed.manager.stop();
            restarted((host) => {
              const incarnation = (incarnations.get(rule.host) ?? 0) + 1;
              incarnations.set(rule.host, incarnation);
              const fresh = new ManagerService(serviceOptions(host.host), { firstCookie: incarnation * COOKIE_INCARNATION_SPAN + 1 });
              fresh.journalKeep();
              fresh.restore(crashed.manager.journal);
              fresh.errors.push(...crashed.manager.errors);
              return { ...host, manager: fresh };
            });
            break;
          }
          case 'vfio':
          case 'vdpa': {
            const kind = rule.actor;
            const frontend = crashed[kind];
            if (frontend.stopped) return;
            frontend.stop();
            restarted((host) => {
              const fresh = new FrontendService(serviceOptions(host.host), kind, host.device.actorParent);
              fresh.errors.push(...frontend.errors);
              return { ...host, [kind]: fresh };
            });
            break;
          }
          default:
            return;
        }
        report(rule.host, 'crash', rule.actor, index, 0);
      });
    });
    const healAtNs = wire.options?.healAtNs;
    if (healAtNs === null) return;
    if (healAtNs !== undefined) {
      clock.afterNs(healAtNs, () => heal());
      return;
    }
    const poll = (): void => {
      if (services.every((host) => host.device.workloadsDone)) heal();
      else clock.afterNs(HEAL_POLL_NS, poll);
    };
    clock.afterNs(0, poll);
  };
  const heal = (): void => {
    if (chaos.healed) return;
    chaos.heal();
    report('*', 'heal', '>', -1, 0);
  };
  const idleRules = (): number[] =>
    rules.flatMap((rule, index) => ((rule.kind === 'message' ? chaos.matched[index] : acted[index]) === 0 ? [index] : []));
  return { busFor, start, active, reliable, rules, delivery, idleRules };
}
