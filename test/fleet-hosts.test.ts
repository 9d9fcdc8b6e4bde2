/**
 * Goal: a fleet's hosts are made on first use. A host costs nothing but its
 * workloads' arrival streams until its first arrival, and a run gives the
 * same report whether its hosts were made at start or on first use.
 */
import { readFileSync } from 'node:fs';
import { reportDeterministicJson, run, runStart, topologyParse, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

/** bench/scale-host.yaml's host of ten devices, `hosts` times, each device making `count` accesses at `rate`. */
function fleet(hosts: number, rate: string, count: number): Topology {
  const text = readFileSync(new URL('../bench/scale-host.yaml', import.meta.url), 'utf8')
    .replace(/count: 4,/g, `count: ${count},`)
    .replace(/rate: "100k\/s"/g, `rate: "${rate}"`)
    .replace(/template: h0, count: 1 /, `template: h0, count: ${hosts} `);
  const loaded = topologyParse(text, 'fleet');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors[0]));
  return loaded.topology;
}

describe('fleet hosts', () => {
  it('makes no host before its first workload arrival, and only the hosts reached by a cut-off', () => {
    // 200 hosts of ten devices, each device's first access about 1 ms away on average.
    const started = runStart(fleet(200, '1k/s', 1), { untilNs: 20_000 });
    expect(started.hostsMade()).toBe(0);
    started.scheduler.run({ untilNs: 20_000 });
    const made = started.hostsMade();
    // P(a host of ten has an arrival in the first 20 us) = 1 - e^-0.2: about 36 of 200.
    expect(made).toBeGreaterThan(10);
    expect(made).toBeLessThan(100);
    const report = started.finish();
    // Every host has its rows in the report, reached or not.
    expect(report.perDevice).toHaveLength(2000);
    expect(report.perDevice.every((device) => device.state === 'active')).toBe(true);
  });

  it('gives the same report as a run whose probe made every host at start, for hosts reached or not', () => {
    const cases: [Topology, number | undefined][] = [
      [fleet(30, '100k/s', 2), undefined],
      // Cut at 20 us: most hosts are never reached, and report as idle hosts without being made.
      [fleet(50, '1k/s', 1), 20_000],
    ];
    for (const [topology, untilNs] of cases) {
      const options = { seed: 3, ...(untilNs === undefined ? {} : { untilNs }) };
      const lazy = run(topology, options);
      const eager = run(topology, {
        ...options,
        onStart: (simulation) => {
          // Reading the services makes every host now.
          expect(simulation.services).toHaveLength(topology.hosts.length);
        },
      });
      expect(reportDeterministicJson(lazy)).toBe(reportDeterministicJson(eager));
    }
  });
});
