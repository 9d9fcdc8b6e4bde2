/**
 * Builds the report of a run from what the observer saw: the checker's
 * counts and verdicts, the latency histograms, and the actors' final metrics.
 */
import { CHAOS_ACTIONS, type ChaosActionName, type Delivery, type MetricsRecord, type Topology } from '@ioasim/protocol';
import { INVARIANTS, type Checker } from './checker.js';
import { LatencyTally, latencySummary, type LatencyBook } from './latency.js';
import type { DistributedReport, Report, TimelineOutcome } from './report.js';
import type { HostServices } from './host-services.js';
import type { HopBook } from './hops.js';
import { loadReport } from './load-report.js';
import { messagesReport } from './message-report.js';
import type { SeriesBook } from './series.js';
import type { OverflowBook } from './overflow-book.js';
import { IOASIM_VERSION } from './version.js';

export type ReportInputs = {
  readonly topology: Topology;
  readonly seed: number;
  readonly run: string;
  readonly checker: Checker;
  readonly latency: LatencyBook;
  readonly metrics: readonly MetricsRecord[];
  /** The actors of an embedded run, for each device's state; see deviceStates. */
  readonly services?: readonly HostServices[];
  /** `<host>/<device>` -> the device actor's state, from the services' final records (distributed runs). */
  readonly deviceStates?: ReadonlyMap<string, string>;
  readonly transport?: Report['transport'];
  readonly distributed?: DistributedReport;
  readonly timeline: readonly TimelineOutcome[];
  readonly simulatedNs: number;
  readonly untilNs?: number | undefined;
  readonly wallMs: number;
  readonly observerErrors: number;
  readonly hops?: HopBook;
  readonly series?: SeriesBook;
  readonly overflows?: OverflowBook;
  /** The chaos rules the run applied (none in a distributed run) and its delivery. */
  readonly chaos?: { readonly rules: number; readonly delivery: Delivery; readonly idleRules: readonly number[] };
};

/** Abandoned accesses the report names; the rest are counted. */
const ACCESSES_ABANDONED_SHOWN = 5;

function metricsSum(metrics: readonly MetricsRecord[], prefix: string, counter: string): number {
  let sum = 0;
  for (const record of metrics) if (record.actor.startsWith(prefix)) sum += record.counters[counter] ?? 0;
  return sum;
}

export function reportBuild(inputs: ReportInputs): Report {
  const { topology, checker, metrics, latency } = inputs;
  const counts = checker.counts;
  const iommuMetrics = new Map(metrics.filter((m) => m.actor.startsWith('iommu/')).map((m) => [`${m.host}/${m.actor.slice(6)}`, m.counters]));
  const deviceMetrics = new Map(metrics.filter((m) => m.actor.startsWith('device/')).map((m) => [`${m.host}/${m.actor.slice(7)}`, m.counters]));
  const perIoasid = topology.hosts.flatMap((host) =>
    host.spaces.map((space, index) => {
      const spaceCounts = checker.perSpace.get(host.name, space.name);
      return {
        host: host.name,
        ioasid: index + 1,
        name: space.name,
        owner: space.owner,
        delivered: spaceCounts?.delivered ?? 0,
        responded: spaceCounts?.responded ?? 0,
      };
    }),
  );
  const deviceServices = new Map((inputs.services ?? []).map((services) => [services.host.name, services.device]));
  const perDevice = topology.hosts.flatMap((host) =>
    host.devices.map((device) => {
      const key = `${host.name}/${device.name}`;
      const counters = deviceMetrics.get(key) ?? {};
      const histogram = latency.perDevice.get(host.name, device.name);
      return {
        host: host.name,
        device: device.name,
        state: inputs.deviceStates?.get(key) ?? deviceServices.get(host.name)?.stateOf(device.name) ?? 'unknown',
        priDisabled: (counters['priDisabled'] ?? 0) > 0,
        accessesIssued: counters['accessesIssued'] ?? 0,
        accessesCompleted: counters['accessesCompleted'] ?? 0,
        accessesFailed: counters['accessesFailed'] ?? 0,
        accessesAbandoned: counters['accessesAbandoned'] ?? 0,
        accessesInFlight: counters['accessesInFlight'] ?? 0,
        latencyNs: latencySummary(histogram ?? new LatencyTally()),
      };
    }),
  );
  const dropped = Object.values(counts.droppedByCause).reduce((sum, value) => sum + value, 0);
  return {
    ioasim: IOASIM_VERSION,
    seed: inputs.seed,
    transport: inputs.transport ?? 'embedded',
    run: inputs.run,
    topology: {
      name: topology.name,
      hosts: topology.hosts.length,
      devices: topology.hosts.reduce((sum, host) => sum + host.devices.length, 0),
      ioasids: topology.hosts.reduce((sum, host) => sum + host.spaces.length, 0),
    },
    simulatedNs: inputs.simulatedNs,
    untilNs: inputs.untilNs ?? null,
    wallMs: inputs.wallMs,
    faults: {
      raised: counts.raised,
      delivered: counts.delivered,
      responded: counts.responded,
      success: counts.success,
      invalid: counts.invalid,
      failure: counts.failure,
      autoResponded: counts.autoResponded,
      abandoned: counts.abandoned,
      dropped,
      retried: counts.retried,
      lateResponses: counts.lateResponses,
      unrecoverable: counts.unrecoverable,
      stuck: checker.stuck,
      inFlightAtCut: checker.inFlightAtCut,
      autoRespondedByCause: counts.autoRespondedByCause,
      autoRespondedPartials: metricsSum(metrics, 'ioasid-manager', 'invalidForPartials'),
      rejectedResponses: counts.rejectedByCause,
      droppedByCause: counts.droppedByCause,
      securityEvents: counts.securityEvents,
    },
    latencyNs: latencySummary(latency.total),
    accesses: {
      issued: metricsSum(metrics, 'device/', 'accessesIssued'),
      completed: metricsSum(metrics, 'device/', 'accessesCompleted'),
      failed: metricsSum(metrics, 'device/', 'accessesFailed'),
      abandoned: metricsSum(metrics, 'device/', 'accessesAbandoned'),
      stuck: checker.accesses.stuck,
      inFlightAtCut: checker.accesses.inFlightAtCut,
      atcHits: metricsSum(metrics, 'device/', 'atcHits'),
      translationsRetried: metricsSum(metrics, 'device/', 'translationsRetried'),
      abandonedFirst: checker.accesses.abandonedAccesses.slice(0, ACCESSES_ABANDONED_SHOWN),
    },
    perIoasid,
    perDevice,
    lostEvents: metricsSum(metrics, 'vfio/owner/', 'lostEvents') + metricsSum(metrics, 'vdpa/owner/', 'lostEvents'),
    overflows: {
      priQueue: metricsSum(metrics, 'iommu/', 'priOverflows'),
      eventQueue: metricsSum(metrics, 'iommu/', 'eventOverflows'),
      perIommu: topology.hosts.flatMap((host) =>
        host.iommus.map((iommu) => {
          const counters = iommuMetrics.get(`${host.name}/${iommu.name}`) ?? {};
          return {
            host: host.name,
            iommu: iommu.name,
            priQueue: counters['priOverflows'] ?? 0,
            eventQueue: counters['eventOverflows'] ?? 0,
          };
        }),
      ),
    },
    overflowsByDevice: inputs.overflows?.byDevice() ?? [],
    messages: messagesReport(topology, metrics),
    // Every frame an actor refused is traced as a record dropped for `badFrame`; the observers count their own.
    badFrames: counts.droppedByCause.badFrame + inputs.observerErrors,
    chaos: {
      rules: inputs.chaos?.rules ?? 0,
      delivery: inputs.chaos?.delivery ?? topology.settings.delivery,
      actions: Object.fromEntries(CHAOS_ACTIONS.map((action) => [action, checker.chaosCounts.get(action) ?? 0])) as Record<ChaosActionName, number>,
      idleRules: inputs.chaos?.idleRules ?? [],
    },
    timeline: inputs.timeline,
    load: loadReport(inputs.hops, inputs.series, latency.total),
    invariants: INVARIANTS.map((invariant) => ({
      id: invariant.id,
      name: invariant.name,
      description: invariant.description,
      violations: checker.violationCounts.get(invariant.name) ?? 0,
      examples: checker.violations.filter((violation) => violation.invariant === invariant.name),
    })),
    ...(inputs.distributed === undefined ? {} : { distributed: inputs.distributed }),
  };
}
