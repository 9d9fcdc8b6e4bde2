/**
 * The command lines of a distributed run, shared by the process tests and
 * the docker-compose.yml check, so that compose runs the very commands the
 * tests run: which service kind connects to which NATS node, and the flags
 * of `ioasim serve` and of the runner.
 */
import { SERVICE_KINDS, serveArguments, serversFrom, type ServiceKind } from '@ioasim/sim/distributed';

/** The topology the compose runner and the accounting test run. */
export const BOUNDED_TOPOLOGY = 'examples/single-host-bounded.yaml';
/** Nodes of the NATS cluster. */
export const NATS_NODES = 3;

/** The node (0-based) a service kind connects to: round robin over the cluster, so each node has one or two. */
export function serviceNode(kind: ServiceKind): number {
  return SERVICE_KINDS.indexOf(kind) % NATS_NODES;
}

/** The node the runner connects to. */
export const RUNNER_NODE = 0;

/** Every node URL, `first`'s first: a process connects to the first (NatsBus keeps the order) and fails over to the others. */
export function nodesFrom(first: number, nodeUrls: readonly string[]): string[] {
  return serversFrom(first, nodeUrls);
}

/** A service's command line: it serves runs until stopped, as a container does (its exit would stop the compose project). */
export function serviceCommand(kind: ServiceKind, nodeUrls: readonly string[], topologyPath: string, run: string): string[] {
  return serveArguments(kind, nodesFrom(serviceNode(kind), nodeUrls), topologyPath, run, undefined, {}, 'forever');
}

/** The runner's command line. */
export function runnerArguments(topologyPath: string, servers: readonly string[], run: string): string[] {
  return ['run', topologyPath, '--transport', 'nats', '--nats', servers.join(','), '--run', run, '--time', 'skip', '--json'];
}
