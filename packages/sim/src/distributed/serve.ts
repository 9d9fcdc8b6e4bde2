/**
 * `ioasim serve`: one process running the actors of one service kind (or
 * all five) for the hosts of its shard (host index % shards == shard), on
 * NatsBus and the run's real clock, driven by the coordinator's run-control
 * commands (see protocol run-control.ts).
 *
 * Lifecycle: connect, announce `ready` (repeated, so a coordinator started
 * later still hears it) and register as a NATS service (serve-discovery.ts:
 * `$SRV.PING/INFO/STATS`, so that `nats micro ls` and the coordinator find
 * it); answer every `clockProbe` with `clockReply` (its wall clock at
 * receiving and at replying, for the coordinator's skew measurement,
 * clock-skew.ts); on a `prepare` that claims this process (lists its
 * instance) build the actors on the run's clock, corrected by the offset the
 * prepare gives this process (each service subscribes once per subject kind
 * per host, with wildcards), with the topology's chaos between them and the
 * wire (serve-chaos.ts), flush the subscriptions to the server and answer
 * `prepared`; on `start` start the device workloads and report `progress`
 * once all are issued; on `heal` turn the chaos off; on `finish` publish
 * final metrics and answer `finished`; on `release` drop the run's actors
 * and exit, or, with runs left (`runs`), announce itself free for the next
 * run. `stop()` (SIGTERM) drains: outboxes flushed, final metrics
 * published, the connection drained.
 *
 * A process belongs to one run at a time: once claimed it obeys only its
 * claim's commands, ignores any other coordinator's, and says whose it is in
 * every `ready` (and in its service metadata) until its coordinator
 * releases it, so that a later coordinator names it and refuses to run
 * with it (a coordinator that died mid-run never releases it). A process no
 * prepare claimed builds nothing and so cannot take part in a run by
 * accident.
 *
 * With `settings.delivery: at-least-once` each host's services publish
 * through their own ReliableBus endpoint on the NatsBus (delivery.ts), and
 * `finish` waits (up to ACKNOWLEDGED_WAIT_MS) until every message they sent
 * was acknowledged before it answers `finished`.
 */
import { framesSubscribe, type ReliableBus, type ServiceOptions } from '@ioasim/bus';
import { NatsBus, natsUrlRedact, type NatsSecurity } from '@ioasim/bus/nats';
import {
  SERVICE_KINDS,
  controlSubjects,
  frameEncode,
  type ChaosRule,
  type Delivery,
  type HostConfig,
  type ProcessId,
  type RunControl,
  type ServeKind,
  type ServiceKind,
  type Topology,
} from '@ioasim/protocol';
import { DeviceService } from '@ioasim/service-device';
import { ManagerService } from '@ioasim/service-ioasid-manager';
import { randomBytes } from 'node:crypto';
import { IOASIM_VERSION } from '../version.js';
import { acknowledgedAll, reliableOnRealClock } from './delivery.js';
import { RunClock, wallMs } from './run-clock.js';
import { ServeChaos } from './serve-chaos.js';
import { ServeDiscovery } from './serve-discovery.js';
import { actorErrors, deviceStates, metricsFinal, serviceStart, type Running } from './serve-services.js';
import { topologyForRealClock } from './time-mode.js';
import { topologyHash } from './topology-identity.js';

/** How often a process repeats `ready` (for as long as it lives), and `progress` until finish. */
export const ANNOUNCE_REPEAT_MS = 500;
/** How often a device process checks whether its workloads have issued everything. */
const PROGRESS_POLL_MS = 50;
/** Frames given up that a `finished` record names, at most. */
const FRAMES_LOST_TOLD_MAX = 64;
/** Errors a `failed` record carries, at most: the first ones say what happened. */
const FAILED_ERRORS_MAX = 8;
/** The longest `finish` waits for the acknowledgement of everything sent at least once. */
export const ACKNOWLEDGED_WAIT_MS = 10_000;

export type ServeOptions = ProcessId & {
  readonly servers: readonly string[];
  /** Credentials and TLS for the process's connection. */
  readonly security?: NatsSecurity;
  readonly topology: Topology;
  readonly run: string;
  /** Runs the process serves before it exits (default 1; Infinity: until stopped); between two, it re-arms. */
  readonly runs?: number;
  readonly log: (line: string) => void;
  /** Test hook (`ioasim serve --clock-offset`): this process's wall clock reads this much ahead (ms; negative = behind). */
  readonly clockOffsetMs?: number;
};

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
  /** Resolves once the process has stopped (after `stop()`, or after its last run). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
};

type Prepared = {
  readonly claim: string;
  readonly clock: RunClock;
  readonly chaos: ServeChaos;
  /** The `finished` record, once `finish` has begun building it: a repeated `finish` waits for it and sends it again. */
  finished: Promise<Extract<RunControl, { kind: 'finished' }>> | null;
};

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const id: ProcessId = { service: options.service, shard: options.shard, shards: options.shards };
  const name = processName(id, options.run);
  options.log(`${name}: connecting to ${options.servers.map(natsUrlRedact).join(',')} (waiting until a server is up)`);
  const bus = await NatsBus.connect({
    servers: options.servers,
    ...(options.security === undefined ? {} : { security: options.security }),
    name,
    onSlowConsumer: (pattern, pending) => options.log(`slow consumer on ${pattern}: ${pending} messages waiting`),
    onStatus: (status) => options.log(status),
  });
  const process = new ServeProcess(options, bus, name);
  await process.begin();
  return { bus, instance: process.instance, stopped: process.stopped, stop: () => process.stop() };
}

class ServeProcess {
  readonly instance = randomBytes(6).toString('hex');
  readonly stopped: Promise<void>;
  readonly #id: ProcessId;
  readonly #hosts: readonly HostConfig[];
  readonly #kinds: readonly ServiceKind[];
  readonly #subjects: ReturnType<typeof controlSubjects>;
  readonly #wallOffsetMs: number;
  readonly #runs: number;
  readonly #discovery: ServeDiscovery;
  readonly #ignored = new Set<string>();
  #sequence = 0;
  #running: Running[] = [];
  #reliable: ReliableBus[] = [];
  #readyTimer: ReturnType<typeof setInterval> | null = null;
  #progressTimer: ReturnType<typeof setInterval> | null = null;
  /** Tells the coordinator, while the run lasts, of an actor that stopped (see #failedWatch). */
  #failedTimer: ReturnType<typeof setInterval> | null = null;
  /** Frames this process's at-least-once layer gave up on: `<host> <subject>`, told to the coordinator in `finished`. */
  #framesLost: string[] = [];
  #prepared: Prepared | null = null;
  #started = false;
  #stopping = false;
  #served = 0;
  /** The claim of the last run released, to answer its repeated `release`. */
  #released: string | null = null;
  #resolveStopped: () => void = () => {};

  constructor(
    private readonly options: ServeOptions,
    private readonly bus: NatsBus,
    private readonly name: string,
  ) {
    this.#id = { service: options.service, shard: options.shard, shards: options.shards };
    this.#hosts = shardHosts(options.topology, options.shard, options.shards);
    this.#kinds = options.service === 'all' ? SERVICE_KINDS : [options.service];
    this.#subjects = controlSubjects(options.run);
    this.#wallOffsetMs = options.clockOffsetMs ?? 0;
    this.#runs = options.runs ?? 1;
    this.stopped = new Promise<void>((resolve) => (this.#resolveStopped = resolve));
    this.#discovery = new ServeDiscovery(bus, {
      ...this.#id,
      run: options.run,
      instance: this.instance,
      hosts: this.#hosts.map((host) => host.name),
      topology: options.topology.name,
      topologyHash: topologyHash(options.topology),
      version: IOASIM_VERSION,
      pid: globalThis.process.pid,
    });
  }

  async begin(): Promise<void> {
    await this.#discovery.register(null);
    this.#announceReady();
    this.#readyTimer = setInterval(() => this.#announceReady(), ANNOUNCE_REPEAT_MS);
    framesSubscribe(
      this.bus,
      this.#subjects.command(),
      'runControl',
      (records) => {
        const receivedMs = this.#wall();
        for (const record of records) this.#command(record, receivedMs);
      },
      (bad) => this.options.log(`bad run-control frame on ${bad.subject}: ${bad.error.message}`),
    );
    await this.bus.flush();
    const hosts = this.#hosts.map((host) => host.name).join(', ') || '(none)';
    this.options.log(`${this.name}: connected to ${this.bus.server}, serving ${this.#kinds.join(', ')} for host(s) ${hosts}`);
  }

  async stop(): Promise<void> {
    if (this.#stopping) return this.stopped;
    this.#stopping = true;
    if (this.#readyTimer !== null) clearInterval(this.#readyTimer);
    // Stopped mid-run (SIGTERM): what the actors counted so far still reaches the coordinator.
    metricsFinal(this.#running);
    await this.#runDrop();
    await this.#discovery.stop();
    await this.bus.close();
    this.#resolveStopped();
    return this.stopped;
  }

  #wall(): number {
    return wallMs() + this.#wallOffsetMs;
  }

  #announce(record: RunControl): void {
    this.bus.publish(this.#subjects.announce(), frameEncode('runControl', this.name, ++this.#sequence, [record]));
  }

  #announceReady(): void {
    this.#announce({ ...this.#discovery.identity, kind: 'ready', claim: this.#prepared?.claim ?? null });
  }

  #mine(claim: string): boolean {
    return this.#prepared !== null && this.#prepared.claim === claim;
  }

  #ignore(claim: string, why: string): void {
    if (this.#ignored.has(claim)) return;
    this.#ignored.add(claim);
    this.options.log(`ignored coordinator ${claim}: ${why}`);
  }

  #command(record: RunControl, receivedMs: number): void {
    const log = this.options.log;
    switch (record.kind) {
      case 'clockProbe':
        this.#announce({ ...this.#id, instance: this.instance, kind: 'clockReply', probe: record.probe, t0Ms: record.t0Ms, t1Ms: receivedMs, t2Ms: this.#wall() });
        return;
      case 'prepare':
        void this.#prepare(record).catch((error: unknown) => log(`prepare failed: ${String(error)}`));
        return;
      case 'start':
        if (this.#mine(record.claim)) this.#start();
        return;
      case 'unplug':
        if (this.#mine(record.claim)) this.#unplug(record.host, record.device);
        return;
      case 'heal':
        if (this.#mine(record.claim)) this.#prepared?.chaos.heal();
        return;
      case 'finish':
        if (this.#mine(record.claim)) void this.#finish().catch((error: unknown) => log(`finish failed: ${String(error)}`));
        return;
      case 'release':
        void this.#release(record.claim).catch((error: unknown) => log(`release failed: ${String(error)}`));
        return;
      case 'ready':
      case 'clockReply':
      case 'prepared':
      case 'progress':
      case 'failed':
      case 'finished':
      case 'released':
        return;
      default: {
        const unknown: never = record;
        void unknown;
      }
    }
  }

  async #prepare(record: Extract<RunControl, { kind: 'prepare' }>): Promise<void> {
    if (this.#prepared !== null) {
      if (this.#prepared.claim === record.claim) this.#announce({ ...this.#id, instance: this.instance, kind: 'prepared' });
      else this.#ignore(record.claim, `this process belongs to coordinator ${this.#prepared.claim}`);
      return;
    }
    if (!record.instances.includes(this.instance)) {
      this.#ignore(record.claim, 'it did not claim this process');
      return;
    }
    const { run, topology, log } = this.options;
    // On the coordinator's clock: this process's wall clock less its measured offset.
    const clock = new RunClock(record.originMs + (record.clockOffsetsMs[this.instance] ?? 0), this.#wallOffsetMs);
    const realTopology = scheduled(topologyForRealClock(topology, record.time), record.chaos, record.delivery);
    const chaos = new ServeChaos({ bus: this.bus, run, rules: realTopology.chaos, clock, seed: record.seed, stream: `${this.name} ${this.instance}`, log });
    this.#prepared = { claim: record.claim, clock, chaos, finished: null };
    this.#announceReady();
    await this.#discovery.register(record.claim);
    for (const host of shardHosts(realTopology, this.options.shard, this.options.shards)) {
      for (const kind of this.#kinds) this.#running.push(this.#serviceBuild(kind, host, realTopology, clock, chaos, record.seed));
    }
    await this.bus.flush();
    this.#announce({ ...this.#id, instance: this.instance, kind: 'prepared' });
    log(`prepared ${this.#running.length} service(s) for ${this.#hosts.length} host(s), time ${record.time}, ${realTopology.chaos.length} chaos rule(s)`);
    this.#failedWatch();
  }

  /** An actor that stops is told to the coordinator at once, and again until the run ends: the run ends with its error, not at a timeout. */
  #failedWatch(): void {
    let announcedMs = 0;
    this.#failedTimer = setInterval(() => {
      const errors = actorErrors(this.#running);
      if (errors.length === 0 || Date.now() - announcedMs < ANNOUNCE_REPEAT_MS) return;
      if (announcedMs === 0) this.options.log(`an actor stopped: ${errors[0] ?? ''}`);
      announcedMs = Date.now();
      this.#announce({ ...this.#id, instance: this.instance, kind: 'failed', errors: errors.slice(0, FAILED_ERRORS_MAX) });
    }, PROGRESS_POLL_MS);
  }

  #serviceBuild(kind: ServiceKind, host: HostConfig, topology: Topology, clock: RunClock, chaos: ServeChaos, seed: number): Running {
    const { run, log } = this.options;
    let serviceBus: ServiceOptions['bus'] = chaos.endpoint(host.name);
    if (topology.settings.delivery === 'at-least-once') {
      const endpoint = `${host.name}-${kind}`;
      const reliableBus = reliableOnRealClock(serviceBus, run, endpoint, clock, (overflow) => {
        log(`${endpoint}: at-least-once ${overflow.buffer} buffer full on ${overflow.subject}`);
        if (overflow.buffer === 'transmissions' && this.#framesLost.length < FRAMES_LOST_TOLD_MAX) this.#framesLost.push(`${host.name} ${overflow.subject}`);
      });
      this.#reliable.push(reliableBus);
      serviceBus = reliableBus;
    }
    const options: ServiceOptions = { run, host, settings: topology.settings, bus: serviceBus, clock, seed };
    const service = serviceStart(kind, options);
    if (service instanceof ManagerService && chaos.crashes(kind, host.name)) service.journalKeep();
    return { kind, host: host.name, options, service };
  }

  #devices(): DeviceService[] {
    return this.#running.flatMap((entry) => (entry.service instanceof DeviceService ? [entry.service] : []));
  }

  #start(): void {
    if (this.#prepared === null || this.#started) return;
    this.#started = true;
    this.#prepared.chaos.started(this.#running);
    const devices = this.#devices();
    for (const device of devices) device.start();
    if (!this.#kinds.includes('device')) return;
    let workloadsDone = false;
    let idleAnnounced: boolean | null = null;
    let lastAnnouncedMs = 0;
    this.#progressTimer = setInterval(() => {
      workloadsDone = workloadsDone || devices.every((device) => device.workloadsDone);
      if (!workloadsDone) return;
      // Trace left at the end of the instant that made the devices idle, before this timer: it reaches the coordinator first.
      const devicesIdle = devices.every((device) => device.devicesIdle);
      if (devicesIdle !== idleAnnounced || Date.now() - lastAnnouncedMs >= ANNOUNCE_REPEAT_MS) {
        idleAnnounced = devicesIdle;
        lastAnnouncedMs = Date.now();
        const accessesEnded = devices.reduce((sum, device) => sum + device.accessesEnded, 0);
        this.#announce({ ...this.#id, instance: this.instance, kind: 'progress', workloadsDone: true, devicesIdle, accessesEnded });
      }
    }, PROGRESS_POLL_MS);
  }

  #unplug(host: string, device: string): void {
    for (const entry of this.#running) {
      if (entry.host === host && entry.service instanceof DeviceService) entry.service.unplug(device);
    }
  }

  /** Final metrics, then `finished`; a repeated `finish` (the first `finished` lost, or not sent yet) gets the same answer. */
  async #finish(): Promise<void> {
    const prepared = this.#prepared;
    if (prepared === null) return;
    const repeated = prepared.finished !== null;
    prepared.finished ??= this.#finishedBuild(prepared);
    const finished = await prepared.finished;
    if (repeated) this.#announce(finished);
  }

  async #finishedBuild(prepared: Prepared): Promise<Extract<RunControl, { kind: 'finished' }>> {
    if (this.#progressTimer !== null) clearInterval(this.#progressTimer);
    this.#progressTimer = null;
    metricsFinal(this.#running);
    const unacknowledged = await acknowledgedAll(this.#reliable, ACKNOWLEDGED_WAIT_MS);
    if (unacknowledged > 0) this.options.log(`finished with ${unacknowledged} message(s) still unacknowledged after ${ACKNOWLEDGED_WAIT_MS} ms`);
    for (const reliableBus of this.#reliable) await reliableBus.flush();
    await this.bus.flush();
    const stats = this.bus.stats;
    const finished: Extract<RunControl, { kind: 'finished' }> = {
      ...this.#id,
      instance: this.instance,
      kind: 'finished',
      deviceStates: deviceStates(this.#running),
      errors: actorErrors(this.#running),
      bus: { published: stats.published, delivered: stats.delivered, dropped: stats.dropped, slowConsumers: stats.slowConsumers ?? 0, handlerErrors: stats.handlerErrors },
      chaos: prepared.chaos.counters,
      framesLost: [...this.#framesLost],
    };
    this.#announce(finished);
    await this.bus.flush();
    return finished;
  }

  /** The coordinator is done with this process: drop the run's actors, then exit or, with runs left, be free again. */
  async #release(claim: string): Promise<void> {
    if (this.#prepared === null) {
      if (this.#released === claim) this.#announce({ ...this.#id, instance: this.instance, kind: 'released', rearmed: !this.#stopping });
      return;
    }
    if (!this.#mine(claim)) return;
    await this.#runDrop();
    this.#served++;
    this.#released = claim;
    const rearmed = this.#served < this.#runs;
    if (rearmed) {
      // Free everywhere before the coordinator hears `released` and the next one may look: no stale claim answers it.
      await this.#discovery.register(null);
      this.#announceReady();
    }
    this.#announce({ ...this.#id, instance: this.instance, kind: 'released', rearmed });
    await this.bus.flush();
    if (rearmed) {
      this.options.log(`released after run ${this.#served} of ${this.#runsText()}: free for the next run of "${this.options.run}"`);
      return;
    }
    this.options.log(`released after run ${this.#served} of ${this.#runsText()}: exiting`);
    await this.stop();
  }

  #runsText(): string {
    return Number.isFinite(this.#runs) ? String(this.#runs) : 'forever';
  }

  /** Stops the run's actors and forgets the run; the connection stays. */
  async #runDrop(): Promise<void> {
    if (this.#progressTimer !== null) clearInterval(this.#progressTimer);
    this.#progressTimer = null;
    if (this.#failedTimer !== null) clearInterval(this.#failedTimer);
    this.#failedTimer = null;
    this.#framesLost = [];
    for (const entry of this.#running) entry.service.stop();
    for (const reliableBus of this.#reliable) await reliableBus.close();
    this.#prepared?.clock.cancelAll();
    this.#running = [];
    this.#reliable = [];
    this.#prepared = null;
    this.#started = false;
    this.#ignored.clear();
  }
}

/** The topology with the chaos rules and delivery a run's prepare gives (a campaign seed's may differ from the file's). */
function scheduled(topology: Topology, chaos: readonly ChaosRule[], delivery: Delivery): Topology {
  return { ...topology, chaos, settings: { ...topology.settings, delivery } };
}

export function serveKindIs(text: string): text is ServeKind {
  return text === 'all' || (SERVICE_KINDS as readonly string[]).includes(text);
}
