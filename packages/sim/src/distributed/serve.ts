/**
 * `ioasim serve`: one process running the actors of one service kind (or
 * all five) for the hosts of its shard (host index % shards == shard), on
 * NatsBus and the run's real clock, driven by the coordinator's run-control
 * commands (see protocol run-control.ts).
 *
 * Lifecycle: connect, announce `ready` (repeated, so a coordinator started
 * later still hears it); answer every `clockProbe` with `clockReply` (its
 * wall clock at receiving and at replying, for the coordinator's skew
 * measurement, clock-skew.ts); on a `prepare` that claims this process
 * (lists its instance) build the actors on the run's clock, corrected by
 * the offset the prepare gives this process (each service subscribes once
 * per subject kind per host, with wildcards), flush the subscriptions to
 * the server and answer `prepared`; on `start` start the device workloads and report
 * `progress` once all are issued; on `finish` publish final metrics and
 * answer `finished`. `stop()` (SIGTERM) drains: outboxes flushed, final
 * metrics published, the connection drained.
 *
 * A process belongs to one run: once claimed it obeys only its claim's
 * commands, ignores any other coordinator's, and goes on repeating `ready`
 * with its claim until it stops, also after its run ended (its actors still
 * hold that run's state), so that a later coordinator names it and refuses
 * to run. A process no prepare claimed builds nothing and so cannot take part
 * in a run by accident.
 *
 * With `settings.delivery: at-least-once` each host's services publish
 * through their own ReliableBus endpoint on the NatsBus (delivery.ts), and
 * `finish` waits (up to ACKNOWLEDGED_WAIT_MS) until every message they sent
 * was acknowledged before it answers `finished`.
 */
import { framesSubscribe, type ReliableBus, type ServiceOptions, type ServicePorts } from '@ioasim/bus';
import { NatsBus, natsUrlRedact, type NatsSecurity } from '@ioasim/bus/nats';
import {
  SERVICE_KINDS,
  controlSubjects,
  frameEncode,
  type HostConfig,
  type ProcessId,
  type RunControl,
  type ServeKind,
  type ServiceKind,
  type Topology,
} from '@ioasim/protocol';
import { DeviceService } from '@ioasim/service-device';
import { FrontendService } from '@ioasim/service-frontend';
import { ManagerService } from '@ioasim/service-ioasid-manager';
import { IommuService } from '@ioasim/service-iommu';
import { randomBytes } from 'node:crypto';
import { IOASIM_VERSION } from '../version.js';
import { acknowledgedAll, reliableOnRealClock } from './delivery.js';
import { RunClock, wallMs } from './run-clock.js';
import { topologyForRealClock } from './time-mode.js';
import { topologyHash } from './topology-identity.js';

/** How often a process repeats `ready` (for as long as it lives), and `progress` until finish. */
export const ANNOUNCE_REPEAT_MS = 500;
/** How often a device process checks whether its workloads have issued everything. */
const PROGRESS_POLL_MS = 50;
/** The longest `finish` waits for the acknowledgement of everything sent at least once. */
export const ACKNOWLEDGED_WAIT_MS = 10_000;

export type ServeOptions = ProcessId & {
  readonly servers: readonly string[];
  /** Credentials and TLS for the process's connection. */
  readonly security?: NatsSecurity;
  readonly topology: Topology;
  readonly run: string;
  readonly log: (line: string) => void;
  /** Test hook (`ioasim serve --clock-offset`): this process's wall clock reads this much ahead (ms; negative = behind). */
  readonly clockOffsetMs?: number;
};

type AnyService = {
  readonly ports: ServicePorts;
  readonly errors: unknown[];
  metricsPublish(): void;
  stop(): void;
};

type Running = { readonly kind: ServiceKind; readonly host: string; readonly service: AnyService };

/** The hosts a shard serves: those whose index i has i % shards == shard. */
export function shardHosts(topology: Topology, shard: number, shards: number): readonly HostConfig[] {
  return topology.hosts.filter((_, index) => index % shards === shard);
}

/** The client name of a service process: what `nats-server` shows for its connection. */
export function processName(id: ProcessId, run: string): string {
  return `ioasim-${id.service}-${id.shard}of${id.shards}-${run}`;
}

export type ServeHandle = {
  readonly bus: NatsBus;
  /** This process among those of its kind and shard: random at its start. */
  readonly instance: string;
  /** Resolves once the process has stopped (after `stop()`). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
};

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const { run, topology, log } = options;
  const wallOffsetMs = options.clockOffsetMs ?? 0;
  const wall = (): number => wallMs() + wallOffsetMs;
  const id: ProcessId = { service: options.service, shard: options.shard, shards: options.shards };
  const name = processName(id, run);
  log(`${name}: connecting to ${options.servers.map(natsUrlRedact).join(',')} (waiting until a server is up)`);
  const bus = await NatsBus.connect({
    servers: options.servers,
    ...(options.security === undefined ? {} : { security: options.security }),
    name,
    onSlowConsumer: (pattern, pending) => log(`slow consumer on ${pattern}: ${pending} messages waiting`),
    onStatus: (status) => log(status),
  });
  const hosts = shardHosts(topology, options.shard, options.shards);
  const kinds: readonly ServiceKind[] = options.service === 'all' ? SERVICE_KINDS : [options.service];
  const subjects = controlSubjects(run);
  let sequence = 0;
  const announce = (record: RunControl): void =>
    bus.publish(subjects.announce(), frameEncode('runControl', name, ++sequence, [record]));
  const running: Running[] = [];
  const reliable: ReliableBus[] = [];
  const timers = new Set<ReturnType<typeof setInterval>>();
  let progressTimer: ReturnType<typeof setInterval> | null = null;
  const instance = randomBytes(6).toString('hex');
  let prepared: { claim: string; originMs: number; clock: RunClock } | null = null;
  let started = false;
  let stopping = false;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const readyBase = {
    ...id,
    instance,
    kind: 'ready',
    hosts: hosts.map((host) => host.name),
    topology: topology.name,
    topologyHash: topologyHash(topology),
    version: IOASIM_VERSION,
    pid: process.pid,
  } as const;
  const announceReady = (): void => announce({ ...readyBase, claim: prepared?.claim ?? null });
  announceReady();
  timers.add(setInterval(announceReady, ANNOUNCE_REPEAT_MS));
  const ignored = new Set<string>();
  const ignore = (claim: string, why: string): void => {
    if (ignored.has(claim)) return;
    ignored.add(claim);
    log(`ignored coordinator ${claim}: ${why}`);
  };
  const mine = (claim: string): boolean => prepared !== null && prepared.claim === claim;

  const prepare = async (record: Extract<RunControl, { kind: 'prepare' }>): Promise<void> => {
    if (prepared !== null) {
      if (prepared.claim === record.claim) announce({ ...id, instance, kind: 'prepared' });
      else ignore(record.claim, `this process belongs to coordinator ${prepared.claim}`);
      return;
    }
    if (!record.instances.includes(instance)) {
      ignore(record.claim, 'it did not claim this process');
      return;
    }
    // On the coordinator's clock: this process's wall clock less its measured offset.
    const clock = new RunClock(record.originMs + (record.clockOffsetsMs[instance] ?? 0), wallOffsetMs);
    prepared = { claim: record.claim, originMs: record.originMs, clock };
    announceReady();
    const realTopology = topologyForRealClock(topology, record.time);
    for (const host of shardHosts(realTopology, options.shard, options.shards)) {
      for (const kind of kinds) {
        let serviceBus: ServiceOptions['bus'] = bus;
        if (realTopology.settings.delivery === 'at-least-once') {
          const endpoint = `${host.name}-${kind}`;
          const reliableBus = reliableOnRealClock(bus, run, endpoint, clock, (overflow) =>
            log(`${endpoint}: at-least-once ${overflow.buffer} buffer full on ${overflow.subject}`),
          );
          reliable.push(reliableBus);
          serviceBus = reliableBus;
        }
        const serviceOptions: ServiceOptions = { run, host, settings: realTopology.settings, bus: serviceBus, clock, seed: record.seed };
        running.push({ kind, host: host.name, service: serviceStart(kind, serviceOptions) });
      }
    }
    await bus.flush();
    announce({ ...id, instance, kind: 'prepared' });
    log(`prepared ${running.length} service(s) for ${hosts.length} host(s), time ${record.time}`);
  };

  const start = (): void => {
    if (prepared === null || started) return;
    started = true;
    const devices = running.flatMap((entry) => (entry.service instanceof DeviceService ? [entry.service] : []));
    for (const device of devices) device.start();
    if (!kinds.includes('device')) return;
    let workloadsDone = false;
    let idleAnnounced: boolean | null = null;
    let lastAnnouncedMs = 0;
    progressTimer = setInterval(() => {
      workloadsDone = workloadsDone || devices.every((device) => device.workloadsDone);
      if (!workloadsDone) return;
      // Trace left at the end of the instant that made the devices idle, before this timer: it reaches the coordinator first.
      const devicesIdle = devices.every((device) => device.devicesIdle);
      if (devicesIdle !== idleAnnounced || Date.now() - lastAnnouncedMs >= ANNOUNCE_REPEAT_MS) {
        idleAnnounced = devicesIdle;
        lastAnnouncedMs = Date.now();
        const accessesEnded = devices.reduce((sum, device) => sum + device.accessesEnded, 0);
        announce({ ...id, instance, kind: 'progress', workloadsDone: true, devicesIdle, accessesEnded });
      }
    }, PROGRESS_POLL_MS);
  };

  const finish = async (): Promise<void> => {
    if (progressTimer !== null) clearInterval(progressTimer);
    progressTimer = null;
    // `ready` goes on: the process still holds this run's actors, and says whose it is to any later coordinator.
    metricsFinal(running);
    const unacknowledged = await acknowledgedAll(reliable, ACKNOWLEDGED_WAIT_MS);
    if (unacknowledged > 0) log(`finished with ${unacknowledged} message(s) still unacknowledged after ${ACKNOWLEDGED_WAIT_MS} ms`);
    for (const reliableBus of reliable) await reliableBus.flush();
    await bus.flush();
    announce({
      ...id,
      instance,
      kind: 'finished',
      deviceStates: deviceStates(running),
      errors: running.flatMap((entry) => entry.service.errors.map((error) => `${entry.host}/${entry.kind}: ${String(error)}`)),
      bus: {
        published: bus.stats.published,
        delivered: bus.stats.delivered,
        dropped: bus.stats.dropped,
        slowConsumers: bus.stats.slowConsumers ?? 0,
        handlerErrors: bus.stats.handlerErrors,
      },
    });
    await bus.flush();
  };

  framesSubscribe(
    bus,
    subjects.command(),
    'runControl',
    (records) => {
      const receivedMs = wall();
      for (const record of records) {
        switch (record.kind) {
          case 'clockProbe':
            announce({ ...id, instance, kind: 'clockReply', probe: record.probe, t0Ms: record.t0Ms, t1Ms: receivedMs, t2Ms: wall() });
            break;
          case 'prepare':
            void prepare(record).catch((error: unknown) => log(`prepare failed: ${String(error)}`));
            break;
          case 'start':
            if (mine(record.claim)) start();
            break;
          case 'unplug':
            if (!mine(record.claim)) break;
            for (const entry of running) {
              if (entry.host === record.host && entry.service instanceof DeviceService) entry.service.unplug(record.device);
            }
            break;
          case 'finish':
            if (!mine(record.claim)) break;
            void finish().catch((error: unknown) => log(`finish failed: ${String(error)}`));
            break;
          case 'ready':
          case 'clockReply':
          case 'prepared':
          case 'progress':
          case 'finished':
            break;
          default: {
            const unknown: never = record;
            void unknown;
          }
        }
      }
    },
    (bad) => log(`bad run-control frame on ${bad.subject}: ${bad.error.message}`),
  );
  await bus.flush();
  log(`${name}: connected to ${bus.server}, serving ${kinds.join(', ')} for host(s) ${hosts.map((host) => host.name).join(', ') || '(none)'}`);

  const stop = async (): Promise<void> => {
    if (stopping) return stopped;
    stopping = true;
    for (const timer of timers) clearInterval(timer);
    timers.clear();
    if (progressTimer !== null) clearInterval(progressTimer);
    metricsFinal(running);
    for (const entry of running) entry.service.stop();
    for (const reliableBus of reliable) await reliableBus.close();
    prepared?.clock.cancelAll();
    await bus.close();
    resolveStopped();
    return stopped;
  };
  return { bus, instance, stopped, stop };
}

function serviceStart(kind: ServiceKind, options: ServiceOptions): AnyService {
  switch (kind) {
    case 'device':
      return new DeviceService(options);
    case 'iommu':
      return new IommuService(options);
    case 'ioasid-manager':
      return new ManagerService(options);
    case 'vfio':
    case 'vdpa':
      return new FrontendService(options, kind);
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
}

/** Publishes every actor's final metrics and message counts, and flushes every outbox. */
function metricsFinal(running: readonly Running[]): void {
  for (const entry of running) {
    entry.service.metricsPublish();
    entry.service.ports.messageCountsPublish();
    entry.service.ports.flush();
  }
}

function deviceStates(running: readonly Running[]): Record<string, string> {
  const states: Record<string, string> = {};
  for (const entry of running) {
    if (!(entry.service instanceof DeviceService)) continue;
    for (const device of entry.service.devices.keys()) states[`${entry.host}/${device}`] = entry.service.stateOf(device);
  }
  return states;
}

export function serveKindIs(text: string): text is ServeKind {
  return text === 'all' || (SERVICE_KINDS as readonly string[]).includes(text);
}
