/**
 * Goal (issue 21): on a live run (real nats-server, a real serve process and
 * coordinator), a client on the same server throws random and mutated
 * frames at every subject of the run for as long as it lasts. Every one is
 * refused where it arrives, counted and traced; no actor stops; the run ends
 * well, with every fault group answered and the accounting of an
 * undisturbed run.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '@ioasim/bus/nats';
import { controlSubjects, frameDecode, frameEncode, hostSubjects, metricsSubject, traceSubject, type FrameTypeName, type RunControl } from '@ioasim/protocol';
import type { NatsServers } from '@ioasim/sim/distributed';
import type { Report } from '@ioasim/sim';
import { frameBad, randomOf } from '../chaos/frame-fuzz.js';
import { ProcessGroup, ioasimRun, natsSkipped, natsStart, stopAll, IOASIM_BIN, type CommandOutcome } from './harness.js';

const SMALL = fileURLToPath(new URL('./fixtures/small.yaml', import.meta.url));
/** Bad frames thrown at the run, at most. */
const FRAMES_MAX = 30_000;

/** Every subject of the small fixture's run, with the frame type its receivers expect. */
function subjectsOf(run: string): readonly (readonly [string, FrameTypeName])[] {
  const subjects = hostSubjects(run, 'h0');
  const control = controlSubjects(run);
  return [
    [subjects.iommuAts('smmu0'), 'translationRequest'],
    [subjects.iommuPri('smmu0'), 'pageRequest'],
    [subjects.iommuCmd('smmu0'), 'iommuCommand'],
    [subjects.mgrFaults(), 'faultRecord'],
    [subjects.mgrCtl(), 'controlRequest'],
    [subjects.mgrResp(), 'pageResponse'],
    [subjects.ioasidFaults('gpa'), 'faultGroup'],
    [subjects.ownerEvents('vm0'), 'unrecoverableFault'],
    [subjects.devAts('nic0'), 'translationCompletion'],
    [subjects.devPrgr('nic0'), 'prgResponse'],
    [subjects.devInv('nic0'), 'atcInvalidation'],
    [traceSubject(run, 'h0'), 'trace'],
    [metricsSubject(run, 'h0'), 'metrics'],
    [control.announce(), 'runControl'],
    [control.command(), 'runControl'],
  ];
}

describe.skipIf(natsSkipped('frame fuzz on a live run'))('frame fuzz on a live run', () => {
  let nats: NatsServers | null = null;
  const groups: ProcessGroup[] = [];
  const url = (): string => nats?.urls[0] ?? '';

  beforeAll(async () => {
    nats = await natsStart(1);
  });

  afterAll(async () => {
    await stopAll(nats, groups);
  });

  const liveRun = (run: string): Promise<CommandOutcome> => {
    const processes = new ProcessGroup();
    groups.push(processes);
    processes.start(`serve all ${run}`, process.execPath, [IOASIM_BIN, 'serve', 'all', '--nats', url(), '--topology', SMALL, '--run', run]);
    return ioasimRun(processes, ['run', SMALL, '--transport', 'nats', '--nats', url(), '--run', run, '--json', '--ready-timeout', '20s']);
  };

  it('refuses every bad frame on every subject: the run ends well, no actor stops, the accounting is exact', async () => {
    const undisturbed = await liveRun('calm');
    expect(undisturbed.code, undisturbed.stderr).toBe(0);

    const fuzzer = await NatsBus.connect({ servers: [url()], name: 'fuzzer' });
    const random = randomOf(21);
    const subjects = subjectsOf('fuzzed');
    let thrown = 0;
    let running = true;
    const throwing = (async () => {
      while (running && thrown < FRAMES_MAX) {
        for (const [subject, type] of subjects) {
          fuzzer.publish(subject, frameBad(random, type).bytes);
          thrown++;
        }
        await fuzzer.flush();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const fuzzed = await liveRun('fuzzed');
    running = false;
    await throwing;
    await fuzzer.close();

    expect(fuzzed.code, fuzzed.stderr).toBe(0);
    const report = fuzzed.report as Report;
    const calm = undisturbed.report as Report;
    expect(thrown).toBeGreaterThan(subjects.length * 10);
    expect(report.invariants.filter((invariant) => invariant.violations > 0)).toEqual([]);
    const accounting = (faults: Report['faults']) => ({
      raised: faults.raised,
      responded: faults.responded,
      autoResponded: faults.autoResponded,
      abandoned: faults.abandoned,
      success: faults.success,
      invalid: faults.invalid,
      failure: faults.failure,
    });
    expect(accounting(report.faults)).toEqual(accounting(calm.faults));
    expect(report.perDevice.map((device) => device.state)).toEqual(calm.perDevice.map((device) => device.state));
    expect(report.accesses.issued).toBe(calm.accesses.issued);
    expect(report.accesses.completed).toBe(calm.accesses.completed);
    expect(report.badFrames).toBeGreaterThan(0);
    expect(report.distributed?.bus.handlerErrors).toBe(0);
  }, 120_000);

  it('ends the run with an error naming the process as soon as it says one of its actors stopped, not at a timeout', async () => {
    const listener = await NatsBus.connect({ servers: [url()], name: 'listener' });
    const control = controlSubjects('broken');
    let told = false;
    listener.subscribe(control.announce(), (message) => {
      const decoded = frameDecode(message.data);
      const record = decoded.ok ? (decoded.frame.records[0] as RunControl | undefined) : undefined;
      if (told || record?.kind !== 'prepared') return;
      told = true;
      // What a serve process says when one of its actors stops: the coordinator must not wait for its run timeout.
      const failed: RunControl = { kind: 'failed', service: record.service, shard: record.shard, shards: record.shards, instance: record.instance, errors: ['h0/ioasid-manager: Error: stopped'] };
      listener.publish(control.announce(), frameEncode('runControl', 'test', 1, [failed]));
    });
    await listener.flush();
    const outcome = await liveRun('broken');
    await listener.close();
    expect(told).toBe(true);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/an actor failed in all 0\/1 \(pid \d+\) \(reproduce with --seed 1\): h0\/ioasid-manager: Error: stopped/);
  }, 120_000);
});
