/**
 * Goal: `ioasim sweep` answers "where is the knee": it runs a topology once
 * per value substituted into the YAML input, in parallel worker processes
 * with the same results as in one process, prints a table of the metric, and
 * writes an HTML chart of it; a bad path or a value the format refuses is a
 * clear error (exit 2).
 */
import { cliMain, type Io } from '@ioasim/cli';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepHtml, type SweepResult } from '@ioasim/sim/sweep';

const small = new URL('./fixtures/sweep-small.yaml', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'ioasim-sweep-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function ioasim(...argv: string[]): Promise<{ code: number; out: string; error: string }> {
  const out: string[] = [];
  const error: string[] = [];
  const io: Io = { out: (text) => out.push(text), error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, out: out.join('\n'), error: error.join('\n') };
}

type Results = { results: { values: string[]; metric: number; faultsRaised: number; violations: number; wallMs: number }[] };

function withoutWall(results: Results): unknown {
  return results.results.map(({ wallMs, ...rest }) => (void wallMs, rest));
}

describe('ioasim sweep', () => {
  const rates = 'hosts[0].workloads[0].rate=20k/s,60k/s,90k/s';

  it('prints one row per value, and the p99 latency rises with the fault rate toward the knee', async () => {
    const htmlFile = join(directory, 'sweep.html');
    const result = await ioasim('sweep', small, '--set', rates, '--jobs', '1', '--report', htmlFile);
    expect(result.error).toBe('');
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/hosts\[0\]\.workloads\[0\]\.rate\s+latency\.p99\s+faults\s+groups\/s\s+p50\s+p99\s+max\s+overflows\s+auto\s+violations/);
    expect(lines.slice(1, -1).map((line) => line.trim().split(/\s+/)[0])).toEqual(['20k/s', '60k/s', '90k/s']);
    expect(lines.at(-1)).toBe(`wrote the HTML sweep report to ${htmlFile}`);
    const json = await ioasim('sweep', small, '--set', rates, '--jobs', '1', '--json');
    const results = (JSON.parse(json.out) as Results).results;
    expect(results.map((point) => point.faultsRaised)).toEqual([1500, 1500, 1500]);
    const p99 = results.map((point) => point.metric);
    // Fixed 10us service: at 20k/s a fault rarely waits, at 90k/s (ρ = 0.9) it waits several services.
    expect(p99[0]).toBeLessThan(30_000);
    expect(p99[1]).toBeGreaterThan(p99[0] as number);
    expect(p99[2]).toBeGreaterThan(2 * (p99[1] as number));
    const html = readFileSync(join(directory, 'sweep.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*class="chart"/);
    expect(html).toMatch(/data-points="3"/);
  });

  it('gives the same results in parallel worker processes as in one process', async () => {
    const grid = ['--set', 'hosts[0].workloads[0].rate=30k/s,80k/s', '--set', 'hosts[0].spaces[0].handler.service=5us,10us'];
    const alone = JSON.parse((await ioasim('sweep', small, ...grid, '--jobs', '1', '--json')).out) as Results;
    const parallel = await ioasim('sweep', small, ...grid, '--jobs', '2', '--json', '--metric', 'load.hopsNs.handler.p99');
    expect(parallel.code).toBe(0);
    const parallelResults = JSON.parse(parallel.out) as Results;
    expect(parallelResults.results.map((point) => point.values)).toEqual([
      ['30k/s', '5us'],
      ['30k/s', '10us'],
      ['80k/s', '5us'],
      ['80k/s', '10us'],
    ]);
    const again = JSON.parse((await ioasim('sweep', small, ...grid, '--jobs', '2', '--json')).out) as Results;
    expect(withoutWall(again)).toEqual(withoutWall(alone));
    // With every other cost zero the handler hop is the whole latency.
    expect(parallelResults.results.map((point) => point.metric)).toEqual(alone.results.map((point) => point.metric));
  });

  it('refuses a path the input does not have, and a value the format refuses, naming them (exit 2)', async () => {
    const path = await ioasim('sweep', small, '--set', 'hosts[0].workloads[3].rate=1k/s', '--jobs', '1');
    expect(path.code).toBe(2);
    expect(path.error).toMatch(/hosts\[0\]\.workloads\[3\]/);
    const value = await ioasim('sweep', small, '--set', 'hosts[0].workloads[0].rate=fast', '--jobs', '1');
    expect(value.code).toBe(2);
    expect(value.error).toContain('with --set hosts[0].workloads[0].rate=fast: hosts[0].workloads[0].rate: found "fast"');
    expect(value.error).not.toMatch(/:0:0/);
    const seeds = await ioasim('sweep', small, '--set', 'seed=1,2', '--seed', '5');
    expect(seeds.code).toBe(2);
    expect(seeds.error).toContain('--seed and --set seed=... both set the seed');
    const twice = await ioasim('sweep', small, '--set', 'seed=1', '--set', 'seed=2');
    expect(twice.code).toBe(2);
    expect(twice.error).toContain('--set seed is given twice');
    const syntax = await ioasim('sweep', small, '--set', 'rate', '--jobs', '1');
    expect(syntax.code).toBe(2);
    expect(syntax.error).toMatch(/expected <path>=<v1,v2,...>/);
  });

  it('names the line and column of an error in the file itself before sweeping it (exit 2)', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'ioasim-sweep-')), 'broken.yaml');
    writeFileSync(broken, readFileSync(small, 'utf8').replace(/iommu: smmu0/, 'iommu: smmu9'));
    const result = await ioasim('sweep', broken, '--set', 'seed=1,2', '--jobs', '1');
    expect(result.code).toBe(2);
    expect(result.error).toMatch(new RegExp(`^${broken}:\\d+:\\d+: hosts\\[0\\]\\.devices\\[0\\]\\.iommu: unknown iommu "smmu9"`));
  });
});

describe('sweepHtml', () => {
  const point = (index: number, value: string): SweepResult => ({
    index,
    values: [value],
    metric: 10_000 * (index + 1),
    faultsRaised: 100,
    throughputPerSecond: 1000,
    latencyNs: { p50: 1000, p99: 10_000, max: 20_000 },
    overflows: 0,
    autoResponded: 0,
    violations: 0,
    simulatedNs: 1_000_000,
    wallMs: 1,
  });
  const axisOf = (html: string): { label: string; ticks: string[] } => ({
    label: /class="axis">([^<]*)</.exec(html)?.[1] ?? '',
    ticks: [...html.matchAll(/data-axis="x">([^<]*)</g)].map((match) => match[1] as string),
  });

  it('gives the x axis the unit of the values swept: per second for a rate, a duration on each tick', () => {
    const rates = ['20k/s', '60k/s', '90k/s'];
    const rate = axisOf(sweepHtml('t', [{ path: 'hosts[0].workloads[0].rate', values: rates }], 'latency.p99', rates.map((value, index) => point(index, value))));
    expect(rate.label).toBe('hosts[0].workloads[0].rate (per second)');
    expect(rate.ticks).toEqual(['20k', '40k', '60k', '80k', '100k']);
    const services = ['5us', '10us', '20us'];
    const service = axisOf(sweepHtml('t', [{ path: 'hosts[0].spaces[0].handler.service', values: services }], 'latency.p99', services.map((value, index) => point(index, value))));
    expect(service.label).toBe('hosts[0].spaces[0].handler.service (duration)');
    expect(service.ticks).toEqual(['5us', '10us', '15us', '20us']);
  });
});
