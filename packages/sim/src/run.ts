/**
 * An embedded run: every actor of every host in one process, on LocalBus and
 * the virtual clock of ioasim's discrete-event scheduler. Deterministic: the
 * same topology, seed and settings give the same report.
 *
 * A run is: build the actors, start the workloads and the timeline, run until
 * nothing is scheduled (every group answered or abandoned), collect the
 * actors' final metrics, finish the checker, report.
 */
import { LocalBus, RealClock, Scheduler, VirtualClock, framesSubscribe, type Bus, type ServiceOptions } from '@ioasim/bus';
import { costSample, randomCreate } from '@ioasim/model';
import { actorsParentStart } from '@ioasim/service-device';
import { SUBJECT_ROOT, subjectHop, type ChaosTraceEvent, type Cost, type HostConfig, type MetricsRecord, type Topology, type TraceEvent } from '@ioasim/protocol';
import { deviceAccessesOf } from './access-account.js';
import { Checker } from './checker.js';
import { chaosWire, type ChaosRunOptions } from './chaos/wiring.js';
import { HEAP_GUARD_HOSTS, heapGuard } from './heap-guard.js';
import { FleetHosts, unmadeHostRecords } from './fleet-hosts.js';
import { hostServicesStart, type HostServices } from './host-services.js';
import { HopBook } from './hops.js';
import { LatencyBook } from './latency.js';
import { runExpectedNs, schedulerRunReporting, type RunProgress } from './progress.js';
import { SeriesBook } from './series.js';
import { OverflowBook } from './overflow-book.js';
import { reportBuild } from './report-build.js';
import type { Report, TimelineOutcome } from './report.js';
import { timelinePlay } from './timeline.js';
import { simulationOf, type Simulation } from './wire-probe.js';

export type RunOptions = {
  /** Overrides the topology's seed; default: the topology's, else 1. */
  readonly seed?: number;
  /** The run id in every subject; a subject token. */
  readonly run?: string;
  /** Stops the run at this simulated time even if work remains (it is then reported in flight at the cut-off). */
  readonly untilNs?: number;
  /** Sees every trace event, in order (e.g. to write `--trace FILE`). */
  readonly onTrace?: (event: TraceEvent) => void;
  /** Sees every chaos action, in order with the trace; unlike `chaos.onChaos`, it does not make the run a chaos run. */
  readonly onChaos?: (event: ChaosTraceEvent) => void;
  /**
   * Called once the actors are built, before anything runs: a probe may watch
   * frames on the wire and schedule frames of its own (see wire-probe.ts).
   */
  readonly onStart?: (simulation: Simulation) => void;
  /** Called every few thousand scheduler events with simulated time and fault counts; never changes the run. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Chaos and delivery beyond the topology's (see chaos/wiring.ts); the topology's `chaos` applies without it. */
  readonly chaos?: ChaosRunOptions;
  /** Called after the final check, with the checker, e.g. to judge a chaos run (see chaos/outcome.ts). */
  readonly onFinish?: (checker: Checker, simulatedNs: number) => void;
  /**
   * How frames travel in process: `msgpack` encodes and decodes every frame
   * as NATS would; `objects` (default) hands the frame objects over. Both
   * give the same report; `msgpack` exercises the codec on every message.
   */
  readonly wire?: 'msgpack' | 'objects';
};

/** How long the runner waits for the manager to answer a timeline operation. */
const TIMELINE_TIMEOUT_NS = 1_000_000_000;

export function runSeed(topology: Topology, options: RunOptions): number {
  return options.seed ?? topology.seed ?? 1;
}

export function run(topology: Topology, options: RunOptions = {}): Report {
  const started = runStart(topology, options);
  schedulerRunReporting(started.scheduler, options.untilNs, started.progress);
  return started.finish();
}

/**
 * A run built and started, not yet run: the caller runs `scheduler` (at once,
 * as `run` does, or in slices, as `runLive` does; see live-run.ts), then
 * calls `finish` once for the report. How the scheduler is run never changes
 * the outcome: only the order of events does, and that is the scheduler's.
 */
export type RunStarted = {
  readonly scheduler: Scheduler;
  /** The progress callback for schedulerRunReporting: it reads the heap (heap-guard.ts), then calls `onProgress`. */
  readonly progress: (simulatedNs: number) => void;
  /** The run's bus, for its counters. */
  readonly bus: Bus;
  /** Hosts whose services are made so far: a host is made at its first workload arrival (see fleet-hosts.ts). */
  hostsMade(): number;
  /**
   * Collects the actors' final metrics and runs the final check, without
   * building a report: what a chaos campaign needs of each seed (its verdict
   * comes from the checker, through `onFinish`). Once; `finish` after it
   * builds the report from what it collected.
   */
  settle(): RunSettled;
  /** Settles the run (if `settle` was not called) and builds the report. */
  finish(): Report;
};

/** A run settled: its final metrics collected and checked. */
export type RunSettled = {
  readonly simulatedNs: number;
  /** The chaos rules that did nothing, by index (chaos.idleRules of the report). */
  readonly idleRules: readonly number[];
};

const latencyNone = (): number => 0;

export function runStart(topology: Topology, options: RunOptions = {}): RunStarted {
  const wall = new RealClock();
  const seed = runSeed(topology, options);
  const runId = options.run ?? 'embedded';
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  const linkRandom = randomCreate(seed, 'links');
  // The hop is read from the subject in place, allocating nothing: a table
  // of hops by subject held every subject of the fleet and every reply inbox.
  const linkCost = (subject: string): Cost | null => {
    const hop = subjectHop(subject);
    if (hop === 'observer') return null;
    return hop === 'control' ? topology.links.managerHandler : topology.links[hop];
  };
  const bus = new LocalBus(scheduler, {
    latencyNs: (subject) => {
      const cost = linkCost(subject);
      return cost === null ? 0 : costSample(cost, linkRandom);
    },
    // A link samples its latency as latencyNs would, with its cost looked up once.
    latencySampler: (subject) => {
      const cost = linkCost(subject);
      return cost === null ? latencyNone : () => costSample(cost, linkRandom);
    },
    wire: options.wire ?? 'objects',
  });
  const checker = new Checker(topology, seed);
  const chaos = chaosWire({ topology, seed, run: runId, bus, clock, checker, options: options.chaos, onChaos: options.onChaos });
  const latency = new LatencyBook();
  checker.latencySink = (host, device, latencyNs) => latency.record(host, device, latencyNs);
  const hopBook = new HopBook();
  const series = new SeriesBook();
  const overflows = new OverflowBook();
  const metrics: MetricsRecord[] = [];
  const onTrace = options.onTrace;
  const observerErrors: string[] = [];
  // The services call the observers directly; frames on the trace subjects (a probe's) reach them too.
  const observe = (event: TraceEvent): void => {
    checker.observe(event);
    hopBook.observe(event);
    series.observe(event);
    overflows.observe(event);
    onTrace?.(event);
  };
  framesSubscribe(
    bus,
    `${SUBJECT_ROOT}.${runId}.trace.*`,
    'trace',
    (events) => {
      for (const event of events) observe(event);
    },
    (bad) => observerErrors.push(`${bad.subject}: ${bad.error.message}`),
  );
  framesSubscribe(
    bus,
    `${SUBJECT_ROOT}.${runId}.metrics.*`,
    'metrics',
    (records) => metrics.push(...records),
    (bad) => observerErrors.push(`${bad.subject}: ${bad.error.message}`),
  );
  const hostCount = topology.hosts.length;
  const actorParent = actorsParentStart(clock, `${runId}/actors`);
  const serviceOptions = (host: HostConfig): ServiceOptions => ({ run: runId, host, settings: topology.settings, bus: chaos.busFor(host.name), clock, seed, observe });
  const hosts = new FleetHosts(
    topology.hosts,
    (host, _index, workloads) => hostServicesStart(serviceOptions(host), actorParent, workloads),
    (made) => {
      if (made % HEAP_GUARD_HOSTS === 0) heapGuard(() => `after building ${made.toLocaleString('en-US')} of ${hostCount.toLocaleString('en-US')} hosts`, { done: made, total: hostCount });
    },
  );
  if (chaos.active || topology.timeline.length > 0) hosts.makeAll();
  const timeline: TimelineOutcome[] = [];
  const player = {
    bus,
    clock,
    run: runId,
    sender: 'runner',
    startNs: 0,
    timeoutNs: TIMELINE_TIMEOUT_NS,
    unplug: (host: string, device: string) => hosts.byName(host)?.device.unplug(device),
  };
  timelinePlay(topology.timeline, topology.hosts, player, timeline);
  options.onStart?.(simulationOf(runId, bus, scheduler, clock, () => hosts.all, (host) => hosts.byName(host)));
  // Chaos replaces the services it crashes and restarts in this array of its own.
  const chaosServices = chaos.active ? hosts.all : null;
  if (chaosServices !== null) chaos.start(chaosServices, serviceOptions);
  hosts.firstArrivalsSchedule(clock, seed);
  const onProgress = options.onProgress;
  const expectedNs = runExpectedNs(topology);
  const progress = (simulatedNs: number): void => {
    heapGuard(() => `at ${simulatedNs.toLocaleString('en-US')} ns of simulated time`);
    onProgress?.({ simulatedNs, expectedNs, faultsRaised: checker.counts.raised, faultsCompleted: checker.counts.responded + checker.counts.autoResponded });
  };
  type Settled = RunSettled & { readonly services: readonly HostServices[]; readonly deviceStates: ReadonlyMap<string, string> };
  let settled: Settled | null = null;
  const settle = (): Settled => {
    if (settled !== null) return settled;
    // A run whose work ended before --until ends with its last event, not at the time it was allowed to run to.
    const simulatedNs = scheduler.nextTimeNs() === null ? scheduler.lastEventNs : scheduler.nowNs;
    const cut = options.untilNs !== undefined && scheduler.nextTimeNs() !== null;
    const services = chaosServices ?? hosts.made;
    for (const host of services) {
      host.device.metricsPublish();
      host.iommu.metricsPublish();
      host.manager.metricsPublish();
      host.vfio.metricsPublish();
      host.vdpa.metricsPublish();
      for (const service of [host.device, host.iommu, host.manager, host.vfio, host.vdpa]) service.ports.messageCountsPublish();
    }
    // A host no arrival reached is not made now: its rows are an idle host's.
    const deviceStates = new Map<string, string>();
    for (const host of hosts.unmade()) {
      const idle = unmadeHostRecords(host, scheduler.nowNs);
      metrics.push(...idle.metrics);
      for (const [device, state] of idle.deviceStates) deviceStates.set(device, state);
    }
    scheduler.run(options.untilNs === undefined ? {} : { untilNs: Math.max(options.untilNs, scheduler.nowNs) });
    const errors = services.flatMap((host) => [
      ...host.device.errors,
      ...host.iommu.errors,
      ...host.manager.errors,
      ...host.vfio.errors,
      ...host.vdpa.errors,
    ]);
    if (errors.length > 0) {
      throw new Error(`an actor failed (reproduce with --seed ${seed}): ${String(errors[0])}`, { cause: errors[0] });
    }
    checker.finish(cut, deviceAccessesOf(metrics));
    options.onFinish?.(checker, simulatedNs);
    settled = { simulatedNs, idleRules: chaos.idleRules(), services, deviceStates };
    return settled;
  };
  const finish = (): Report => {
    const { simulatedNs, idleRules, services, deviceStates } = settle();
    return reportBuild({
      topology,
      seed,
      run: runId,
      checker,
      latency,
      metrics,
      services,
      deviceStates,
      timeline,
      simulatedNs,
      untilNs: options.untilNs,
      wallMs: Math.round(wall.nowNs() / 1e6),
      observerErrors: observerErrors.length,
      hops: hopBook,
      series,
      overflows,
      chaos: { rules: chaos.rules.length, delivery: chaos.delivery, idleRules },
    });
  };
  return {
    scheduler,
    progress,
    bus,
    settle: () => {
      const { simulatedNs, idleRules } = settle();
      return { simulatedNs, idleRules };
    },
    finish,
    hostsMade: () => hosts.madeCount,
  };
}
