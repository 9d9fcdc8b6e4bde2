/**
 * Chaos on the wire, with real nats-server and `ioasim serve` processes:
 * `ioasim run --transport nats --spawn` applies the topology's chaos rules
 * (drops, duplicates, reorders, a manager crash) between the services and
 * NATS, under the at-least-once layer, and reports what they did with every
 * invariant holding; a `nats-kill` rule kills node 0 of the three-node
 * cluster the run started (the coordinator's own node) and restarts it,
 * and nothing is lost; `ioasim chaos --transport nats --spawn` gives the
 * embedded campaign's verdicts over serve processes re-armed seed after
 * seed. A nats-kill rule where the run starts no NATS server is refused.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run, topologyLoad, type Topology } from '@ioasim/sim';
import { ProcessGroup, ioasimRun, natsSkipped, stopAll } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHAOS = `${ROOT}examples/chaos.yaml`;
const NATS_KILL = `${ROOT}test/nats/fixtures/nats-kill.yaml`;
const SMALL = `${ROOT}test/nats/fixtures/small.yaml`;
/** A run of a few seconds, after five processes start on a loaded machine. */
const RUN_TIMEOUT_MS = 90_000;

function topologyOf(path: string): Topology {
  const loaded = topologyLoad(path);
  if (!loaded.ok) throw new Error(`${path} does not load`);
  return loaded.topology;
}

describe.skipIf(natsSkipped('chaos on the wire'))('chaos on the wire', () => {
  const processes = new ProcessGroup();

  afterAll(async () => {
    await stopAll(null, [processes]);
  });

  it('applies the topology chaos rules over NATS and reports them, every invariant holding', { timeout: RUN_TIMEOUT_MS }, async () => {
    const outcome = await ioasimRun(processes, ['run', CHAOS, '--transport', 'nats', '--spawn', '--json'], undefined, RUN_TIMEOUT_MS);
    expect(outcome.code, outcome.stderr).toBe(0);
    const report = outcome.report;
    if (report === null) throw new Error(`no report: ${outcome.stderr}`);
    expect(report.transport).toBe('nats');
    const { actions, rules, delivery, idleRules } = report.chaos;
    expect({ rules, delivery, idleRules }).toEqual({ rules: 6, delivery: 'at-least-once', idleRules: [] });
    expect(actions.drop + actions.duplicate + actions.reorder, JSON.stringify(actions)).toBeGreaterThan(0);
    expect({ crash: actions.crash, restart: actions.restart, heal: actions.heal }).toEqual({ crash: 1, restart: 1, heal: 1 });
    expect(report.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
    const { faults, accesses } = report;
    expect(faults.abandoned).toBe(0);
    expect(faults.responded + faults.autoResponded).toBe(faults.raised);
    expect(accesses.completed + accesses.failed).toBe(accesses.issued);
    expect(accesses.issued).toBe(run(topologyOf(CHAOS)).accesses.issued);
  });

  it('kills and restarts a NATS node the run started, and the at-least-once layer loses nothing', { timeout: RUN_TIMEOUT_MS }, async () => {
    const outcome = await ioasimRun(processes, ['run', NATS_KILL, '--transport', 'nats', '--spawn', '--nats-nodes', '3', '--verbose', '--json'], undefined, RUN_TIMEOUT_MS);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toContain('[run] chaos[0]: killed NATS node 0');
    expect(outcome.stderr).toContain('[run] chaos[0]: restarted NATS node 0');
    expect(outcome.stderr).toMatch(/\[run\] coordinator: reconnected to /);
    const report = outcome.report;
    if (report === null) throw new Error(`no report: ${outcome.stderr}`);
    expect(report.chaos.actions).toMatchObject({ crash: 1, restart: 1 });
    expect(report.chaos.idleRules).toEqual([]);
    const { faults, accesses } = report;
    expect(faults.raised).toBeGreaterThan(1000);
    expect(faults.abandoned).toBe(0);
    expect(faults.delivered).toBe(faults.raised);
    expect(faults.responded + faults.autoResponded).toBe(faults.raised);
    expect(report.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
    const embedded = run({ ...topologyOf(NATS_KILL), chaos: [] });
    expect({ issued: accesses.issued, completed: accesses.completed, failed: accesses.failed }).toEqual({
      issued: embedded.accesses.issued,
      completed: embedded.accesses.completed,
      failed: embedded.accesses.failed,
    });
  });

  it('runs a chaos campaign over spawned serve processes with the verdicts of the embedded campaign', { timeout: 2 * RUN_TIMEOUT_MS }, async () => {
    const campaign = ['chaos', SMALL, '--seeds', '1..2', '--chaos', '{ match: "*.mgr.resp", drop: 1 }', '--delivery', 'at-most-once', '--json'];
    const embedded = await ioasimRun(processes, campaign);
    const onNats = await ioasimRun(processes, [...campaign, '--transport', 'nats', '--spawn'], undefined, 2 * RUN_TIMEOUT_MS);
    expect(onNats.code, onNats.stderr).toBe(embedded.code);
    // One JSON line per seed as it finishes, then the campaign report.
    const lines = (outcome: typeof embedded): Record<string, unknown>[] =>
      outcome.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = (outcome: typeof embedded): unknown => {
      const { seeds, passed, safety, liveness } = (lines(outcome).at(-1) as { summary: Record<string, number> }).summary;
      return { seeds, passed, safety, liveness };
    };
    expect(summary(onNats)).toEqual(summary(embedded));
    expect(summary(onNats)).toEqual({ seeds: 2, passed: 2, safety: 0, liveness: 0 });
    expect(lines(onNats).slice(0, -1).map((line) => [line['seed'], line['verdict']])).toEqual([
      [1, 'pass'],
      [2, 'pass'],
    ]);
  });
});

describe('a nats-kill rule needs NATS servers the run starts itself', () => {
  const processes = new ProcessGroup();

  afterAll(async () => {
    await processes.stop();
  });

  it.each([
    ['an embedded run', ['run', NATS_KILL]],
    ['a distributed run on servers it was given', ['run', NATS_KILL, '--transport', 'nats', '--nats', 'nats://127.0.0.1:4222']],
    ['an embedded campaign', ['chaos', NATS_KILL, '--seeds', '1']],
  ])('is refused in %s, with the command that runs it', async (_, args) => {
    const outcome = await ioasimRun(processes, args);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(
      `${NATS_KILL}: chaos[0]: nats-kill kills a NATS server the run started itself, and this run starts none; ` +
        'run it distributed with the servers spawned: ioasim run <file> --transport nats --spawn --nats-nodes 3\n',
    );
  });

  it('is refused when it names a node past the cluster the run starts', async () => {
    const rule = '{ nats-kill: 2, at: "1s", restartAfter: "1s" }';
    const outcome = await ioasimRun(processes, ['chaos', NATS_KILL, '--seeds', '1', '--transport', 'nats', '--spawn', '--nats-nodes', '2', '--chaos', rule]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(`--chaos '${rule}': chaos[1]: nats-kill names node 2, but the run starts 2 (nodes 0 to 1)\n`);
  });
});
