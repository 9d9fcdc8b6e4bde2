/**
 * `ioasim run <topology.yaml>`: run a topology and report on every fault.
 */
import {
  LiveMetrics,
  parseDuration,
  run,
  runLive,
  workloadReplayLoad,
  type RunOptions,
  type RunProgress,
  type Topology,
} from '@ioasim/sim';
import { UsageError, argumentsParse, seedOption } from '../arguments.js';
import { EXIT, type CommandMain, type Io } from '../io.js';
import { METRICS_OPTIONS, METRICS_OPTIONS_HELP, metricsLingerClose, metricsOptions, metricsServe, wallSince, type MetricsAddress } from '../metrics-server.js';
import { progressBar } from '../progress-bar.js';
import { NATS_OPTIONS, NATS_OPTION_NAMES } from './nats-options.js';
import { outputFilesOpen, runReportEnd } from './run-files.js';
import { topologyRead } from './topology-read.js';

const HELP = `Usage: ioasim run <topology.yaml> [options]

Runs the topology on the embedded bus in virtual time: devices fault, the
IOMMU reports, the ioasid manager routes each fault group by (Stream ID,
PASID) to its space's handler, and the answers go back to the devices. The
same topology and seed always give the same report.

With --transport nats the same topology runs distributed: one ioasim serve
process per service kind over a real NATS server or cluster, on the wall
clock, with the same report (transport: nats), the topology's chaos rules
applied on the wire. One command does it all:
  ioasim run examples/single-host.yaml --transport nats --spawn
Each serve process serves one run (ioasim serve --runs n: n runs) and is
released at the end of it.

Options:
  --seed <n>        the random seed (default: the topology's seed, else 1)
  --json            print the report as JSON instead of the summary
  --report <file>   also write the report to <file>: HTML with charts if it ends in .html, else JSON
  --trace <file>    write every trace event to <file> as JSON Lines, one event per line in the
                    order the checker read them (chaos actions too, as "kind":"chaos")
  --until <time>    stop at this simulated time, e.g. 5ms (work still in flight is counted as in
                    flight at the cut-off, not stuck)
  --workload-from <trace.csv>  replay a recorded access trace (time,device,pasid,address,perm)
                    instead of the topology's workloads
${METRICS_OPTIONS_HELP}
  --perfetto <file> write a timeline (Chrome Trace Event JSON) to open in ui.perfetto.dev
  --perfetto-window <from>-<to>  only fault groups raised in this simulated window, e.g. 1ms-2ms
  --perfetto-sample <n>          only one fault group in n
  --transport <t>   embedded (default), or nats: a distributed run over ioasim serve processes
  --nats <url,...>  nats: the NATS servers the serve processes use (exit 2 at once when none answers,
                    or the credentials or TLS are refused); nats://user:password@host:port and
                    nats://token@host:port carry credentials (or set IOASIM_NATS_USER and
                    IOASIM_NATS_PASSWORD, or IOASIM_NATS_TOKEN)
  --creds <file>    nats: a NATS credentials file (decentralized auth)
  --nkey-seed <file>  nats: a file holding a user nkey seed (SU...)
  --tls-ca <file>   nats: the CA certificate (PEM) that signed the servers' certificates
  --tls-cert <file>, --tls-key <file>  nats: a client certificate and its key (PEM)
  --run <id>        nats: the run id the serve processes were started with (default: default)
  --spawn           nats: start the five serve processes, and a nats-server when no --nats is
                    given, and stop them all at the end
  --nats-nodes <n>  nats: with --spawn and no --nats, start a cluster of n nats-server nodes
                    (default 1); a { nats-kill: <node>, at, restartAfter } chaos rule kills one
                    with SIGKILL and restarts it (refused where the run starts no server)
  --time <mode>     nats: skip (default) = modeled costs are 0; real = modeled costs are slept
                    as real delays (1 ms timer resolution); latencies are wall-clock in both
  --ready-timeout <t>  nats: how long to wait for the serve processes (default 30s)
  --timeout <t>     nats: the longest a run may take once started (default 300s)
  --max-skew <t>    nats: refuse (exit 2) a serve process whose clock is off the coordinator's by
                    more than t (default 1s); within it, its trace times are corrected
  --verbose         nats: log the coordination to standard error
  -h, --help        show this help

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input.`;

function durationOption(name: string, value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const runMain: CommandMain = async (argv, io) => {
  const { values, positionals } = argumentsParse(argv, {
    help: { type: 'boolean', short: 'h' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    until: { type: 'string' },
    transport: { type: 'string' },
    ...NATS_OPTIONS,
    run: { type: 'string' },
    spawn: { type: 'boolean' },
    'nats-nodes': { type: 'string' },
    time: { type: 'string' },
    'ready-timeout': { type: 'string' },
    timeout: { type: 'string' },
    'max-skew': { type: 'string' },
    verbose: { type: 'boolean' },
    perfetto: { type: 'string' },
    trace: { type: 'string' },
    'workload-from': { type: 'string' },
    ...METRICS_OPTIONS,
    'perfetto-window': { type: 'string' },
    'perfetto-sample': { type: 'string' },
  });
  if (values['help'] === true) {
    io.out(HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`run takes one file, found ${positionals.length}`);
  const seed = seedOption(values['seed']);
  const untilNs = durationOption('until', values['until']);
  const read = topologyRead(positionals[0], io);
  if (read === null) return EXIT.badInput;
  const topology = workloadFrom(read, values['workload-from'], values['transport'], io);
  if (topology === null) return EXIT.badInput;
  const transport = values['transport'] ?? 'embedded';
  if (transport !== 'embedded' && transport !== 'nats') throw new UsageError(`--transport expects embedded or nats, found "${String(transport)}"`);
  if (transport === 'nats') {
    const durationNs = (name: string): number | undefined => durationOption(name, values[name]);
    // Only a distributed run loads the NATS client, the coordinator and the code that starts processes.
    const { runDistributed } = await import('./run-distributed.js');
    return runDistributed(topology, { topologyPath: positionals[0] as string, seed, values, durationNs }, io);
  }
  for (const name of [...NATS_OPTION_NAMES, ...DISTRIBUTED_OPTION_NAMES]) {
    if (values[name] !== undefined) throw new UsageError(`--${name} goes with --transport nats`);
  }
  if (topology.chaos.length > 0) {
    const { chaosRulesCheck } = await import('@ioasim/sim/chaos');
    const refusals = chaosRulesCheck(topology.chaos);
    for (const refusal of refusals) io.error(`${String(positionals[0])}: ${refusal}`);
    if (refusals.length > 0) return EXIT.badInput;
  }
  const metrics = metricsOptions(values);
  const files = outputFilesOpen(values, 'simulated');
  const { perfetto, traceFile } = files;
  const live = metrics === null ? null : new LiveMetrics(wallSince(), { run: EMBEDDED_RUN });
  const onTrace: RunOptions['onTrace'] =
    perfetto === null && live === null && traceFile === null
      ? undefined
      : (event) => {
          perfetto?.observe(event);
          live?.observe(event);
          traceFile?.observe(event);
        };
  const bar = progressBar(io.progress, values['json'] !== true);
  const options: RunOptions = {
    ...(seed === undefined ? {} : { seed }),
    ...(untilNs === undefined ? {} : { untilNs }),
    onProgress: (progress) => bar.update(progressFraction(progress, untilNs), progressLabel(progress)),
    ...(onTrace === undefined ? {} : { onTrace }),
    ...(traceFile === null ? {} : { onChaos: (event) => traceFile.observe(event) }),
  };
  if (live !== null && metrics !== null) return runServingMetrics(topology, options, live, metrics, values, io, files.close, bar);
  let report;
  try {
    report = run(topology, options);
  } finally {
    files.close();
  }
  bar.done();
  return runReportEnd(report, topology, values, io);
};

/** The options only a distributed run takes. */
const DISTRIBUTED_OPTION_NAMES = ['run', 'spawn', 'nats-nodes', 'time', 'ready-timeout', 'timeout', 'max-skew', 'verbose'];

/** The run id of an embedded run, its metrics' `run` label. */
const EMBEDDED_RUN = 'embedded';

/** The run with --metrics-listen: in slices (runLive), serving /metrics meanwhile (and --metrics-linger after), then the same report as without. */
async function runServingMetrics(
  topology: Topology,
  options: RunOptions,
  live: LiveMetrics,
  metrics: { readonly address: MetricsAddress; readonly lingerMs: number },
  values: Readonly<Record<string, string | boolean | undefined>>,
  io: Io,
  closeFiles: () => void,
  bar: { done(): void },
): Promise<number> {
  const server = await metricsServe(live, metrics.address);
  io.error(`ioasim: live metrics on ${server.url}`);
  let report;
  try {
    report = await runLive(topology, { ...options, run: EMBEDDED_RUN, onStarted: (started) => live.busStatsFrom(() => started.bus.stats) });
  } catch (error) {
    await server.close();
    throw error;
  } finally {
    live.finish();
    closeFiles();
  }
  bar.done();
  const code = runReportEnd(report, topology, values, io);
  await metricsLingerClose(server, metrics.lingerMs, io.error);
  return code;
}

/** The topology with its workloads replaced by `--workload-from`'s trace; null (errors printed) for a bad trace. */
function workloadFrom(topology: Topology, path: string | boolean | undefined, transport: string | boolean | undefined, io: Io): Topology | null {
  if (typeof path !== 'string') return topology;
  if (transport !== undefined && transport !== 'embedded') throw new UsageError('--workload-from runs on the embedded transport only');
  const replay = workloadReplayLoad(topology, path);
  if (replay.ok) return replay.topology;
  for (const error of replay.errors) io.error(error);
  io.error(`${path}: ${replay.errors.length} error(s)`);
  return null;
}

/**
 * How far the run is: its simulated time against the end expected, but never
 * further than the share of the fault groups raised so far that are answered.
 * The expected end is an estimate (a count at its rate is the mean time of
 * the last arrival, and a fleet's last host comes much later; the answers
 * come later still), so once it has passed, the groups in flight tell what
 * is left.
 */
function progressFraction(progress: RunProgress, untilNs: number | undefined): number {
  const endNs = untilNs ?? progress.expectedNs;
  const byTime = endNs > 0 ? progress.simulatedNs / endNs : 0;
  const byGroups = progress.faultsRaised > 0 ? progress.faultsCompleted / progress.faultsRaised : 1;
  return Math.min(byTime, byGroups);
}

function progressLabel(progress: RunProgress): string {
  return `${(progress.simulatedNs / 1e6).toFixed(2)}ms simulated, ${progress.faultsCompleted} of ${progress.faultsRaised} fault groups answered`;
}
