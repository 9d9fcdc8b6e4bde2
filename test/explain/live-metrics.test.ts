/**
 * Goal: `ioasim run --metrics-port <p>` serves the run's metrics in
 * Prometheus text format while the run goes on, and running in slices for it
 * (runLive) changes nothing in the report.
 */
import { cliMain } from '@ioasim/cli';
import { LIVE_METRIC_NAMES, LiveMetrics, reportDeterministicJson, run, runLive, topologyLoad, type Topology } from '@ioasim/sim';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scrapeDuringRun, scraperIo } from './prometheus.js';

const noisyPath = fileURLToPath(new URL('../../examples/noisy-neighbour.yaml', import.meta.url));

function example(name: string): Topology {
  const loaded = topologyLoad(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  return loaded.topology;
}

describe('live metrics (--metrics-port)', () => {
  it('runLive, in slices that yield to the event loop, gives the report run gives', async () => {
    const topology = example('response-timeout.yaml');
    let yields = 0;
    const ticker = setInterval(() => yields++, 0);
    const live = await runLive(topology, { sliceMs: 0.05 });
    clearInterval(ticker);
    expect(yields).toBeGreaterThan(0);
    expect(reportDeterministicJson(live)).toBe(reportDeterministicJson(run(topology)));
  });

  it('serves Prometheus text while the run goes on, with faults, latency buckets, queue depths, pending groups and bus drops', async () => {
    const scraper = scraperIo();
    const code = await cliMain(['run', noisyPath, '--metrics-port', '0', '--json'], scraper.io);
    await scraper.done();
    expect(code).toBe(0);
    expect(scraper.errors[0]).toMatch(/^ioasim: live metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const during = scrapeDuringRun(scraper.scrapes);
    expect(during, `no scrape caught the run in progress among ${scraper.scrapes.length}`).toBeDefined();
    if (during === undefined) return;
    for (const name of LIVE_METRIC_NAMES) expect([...during.types.keys()]).toContain(name);
    expect(during.types.get('ioasim_fault_latency_seconds')).toBe('histogram');
    const buckets = during.samples.filter((sample) => sample.name === 'ioasim_fault_latency_seconds_bucket').map((sample) => sample.value);
    expect(buckets.length).toBeGreaterThan(2);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    expect(during.samples.find((sample) => sample.name === 'ioasim_fault_latency_seconds_count')?.value).toBe(buckets[buckets.length - 1]);
    expect(during.samples.some((sample) => sample.name === 'ioasim_pri_queue_depth' && sample.labels['host'] === 'h0')).toBe(true);
    expect(during.samples.some((sample) => sample.name === 'ioasim_pending_groups' && sample.labels['host'] === 'h0')).toBe(true);
    expect(during.samples.some((sample) => sample.name === 'ioasim_bus_dropped_total')).toBe(true);
  });

  it('counts the accesses a device abandoned with their translation request', () => {
    const metrics = new LiveMetrics(() => 0);
    for (const accesses of [2, 1]) {
      metrics.observe({ kind: 'accessAbandoned', t: 4_000_000, host: 'h0', device: 'nic0', pasid: null, page: 3, accesses, requests: 4, waitedNs: 4_000_000 });
    }
    expect(metrics.render()).toMatch(/^ioasim_accesses_abandoned_total 3$/m);
  });
});
