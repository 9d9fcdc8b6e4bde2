/**
 * Goal: progress is visible on a terminal and invisible elsewhere, and never
 * changes a run. The runner reports simulated progress between chunks of
 * scheduler events; the cli draws a bar on standard error only on a
 * terminal, only after a second, and never with --json or when piped.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { reportDeterministicJson, run, topologyLoad, type RunProgress } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

const small = new URL('./fixtures/sweep-small.yaml', import.meta.url).pathname;

/** The small fixture with 6000 accesses: long enough for several progress reports. */
function loaded() {
  const result = topologyLoad(small);
  if (!result.ok) throw new Error('fixture does not load');
  const topology = result.topology;
  const host = topology.hosts[0];
  const workload = host?.workloads[0];
  if (host === undefined || workload === undefined) throw new Error('fixture has no workload');
  return { ...topology, hosts: [{ ...host, workloads: [{ ...workload, count: 6000 }] }] };
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
    // 6000 accesses at 10k/s: the workload is expected to take 600 ms.
    expect(seen[0]?.expectedNs).toBe(600_000_000);
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
