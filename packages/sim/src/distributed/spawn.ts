/**
 * `ioasim run --transport nats --spawn`: a distributed run in one command.
 * Starts a nats-server on a free loopback port (unless servers are given)
 * and one `ioasim serve <kind>` child process per service kind, each on the
 * next server of the list (round robin), and stops them all at the end,
 * also on failure or Ctrl-C (the caller calls `stop()`; a process exit
 * kills what is left).
 */
import { SERVICE_KINDS, type ServiceKind } from '@ioasim/protocol';
import { natsServersStart, type NatsServers } from './nats-server.js';
import { ProcessGroup, type Child } from './processes.js';

export type SpawnOptions = {
  /** How to run `ioasim`: e.g. [process.execPath, '.../packages/cli/bin/ioasim.js']. */
  readonly command: readonly string[];
  readonly topologyPath: string;
  readonly run: string;
  /** NATS servers to use; none = start a nats-server of our own. */
  readonly servers: readonly string[];
  readonly log: (line: string) => void;
};

export type Spawned = {
  readonly servers: readonly string[];
  readonly children: readonly Child[];
  stop(): Promise<void>;
};

/** The `serve` arguments of one service process: the very command line docker-compose.yml runs. */
export function serveArguments(kind: ServiceKind | 'all', servers: readonly string[], topologyPath: string, run: string, shard?: { index: number; count: number }): string[] {
  return [
    'serve',
    kind,
    '--nats',
    servers.join(','),
    '--topology',
    topologyPath,
    '--run',
    run,
    ...(shard === undefined ? [] : ['--shard', `${shard.index}/${shard.count}`]),
  ];
}

export async function distributedSpawn(options: SpawnOptions): Promise<Spawned> {
  let nats: NatsServers | null = null;
  let servers = options.servers;
  if (servers.length === 0) {
    nats = await natsServersStart({ count: 1 });
    servers = nats.urls;
    options.log(`spawned nats-server on ${servers.join(',')}`);
  }
  const group = new ProcessGroup();
  const [program, ...prefix] = options.command;
  if (program === undefined) throw new Error('distributedSpawn: empty command');
  SERVICE_KINDS.forEach((kind, index) => {
    const server = servers[index % servers.length] as string;
    const args = [...prefix, ...serveArguments(kind, [server], options.topologyPath, options.run)];
    group.start(`serve ${kind}`, program, args);
  });
  options.log(`spawned ${SERVICE_KINDS.length} service processes`);
  const stop = async (): Promise<void> => {
    await group.stop();
    await nats?.stop();
  };
  return { servers, children: group.children, stop };
}
