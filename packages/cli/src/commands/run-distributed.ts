/**
 * `ioasim run <file> --transport nats`: the distributed run. The coordinator
 * gathers the `ioasim serve` processes of the run on NATS (or, with
 * `--spawn`, starts them itself, and a nats-server when no --nats is given),
 * runs the topology over them and prints the same report as embedded mode.
 * Every child it started is stopped at the end, also on failure or Ctrl-C.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LiveMetrics, type Report, type Topology } from '@ioasim/sim';
import {
  CoordinationError,
  TIME_MODES,
  coordinate,
  distributedSpawn,
  isSubjectToken,
  natsConnectionCheck,
  type Spawned,
  type TimeMode,
} from '@ioasim/sim/distributed';
import { chaosRulesCheck } from '@ioasim/sim/chaos';
import { UsageError } from '../arguments.js';
import { metricsLingerClose, metricsOptions, metricsServe, wallSince } from '../metrics-server.js';
import { NODE_FLAGS } from '../node-flags.js';
import { EXIT, type Io } from '../io.js';
import { natsOptions } from './nats-connection.js';
import { outputFilesOpen, runReportEnd } from './run-files.js';

export type DistributedArguments = {
  readonly topologyPath: string;
  readonly seed: number | undefined;
  readonly values: Record<string, string | boolean | undefined>;
  readonly durationNs: (name: string) => number | undefined;
};

/** The most nats-server nodes `--spawn --nats-nodes` starts. */
const NATS_NODES_MAX = 9;

const BIN = fileURLToPath(new URL('../../bin/ioasim.js', import.meta.url));

/** `--nats-nodes`: how many nats-server nodes `--spawn` starts (a cluster past 1); only where the run starts its own. */
function natsNodesOption(value: string | boolean | undefined, startsServers: boolean): number {
  if (value === undefined) return 1;
  if (!startsServers) throw new UsageError('--nats-nodes goes with --spawn and no --nats: it is how many NATS servers the run starts');
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > NATS_NODES_MAX) throw new UsageError(`--nats-nodes expects 1 to ${NATS_NODES_MAX}, found "${String(value)}"`);
  return count;
}

export function timeModeOption(value: string | boolean | undefined): TimeMode {
  if (value === undefined) return 'skip';
  const text = String(value);
  if (!(TIME_MODES as readonly string[]).includes(text)) throw new UsageError(`--time expects ${TIME_MODES.join(' or ')}, found "${text}"`);
  return text as TimeMode;
}

export async function runDistributed(topology: Topology, args: DistributedArguments, io: Io): Promise<number> {
  const { values } = args;
  const spawn = values['spawn'] === true;
  const nats = natsOptions(values);
  const { security } = nats;
  let servers = nats.servers;
  if (servers.length === 0 && !spawn) throw new UsageError('--transport nats needs --nats <url,...> (or --spawn to start everything)');
  const runValue = values['run'];
  const run = typeof runValue === 'string' ? runValue : spawn ? `spawn-${process.pid}` : 'default';
  if (!isSubjectToken(run)) throw new UsageError(`--run "${run}" must be letters, digits, _ or - only`);
  const time = timeModeOption(values['time']);
  const natsNodes = natsNodesOption(values['nats-nodes'], spawn && servers.length === 0);
  const refusals = chaosRulesCheck(topology.chaos, spawn && servers.length === 0 ? natsNodes : 0);
  if (refusals.length > 0) {
    for (const refusal of refusals) io.error(`${args.topologyPath}: ${refusal}`);
    return EXIT.badInput;
  }
  const readyTimeoutNs = args.durationNs('ready-timeout');
  const runTimeoutNs = args.durationNs('timeout');
  const maxSkewNs = args.durationNs('max-skew');
  const metrics = metricsOptions(values);
  const files = outputFilesOpen(values, 'wall');
  const { perfetto, traceFile } = files;
  const log = (line: string): void => io.error(`[run] ${line}`);
  let spawned: Spawned | null = null;
  const interrupt = (): void => {
    log('interrupted: stopping every child process');
    void (spawned?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const live = metrics === null ? null : new LiveMetrics(wallSince(), { run, clock: 'wall' });
  const server = live === null || metrics === null ? null : await metricsServe(live, metrics.address);
  if (server !== null) io.error(`ioasim: live metrics on ${server.url}`);
  let report: Report;
  try {
    if (spawn) {
      if (servers.length > 0) await natsConnectionCheck({ servers, security, run });
      spawned = await distributedSpawn({
        command: [process.execPath, ...NODE_FLAGS, BIN],
        topologyPath: resolve(args.topologyPath),
        run,
        servers,
        natsNodes,
        security,
        log,
      });
      servers = [...spawned.servers];
    }
    const nats = spawned?.nats ?? null;
    report = await coordinate({
      topology,
      servers,
      security,
      run,
      seed: args.seed ?? topology.seed ?? 1,
      time,
      ...(readyTimeoutNs === undefined ? {} : { readyTimeoutMs: readyTimeoutNs / 1e6 }),
      ...(runTimeoutNs === undefined ? {} : { runTimeoutMs: runTimeoutNs / 1e6 }),
      ...(maxSkewNs === undefined ? {} : { maxSkewNs }),
      ...(nats === null ? {} : { natsNodes: { count: nats.nodes.length, kill: nats.kill, restart: nats.restart } }),
      log: values['verbose'] === true ? log : () => {},
      warn: (line) => io.error(`ioasim: ${line}`),
      failure: () => {
        const exited = spawned?.children.find((child) => child.exitCode !== undefined);
        return exited === undefined ? null : `${exited.name} exited (code ${String(exited.exitCode)}) before the run ended`;
      },
      ...(live === null && perfetto === null && traceFile === null
        ? {}
        : {
            onTrace: (event: Parameters<LiveMetrics['observe']>[0]) => {
              live?.observe(event);
              perfetto?.observe(event);
              traceFile?.observe(event);
            },
          }),
    });
  } catch (error) {
    await server?.close();
    if (!(error instanceof CoordinationError)) throw error;
    io.error(`ioasim: ${error.message}`);
    for (const child of error.connection ? [] : (spawned?.children ?? [])) {
      if (child.output.length > 0) io.error(`--- ${child.name} (last lines) ---\n${child.output.slice(-10).join('\n')}`);
    }
    return EXIT.badInput;
  } finally {
    live?.finish();
    files.close();
    await spawned?.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
  const code = runReportEnd(report, topology, values, io, `\n${distributedLine(report)}`);
  await metricsLingerClose(server, metrics?.lingerMs ?? 0, io.error);
  return code;
}

/** What a distributed run adds to the summary: the time mode, throughput, and which latencies are which. */
export function distributedLine(report: Report): string {
  const distributed = report.distributed;
  if (distributed === undefined) return '';
  const bus = distributed.bus;
  return (
    `nats: ${distributed.processes} service processes, time ${distributed.time}, ` +
    `${distributed.faultsPerSecond} faults/s over ${(report.simulatedNs / 1e9).toFixed(2)} s of wall time; ` +
    `latencies are wall-clock (modeled round trip ${(distributed.modeledRoundTripNs / 1e3).toFixed(1)} µs${distributed.time === 'skip' ? ', not applied' : ', slept'}); ` +
    `bus: ${bus.published} published, ${bus.dropped} dropped, ${bus.slowConsumers} slow consumers`
  );
}
