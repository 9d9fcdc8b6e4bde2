/**
 * Goal: a run can be settled (final metrics collected, final check run)
 * without building its report, as a chaos campaign does for each seed, and
 * a report built after that is the report of a run finished at once.
 */
import { reportDeterministicJson, run, runStart, topologyLoad } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

describe('settling a run', () => {
  it('checks without a report, and the report built after it is the plain run\'s', () => {
    const loaded = topologyLoad(new URL('../examples/chaos.yaml', import.meta.url).pathname);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    let checks = 0;
    const started = runStart(loaded.topology, { seed: 2, onFinish: () => checks++ });
    started.scheduler.run();
    const settled = started.settle();
    expect(checks).toBe(1);
    // Settling twice, or finishing after it, checks no second time.
    expect(started.settle()).toEqual(settled);
    const report = started.finish();
    expect(checks).toBe(1);
    expect(settled.simulatedNs).toBe(report.simulatedNs);
    expect(settled.idleRules).toEqual(report.chaos.idleRules);
    expect(reportDeterministicJson(report)).toBe(reportDeterministicJson(run(loaded.topology, { seed: 2 })));
  });
});
