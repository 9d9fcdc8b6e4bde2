/**
 * Goal (issue 21): the checker's memory is bounded by what is in flight, not
 * by the length of the run. A handler that never answers leaves every cookie
 * sent to it unanswered; the checker frees each once its group is abandoned,
 * so the cookies it holds stay as many for a run sixteen times as long.
 */
import { run, topologyLoad, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

function stuckHandler(scale: number): Topology {
  const loaded = topologyLoad(new URL('../examples/stuck-handler.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  const topology = loaded.topology;
  return {
    ...topology,
    hosts: topology.hosts.map((host) => ({ ...host, workloads: host.workloads.map((workload) => ({ ...workload, count: (workload.count ?? 0) * scale })) })),
  };
}

describe('checker memory', () => {
  it('holds as many unanswered cookies at x1, x4 and x16 of the stuck-handler example', () => {
    const peaks = [1, 4, 16].map((scale) => {
      let peak = -1;
      let abandoned = 0;
      run(stuckHandler(scale), {
        onFinish: (checker) => {
          peak = checker.routedPeak;
          abandoned = checker.counts.abandoned;
        },
      });
      return { scale, peak, abandoned };
    });
    // The runs are longer: more groups are abandoned, and the cookies held at once stay as many.
    expect(peaks[2]?.abandoned).toBeGreaterThan(8 * (peaks[0]?.abandoned ?? 0));
    const [first, ...rest] = peaks.map((entry) => entry.peak);
    expect(first).toBeGreaterThan(0);
    for (const peak of rest) expect(peak).toBeLessThanOrEqual((first ?? 0) + 2);
  });
});
