/**
 * Goal: `ioasim run examples/fault-storm.yaml --report out.html` writes a
 * self-contained report whose charts render in a real browser (headless
 * Chromium, the Debian package), with no console error and no request to
 * the network; `--report out.json` writes the JSON report with the load
 * figures. Without Chromium the browser test is skipped loudly, except under
 * CI=true where it fails.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { run, topologyFromObject, topologyLoad, topologyParse, type Topology } from '@ioasim/sim';
import { reportHtml } from '@ioasim/sim/report-html';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const chromiumPresent = existsSync(CHROMIUM);
const chromiumRequired = process.env['CI'] === 'true';
if (!chromiumPresent && !chromiumRequired) {
  console.warn(`\n*** SKIPPED: the HTML report test needs Chromium at ${CHROMIUM} (apt-get install -y chromium) ***\n`);
}

const example = new URL('../examples/fault-storm.yaml', import.meta.url).pathname;

async function ioasim(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: Io = { out: (text) => out.push(text), error: (text) => out.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, out: out.join('\n') };
}

const UNITS: Readonly<Record<string, number>> = { '': 1, ns: 1, us: 1e3, ms: 1e6, s: 1e9, k: 1e3, M: 1e6, G: 1e9 };

/** A tick label as a number: `200k`, `100us`, `0.4`. */
function tickNumber(label: string): number {
  const match = /^(-?\d+(?:\.\d+)?)(ns|us|ms|s|k|M|G)?$/.exec(label);
  if (match === null) return Number.NaN;
  return Number(match[1]) * (UNITS[match[2] ?? ''] as number);
}

/** True for ticks a reader takes in at a glance: evenly spaced by 1, 2 or 5 times a power of ten, each a multiple of it, or powers of ten. */
function ticksRound(labels: readonly string[]): boolean {
  const values = labels.map(tickNumber);
  if (values.length < 2 || values.some((value) => !Number.isFinite(value))) return false;
  const steps = values.slice(1).map((value, index) => value - (values[index] as number));
  const step = steps[0] as number;
  const even = steps.every((other) => Math.abs(other - step) <= step * 1e-9);
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  const roundStep = [1, 2, 5].some((nice) => Math.abs(mantissa - nice) < 1e-9);
  const multiples = values.every((value) => Math.abs(value / step - Math.round(value / step)) < 1e-6);
  const powers = values.every((value, index) => index === 0 || Math.abs(value / (values[index - 1] as number) - 10) < 1e-9);
  return (even && roundStep && multiples) || powers;
}

describe('the run reports', () => {
  let directory = '';
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ioasim-report-'));
    const html = await ioasim('run', example, '--report', join(directory, 'out.html'));
    expect(html.code).toBe(0);
    const json = await ioasim('run', example, '--report', join(directory, 'out.json'));
    expect(json.code).toBe(0);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes JSON with latency per hop, CDFs and series of a fixed size', () => {
    const report = JSON.parse(readFileSync(join(directory, 'out.json'), 'utf8'));
    expect(report.load.hopsNs.handler.count).toBe(report.faults.responded);
    expect(report.load.perDevice.map((device: { device: string }) => device.device)).toEqual(['nic0']);
    expect(report.load.perDevice[0].hopsNs.handler.count).toBe(report.faults.responded);
    expect(report.load.perIoasid[0].hopsNs.handler.p99).toBe(report.load.hopsNs.handler.p99);
    expect(report.load.cdf.endToEnd.length).toBeGreaterThan(20);
    expect(report.load.series.buckets).toBeLessThanOrEqual(100);
    const completed: number[] = report.load.series.counts.completed;
    expect(completed.reduce((sum, count) => sum + count, 0)).toBe(report.faults.responded + report.faults.autoResponded);
  });

  it('labels every axis with round ticks: steps of 1, 2 or 5 times a power of ten, or powers of ten on a log axis', () => {
    const html = readFileSync(join(directory, 'out.html'), 'utf8');
    const charts = html.split('<svg').filter((chart) => chart.includes('class="chart"'));
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const chart of charts) {
      const title = /class="chart-title">([^<]*)</.exec(chart)?.[1] ?? '';
      for (const axis of ['x', 'y']) {
        const labels = [...chart.matchAll(new RegExp(`data-axis="${axis}">([^<]*)<`, 'g'))].map((match) => match[1] as string);
        expect(ticksRound(labels), `${title}, ${axis} axis: ${labels.join(' ')}`).toBe(true);
      }
    }
  });

  it('draws the topology it ran, and has no chaos section for a run without chaos', () => {
    const html = readFileSync(join(directory, 'out.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*class="topology"/);
    expect(html).toContain('data-node="nic0" data-shape="device"');
    expect(html).not.toContain('<h2>Chaos</h2>');
  });

  it('writes HTML that needs nothing from the network', () => {
    const html = readFileSync(join(directory, 'out.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]*src=|<link[^>]*href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it.skipIf(!chromiumPresent && !chromiumRequired)('renders its charts in headless Chromium with no console error', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'ioasim-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`request to ${request.url()}`);
      });
      await page.goto(`file://${join(directory, 'out.html')}`);
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const paths = [...svg.querySelectorAll('path[data-points]')].map((path) => ({
            points: Number(path.getAttribute('data-points')),
            length: (path as unknown as { getTotalLength(): number }).getTotalLength(),
          }));
          return { title: svg.querySelector('.chart-title')?.textContent ?? '', width: box.width, height: box.height, paths };
        }),
      );
      expect(problems).toEqual([]);
      const titles = charts.map((chart) => chart.title);
      expect(titles).toEqual(expect.arrayContaining([
        expect.stringMatching(/Latency CDF/),
        expect.stringMatching(/Throughput/),
        expect.stringMatching(/Queue depth/),
      ]));
      for (const chart of charts.filter((chart) => !/overflows/.test(chart.title))) {
        expect(chart.width, chart.title).toBeGreaterThan(300);
        expect(chart.height, chart.title).toBeGreaterThan(100);
        expect(chart.paths.length, chart.title).toBeGreaterThan(0);
        const longest = Math.max(...chart.paths.map((path) => path.points));
        expect(longest, chart.title).toBeGreaterThanOrEqual(20);
        for (const path of chart.paths) expect(path.length, chart.title).toBeGreaterThan(0);
      }
      const cdf = charts.find((chart) => /Latency CDF/.test(chart.title));
      expect(cdf?.paths.length).toBe(8);
      const topology = await page.textContent('body');
      expect(topology).toMatch(/nic0/);
      expect(topology).toMatch(/gpa/);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('a run whose hops but one take 0 ns', () => {
  // The queueing tests' single handler: links and services of 0 ns but the handler's.
  const loaded = topologyFromObject({
    version: 1,
    name: 'zero-hops',
    hosts: [
      {
        name: 'h0',
        iommus: [{ name: 'smmu0', kind: 'smmuv3', service: 0 }],
        manager: { service: 0 },
        owners: [{ name: 'vm0', frontend: 'vfio' }],
        spaces: [{ name: 'gpa', owner: 'vm0', handler: { policy: 'map', service: { dist: 'exp', mean: 10_000 } } }],
        devices: [{ name: 'nic0', iommu: 'smmu0', sid: 0x100, owner: 'vm0', pri: { credits: 256 }, attach: [{ space: 'gpa' }] }],
        workloads: [{ device: 'nic0', pages: 1_000_000, pattern: 'sequential', arrival: 'poisson', rate: '50k/s', count: 2000, mapped: 0 }],
      },
    ],
    links: { 'device-iommu': 0, 'iommu-manager': 0, 'manager-handler': 0 },
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const report = run(loaded.topology);
  const html = reportHtml(report);

  it('records the whole and its one hop that takes time alike: the same summary and CDF, a 0 ns group at 0 ns in both', () => {
    expect(report.load.hopsNs.handler).toEqual(report.latencyNs);
    expect(report.load.cdf.handler).toEqual(report.load.cdf.endToEnd);
    expect(report.load.cdf.endToEnd[0]).toEqual([0, 0]);
  });
  const cdf = html.split('<svg').find((chart) => chart.includes('Latency CDF')) ?? '';

  it('draws no 0 ns hop at the 1 ns edge of the log axis, and names those hops under the chart', () => {
    expect([...cdf.matchAll(/data-series="([^"]*)"/g)].map((match) => match[1])).toEqual(['end to end', 'handler']);
    expect([...cdf.matchAll(/data-axis="x">([^<]*)</g)].map((match) => match[1])[0]).not.toBe('1ns');
    expect(html).toContain(
      '<p class="note">0 ns for every fault group, not drawn on the log scale: deviceToIommu, iommuQueue, iommuToManager, managerDispatch, managerToHandler, handlerToDevice</p>',
    );
  });
});

function exampleLoad(name: string): Topology {
  const loaded = topologyLoad(new URL(`../examples/${name}`, import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.topology;
}

/** The nodes and edges an HTML report's topology picture draws, by name. */
function pictureOf(html: string): { nodes: string[]; edges: string[]; titles: string[] } {
  const svg = /<svg[^>]*class="topology"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  return {
    nodes: [...svg.matchAll(/data-node="([^"]*)" data-shape="([^"]*)"/g)].map((match) => `${match[2]} ${match[1]}`),
    edges: [...svg.matchAll(/data-edge="([^"]*)" data-style="([^"]*)"/g)].map((match) => `${match[2]} ${(match[1] as string).replace('-&gt;', '->')}`),
    titles: [...svg.matchAll(/class="group-title">([^<]*)</g)].map((match) => match[1] as string),
  };
}

describe('the topology picture of the HTML report', () => {
  it('draws every IOMMU, device, space and owner, and every attachment, stage-2 parent, owner and IOMMU edge', () => {
    const topology = exampleLoad('nested-vsva.yaml');
    const picture = pictureOf(reportHtml(run(topology, { untilNs: 100_000 }), topology));
    const host = topology.hosts[0];
    expect(picture.titles).toEqual(['host h0']);
    expect([...picture.nodes].sort()).toEqual(
      [
        ...(host?.iommus ?? []).map((iommu) => `iommu ${iommu.name}`),
        ...(host?.devices ?? []).map((device) => `device ${device.name}`),
        ...(host?.spaces ?? []).map((space) => `space ${space.name}`),
        ...(host?.owners ?? []).map((owner) => `owner ${owner.name}`),
      ].sort(),
    );
    expect([...picture.edges].sort()).toEqual(
      [
        ...(host?.devices ?? []).flatMap((device) => [...device.attach.map((attachment) => `attachment ${device.name}->${attachment.space}`), `iommu ${device.name}->${device.iommu}`]),
        ...(host?.spaces ?? []).flatMap((space) => [...(space.parent === null ? [] : [`parent ${space.name}->${space.parent}`]), `owner ${space.name}->${space.owner}`]),
      ].sort(),
    );
  });

  it('draws a fleet once, titled with its copies', () => {
    const topology = exampleLoad('fleet-1000.yaml');
    const picture = pictureOf(reportHtml(run(topology, { untilNs: 10_000 }), topology));
    expect(picture.titles).toEqual(['hosts h0-0000 … h0-0999: 1000 copies of template h0']);
    expect(picture.nodes.filter((node) => node.startsWith('device '))).toEqual(['device nic0']);
  });
});

describe('the chaos section of the HTML report', () => {
  // The chaos example at-most-once, 60 accesses a workload, its only rule dropping 60% of translation requests.
  const text = readFileSync(new URL('../examples/chaos.yaml', import.meta.url).pathname, 'utf8')
    .replace(/count: \d+/g, 'count: 60')
    .replace(/^  delivery: at-least-once$/m, '  delivery: at-most-once');
  const parsed = topologyParse(`${text.slice(0, text.indexOf('\nchaos:\n'))}\nchaos:\n  - { match: "*.iommu.*.ats", drop: 0.6 }\n  - { match: "*.nothing", drop: 0.5 }\n`, 'ats-drop.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const topology = parsed.topology;
  const report = run(topology, { seed: 1 });
  const html = reportHtml(report, topology);
  const section = html.slice(html.indexOf('<h2>Chaos</h2>'), html.indexOf('<h2>Latency'));

  it('lists the rules, those that did nothing, what chaos did, how the protocol recovered and the verdicts', () => {
    expect(section).toContain('<td class="name">chaos[0]</td><td class="name">*.iommu.*.ats: drop 0.6</td><td>acted</td>');
    expect(section).toMatch(/<td class="name">chaos\[1\]<\/td><td class="name">\*\.nothing: drop 0\.5<\/td><td>did nothing/);
    expect(section).toContain(`<td>${report.chaos.actions.drop}</td>`);
    expect(report.accesses.translationsRetried).toBeGreaterThan(0);
    expect(section).toContain(`translation requests re-sent`);
    expect(section).toContain(`<td>${report.accesses.translationsRetried}</td>`);
    expect(section).toContain('<li class="ok">safety: every invariant held</li>');
    expect(section).toContain(`accesses 0 stuck, ${report.accesses.abandoned} abandoned</li>`);
    expect(section).toContain('verdict, as ioasim chaos judges a seed: liveness');
    expect(section).toMatch(/first access abandoned: h0\/(nic0|vnet0) access to page \d+ of /);
  });

  it('gives each device\'s accesses their whole account: completed, failed, abandoned, in flight', () => {
    const table = html.slice(html.indexOf('<th class="name">device</th>'), html.indexOf('</table>', html.indexOf('<th class="name">device</th>')));
    expect(table).toContain('<th>completed</th><th>failed</th><th>abandoned</th><th>in flight</th>');
    for (const device of report.perDevice) {
      expect(table).toContain(
        `<td class="name">${device.device}</td><td class="name">${device.state}</td><td>${device.accessesIssued}</td><td>${device.accessesCompleted}</td><td>${device.accessesFailed}</td><td>${device.accessesAbandoned}</td><td>0</td>`,
      );
    }
    expect(report.perDevice.reduce((sum, device) => sum + device.accessesAbandoned, 0)).toBeGreaterThan(0);
  });
});
