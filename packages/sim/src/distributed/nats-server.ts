/**
 * Starting our own `nats-server` processes on free loopback ports: one node,
 * or a cluster of nodes routed to each other (full mesh, one `--routes`
 * list per node). Used by `ioasim run --spawn` and by the NATS tests.
 *
 * Invariants: `natsServersStart` resolves only once every node accepts
 * client connections and, for a cluster, every node sees a route to every
 * other; when it fails, the nodes it started are already stopped.
 */
import { accessSync, constants } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { ProcessGroup, type Child } from './processes.js';

/** Where nats-server is looked for after $IOASIM_NATS_SERVER and $PATH. */
const NATS_SERVER_PLACES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];
/** How long the nodes have to accept connections and form their routes. */
const NATS_READY_TIMEOUT_MS = 15_000;
const POLL_MS = 50;
export const NATS_CLUSTER_NAME = 'ioasim';

/** The nats-server binary: $IOASIM_NATS_SERVER, else the first on $PATH, else a usual place; null if none. */
export function natsServerFind(): string | null {
  const candidates = [
    ...(process.env['IOASIM_NATS_SERVER'] === undefined ? [] : [process.env['IOASIM_NATS_SERVER']]),
    ...(process.env['PATH'] ?? '').split(delimiter).filter((folder) => folder.length > 0).map((folder) => join(folder, 'nats-server')),
    ...NATS_SERVER_PLACES,
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function loopbackPortFree(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free loopback port'))));
    });
  });
}

export type NatsNode = {
  readonly url: string;
  readonly clientPort: number;
  readonly clusterPort: number | null;
  readonly monitorPort: number;
};

export type NatsServers = {
  readonly nodes: readonly NatsNode[];
  /** The client URLs, one per node. */
  readonly urls: readonly string[];
  /** Stops every node (SIGTERM, then SIGKILL); resolves when all have exited. */
  stop(): Promise<void>;
  /** Kills one node at once (SIGKILL), as a crash would; resolves when it has exited. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again, on its ports and with its routes; resolves once it accepts clients and sees every route. */
  restart(index: number): Promise<void>;
};

/** Starts tried before giving up: a port found free may be taken by another process before the server binds it. */
const START_ATTEMPTS = 4;

export type NatsServersOptions = {
  readonly count: number;
  readonly binary?: string;
  /** More nats-server flags for every node: credentials (--user, --auth, -c FILE), TLS (--tls...). */
  readonly arguments?: readonly string[];
};

export async function natsServersStart(options: NatsServersOptions): Promise<NatsServers> {
  const binary = options.binary ?? natsServerFind();
  if (binary === null) throw new Error('nats-server not found: install it (Debian: apt-get install nats-server) or set IOASIM_NATS_SERVER');
  for (let attempt = 1; ; attempt++) {
    try {
      return await natsServersStartOnce(options.count, binary, options.arguments ?? []);
    } catch (error) {
      const portTaken = error instanceof Error && error.message.includes('address already in use');
      if (!portTaken || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

async function natsServersStartOnce(count: number, binary: string, extra: readonly string[]): Promise<NatsServers> {
  const options = { count };
  const group = new ProcessGroup();
  const nodes: NatsNode[] = [];
  /** Each node's command line, and its process now (the last started). */
  const commands: string[][] = [];
  const current: Child[] = [];
  for (let index = 0; index < options.count; index++) {
    const clientPort = await loopbackPortFree();
    const clusterPort = options.count > 1 ? await loopbackPortFree() : null;
    const monitorPort = await loopbackPortFree();
    nodes.push({ url: `nats://127.0.0.1:${clientPort}`, clientPort, clusterPort, monitorPort });
  }
  try {
    nodes.forEach((node, index) => {
      const args = ['-a', '127.0.0.1', '-p', String(node.clientPort), '-m', String(node.monitorPort), '-n', `ioasim-${index}`];
      if (node.clusterPort !== null) {
        const routes = nodes.filter((other) => other !== node).map((other) => `nats://127.0.0.1:${String(other.clusterPort)}`);
        args.push('--cluster_name', NATS_CLUSTER_NAME, '--cluster', `nats://127.0.0.1:${node.clusterPort}`, '--routes', routes.join(','));
      }
      commands.push([...args, ...extra]);
      current.push(group.start(`nats-server-${index}`, binary, [...args, ...extra]));
    });
    await Promise.all(nodes.map((node, index) => nodeReady(node, options.count - 1, current[index] as Child)));
  } catch (error) {
    const output = group.children.flatMap((child) => child.output.slice(-5).map((line) => `  ${child.name}: ${line}`));
    await group.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}${output.length > 0 ? `\n${output.join('\n')}` : ''}`, { cause: error });
  }
  const nodeChild = (index: number): Child => {
    const child = current[index];
    if (child === undefined) throw new RangeError(`no NATS node ${index}: the cluster has ${nodes.length}`);
    return child;
  };
  const kill = async (index: number): Promise<void> => {
    const child = nodeChild(index);
    if (child.exitCode !== undefined) return;
    child.process.kill('SIGKILL');
    await child.exited;
  };
  const restart = async (index: number): Promise<void> => {
    if (nodeChild(index).exitCode === undefined) return;
    current[index] = group.start(`nats-server-${index}`, binary, commands[index] as string[]);
    await nodeReady(nodes[index] as NatsNode, count - 1, current[index] as Child);
  };
  return { nodes, urls: nodes.map((node) => node.url), stop: () => group.stop(), kill, restart };
}

async function nodeReady(node: NatsNode, routes: number, child: Child): Promise<void> {
  const deadline = Date.now() + NATS_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== undefined) throw new Error(`${child.name} exited with code ${String(child.exitCode)}`);
    if ((await portAccepts(node.clientPort)) && (routes === 0 || (await routesCount(node.monitorPort)) >= routes)) return;
    await sleep(POLL_MS);
  }
  throw new Error(`nats-server on ${node.url} not ready (with ${routes} routes) within ${NATS_READY_TIMEOUT_MS} ms`);
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('utf8').startsWith('INFO'));
    });
    socket.once('error', () => resolve(false));
  });
}

async function routesCount(monitorPort: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${monitorPort}/routez`);
    const body = (await response.json()) as { num_routes?: number };
    return body.num_routes ?? 0;
  } catch {
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
