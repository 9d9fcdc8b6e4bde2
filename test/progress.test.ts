/**
 * Goal: progress is visible on a terminal and invisible elsewhere, and never
 * changes a run. The runner reports simulated progress between chunks of
 * scheduler events; the cli draws a bar on standard error only on a
 * terminal, only after a second, and never with --json or when piped.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { reportDeterministicJson, run, topologyLoad, type RunProgress } from '@ioasim/sim';
import { describe, expect, it, vi } from 'vitest';

const small = new URL('./fixtures/sweep-small.yaml', import.meta.url).pathname;

/** The small fixture with 12,000 accesses: long enough for several progress reports. */
function loaded() {
  const result = topologyLoad(small);
  if (!result.ok) throw new Error('fixture does not load');
  const topology = result.topology;
  const host = topology.hosts[0];
  const workload = host?.workloads[0];
  if (host === undefined || workload === undefined) throw new Error('fixture has no workload');
  return { ...topology, hosts: [{ ...host, workloads: [{ ...workload, count: 12_000 }] }] };
}

describe('run progress', () => {
  it('reports growing simulated time and changes nothing in the report', () => {
    const topology = loaded();
    const seen: RunProgress[] = [];
    const watched = run(topology, { onProgress: (progress) => seen.push(progress) });
    const plain = run(topology);
    expect(reportDeterministicJson(watched)).toBe(reportDeterministicJson(plain));
    expect(seen.length).toBeGreaterThan(2);
    for (let index = 1; index < seen.length; index++) {
      expect((seen[index] as RunProgress).simulatedNs).toBeGreaterThanOrEqual((seen[index - 1] as RunProgress).simulatedNs);
    }
    // 12,000 accesses at 10k/s: the workload is expected to take 1.2 s.
    expect(seen[0]?.expectedNs).toBe(1_200_000_000);
  });

  it('does not draw 100% from the first frame of a fleet whose expected end passes before its answers come', async () => {
    const fleet = new URL('../examples/fleet-1000.yaml', import.meta.url).pathname;
    const drawn: string[] = [];
    const io: Io = { out: () => {}, error: () => {}, tty: false, progress: { write: (text) => drawn.push(text), tty: true } };
    // A clock that moves a second at each look, so that the bar draws at every progress report.
    let nowMs = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (nowMs += 1_000));
    try {
      expect(await cliMain(['run', fleet], io)).toBe(0);
    } finally {
      clock.mockRestore();
    }
    const percents = drawn.flatMap((frame) => /\] +(\d+)%/.exec(frame)?.[1] ?? []).map(Number);
    expect(percents.length).toBeGreaterThan(0);
    expect(percents[0]).toBeLessThan(100);
  });

  it('draws nothing when standard error is not a terminal, or with --json on a terminal', async () => {
    for (const [tty, json] of [[false, false], [true, true]] as const) {
      const drawn: string[] = [];
      const io: Io = { out: () => {}, error: () => {}, tty: false, progress: { write: (text) => drawn.push(text), tty } };
      const code = await cliMain(['run', small, ...(json ? ['--json'] : [])], io);
      expect(code).toBe(0);
      expect(drawn).toEqual([]);
    }
  });
});
