/**
 * A serve process belongs to one run, against real nats-server and serve
 * processes: it exits after its run (or, with --runs n, is re-armed for the
 * next), and the coordinator refuses (exit 2, naming each process by kind,
 * shard and pid) two processes that serve the same hosts, a process still
 * held by a coordinator that died mid-run, and a process serving a topology
 * of other content under the same name, before any of them builds an actor.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyLoad } from '@ioasim/sim';
import { topologyHash, type NatsServers } from '@ioasim/sim/distributed';
import type { Child } from '@ioasim/sim/distributed';
import { ProcessGroup, ioasimRun, natsSkipped, natsStart, stopAll, type CommandOutcome } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;
const SMALL = `${ROOT}test/nats/fixtures/small.yaml`;


describe.skipIf(natsSkipped('one run per serve process'))('a serve process belongs to one run', () => {
  let nats: NatsServers | null = null;
  const groups: ProcessGroup[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'ioasim-one-run-'));
  const url = (): string => nats?.urls[0] ?? '';

  const group = (): ProcessGroup => {
    const created = new ProcessGroup();
    groups.push(created);
    return created;
  };

  /** Starts `ioasim serve all` in the background; its pid. */
  const serveAll = (processes: ProcessGroup, run: string, topology = SMALL): number => {
    const child = processes.start(`serve all ${processes.children.length}`, process.execPath, [BIN, 'serve', 'all', '--nats', url(), '--topology', topology, '--run', run]);
    return child.process.pid ?? 0;
  };

  const coordinatorArguments = (run: string): string[] => ['run', SMALL, '--transport', 'nats', '--nats', url(), '--run', run, '--json', '--ready-timeout', '20s'];
  const coordinator = (processes: ProcessGroup, run: string): Promise<CommandOutcome> => ioasimRun(processes, coordinatorArguments(run));

  beforeAll(async () => {
    nats = await natsStart(1);
  });

  afterAll(async () => {
    await stopAll(nats, groups);
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses two identical serve all processes, naming both by pid, and neither builds an actor', async () => {
    const processes = group();
    const pids = [serveAll(processes, 'twins'), serveAll(processes, 'twins')];
    const outcome = await coordinator(processes, 'twins');
    expect(outcome.code, outcome.stderr).toBe(2);
    const line = outcome.stderr.split('\n').find((text) => text.startsWith('ioasim: more than one process serves'));
    expect(line, outcome.stderr).toBeDefined();
    for (const pid of pids) expect(line).toContain(`all 0/1 pid ${pid}`);
    expect(line).toContain('device for host h0');
    expect(line).toMatch(/: stop all but one of each$/);
    for (const child of processes.children.filter((candidate) => candidate.name.startsWith('serve'))) {
      expect(child.output.some((text) => text.includes('prepared'))).toBe(false);
    }
  });

  it('a serve process exits after its run by default, and a fresh one serves the next run of the same id', async () => {
    const processes = group();
    serveAll(processes, 'again');
    const earlier = processes.children[0] as Child;
    const first = await coordinator(processes, 'again');
    expect(first.code, first.stderr).toBe(0);
    expect(first.report?.faults.raised).toBeGreaterThan(0);
    expect(await earlier.exited, earlier.output.join('\n')).toBe(0);
    expect(earlier.output.some((line) => line.includes('released after run 1 of 1: exiting'))).toBe(true);
    serveAll(processes, 'again');
    const second = await coordinator(processes, 'again');
    expect(second.code, second.stderr).toBe(0);
    expect(second.report?.accesses.issued).toBe(first.report?.accesses.issued);
  });

  it('with --runs 2 one serve process serves two runs, re-armed between them, then exits', async () => {
    const processes = group();
    const child = processes.start('serve all', process.execPath, [BIN, 'serve', 'all', '--nats', url(), '--topology', SMALL, '--run', 'twice', '--runs', '2']);
    const first = await coordinator(processes, 'twice');
    expect(first.code, first.stderr).toBe(0);
    expect(child.exitCode, child.output.join('\n')).toBeUndefined();
    expect(child.output.some((line) => line.includes('released after run 1 of 2: free for the next run of "twice"'))).toBe(true);
    const second = await coordinator(processes, 'twice');
    expect(second.code, second.stderr).toBe(0);
    expect(second.report?.accesses.issued).toBe(first.report?.accesses.issued);
    expect(second.report?.accesses.completed).toBe(second.report?.accesses.issued);
    expect(await child.exited, child.output.join('\n')).toBe(0);
    expect(child.output.some((line) => line.includes('released after run 2 of 2: exiting'))).toBe(true);
  });

  it('refuses a process whose coordinator died mid-run, even beside a fresh one, and names it', async () => {
    const processes = group();
    let doomed: Child | null = null;
    const earlier = processes.start('serve all earlier', process.execPath, [BIN, 'serve', 'all', '--nats', url(), '--topology', SMALL, '--run', 'orphan'], (line) => {
      if (line.includes('prepared ')) doomed?.process.kill('SIGKILL');
    });
    doomed = processes.start('ioasim run (killed)', process.execPath, [BIN, ...coordinatorArguments('orphan')]);
    expect(await doomed.exited).toBeNull();
    serveAll(processes, 'orphan');
    const second = await coordinator(processes, 'orphan');
    expect(second.code, second.stderr).toBe(2);
    const pid = earlier.process.pid ?? 0;
    expect(second.stderr).toMatch(
      new RegExp(
        `^ioasim: refused 1 serve process\\(es\\) of run "orphan": all 0/1 \\(pid ${pid}\\) belongs to another coordinator of run "orphan" \\([0-9a-f]{12}\\) ` +
          `and still holds that run's actors: a serve process serves one run; stop it \\(kill ${pid}\\) and start a fresh one$`,
        'm',
      ),
    );
    expect(second.report).toBeNull();
  });

  it('refuses a process serving a topology edited under the same name, by the hash of its content', async () => {
    const edited = join(folder, 'small-edited.yaml');
    writeFileSync(edited, readFileSync(SMALL, 'utf8').replace('count: 200', 'count: 201'));
    const processes = group();
    const pid = serveAll(processes, 'edited', edited);
    const outcome = await coordinator(processes, 'edited');
    expect(outcome.code, outcome.stderr).toBe(2);
    const hashOf = (path: string): string => {
      const loaded = topologyLoad(path);
      if (!loaded.ok) throw new Error(`${path} does not load`);
      return topologyHash(loaded.topology).slice(0, 12);
    };
    expect(hashOf(edited)).not.toBe(hashOf(SMALL));
    expect(outcome.stderr).toContain(
      `ioasim: refused 1 serve process(es) of run "edited": all 0/1 (pid ${pid}) serves topology "small" with content sha256 ${hashOf(edited)}, ` +
        `this run "small" sha256 ${hashOf(SMALL)}: start it with the same topology file\n`,
    );
  });
});
