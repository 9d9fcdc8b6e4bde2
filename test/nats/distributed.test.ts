import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, topologyLoad, type Report, type Topology } from '@ioasim/sim';
import { CoordinationError, SERVICE_KINDS, coordinate, serveArguments, type NatsServers } from '@ioasim/sim/distributed';
import { flowsUnbound, overlapsFind, type TraceRecord } from '../perfetto-tracks.js';
import { BOUNDED_TOPOLOGY, RUNNER_NODE, nodesFrom, runnerArguments, serviceCommand } from './commands.js';
import { ProcessGroup, natsSkipped, natsStart, stopAll } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;
const BOUNDED = BOUNDED_TOPOLOGY;
const TWO_HOSTS = 'test/nats/fixtures/two-hosts.yaml';
const RUN_TIMEOUT_MS = 60_000;

function topologyOf(path: string): Topology {
  const result = topologyLoad(`${ROOT}${path}`);
  if (!result.ok) throw new Error(`${path}: ${result.errors.length} error(s)`);
  return result.topology;
}

/** The fault accounting two runs must share: raised, responded, and delivered per space. */
function accounting(report: Report): unknown {
  return {
    raised: report.faults.raised,
    responded: report.faults.responded,
    autoResponded: report.faults.autoResponded,
    abandoned: report.faults.abandoned,
    delivered: report.faults.delivered,
    perIoasid: report.perIoasid.map((space) => `${space.host}/${space.name}: ${space.delivered} delivered, ${space.responded} responded`),
  };
}

/** Runs the coordinator as a child process to its end; its report, or an error with every child's last lines. */
async function runnerRun(
  group: ProcessGroup,
  args: readonly string[],
  onLine?: (line: string) => void,
): Promise<{ code: number | null; report: Report | null; output: string; log: string[] }> {
  const log: string[] = [];
  const runner = group.start('runner', process.execPath, [BIN, ...args], (line) => {
    if (line.startsWith('[run]') || line.startsWith('ioasim:')) log.push(line);
    onLine?.(line);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS)));
  const outcome = await Promise.race([runner.exited, timedOut]);
  clearTimeout(timer);
  const output = group.children.map((child) => `--- ${child.name}\n${child.output.slice(-8).join('\n')}`).join('\n');
  if (outcome === 'timeout') throw new Error(`the runner did not finish within ${RUN_TIMEOUT_MS} ms\n${output}`);
  let report: Report | null = null;
  try {
    report = JSON.parse(runner.stdout) as Report;
  } catch {
    report = null;
  }
  return { code: runner.exitCode ?? null, report, output, log };
}

describe.skipIf(natsSkipped('distributed runs'))('distributed runs over a 3-node NATS cluster', () => {
  let cluster: NatsServers | null = null;
  const groups: ProcessGroup[] = [];
  const group = (): ProcessGroup => {
    const created = new ProcessGroup();
    groups.push(created);
    return created;
  };

  beforeAll(async () => {
    if (!existsSync(`${ROOT}packages/cli/dist/main.js`)) throw new Error('packages/cli/dist is missing: build first (npx tsc -b)');
    cluster = await natsStart(3);
  });

  afterAll(async () => {
    await stopAll(cluster, groups);
  });

  it('gives the same fault accounting as the embedded run, with five service processes each on a different node', async () => {
    const urls = cluster?.urls ?? [];
    const processes = group();
    try {
      for (const kind of SERVICE_KINDS) processes.start(`serve ${kind}`, process.execPath, [BIN, ...serviceCommand(kind, urls, BOUNDED, 'bounded')]);
      // Every process is given every node, its own first: the first of each list is where it connects.
      const lists = processes.children.map((child) => (child.process.spawnargs[child.process.spawnargs.indexOf('--nats') + 1] ?? '').split(','));
      expect(lists.every((list) => [...list].sort().join(',') === [...urls].sort().join(','))).toBe(true);
      expect(new Set(lists.map((list) => list[0])).size).toBe(3);
      const outcome = await runnerRun(processes, runnerArguments(BOUNDED, nodesFrom(RUNNER_NODE, urls), 'bounded'));
      expect(outcome.report, outcome.output).not.toBeNull();
      const distributed = outcome.report as Report;
      const embedded = run(topologyOf(BOUNDED));
      expect(distributed.transport).toBe('nats');
      expect(distributed.faults.raised).toBeGreaterThan(1000);
      expect(accounting(distributed)).toEqual(accounting(embedded));
      expect(distributed.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
      expect(distributed.distributed?.processes).toBe(5);
      expect(distributed.distributed?.bus.dropped).toBe(0);
      // Where the time went, hop by hop, and what each actor sent and received, as an embedded report has them.
      // A shortfall here is trace the coordinator never heard: the message names what the run counted of its bus and its watermark.
      expect(distributed.load.hopsNs.handler.count, `distributed: ${JSON.stringify(distributed.distributed)}; per space (groups, handler hops): ${JSON.stringify(distributed.load.perIoasid.map((space) => [space.ioasid, space.latencyNs.count, space.hopsNs?.handler.count]))}`).toBe(distributed.faults.responded);
      expect(distributed.load.hopsNs.managerToHandler.count).toBeGreaterThan(0);
      expect(distributed.messages.perActor.map((row) => row.actor).sort()).toEqual(['device', 'ioasid-manager', 'iommu', 'vdpa', 'vfio']);
      const mgrFaults = (actor: string) => distributed.messages.perActor.find((row) => row.actor === actor)?.bySubjectKind['mgrFaults'];
      expect(mgrFaults('iommu')?.sent).toBeGreaterThan(0);
      expect(mgrFaults('ioasid-manager')?.received).toBe(mgrFaults('iommu')?.sent);
      expect(outcome.code).toBe(0);
      await processes.stop();
      const services = processes.children.filter((child) => child.name.startsWith('serve'));
      expect(services.map((child) => `${child.name}: ${String(child.exitCode)}`)).toEqual(services.map((child) => `${child.name}: 0`));
      expect(services.every((child) => child.output.some((line) => line.endsWith('stopping: draining')))).toBe(true);
    } finally {
      await processes.stop();
    }
  });

  it('splits the hosts between two device processes with --shard 0/2 and 1/2, and still accounts for every fault', async () => {
    const urls = cluster?.urls ?? [];
    const processes = group();
    try {
      const others = SERVICE_KINDS.filter((kind) => kind !== 'device');
      others.forEach((kind, index) => {
        processes.start(`serve ${kind}`, process.execPath, [BIN, ...serveArguments(kind, [urls[index % 3] as string], TWO_HOSTS, 'sharded')]);
      });
      for (const index of [0, 1]) {
        const shard = { index, count: 2 };
        processes.start(`serve device ${index}/2`, process.execPath, [BIN, ...serveArguments('device', [urls[index + 1] as string], TWO_HOSTS, 'sharded', shard)]);
      }
      const folder = mkdtempSync(join(tmpdir(), 'ioasim-trace-'));
      const tracePath = join(folder, 'sharded.jsonl');
      const perfettoPath = join(folder, 'sharded.perfetto.json');
      const outcome = await runnerRun(processes, [...runnerArguments(TWO_HOSTS, [urls[2] as string], 'sharded'), '--verbose', '--trace', tracePath, '--perfetto', perfettoPath]);
      expect(outcome.report, outcome.output).not.toBeNull();
      const pid = (name: string): string => String(processes.children.find((child) => child.name === name)?.process.pid);
      expect(outcome.log).toContain(`[run] ready: device 0/2 (pid ${pid('serve device 0/2')}, hosts h0)`);
      expect(outcome.log).toContain(`[run] ready: device 1/2 (pid ${pid('serve device 1/2')}, hosts h1)`);
      const distributed = outcome.report as Report;
      expect(distributed.perDevice.map((device) => `${device.host}/${device.device}`)).toEqual(['h0/nic0', 'h0/vnet0', 'h1/nic0', 'h1/vnet0']);
      expect(distributed.perDevice.every((device) => device.accessesIssued > 0)).toBe(true);
      expect(accounting(distributed)).toEqual(accounting(run(topologyOf(TWO_HOSTS))));
      expect(distributed.distributed?.processes).toBe(6);
      // --trace holds the trace the coordinator checked, from every process of both shards.
      const traced = readFileSync(tracePath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; host: string });
      expect(traced.filter((event) => event.kind === 'groupRaised').length).toBe(distributed.faults.raised);
      expect(traced.filter((event) => event.kind === 'groupCompleted').length).toBe(distributed.faults.responded + distributed.faults.autoResponded);
      expect(new Set(traced.map((event) => event.host))).toEqual(new Set(['h0', 'h1']));
      // --perfetto: a wall-clock timeline, whole on every track, a device slice per group that ended.
      const timeline = JSON.parse(readFileSync(perfettoPath, 'utf8')) as { otherData: Record<string, unknown>; traceEvents: TraceRecord[] };
      expect(timeline.otherData['time']).toBe('wall');
      expect(timeline.traceEvents.filter((event) => event.ph === 's').length).toBe(distributed.faults.responded + distributed.faults.autoResponded + distributed.faults.abandoned);
      expect(overlapsFind(timeline.traceEvents)).toEqual([]);
      expect(flowsUnbound(timeline.traceEvents)).toEqual([]);
    } finally {
      await processes.stop();
    }
  });

  it('waits for the accesses the devices hold, not only for a quiet trace: an iommu process stopped for 1.5 s at the start loses nothing', async () => {
    const urls = cluster?.urls ?? [];
    const processes = group();
    try {
      for (const kind of SERVICE_KINDS) processes.start(`serve ${kind}`, process.execPath, [BIN, ...serviceCommand(kind, urls, BOUNDED, 'stalled')]);
      const iommu = processes.children.find((child) => child.name === 'serve iommu');
      let resumed: Promise<void> | null = null;
      const outcome = await runnerRun(processes, [...runnerArguments(BOUNDED, [urls[RUNNER_NODE] as string], 'stalled'), '--verbose'], (line) => {
        if (resumed !== null || !line.startsWith('[run] started')) return;
        // Every access is issued within milliseconds and waits for its translation; no group is raised while the iommu sleeps.
        iommu?.process.kill('SIGSTOP');
        resumed = new Promise((resolve) => setTimeout(resolve, 1_500)).then(() => void iommu?.process.kill('SIGCONT'));
      });
      expect(resumed).not.toBeNull();
      expect(outcome.report, outcome.output).not.toBeNull();
      const distributed = outcome.report as Report;
      const embedded = run(topologyOf(BOUNDED));
      expect(accounting(distributed)).toEqual(accounting(embedded));
      expect(distributed.perDevice.map((device) => device.accessesCompleted)).toEqual(embedded.perDevice.map((device) => device.accessesCompleted));
      // A shortfall here is trace the coordinator never heard: the message names what the run counted of its bus and its watermark.
      expect(distributed.load.hopsNs.handler.count, `distributed: ${JSON.stringify(distributed.distributed)}; per space (groups, handler hops): ${JSON.stringify(distributed.load.perIoasid.map((space) => [space.ioasid, space.latencyNs.count, space.hopsNs?.handler.count]))}`).toBe(distributed.faults.responded);
      expect(outcome.code).toBe(0);
    } finally {
      processes.children.find((child) => child.name === 'serve iommu')?.process.kill('SIGCONT');
      await processes.stop();
    }
  });

  it('gives up at once, naming it, when a service process dies during the run', async () => {
    const urls = cluster?.urls ?? [];
    const processes = group();
    try {
      for (const kind of SERVICE_KINDS) processes.start(`serve ${kind}`, process.execPath, [BIN, ...serviceCommand(kind, urls, 'examples/single-host.yaml', 'dying')]);
      const iommu = processes.children.find((child) => child.name === 'serve iommu');
      const outcome = coordinate({
        topology: topologyOf('examples/single-host.yaml'),
        servers: [urls[RUNNER_NODE] as string],
        run: 'dying',
        seed: 1,
        time: 'skip',
        log: (line) => {
          if (line.startsWith('started')) iommu?.process.kill('SIGKILL');
        },
        failure: () => {
          const exited = processes.children.find((child) => child.exitCode !== undefined);
          return exited === undefined ? null : `${exited.name} exited`;
        },
      });
      await expect(outcome).rejects.toThrow(CoordinationError);
      await expect(outcome).rejects.toThrow('serve iommu exited');
    } finally {
      await processes.stop();
    }
  });

  it('exits 2 naming every missing service when the processes never announce themselves', async () => {
    const processes = group();
    try {
      const outcome = await runnerRun(processes, [...runnerArguments(BOUNDED, [cluster?.urls[1] as string], 'nobody'), '--ready-timeout', '1s']);
      expect(outcome.code).toBe(2);
      expect(outcome.log.join('\n')).toContain('missing: device for host(s) h0; iommu for host(s) h0; ioasid-manager for host(s) h0; vfio for host(s) h0; vdpa for host(s) h0');
    } finally {
      await processes.stop();
    }
  });
});
