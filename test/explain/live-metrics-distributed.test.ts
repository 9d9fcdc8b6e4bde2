/**
 * Goal: `ioasim run --transport nats --metrics-listen <addr:port>` serves the
 * same live metrics as an embedded run, from the coordinator's trace stream,
 * while the service processes run the topology over a real NATS server:
 * every series labelled with the run id, wall-clock latency buckets up to
 * 20 s, text `promtool check metrics` accepts, and with --metrics-linger the
 * final state, equal to the report, still scrapeable after the report.
 */
import { LIVE_METRIC_NAMES } from '@ioasim/sim';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { natsSkipped } from '../nats/harness.js';
import { exposition, promtoolCheck, scrapeDuringRun, scrapeTextDuringRun, scraperIo } from './prometheus.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}packages/cli/bin/ioasim.js`;

describe.skipIf(natsSkipped('distributed live metrics'))('live metrics of a distributed run (--transport nats --metrics-port)', () => {
  it('serves Prometheus text from the coordinator while the service processes run', async () => {
    if (!existsSync(`${ROOT}packages/cli/dist/main.js`)) throw new Error('packages/cli/dist is missing: build first (npx tsc -b)');
    const scraper = scraperIo();
    const runner = spawn(
      process.execPath,
      [BIN, 'run', `${ROOT}examples/single-host-bounded.yaml`, '--transport', 'nats', '--spawn', '--run', 'm1', '--metrics-listen', '127.0.0.1:0', '--metrics-linger', '1s', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    runner.stdout.setEncoding('utf8');
    runner.stdout.on('data', (chunk: string) => (stdout += chunk));
    let errorText = '';
    runner.stderr.setEncoding('utf8');
    runner.stderr.on('data', (chunk: string) => {
      errorText += chunk;
      const lines = errorText.split('\n');
      errorText = lines.pop() ?? '';
      for (const line of lines) scraper.io.error(line);
    });
    const code = await new Promise<number | null>((resolve) => runner.on('exit', (exitCode) => resolve(exitCode)));
    await scraper.done();
    expect(code).toBe(0);
    const during = scrapeDuringRun(scraper.scrapes);
    expect(during, `no scrape caught the run in progress among ${scraper.scrapes.length}: ${scraper.errors.join('\n')}`).toBeDefined();
    for (const name of LIVE_METRIC_NAMES) expect([...(during?.types.keys() ?? [])]).toContain(name);
    // Trace events reach the coordinator in bursts: the first scrapes of the run may precede the first routed group.
    const pendingSeen = scraper.scrapes
      .map(exposition)
      .some(({ samples }) =>
        samples.some((sample) => sample.name === 'ioasim_run_finished' && sample.value === 0) &&
        samples.some((sample) => sample.name === 'ioasim_pending_groups' && sample.labels['host'] === 'h0'));
    expect(pendingSeen, `no scrape during the run showed ioasim_pending_groups{host="h0"} among ${scraper.scrapes.length}`).toBe(true);
    for (const sample of during?.samples ?? []) expect(sample.labels['run'], sample.name).toBe('m1');
    const bounds = (during?.samples ?? []).filter((sample) => sample.name === 'ioasim_fault_latency_seconds_bucket').map((sample) => sample.labels['le']);
    expect(bounds.slice(-2)).toEqual(['20', '+Inf']);
    expect(promtoolCheck(scrapeTextDuringRun(scraper.scrapes) as string) ?? []).toEqual([]);
    // Lingering: the last scrape is of the finished run, after the report, and says what the report says.
    const last = scraper.scrapes[scraper.scrapes.length - 1] as string;
    expect(last).toMatch(/^ioasim_run_finished\{run="m1"\} 1$/m);
    const report = JSON.parse(stdout) as { faults: { raised: number } };
    expect(exposition(last).samples.find((sample) => sample.name === 'ioasim_fault_groups_raised_total')?.value).toBe(report.faults.raised);
    expect(promtoolCheck(last) ?? []).toEqual([]);
  });
});
