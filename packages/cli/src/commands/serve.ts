/**
 * `ioasim serve <service> --nats <url,...> --topology <file> --run <id> [--shard i/n]`:
 * one service process of a distributed run. It runs until SIGTERM (or
 * Ctrl-C), then drains and exits 0.
 */
import { NatsConnectError, SERVICE_KINDS, isSubjectToken, serve, serveKindIs, serveMetricsRender, type ServeHandle } from '@ioasim/sim/distributed';
import { metricsAddressParse, metricsServe, type MetricsServer } from '../metrics-server.js';
import { parseDuration } from '@ioasim/sim';
import { UsageError, argumentsParse, integerOption } from '../arguments.js';
import { EXIT, type CommandMain } from '../io.js';
import { natsOptions } from './nats-connection.js';
import { NATS_OPTIONS, NATS_OPTIONS_HELP } from './nats-options.js';
import { topologyRead } from './topology-read.js';

const HELP = `Usage: ioasim serve <service> --nats <url,...> --topology <file> --run <id> [--shard i/n] [--runs n] [auth and TLS options]

Runs the actors of one service kind for the hosts of its shard, on a real
NATS server or cluster, for the coordinator of a distributed run
(ioasim run <file> --transport nats). <service> is one of:
${SERVICE_KINDS.join(', ')}, or all (the five in one process).

The process waits for a NATS server to be up and reconnects forever, but
exits 2 at once when NATS refuses its credentials or TLS fails. It
announces itself on ioasim.<run>.ctl.announce and as NATS service "ioasim"
($SRV.PING, $SRV.INFO, $SRV.STATS: nats micro ls lists it, with its run,
kind, shard, hosts, machine, pid, topology hash and claim as metadata),
builds its actors when the coordinator prepares the run, and serves the
run until the coordinator releases it at the end.

A serve process serves one run by default, then exits 0. With --runs n it
serves n runs of the same --run id one after the other (--runs forever: until
stopped): released after a run, it drops that run's actors and announces
itself free for the next.
While a run holds it, the process belongs to that run's coordinator, and
any other coordinator refuses to run with it (naming it by pid): also when
that coordinator died before releasing it; then stop it (kill <pid>).
SIGTERM or Ctrl-C stop it at any time: it flushes its batches, publishes
final metrics, drains its connection and exits 0.

Options:
${NATS_OPTIONS_HELP}
  --topology <file>  the topology file (the same the coordinator runs)
  --run <id>         the run id, shared with the coordinator
  --shard <i/n>      serve the hosts whose index h has h % n == i (default 0/1: every host)
  --runs <n>         serve n runs one after the other, then exit (default 1); forever: serve runs
                     until stopped (a long-lived deployment, e.g. docker-compose.yml)
  --metrics-listen <addr:port>  serve this process's NATS connection and bus counters in Prometheus
                     text format on http://<addr:port>/metrics, and GET /healthz: 200 while
                     connected to NATS, else 503 (for a container healthcheck)
  --clock-offset <t> test hook: make this process's wall clock read t ahead (e.g. 50ms, or -50ms
                     behind), to see the coordinator measure the skew and correct or refuse it
  -h, --help         show this help

Exit codes: 0 served its runs, or stopped by a signal after draining; 2 bad input or a
connection NATS refused.`;

export type Shard = { readonly index: number; readonly count: number };

export function shardParse(text: string | boolean | undefined): Shard {
  if (text === undefined) return { index: 0, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(String(text));
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index >= count) {
    throw new UsageError(`--shard expects i/n with 0 <= i < n, e.g. 0/2; found "${String(text)}"`);
  }
  return { index, count };
}

/** `--runs`: a count from 1, or `forever` (Infinity); default 1. */
function runsParse(value: string | boolean | undefined): number {
  if (value === 'forever') return Number.POSITIVE_INFINITY;
  const runs = integerOption('runs', value) ?? 1;
  if (runs < 1) throw new UsageError(`--runs expects a count from 1, or forever; found ${runs}`);
  return runs;
}

/** `--clock-offset`: a duration, negative with a leading `-`; in ms. */
function clockOffsetParse(value: string | boolean | undefined): number {
  if (typeof value !== 'string') return 0;
  const negative = value.startsWith('-');
  try {
    const ns = parseDuration(negative ? value.slice(1) : value);
    return ((negative ? -1 : 1) * ns) / 1e6;
  } catch (error) {
    throw new UsageError(`--clock-offset: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const serveMain: CommandMain = async (argv, io) => {
  const { values, positionals } = argumentsParse(argv, {
    help: { type: 'boolean', short: 'h' },
    ...NATS_OPTIONS,
    topology: { type: 'string' },
    run: { type: 'string' },
    shard: { type: 'string' },
    runs: { type: 'string' },
    'clock-offset': { type: 'string' },
    'metrics-listen': { type: 'string' },
  });
  if (values['help'] === true) {
    io.out(HELP);
    return EXIT.ok;
  }
  const [service, ...extra] = positionals;
  if (service === undefined) throw new UsageError(`serve needs a service: ${SERVICE_KINDS.join(', ')} or all`);
  if (extra.length > 0) throw new UsageError(`serve takes one service, found ${positionals.length}`);
  if (!serveKindIs(service)) throw new UsageError(`unknown service "${service}"; expected one of: ${SERVICE_KINDS.join(', ')}, all`);
  const { servers, security } = natsOptions(values);
  if (servers.length === 0) throw new UsageError('serve needs --nats <url,...>');
  const run = values['run'];
  if (typeof run !== 'string') throw new UsageError('serve needs --run <id>');
  if (!isSubjectToken(run)) throw new UsageError(`--run "${run}" must be letters, digits, _ or - only`);
  const shard = shardParse(values['shard']);
  const runs = runsParse(values['runs']);
  const clockOffsetMs = clockOffsetParse(values['clock-offset']);
  const metricsAddress = typeof values['metrics-listen'] === 'string' ? metricsAddressParse(values['metrics-listen']) : null;
  if (typeof values['topology'] !== 'string') throw new UsageError('serve needs --topology <file>');
  const topology = topologyRead(values['topology'], io);
  if (topology === null) return EXIT.badInput;
  const prefix = `[serve ${service} ${shard.index}/${shard.count}]`;
  let handle: ServeHandle;
  try {
    handle = await serve({
      service,
      shard: shard.index,
      shards: shard.count,
      servers,
      security,
      topology,
      run,
      runs,
      ...(clockOffsetMs === 0 ? {} : { clockOffsetMs }),
      log: (line) => io.error(`${prefix} ${line}`),
    });
  } catch (error) {
    if (!(error instanceof NatsConnectError)) throw error;
    io.error(`ioasim: serve ${service} ${shard.index}/${shard.count}: ${error.message}`);
    return EXIT.badInput;
  }
  let metrics: MetricsServer | null = null;
  if (metricsAddress !== null) {
    const id = { service, shard: shard.index, shards: shard.count };
    try {
      metrics = await metricsServe({ render: () => serveMetricsRender(handle.bus, id, run), healthy: () => handle.bus.connected }, metricsAddress);
    } catch (error) {
      await handle.stop();
      throw error;
    }
    io.error(`${prefix} metrics on ${metrics.url}, health on ${metrics.url.replace(/\/metrics$/, '/healthz')}`);
  }
  const stop = (): void => {
    io.error(`${prefix} stopping: draining`);
    void handle.stop();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await handle.stopped;
  await metrics?.close();
  io.error(`${prefix} stopped`);
  return EXIT.ok;
};
