/**
 * At-least-once delivery across processes survives the death of a NATS
 * node: a three-node cluster, the five service processes each given every
 * node's URL (so a client of the dead node reconnects to another), a
 * count-bounded at-least-once workload of a few seconds, and one
 * nats-server killed with SIGKILL mid-run, a node at least one service
 * process is connected to. Nothing may be lost: every fault raised is
 * answered, none abandoned, every invariant holds, and every access the
 * workloads issued completes as in the embedded run. The number of faults
 * may exceed the embedded run's: frames retransmitted after the reconnect
 * arrive out of order, and a response that overtakes its page-table update
 * costs the device one more fault round (reliable-bus.ts), never an answer.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { SERVICE_KINDS, coordinate, serveArguments, serversFrom, type NatsServers } from '@ioasim/sim/distributed';
import { ProcessGroup, natsSkipped, natsStart, stopAll } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;
const TOPOLOGY = 'test/nats/fixtures/single-host-at-least-once.yaml';
/** How long after the start of the workloads (about four seconds long) the node dies. */
const KILL_AFTER_MS = 1_500;
const RUN_TIMEOUT_MS = 40_000;

function topologyOf(path: string): Topology {
  const result = topologyLoad(`${ROOT}${path}`);
  if (!result.ok) throw new Error(`${path}: ${result.errors.length} error(s)`);
  return result.topology;
}

/** The node index most service processes are connected to, from their `connected to <host:port>` lines. */
function busiestNode(processes: ProcessGroup, cluster: NatsServers): { index: number; clients: string[] } {
  const clients = cluster.nodes.map(() => [] as string[]);
  for (const child of processes.children) {
    const line = child.output.find((text) => text.includes(': connected to '));
    const index = cluster.nodes.findIndex((node) => line?.includes(`:${node.clientPort}`) === true);
    if (index >= 0) clients[index]?.push(child.name);
  }
  let index = 0;
  clients.forEach((names, node) => {
    if (names.length > (clients[index]?.length ?? 0)) index = node;
  });
  return { index, clients: clients[index] ?? [] };
}

describe.skipIf(natsSkipped('NATS node failure'))('at-least-once delivery when a NATS node dies', () => {
  let cluster: NatsServers | null = null;
  const processes = new ProcessGroup();

  beforeAll(async () => {
    cluster = await natsStart(3);
  });

  afterAll(async () => {
    await stopAll(cluster, [processes]);
  });

  it('loses nothing when one of three nats-server nodes is killed mid-run', { timeout: 60_000 }, async () => {
    const nats = cluster as NatsServers;
    const urls = nats.urls;
    // Every process given every node, a different one first (NatsBus keeps the order): spread over the cluster, each with somewhere to go.
    SERVICE_KINDS.forEach((kind, index) => processes.start(`serve ${kind}`, process.execPath, [BIN, ...serveArguments(kind, serversFrom(index, urls), TOPOLOGY, 'node-failure')]));
    const log: string[] = [];
    let killed: { index: number; clients: string[] } | null = null;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const report: Report = await coordinate({
      topology: topologyOf(TOPOLOGY),
      servers: urls,
      run: 'node-failure',
      seed: 1,
      time: 'skip',
      runTimeoutMs: RUN_TIMEOUT_MS,
      log: (line) => {
        log.push(line);
        if (!line.startsWith('started')) return;
        killTimer = setTimeout(() => {
          killed = busiestNode(processes, nats);
          void nats.kill(killed.index);
        }, KILL_AFTER_MS);
      },
      failure: () => {
        const exited = processes.children.find((child) => child.exitCode !== undefined);
        return exited === undefined ? null : `${exited.name} exited: ${exited.output.slice(-5).join(' | ')}`;
      },
    });
    clearTimeout(killTimer);
    const serviceLines = processes.children.flatMap((child) =>
      child.output.filter((line) => /at-least-once|slow consumer|error/i.test(line)).slice(-5).map((line) => `${child.name}: ${line}`),
    );
    const context = `killed ${JSON.stringify(killed)}\n${log.slice(-20).join('\n')}\n${serviceLines.join('\n')}`;
    expect(killed, context).not.toBeNull();
    expect((killed as unknown as { clients: string[] }).clients.length, context).toBeGreaterThan(0);
    const reconnected = processes.children.filter((child) => child.output.some((line) => line.includes('reconnected to')));
    expect(reconnected.map((child) => child.name).sort(), context).toEqual([...(killed as unknown as { clients: string[] }).clients].sort());

    const faults = report.faults;
    expect(faults.raised, context).toBeGreaterThan(1000);
    expect(faults.abandoned, context).toBe(0);
    expect(faults.responded + faults.autoResponded + faults.abandoned, context).toBe(faults.raised);
    expect(report.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
    const embedded = run(topologyOf(TOPOLOGY));
    expect(faults.raised, context).toBeGreaterThanOrEqual(embedded.faults.raised);
    expect(faults.delivered, context).toBe(faults.raised);
    const { issued, completed, failed } = report.accesses;
    expect({ issued, completed, failed }, context).toEqual({
      issued: embedded.accesses.issued,
      completed: embedded.accesses.completed,
      failed: embedded.accesses.failed,
    });
    expect(completed, context).toBe(issued);
  });
});
