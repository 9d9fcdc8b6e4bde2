/**
 * `ioasim run --transport nats --spawn`: a distributed run in one command.
 * Starts a nats-server on a free loopback port, or a routed cluster of
 * `natsNodes` (unless servers are given; a `nats-kill` chaos rule kills and
 * restarts one of these), and one `ioasim serve <kind>` child process per
 * service kind (each serves one run and exits when released), each given
 * every server, the next of the list first (round robin: NatsBus connects
 * to the first and fails over to the others), and stops them all at the end,
 * also on failure or Ctrl-C (the caller calls `stop()`; a process exit
 * kills what is left).
 *
 * The children get the run's NATS credentials and TLS files too: file
 * paths as flags, and a password or token through their environment
 * (NATS_SECRET_ENVIRONMENT), never on a command line, where any user of the
 * machine could read it.
 */
import { resolve } from 'node:path';
import type { NatsSecurity } from '@ioasim/bus/nats';
import { SERVICE_KINDS, type ServiceKind } from '@ioasim/protocol';
import { natsServersStart, type NatsServers } from './nats-server.js';
import { ProcessGroup, type Child } from './processes.js';

export type SpawnOptions = {
  /** How to run `ioasim`: e.g. [process.execPath, '.../packages/cli/bin/ioasim.js']. */
  readonly command: readonly string[];
  readonly topologyPath: string;
  readonly run: string;
  /** NATS servers to use; none = start nats-server nodes of our own. */
  readonly servers: readonly string[];
  /** How many nats-server nodes to start when no servers are given (default 1; more form a cluster). */
  readonly natsNodes?: number;
  /** How many runs each service process serves before it exits (default 1; a campaign runs one per seed). */
  readonly runs?: number;
  /** Credentials and TLS the service processes connect with. */
  readonly security?: NatsSecurity;
  readonly log: (line: string) => void;
};

export type Spawned = {
  readonly servers: readonly string[];
  /** The nats-server nodes started, or null when the run was given its servers. */
  readonly nats: NatsServers | null;
  readonly children: readonly Child[];
  stop(): Promise<void>;
};

/** The environment variables `ioasim serve` and `ioasim run` read a NATS password or token from, when the URL has none. */
export const NATS_SECRET_ENVIRONMENT = {
  user: 'IOASIM_NATS_USER',
  password: 'IOASIM_NATS_PASSWORD',
  token: 'IOASIM_NATS_TOKEN',
} as const;

/** The `serve` arguments of one service process: the very command line docker-compose.yml runs. */
export function serveArguments(
  kind: ServiceKind | 'all',
  servers: readonly string[],
  topologyPath: string,
  run: string,
  shard?: { index: number; count: number },
  security: NatsSecurity = {},
  runs: number | 'forever' = 1,
): string[] {
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
    ...(runs === 1 ? [] : ['--runs', String(runs)]),
    ...natsSecurityArguments(security),
  ];
}

/** The flags that give a child the files of `security` (paths are no secret; their content stays in the files). */
export function natsSecurityArguments(security: NatsSecurity): string[] {
  const flags: [string, string | undefined][] = [
    ['--creds', security.credsFile],
    ['--nkey-seed', security.nkeySeedFile],
    ['--tls-ca', security.tlsCaFile],
    ['--tls-cert', security.tlsCertFile],
    ['--tls-key', security.tlsKeyFile],
  ];
  return flags.flatMap(([flag, path]) => (path === undefined ? [] : [flag, resolve(path)]));
}

/** The environment that gives a child the user, password or token of `security`. */
export function natsSecretEnvironment(security: NatsSecurity): Record<string, string> {
  const environment: Record<string, string> = {};
  if (security.user !== undefined) environment[NATS_SECRET_ENVIRONMENT.user] = security.user;
  if (security.password !== undefined) environment[NATS_SECRET_ENVIRONMENT.password] = security.password;
  if (security.token !== undefined) environment[NATS_SECRET_ENVIRONMENT.token] = security.token;
  return environment;
}

/** Every server of `servers`, the one at `first` (modulo their count) first, the others after it in order. */
export function serversFrom(first: number, servers: readonly string[]): string[] {
  return servers.map((_, index) => servers[(first + index) % servers.length] as string);
}

export async function distributedSpawn(options: SpawnOptions): Promise<Spawned> {
  let nats: NatsServers | null = null;
  let servers = options.servers;
  if (servers.length === 0) {
    nats = await natsServersStart({ count: options.natsNodes ?? 1 });
    servers = nats.urls;
    options.log(`spawned nats-server on ${servers.join(',')}`);
  }
  const group = new ProcessGroup();
  const security = options.security ?? {};
  const environment = { ...processEnvironmentWithoutSecrets(), ...natsSecretEnvironment(security) };
  const [program, ...prefix] = options.command;
  if (program === undefined) throw new Error('distributedSpawn: empty command');
  SERVICE_KINDS.forEach((kind, index) => {
    const args = [...prefix, ...serveArguments(kind, serversFrom(index, servers), options.topologyPath, options.run, undefined, security, options.runs)];
    group.start(`serve ${kind}`, program, args, undefined, environment);
  });
  options.log(`spawned ${SERVICE_KINDS.length} service processes`);
  const stop = async (): Promise<void> => {
    await group.stop();
    await nats?.stop();
  };
  return { servers, nats, children: group.children, stop };
}

/** This process's environment without NATS secrets of its own: a child gets only those of the run. */
function processEnvironmentWithoutSecrets(): Record<string, string> {
  const secrets = new Set<string>(Object.values(NATS_SECRET_ENVIRONMENT));
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !secrets.has(name)) environment[name] = value;
  }
  return environment;
}
