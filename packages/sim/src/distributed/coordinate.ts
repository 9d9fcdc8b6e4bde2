/**
 * The coordinator of a distributed run (`ioasim run --transport nats`): it
 * runs no actor. It waits until every (service kind, host) of the topology is
 * covered by exactly one ready `ioasim serve` process and no process is
 * refused (roster.ts: another coordinator's, another version, a topology of
 * other content), measures each one's clock offset (clock-skew.ts) and
 * refuses one past `maxSkewNs`, claims and prepares them on one time origin,
 * each corrected by its offset, starts the workloads, plays the timeline, feeds the trace
 * through the watermark (TraceOrder) into the same online checker as
 * embedded mode, decides the end (run-end.ts: the devices idle, the trace
 * quiet, nothing in flight; or nothing moving for longer than a device
 * timeout; or the run timeout), gathers final metrics and builds the report
 * with the same report code, `transport: 'nats'`.
 *
 * With `settings.delivery: at-least-once` the coordinator hears the trace
 * through its own ReliableBus endpoint (delivery.ts), acknowledging every
 * event, and waits longer before it judges: the watermark holds events
 * AT_LEAST_ONCE_HOLD_NS and the trace must be quiet AT_LEAST_ONCE_QUIET_MS,
 * both well past a NATS reconnect and the retransmission backoff, so that
 * what a dead NATS node held comes again before the end is decided.
 *
 * It finds the serve processes both by their `ready` announcements and by
 * the NATS services protocol (`$SRV.INFO.ioasim`, serve-discovery.ts). The
 * topology's chaos is applied on the wire (run-chaos.ts, serve-chaos.ts).
 * At the end, also a failed one, it releases every process it claimed:
 * each exits, or re-arms for the next run when started for more runs.
 *
 * Failures to gather the processes are CoordinationErrors naming what is
 * missing; the coordinator's own connection is always closed.
 */
import { randomBytes } from 'node:crypto';
import { RealClock, framesSubscribe, type Bus, type ReliableBus } from '@ioasim/bus';
import { NatsBus, NatsConnectError, natsUrlRedact, type NatsSecurity } from '@ioasim/bus/nats';
import {
  SUBJECT_ROOT,
  controlSubjects,
  frameEncode,
  type BusCounters,
  type ChaosRule,
  type Delivery,
  type MetricsRecord,
  type RunControl,
  type TimeMode,
  type Topology,
  type TraceEvent,
} from '@ioasim/protocol';
import { deviceAccessesOf } from '../access-account.js';
import { Checker } from '../checker.js';
import { HopBook } from '../hops.js';
import { LatencyBook } from '../latency.js';
import { OverflowBook } from '../overflow-book.js';
import { reportBuild } from '../report-build.js';
import type { Report, TimelineOutcome } from '../report.js';
import { timelinePlay } from '../timeline.js';
import { SeriesBook } from '../series.js';
import { COORDINATOR_ENDPOINT, reliableOnRealClock } from './delivery.js';
import { CLOCK_PROBES, CLOCK_PROBE_GAP_MS, CLOCK_REPLY_WAIT_MS, ClockBook, DEFAULT_MAX_SKEW_NS, skewText } from './clock-skew.js';
import { ProcessRoster, coverageCheck, processLabel, processKey, type ProcessState } from './roster.js';
import { RunChaos, type NatsNodes } from './run-chaos.js';
import { ANNOUNCE_REPEAT_MS } from './serve.js';
import { servesFind } from './serve-discovery.js';
import { RunClock, wallMs } from './run-clock.js';
import { modeledRoundTripNs, topologyForRealClock } from './time-mode.js';
import { RunEnd } from './run-end.js';
import { TRACE_HOLD_NS, TraceOrder } from './trace-order.js';

export class CoordinationError extends Error {
  override readonly name = 'CoordinationError';
  /** True when the coordinator's own connection to NATS failed: the service processes' output adds nothing to that. */
  readonly connection: boolean;
  constructor(message: string, options?: { readonly connection?: boolean }) {
    super(message);
    this.connection = options?.connection ?? false;
  }
}

export type CoordinateOptions = {
  readonly topology: Topology;
  readonly servers: readonly string[];
  /** Credentials and TLS for the coordinator's connection. */
  readonly security?: NatsSecurity;
  readonly run: string;
  readonly seed: number;
  readonly time: TimeMode;
  /** How long to wait for every service process to announce itself. */
  readonly readyTimeoutMs?: number;
  /** The longest a run may take once started; what is then in flight is reported stuck. */
  readonly runTimeoutMs?: number;
  readonly onTrace?: (event: TraceEvent) => void;
  readonly log?: (line: string) => void;
  /** Told why a run ended before its work did (stalled, or the run timeout), with or without `log`; default: `log`. */
  readonly warn?: (line: string) => void;
  /** Polled while waiting: a reason to give up now (e.g. a spawned service process exited), or null. */
  readonly failure?: () => string | null;
  /** The largest clock offset of a serve process from the coordinator's (default DEFAULT_MAX_SKEW_NS); past it the run is refused. */
  readonly maxSkewNs?: number;
  /** The NATS nodes the run started itself: what its `nats-kill` chaos rules kill and restart. */
  readonly natsNodes?: NatsNodes;
  /** Chaos rules and delivery in place of the topology's (a campaign seed's schedule); the serve processes get them with `prepare`. */
  readonly schedule?: { readonly rules: readonly ChaosRule[]; readonly delivery: Delivery };
  /** Told the run's checker after its final check, with the run's length: a campaign's verdict (chaos/outcome.ts). */
  readonly onChecked?: (checker: Checker, runNs: number) => void;
};

export const READY_TIMEOUT_MS = 30_000;
export const RUN_TIMEOUT_MS = 300_000;
/** The run ends once the trace has been quiet this long (with every workload issued and nothing in flight). */
const QUIET_MS = 300;
/** The quiet and the watermark hold of an at-least-once run: past a reconnect and the retransmissions after it. */
export const AT_LEAST_ONCE_QUIET_MS = 2_000;
export const AT_LEAST_ONCE_HOLD_NS = 3_000_000_000;
const TICK_MS = 20;
/** Beyond the longer of the device and translation timeouts, how long nothing must move (see run-end.ts) before a run whose work is still in flight ends. */
const STALL_MARGIN_MS = 1_000;
const RESEND_MS = 500;
/** How long the coordinator listens before it judges who announced itself: every live process repeats `ready` within ANNOUNCE_REPEAT_MS. */
export const READY_SETTLE_MS = ANNOUNCE_REPEAT_MS + 250;
const FINISH_TIMEOUT_MS = 15_000;
/** After the last `finished`, metrics published just before it may still be in the delivery queue. */
const FINISH_GRACE_MS = 100;
const TIMELINE_TIMEOUT_NS = 5_000_000_000;
/** How often the coordinator asks `$SRV.INFO.ioasim` for the serve processes while it gathers them. */
const DISCOVERY_EVERY_MS = 1_000;
/** How long the coordinator waits for its processes to say they were released. */
const RELEASE_WAIT_MS = 3_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function coordinate(options: CoordinateOptions): Promise<Report> {
  const started = wallMs();
  const log = options.log ?? (() => {});
  const topology = topologyForRealClock(scheduled(options.topology, options.schedule), options.time);
  const bus = await coordinatorConnect(options, log);
  const reliable: ReliableBus | null =
    topology.settings.delivery === 'at-least-once'
      ? reliableOnRealClock(bus, options.run, COORDINATOR_ENDPOINT, new RealClock(), (overflow) =>
          log(`coordinator: at-least-once ${overflow.buffer} buffer full on ${overflow.subject}`),
        )
      : null;
  try {
    return await coordinateOn(bus, reliable ?? bus, topology, options, log, started);
  } finally {
    await reliable?.flush();
    await reliable?.close();
    await bus.close();
  }
}

/**
 * Whether the coordinator can connect to `servers` with `security`: a CoordinationError saying why
 * not, before anything else is started (the service processes `--spawn` starts, for instance).
 */
export async function natsConnectionCheck(options: Pick<CoordinateOptions, 'servers' | 'security' | 'run'>): Promise<void> {
  const bus = await coordinatorConnect(options, () => {});
  await bus.close();
}

/** The coordinator's connection. It is started by hand, after NATS: an unreachable server is a mistake to name at once, not to wait for. */
async function coordinatorConnect(options: Pick<CoordinateOptions, 'servers' | 'security' | 'run'>, log: (line: string) => void): Promise<NatsBus> {
  try {
    return await NatsBus.connect({
      servers: options.servers,
      ...(options.security === undefined ? {} : { security: options.security }),
      name: `ioasim-coordinator-${options.run}`,
      onSlowConsumer: (pattern, pending) => log(`coordinator: slow consumer on ${pattern}: ${pending} waiting`),
      onStatus: (status) => log(`coordinator: ${status}`),
      waitOnFirstConnect: false,
    });
  } catch (error) {
    if (!(error instanceof NatsConnectError)) throw error;
    const hint = error.reason === 'unreachable' ? ' (start nats-server there, or use --spawn to start one)' : '';
    throw new CoordinationError(`${error.message}${hint}`, { connection: true });
  }
}

async function coordinateOn(
  bus: NatsBus,
  traceBus: Bus,
  topology: Topology,
  options: CoordinateOptions,
  log: (line: string) => void,
  startedMs: number,
): Promise<Report> {
  const { run, seed } = options;
  const warn = options.warn ?? log;
  const subjects = controlSubjects(run);
  // The topology as loaded, as every serve process hashes it (before either adapts it to the real clock).
  const roster = new ProcessRoster(options.topology, run, randomBytes(6).toString('hex'), log, warn);
  const { claim } = roster;
  let sequence = 0;
  const command = (record: RunControl): void =>
    bus.publish(subjects.command(), frameEncode('runControl', 'coordinator', ++sequence, [record]));
  const observerErrors: string[] = [];
  const metrics: MetricsRecord[] = [];
  const checker = new Checker(topology, seed);
  const latency = new LatencyBook();
  checker.latencySink = (host, device, latencyNs) => latency.record(host, device, latencyNs);
  const atLeastOnce = topology.settings.delivery === 'at-least-once';
  const quietMs = atLeastOnce ? AT_LEAST_ONCE_QUIET_MS : QUIET_MS;
  // The per-hop latencies, series and overflows of the report, as an embedded run keeps them; here from wall-clock stamps.
  const hops = new HopBook();
  const series = new SeriesBook();
  const overflows = new OverflowBook();
  const order = new TraceOrder(
    (event) => {
      checker.observe(event);
      hops.observe(event);
      series.observe(event);
      overflows.observe(event);
      options.onTrace?.(event);
    },
    atLeastOnce ? AT_LEAST_ONCE_HOLD_NS : TRACE_HOLD_NS,
  );

  const timeoutNs = Math.max(topology.settings.deviceTimeoutNs, topology.settings.translationTimeoutNs);
  const stalledMs = timeoutNs / 1e6 + Math.max(quietMs, STALL_MARGIN_MS);
  const end = new RunEnd(TICK_MS, quietMs, stalledMs);

  const clocks = new ClockBook();
  framesSubscribe(
    bus,
    subjects.announce(),
    'runControl',
    (records) => {
      const arrivedMs = wallMs();
      for (const record of records) {
        if (record.kind === 'clockReply') clocks.heard(record, arrivedMs);
        else roster.heard(record, () => end.moved());
      }
    },
    (bad) => observerErrors.push(`${bad.subject}: ${bad.error.message}`),
  );
  framesSubscribe(
    traceBus,
    `${SUBJECT_ROOT}.${run}.trace.*`,
    'trace',
    (events) => {
      end.moved();
      for (const event of events) order.add(event);
    },
    (bad) => observerErrors.push(`${bad.subject}: ${bad.error.message}`),
  );
  framesSubscribe(
    bus,
    `${SUBJECT_ROOT}.${run}.metrics.*`,
    'metrics',
    (records) => metrics.push(...records),
    (bad) => observerErrors.push(`${bad.subject}: ${bad.error.message}`),
  );
  await bus.flush();

  const failed = (): void => {
    const reason = options.failure?.() ?? null;
    if (reason !== null) throw new CoordinationError(reason);
    for (const state of roster.processes.values()) {
      const error = state.failed?.[0];
      if (error !== undefined) throw new CoordinationError(`an actor failed in ${processLabel(state)} (reproduce with --seed ${seed}): ${error}`);
    }
  };

  // 1. Every (kind, host) covered by exactly one ready process, none refused. A process repeats `ready`
  // every ANNOUNCE_REPEAT_MS: waiting READY_SETTLE_MS hears every live one, a duplicate or a stranger too.
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const listeningSince = Date.now();
  const readyDeadline = listeningSince + readyTimeoutMs;
  let discoveredMs = 0;
  for (;;) {
    failed();
    if (Date.now() - discoveredMs >= DISCOVERY_EVERY_MS) {
      discoveredMs = Date.now();
      void servesFind(bus, run).then((found) => {
        for (const record of found) roster.heard(record, () => end.moved());
      });
    }
    const settled = Date.now() - listeningSince >= READY_SETTLE_MS;
    const refusals = roster.refusals;
    if (settled && refusals.length > 0) throw new CoordinationError(`refused ${refusals.length} serve process(es) of run "${run}": ${refusals.join('; ')}`);
    const coverage = coverageCheck(topology, roster.states);
    if (settled && coverage.duplicates.length > 0) {
      throw new CoordinationError(`more than one process serves ${coverage.duplicates.join('; ')}: stop all but one of each`);
    }
    if (settled && coverage.missing.length === 0) break;
    if (Date.now() > readyDeadline) {
      const ready = roster.states.map(processLabel);
      throw new CoordinationError(
        `not every service process announced itself within ${readyTimeoutMs} ms on ${options.servers.map(natsUrlRedact).join(',')} (run "${run}"); ` +
          `missing: ${coverage.missing.join('; ')}; ready: ${ready.length === 0 ? 'none' : ready.join(', ')}`,
      );
    }
    await sleep(TICK_MS);
  }

  // 2. Measure every process's clock offset; refuse one too far off.
  roster.close();
  const processes = roster.states;
  const offsets = await clockOffsetsMeasure(processes, clocks, command, failed, options.maxSkewNs ?? DEFAULT_MAX_SKEW_NS);
  log(`clock offsets: ${offsets.map((entry) => `${entry.process} ${skewText(entry.offsetNs / 1e6)} (round trip ${skewText(entry.roundTripNs / 1e6)})`).join(', ')}`);

  const chaos = new RunChaos(topology.chaos, topology.settings.deviceTimeoutNs, checker, options.natsNodes ?? null, log);
  try {
    return await runClaimed();
  } finally {
    await chaos.end();
    await processesRelease(processes.filter((state) => state.prepared), claim, command, warn);
  }

  async function runClaimed(): Promise<Report> {
    // 3. Claim them, on one time origin for every process (corrected by its offset); wait until all have built their actors.
    const originMs = wallMs();
    const clock = new RunClock(originMs);
    const clockOffsetsMs = Object.fromEntries(processes.map((state) => [state.id.instance, clockCorrectionMs(clocks.of(state.id.instance))]));
    const prepare: RunControl = {
      kind: 'prepare',
      claim,
      instances: processes.map((state) => state.id.instance),
      clockOffsetsMs,
      originMs,
      seed,
      time: options.time,
      chaos: topology.chaos,
      delivery: topology.settings.delivery,
    };
    let resentMs = 0;
    const preparedDeadline = Date.now() + readyTimeoutMs;
    while (processes.some((state) => !state.prepared)) {
      failed();
      if (Date.now() - resentMs >= RESEND_MS) {
        command(prepare);
        resentMs = Date.now();
      }
      if (Date.now() > preparedDeadline) {
        const missing = processes.filter((state) => !state.prepared).map(processLabel);
        throw new CoordinationError(`service processes did not prepare within ${readyTimeoutMs} ms: ${missing.join(', ')}`);
      }
      await sleep(TICK_MS);
    }

    // 4. Start, play the timeline, watch the trace until the end.
    const startNs = clock.nowNs();
    command({ kind: 'start', claim });
    chaos.started();
    log(`started ${processes.length} process(es)`);
    const timeline: TimelineOutcome[] = [];
    const player = {
      bus,
      clock,
      run,
      sender: 'coordinator',
      startNs,
      timeoutNs: TIMELINE_TIMEOUT_NS,
      unplug: (host: string, device: string) => command({ kind: 'unplug', claim, host, device }),
    };
    const timelinePending = timelinePlay(topology.timeline, topology.hosts, player, timeline);
    const runDeadline = Date.now() + (options.runTimeoutMs ?? RUN_TIMEOUT_MS);
    const deviceProcesses = processes.filter((state) => state.id.service === 'device' || state.id.service === 'all');
    for (;;) {
      await sleep(TICK_MS);
      failed();
      order.release(clock.nowNs());
      chaos.tick(
      deviceProcesses.every((state) => state.workloadsDone),
      deviceProcesses.every((state) => state.devicesIdle),
      claim,
      command,
    );
      const verdict = end.tick({
        workloadsDone: deviceProcesses.every((state) => state.workloadsDone),
        devicesIdle: deviceProcesses.every((state) => state.devicesIdle),
        timelinePending: timelinePending.count,
      });
      if (verdict !== 'running') {
        order.releaseAll();
        if (verdict === 'settled' && checker.stuck === 0) break;
        if (verdict === 'stalled') {
          warn(`nothing moved for ${end.quietForMs} ms with work still in flight (${checker.stuck} group(s) raised and unanswered): ending the run`);
          break;
        }
      }
      if (Date.now() > runDeadline) {
        warn(`run timeout: ${checker.stuck} group(s) still in flight`);
        break;
      }
    }
    const endNs = clock.nowNs();
    await chaos.end();

    // 5. Final metrics from every process (asked again until each answers: a command may be lost while a node restarts).
    const finishDeadline = Date.now() + FINISH_TIMEOUT_MS;
    let finishSentMs = 0;
    while (processes.some((state) => state.finished === null)) {
      failed();
      if (Date.now() - finishSentMs >= RESEND_MS) {
        command({ kind: 'finish', claim });
        finishSentMs = Date.now();
      }
      if (Date.now() > finishDeadline) {
        const missing = processes.filter((state) => state.finished === null).map(processLabel);
        throw new CoordinationError(`service processes did not send final metrics within ${FINISH_TIMEOUT_MS} ms: ${missing.join(', ')}`);
      }
      await sleep(TICK_MS);
    }
    await sleep(FINISH_GRACE_MS);
    order.releaseAll();
    const finished = processes.map((state) => state.finished as Extract<RunControl, { kind: 'finished' }>);
    chaos.add(finished.map((record) => record.chaos));
    const errors = finished.flatMap((record) => record.errors);
    if (errors.length > 0) throw new CoordinationError(`an actor failed (reproduce with --seed ${seed}): ${errors[0]}`);
    // A frame a process gave up on is lost: told to the checker (a liveness failure), and said.
    const lost = finished.flatMap((record) => record.framesLost ?? []);
    for (const entry of lost) {
      const space = entry.indexOf(' ');
      checker.frameLost(entry.slice(0, space), entry.slice(space + 1), endNs);
    }
    if (lost.length > 0) warn(`${lost.length} frame(s) lost after the retransmission budget; first: ${lost[0] ?? ''}`);
    checker.finish(false, deviceAccessesOf(metrics));
  options.onChecked?.(checker, endNs - startNs);
    if (order.late > 0) log(`${order.late} trace event(s) arrived after the watermark`);
    const deviceStates = new Map(finished.flatMap((record) => Object.entries(record.deviceStates)));
    const runNs = endNs - startNs;
    const counts = checker.counts;
    const ended = counts.responded + counts.autoResponded + counts.abandoned;
    return reportBuild({
      topology: scheduled(options.topology, options.schedule),
      seed,
      run,
      checker,
      latency,
      metrics,
      deviceStates,
      timeline,
      simulatedNs: runNs,
      wallMs: Math.round(wallMs() - startedMs),
      observerErrors: observerErrors.length,
      hops,
      series,
      overflows,
      transport: 'nats',
      ...(topology.chaos.length === 0 ? {} : { chaos: { rules: topology.chaos.length, delivery: topology.settings.delivery, idleRules: chaos.idleRules } }),
      distributed: {
        time: options.time,
        latencyClock: 'wall',
        modeledRoundTripNs: modeledRoundTripNs(options.topology),
        processes: processes.length,
        faultsPerSecond: runNs > 0 ? Math.round((ended * 1e9) / runNs) : 0,
        lateTraceEvents: order.late,
        clockOffsets: offsets,
        bus: busCountersSum([...finished.map((record) => record.bus), coordinatorCounters(bus)]),
      },
    });
  }
}

/** The topology with a campaign seed's chaos rules and delivery, when given. */
function scheduled(topology: Topology, schedule: CoordinateOptions['schedule']): Topology {
  if (schedule === undefined) return topology;
  return { ...topology, chaos: schedule.rules, settings: { ...topology.settings, delivery: schedule.delivery } };
}

/**
 * Releases the processes this coordinator claimed and prepared (`release`, repeated until
 * each says `released`, at most RELEASE_WAIT_MS): each exits, or re-arms for
 * the next run. A process that does not answer is named.
 */
async function processesRelease(
  processes: readonly ProcessState[],
  claim: string,
  command: (record: RunControl) => void,
  warn: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + RELEASE_WAIT_MS;
  let sentMs = 0;
  while (processes.some((state) => state.released === null) && Date.now() < deadline) {
    if (Date.now() - sentMs >= RESEND_MS) {
      command({ kind: 'release', claim });
      sentMs = Date.now();
    }
    await sleep(TICK_MS);
  }
  const silent = processes.filter((state) => state.released === null);
  if (silent.length > 0) warn(`not released (no answer within ${RELEASE_WAIT_MS} ms): ${silent.map(processLabel).join(', ')}; stop them before the next run`);
}

type ClockOffset = { readonly process: string; readonly offsetNs: number; readonly roundTripNs: number };

/**
 * The correction a process applies to its wall clock: its measured offset
 * when the offset exceeds the measurement's own uncertainty (half the
 * probe's round trip), else none. Processes on one machine share its clock:
 * their measured offsets are noise of a few milliseconds on a loaded
 * machine, and correcting by them would put each process's events that far
 * out of order with the others'.
 */
export function clockCorrectionMs(sample: { readonly offsetMs: number; readonly roundTripMs: number } | undefined): number {
  if (sample === undefined) return 0;
  return Math.abs(sample.offsetMs) > sample.roundTripMs / 2 ? sample.offsetMs : 0;
}

/**
 * Probes every process's clock (clock-skew.ts) and returns each one's offset; a CoordinationError
 * naming every process past `maxSkewNs`, or one that never answered.
 */
async function clockOffsetsMeasure(
  processes: readonly ProcessState[],
  clocks: ClockBook,
  command: (record: RunControl) => void,
  failed: () => void,
  maxSkewNs: number,
): Promise<ClockOffset[]> {
  for (let probe = 1; probe <= CLOCK_PROBES; probe++) {
    failed();
    command({ kind: 'clockProbe', probe, t0Ms: wallMs() });
    await sleep(CLOCK_PROBE_GAP_MS);
  }
  const deadline = Date.now() + CLOCK_REPLY_WAIT_MS;
  while (processes.some((state) => clocks.of(state.id.instance) === undefined) && Date.now() < deadline) {
    failed();
    await sleep(TICK_MS);
  }
  const silent = processes.filter((state) => clocks.of(state.id.instance) === undefined);
  if (silent.length > 0) throw new CoordinationError(`no answer to the clock probes from ${silent.map(processLabel).join(', ')}`);
  const offsets = processes.map((state) => {
    const sample = clocks.of(state.id.instance) as { offsetMs: number; roundTripMs: number };
    return { state, offsetNs: Math.round(sample.offsetMs * 1e6), roundTripNs: Math.round(sample.roundTripMs * 1e6) };
  });
  const skewed = offsets.filter((entry) => Math.abs(entry.offsetNs) > maxSkewNs);
  if (skewed.length > 0) {
    const named = skewed.map(
      (entry) =>
        `${processLabel(entry.state)} is ${skewText(Math.abs(entry.offsetNs) / 1e6)} ${entry.offsetNs > 0 ? 'ahead of' : 'behind'} the coordinator ` +
        `(±${skewText(entry.roundTripNs / 2e6)})`,
    );
    throw new CoordinationError(
      `clock skew above --max-skew ${skewText(maxSkewNs / 1e6)}: ${named.join('; ')}; synchronize the clocks (NTP, chrony) or raise --max-skew`,
    );
  }
  return offsets.map((entry) => ({ process: processKey(entry.state.id), offsetNs: entry.offsetNs, roundTripNs: entry.roundTripNs }));
}

function coordinatorCounters(bus: NatsBus): BusCounters {
  const stats = bus.stats;
  return {
    published: stats.published,
    delivered: stats.delivered,
    dropped: stats.dropped,
    slowConsumers: stats.slowConsumers ?? 0,
    handlerErrors: stats.handlerErrors,
  };
}

function busCountersSum(all: readonly BusCounters[]): BusCounters {
  return all.reduce(
    (sum, counters) => ({
      published: sum.published + counters.published,
      delivered: sum.delivered + counters.delivered,
      dropped: sum.dropped + counters.dropped,
      slowConsumers: sum.slowConsumers + counters.slowConsumers,
      handlerErrors: sum.handlerErrors + counters.handlerErrors,
    }),
    { published: 0, delivered: 0, dropped: 0, slowConsumers: 0, handlerErrors: 0 },
  );
}
