/**
 * Clock skew, against real nats-server and serve processes whose wall
 * clocks are made to read wrong (`ioasim serve --clock-offset`, a test
 * hook): the coordinator measures each process's offset NTP-style before it
 * prepares the run, refuses (exit 2, one line naming the process and its
 * offset) a process past --max-skew, and within the bound subtracts the
 * offset, so that the hop latencies stay those of the transport: without
 * the correction a device 50 ms ahead gave deviceToIommu p50 53.8 ms.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@ioasim/sim';
import { SERVICE_KINDS, clockCorrectionMs, clockSample, type NatsServers } from '@ioasim/sim/distributed';
import { ProcessGroup, ioasimRun, natsSkipped, natsStart, stopAll, type CommandOutcome } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;
const SMALL = `${ROOT}test/nats/fixtures/small.yaml`;
/** Skews far above what a loopback round trip can blur (well under 1 ms). */
const SKEWS: Readonly<Record<string, string>> = { device: '50ms', iommu: '-30ms' };
/**
 * Within the default --max-skew of 1 s, and far above what a loaded machine
 * adds to a hop (a handler hop of 10 ms was seen with eight processes busy
 * on two cores): uncorrected, iommuToManager would be 400 ms more than the
 * transport's and handlerToDevice 600 ms more.
 */
const SKEWS_CORRECTED: Readonly<Record<string, string>> = { device: '600ms', iommu: '-400ms' };

describe('the NTP-style offset of one probe', () => {
  it('is ((t1 - t0) + (t2 - t3)) / 2, with the round trip less the time the process held the probe', () => {
    // The process is 50 ms ahead; 1 ms each way, 0.5 ms inside the process.
    expect(clockSample({ t0Ms: 1000, t1Ms: 1051, t2Ms: 1051.5 }, 1002.5)).toEqual({ offsetMs: 50, roundTripMs: 2 });
    expect(clockSample({ t0Ms: 1000, t1Ms: 971, t2Ms: 971 }, 1002)).toEqual({ offsetMs: -30, roundTripMs: 2 });
  });
});

describe('the correction a process applies', () => {
  it('is its measured offset only when the offset is larger than half the round trip that measured it', () => {
    // A process 50 ms off, measured over a 3 ms round trip: corrected.
    expect(clockCorrectionMs({ offsetMs: 50, roundTripMs: 3 })).toBe(50);
    expect(clockCorrectionMs({ offsetMs: -30, roundTripMs: 2 })).toBe(-30);
    // On one machine a loaded loopback measured 1.18 ms over 3.24 ms: noise, not corrected
    // (correcting it put a distributed run's events out of order and lost 432 of 3,852 handler hops).
    expect(clockCorrectionMs({ offsetMs: 1.18, roundTripMs: 3.24 })).toBe(0);
    expect(clockCorrectionMs(undefined)).toBe(0);
  });
});

describe.skipIf(natsSkipped('clock skew'))('clock skew of serve processes', () => {
  let nats: NatsServers | null = null;
  const groups: ProcessGroup[] = [];
  const url = (): string => nats?.urls[0] ?? '';

  /** The five service kinds, one process each, the device and iommu ones with skewed clocks; their pids by kind. */
  const serveSkewed = (processes: ProcessGroup, run: string, skews = SKEWS): Record<string, number> => {
    const pids: Record<string, number> = {};
    for (const kind of SERVICE_KINDS) {
      const skew = skews[kind];
      const args = [BIN, 'serve', kind, '--nats', url(), '--topology', SMALL, '--run', run, ...(skew === undefined ? [] : ['--clock-offset', skew])];
      pids[kind] = processes.start(`serve ${kind}`, process.execPath, args).process.pid ?? 0;
    }
    return pids;
  };

  const coordinator = (processes: ProcessGroup, run: string, extra: readonly string[]): Promise<CommandOutcome> =>
    ioasimRun(processes, ['run', SMALL, '--transport', 'nats', '--nats', url(), '--run', run, '--json', '--ready-timeout', '20s', ...extra]);

  beforeAll(async () => {
    nats = await natsStart(1);
  });

  afterAll(async () => {
    await stopAll(nats, groups);
  });

  it('refuses, in one line naming each process and its offset, a skew past --max-skew, before any actor is built', async () => {
    const processes = new ProcessGroup();
    groups.push(processes);
    const pids = serveSkewed(processes, 'skewed');
    const outcome = await coordinator(processes, 'skewed', ['--max-skew', '5ms']);
    expect(outcome.code, outcome.stderr).toBe(2);
    const lines = outcome.stderr.split('\n').filter((text) => text.startsWith('ioasim: clock skew'));
    expect(lines, outcome.stderr).toHaveLength(1);
    const line = lines[0] as string;
    expect(line).toMatch(/^ioasim: clock skew above --max-skew 5\.00 ms: .*; synchronize the clocks \(NTP, chrony\) or raise --max-skew$/);
    // Each offset is right to within half the round trip that measured it: a few ms, more on a loaded machine.
    expect(line).toMatch(new RegExp(`device 0/1 \\(pid ${pids['device']}\\) is [45]\\d\\.\\d ms ahead of the coordinator \\(±\\d+\\.\\d+ ms\\)`));
    expect(line).toMatch(new RegExp(`iommu 0/1 \\(pid ${pids['iommu']}\\) is [23]\\d\\.\\d ms behind the coordinator \\(±\\d+\\.\\d+ ms\\)`));
    for (const kind of ['vfio', 'vdpa', 'ioasid-manager']) expect(line).not.toContain(`${kind} 0/1`);
    expect(outcome.report).toBeNull();
    for (const child of processes.children.filter((candidate) => candidate.name.startsWith('serve'))) {
      expect(child.output.some((text) => text.includes('prepared'))).toBe(false);
    }
  });

  it('within the bound, corrects each process by its offset: the hops it crosses stay far below the skews', async () => {
    const processes = new ProcessGroup();
    groups.push(processes);
    serveSkewed(processes, 'corrected', SKEWS_CORRECTED);
    const outcome = await coordinator(processes, 'corrected', []);
    expect(outcome.code, outcome.stderr).toBe(0);
    const report = outcome.report as Report;
    expect(report.faults.raised).toBeGreaterThan(0);
    const offsets = new Map((report.distributed?.clockOffsets ?? []).map((entry) => [entry.process, entry.offsetNs / 1e6]));
    // Right to within half a loopback round trip: under a millisecond idle, a few ms on a loaded machine.
    expect(Math.abs((offsets.get('device 0/1') ?? Infinity) - 600)).toBeLessThan(10);
    expect(Math.abs((offsets.get('iommu 0/1') ?? Infinity) + 400)).toBeLessThan(10);
    expect(Math.abs(offsets.get('vfio 0/1') ?? Infinity)).toBeLessThan(10);
    const hops = report.load.hopsNs;
    // Uncorrected, deviceToIommu would be negative (recorded 0 ns), iommuToManager 400 ms and handlerToDevice 600 ms more.
    expect(hops.deviceToIommu.p50).toBeGreaterThan(0);
    expect(hops.iommuToManager.p50).toBeGreaterThan(0);
    for (const hop of ['deviceToIommu', 'iommuToManager', 'handlerToDevice'] as const) {
      expect(hops[hop].p50, hop).toBeLessThan(200_000_000);
    }
  });
});
