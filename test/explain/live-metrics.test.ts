/**
 * Goal: `ioasim run --metrics-listen <addr:port>` (or `--metrics-port <p>`)
 * serves the run's metrics in Prometheus text format while the run goes on,
 * text `promtool check metrics` accepts, every series labelled with the run;
 * `--metrics-linger` keeps the final state scrapeable after the report; and
 * running in slices for it (runLive) changes nothing in the report.
 */
import { cliMain } from '@ioasim/cli';
import { LIVE_LATENCY_BUCKETS_SECONDS, LIVE_METRIC_NAMES, LiveMetrics, reportDeterministicJson, run, runLive, topologyLoad, type Topology } from '@ioasim/sim';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exposition, promtoolCheck, scrapeDuringRun, scrapeTextDuringRun, scraperIo } from './prometheus.js';

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
    for (const sample of during.samples) expect(sample.labels['run'], sample.name).toBe('embedded');
    for (const [name, type] of during.types) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      expect(name).not.toMatch(/per_second/);
    }
    const text = scrapeTextDuringRun(scraper.scrapes) as string;
    expect(promtoolCheck(text) ?? []).toEqual([]);
  });

  it('--metrics-listen 0.0.0.0:0 --metrics-linger keeps the final state scrapeable after the report, equal to it', async () => {
    const scraper = scraperIo();
    const out: string[] = [];
    const started = Date.now();
    const code = await cliMain(['run', noisyPath, '--metrics-listen', '0.0.0.0:0', '--metrics-linger', '1s', '--json'], { ...scraper.io, out: (text) => out.push(text) });
    await scraper.done();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(scraper.errors[0]).toMatch(/^ioasim: live metrics on http:\/\/0\.0\.0\.0:\d+\/metrics$/);
    expect(scraper.errors).toContainEqual(expect.stringMatching(/^ioasim: the final metrics stay on http:\/\/0\.0\.0\.0:\d+\/metrics for 1 s$/));
    const last = scraper.scrapes[scraper.scrapes.length - 1] as string;
    expect(last).toMatch(/^ioasim_run_finished\{run="embedded"\} 1$/m);
    const report = JSON.parse(out.join('')) as { faults: { raised: number; responded: number } };
    const final = exposition(last).samples;
    const value = (name: string): number | undefined => final.find((sample) => sample.name === name)?.value;
    expect(value('ioasim_fault_groups_raised_total')).toBe(report.faults.raised);
    expect(value('ioasim_fault_latency_seconds_count')).toBe(value('ioasim_fault_groups_completed_total'));
    expect(promtoolCheck(last) ?? []).toEqual([]);
  });

  it('refuses a bad --metrics-listen, both --metrics-listen and --metrics-port, and --metrics-linger alone', async () => {
    for (const argv of [
      ['--metrics-listen', '9464'],
      ['--metrics-listen', '127.0.0.1:70000'],
      ['--metrics-listen', '127.0.0.1:0', '--metrics-port', '0'],
      ['--metrics-linger', '5s'],
      ['--metrics-port', '0', '--metrics-linger', 'soon'],
    ]) {
      const errors: string[] = [];
      const code = await cliMain(['run', noisyPath, ...argv], { out: () => {}, error: (text) => errors.push(text), tty: false });
      expect(code, argv.join(' ')).toBe(2);
      expect(errors.join('\n'), argv.join(' ')).toMatch(/metrics-(listen|port|linger)/);
    }
  });

  it('has latency buckets that fit the clock: 100 ns to 1 s simulated, 10 µs to 20 s on the wall clock, where 1.1 s is not +Inf', () => {
    expect(LIVE_LATENCY_BUCKETS_SECONDS.simulated[0]).toBe(1e-7);
    expect(LIVE_LATENCY_BUCKETS_SECONDS.simulated.at(-1)).toBe(1);
    expect(LIVE_LATENCY_BUCKETS_SECONDS.wall[0]).toBe(1e-5);
    expect(LIVE_LATENCY_BUCKETS_SECONDS.wall.at(-1)).toBe(20);
    const metrics = new LiveMetrics(() => 0, { run: 'r1', clock: 'wall' });
    metrics.observe({ kind: 'groupCompleted', t: 1_200_000_000, host: 'h0', device: 'nic0', pasid: null, group: 0, code: 0, latencyNs: 1_100_000_000 });
    const text = metrics.render();
    expect(text).toMatch(/^ioasim_fault_latency_seconds_bucket\{run="r1",le="1"\} 0$/m);
    expect(text).toMatch(/^ioasim_fault_latency_seconds_bucket\{run="r1",le="2"\} 1$/m);
    expect(text).toMatch(/^# HELP ioasim_fault_latency_seconds Wall-clock latency/m);
  });

  it('counts the accesses a device abandoned with their translation request', () => {
    const metrics = new LiveMetrics(() => 0, { run: 'r1' });
    for (const accesses of [2, 1]) {
      metrics.observe({ kind: 'accessAbandoned', t: 4_000_000, host: 'h0', device: 'nic0', pasid: null, page: 3, accesses, requests: 4, waitedNs: 4_000_000 });
    }
    expect(metrics.render()).toMatch(/^ioasim_accesses_abandoned_total\{run="r1"\} 3$/m);
  });
});
