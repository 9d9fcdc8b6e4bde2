/**
 * Goal: `ioasim run --metrics-port <p>` serves the run's metrics in
 * Prometheus text format while the run goes on, and running in slices for it
 * (runLive) changes nothing in the report.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { LIVE_METRIC_NAMES, reportDeterministicJson, run, runLive, topologyLoad, type Topology } from '@ioasim/sim';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const noisyPath = fileURLToPath(new URL('../../examples/noisy-neighbour.yaml', import.meta.url));

function example(name: string): Topology {
  const loaded = topologyLoad(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.errors)}`);
  return loaded.topology;
}

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses Prometheus text exposition format 0.0.4, failing on any line that is not in it. */
function exposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help !== null) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? ([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|Inf|NaN))$/.exec(line);
    expect(sample, `not exposition format: ${line}`).not.toBeNull();
    if (sample === null) continue;
    const name = sample[1] as string;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(name) || types.get(family) === 'histogram', `${name} has no # TYPE before it`).toBe(true);
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1] as string] = match[2] as string;
    samples.push({ name, labels, value: Number((sample[3] as string).replace('Inf', 'Infinity')) });
  }
  return { types, samples };
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
    const scrapes: string[] = [];
    let scraping: Promise<void> | null = null;
    const errors: string[] = [];
    const io: Io = {
      out: () => {},
      error: (text) => {
        errors.push(text);
        const port = /127\.0\.0\.1:(\d+)\/metrics/.exec(text)?.[1];
        if (port === undefined) return;
        scraping = (async () => {
          for (;;) {
            const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
            if (response === null) return;
            expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
            const text = await response.text();
            scrapes.push(text);
            if (text.includes('ioasim_run_finished 1')) return;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
      },
      tty: false,
    };
    const code = await cliMain(['run', noisyPath, '--metrics-port', '0', '--json'], io);
    await scraping;
    expect(code).toBe(0);
    expect(errors[0]).toMatch(/^ioasim: live metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const inProgress = scrapes.map(exposition).filter(({ samples }) => samples.some((sample) => sample.name === 'ioasim_run_finished' && sample.value === 0));
    const during = inProgress.find(({ samples }) => samples.some((sample) => sample.name === 'ioasim_fault_groups_raised_total' && sample.value > 0));
    expect(during, `no scrape caught the run in progress among ${scrapes.length}`).toBeDefined();
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
});
