#!/usr/bin/env node
// `npm run bench`: ioasim's benchmarks. Each figure is measured in the same
// run as its raw baseline and printed with the ratio between them; the
// ratios, not the absolute times, are what `--check` compares against
// bench/baseline.json (a drop of more than 20% fails).
//
//   npm run bench                 all rows, writes bench/results.json
//   npm run bench -- --check      also compare ratios with bench/baseline.json
//   npm run bench -- --only codec,scheduler
//   npm run bench -- --scale-max 1000000
//
// Refresh the baseline after an intended change: run `npm run bench` on an
// idle machine and copy bench/results.json to bench/baseline.json.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';
import { Scheduler } from '@ioasim/bus';
import { frameDecode, frameEncode } from '@ioasim/protocol';
import { run, topologyLoad, topologyParse } from '@ioasim/sim';
import { plainFaultsPerSecond } from './plain-baseline.mjs';
import { topologyLoadBench } from './topology-load.mjs';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean' },
    only: { type: 'string' },
    'scale-max': { type: 'string' },
  },
});
const only = values.only ? new Set(values.only.split(',')) : null;
const scaleMax = Number(values['scale-max'] ?? 100_000);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const nowNs = () => process.hrtime.bigint();
const rows = [];

function row(group, name, value, unit, baseline, baselineUnit) {
  const ratio = baseline > 0 ? value / baseline : null;
  rows.push({ group, name, value, unit, baseline, baselineUnit, ratio });
  const format = (number) => (number >= 100 ? Math.round(number).toLocaleString('en-US') : number.toFixed(3));
  console.log(
    `${group.padEnd(10)} ${name.padEnd(44)} ${format(value).padStart(14)} ${unit.padEnd(10)} ` +
      (baseline > 0 ? `vs ${format(baseline).padStart(14)} ${baselineUnit.padEnd(12)} ratio ${ratio.toFixed(3)}` : ''),
  );
}

function seconds(started) {
  return Number(nowNs() - started) / 1e9;
}

function benchScheduler() {
  const events = 2_000_000;
  const times = new Float64Array(events);
  let state = 12345;
  for (let index = 0; index < events; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    times[index] = state % 1_000_000;
  }
  const scheduler = new Scheduler();
  let ran = 0;
  const callback = () => ran++;
  let started = nowNs();
  for (let index = 0; index < events; index++) scheduler.at(times[index], 1, callback);
  scheduler.run();
  const schedulerRate = ran / seconds(started);
  // The bare binary heap: the same events, ordered by (time, sequence).
  const heap = [];
  const push = (item) => {
    heap.push(item);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const a = heap[parent];
      if (a.t < item.t || (a.t === item.t && a.s < item.s)) break;
      heap[child] = a;
      child = parent;
    }
    heap[child] = item;
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      let parent = 0;
      for (;;) {
        let child = 2 * parent + 1;
        if (child >= heap.length) break;
        const right = heap[child + 1];
        if (right !== undefined && (right.t < heap[child].t || (right.t === heap[child].t && right.s < heap[child].s))) child++;
        const c = heap[child];
        if (last.t < c.t || (last.t === c.t && last.s < c.s)) break;
        heap[parent] = c;
        parent = child;
      }
      heap[parent] = last;
    }
    return top;
  };
  let bareRan = 0;
  started = nowNs();
  for (let index = 0; index < events; index++) push({ t: times[index], s: index, f: () => bareRan++ });
  while (heap.length > 0) pop().f();
  const bareRate = bareRan / seconds(started);
  row('scheduler', 'events/s (2M events, random times)', schedulerRate, 'events/s', bareRate, 'bare heap/s');
}

function benchCodec() {
  const batch = Array.from({ length: 64 }, (_, index) => ({
    kind: 'pageRequest', iommu: 'smmu0', sid: 0x100, pasid: index % 3 === 0 ? null : 5, prgIndex: index, page: 100000 + index,
    perm: 1, last: true, stall: false, stage: 1, group: index, issuedNs: 1_000_000 + index,
  }));
  const frames = 40_000;
  let started = nowNs();
  let records = 0;
  for (let index = 0; index < frames; index++) {
    const decoded = frameDecode(frameEncode('faultRecord', 'h0/iommu', index + 1, batch));
    records += decoded.ok ? decoded.frame.records.length : 0;
  }
  const frameRate = records / seconds(started);
  const packr = new Packr({ useRecords: true });
  const unpackr = new Unpackr({ useRecords: true });
  started = nowNs();
  records = 0;
  for (let index = 0; index < frames; index++) records += unpackr.unpack(packr.pack(batch)).length;
  const bareRate = records / seconds(started);
  row('codec', 'fault records/s through batch frames (64/frame)', frameRate, 'records/s', bareRate, 'msgpackr/s');
}

function load(path) {
  const loaded = topologyLoad(here(path));
  if (!loaded.ok) throw new Error(`${path}: ${JSON.stringify(loaded.errors[0])}`);
  return loaded.topology;
}

function benchEmbedded() {
  const baseline = plainFaultsPerSecond(2_000_000, nowNs);
  const single = load('../examples/single-host.yaml');
  let started = nowNs();
  let report = run(single, { seed: 1 });
  row('embedded', 'faults/s end to end, single-host, checker on', report.faults.raised / seconds(started), 'faults/s', baseline, 'plain-JS/s');
  const fleetYaml = readFileSync(here('../examples/single-host.yaml'), 'utf8')
    .replace(/count: (\d+)/g, (_, count) => `count: ${Math.max(1, Math.round(Number(count) / 100))}`)
    .replace(/\nlinks:/, '\nfleet:\n  - { template: h0, count: 1000 }\n\nlinks:');
  const fleet = topologyParse(fleetYaml, 'fleet-1000');
  if (!fleet.ok) throw new Error(JSON.stringify(fleet.errors[0]));
  started = nowNs();
  report = run(fleet.topology, { seed: 1 });
  row('embedded', 'faults/s end to end, 1,000 hosts, checker on', report.faults.raised / seconds(started), 'faults/s', baseline, 'plain-JS/s');
}

function benchTopologyLoad() {
  for (const result of topologyLoadBench({ hosts: 10_000, runs: 5, shapes: ['fleet'] })) {
    row('topology', 'load + validate a 10,000-host fleet', 1000 / result.loadMs, 'loads/s', 1000 / result.yamlMs, 'yaml parse/s');
  }
}

function benchScale() {
  for (const devices of [10_000, 100_000, 1_000_000]) {
    if (devices > scaleMax) continue;
    const hosts = devices / 2;
    const text = readFileSync(here('../examples/single-host.yaml'), 'utf8')
      .replace(/count: (\d+)/g, 'count: 2')
      .replace(/\nlinks:/, `\nfleet:\n  - { template: h0, count: ${hosts} }\n\nlinks:`);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = nowNs();
    const loaded = topologyParse(text, `scale-${devices}`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors[0]));
    const report = run(loaded.topology, { seed: 1 });
    const elapsed = seconds(started);
    const memory = process.memoryUsage();
    row('scale', `${devices.toLocaleString('en-US')} devices: heap bytes/device after a run`, (memory.heapUsed - heapBefore) / devices, 'B/device', 0, '');
    row('scale', `${devices.toLocaleString('en-US')} devices: RSS MiB`, memory.rss / 2 ** 20, 'MiB', 0, '');
    row('scale', `${devices.toLocaleString('en-US')} devices: faults/s (build + run)`, report.faults.raised / elapsed, 'faults/s', 0, '');
  }
}

const benches = { scheduler: benchScheduler, codec: benchCodec, embedded: benchEmbedded, topology: benchTopologyLoad, scale: benchScale };
for (const [name, bench] of Object.entries(benches)) {
  if (only !== null && !only.has(name)) continue;
  bench();
}

const results = { node: process.version, rows };
writeFileSync(here('results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote bench/results.json (${rows.length} rows)`);

if (values.check) {
  const baselinePath = here('baseline.json');
  if (!existsSync(baselinePath)) {
    console.error('bench --check: no bench/baseline.json; copy bench/results.json there to create one');
    process.exit(2);
  }
  const baseline = JSON.parse(readFileSync(baselinePath, 'utf8'));
  let failed = 0;
  for (const current of rows) {
    const before = baseline.rows.find((candidate) => candidate.group === current.group && candidate.name === current.name);
    if (before?.ratio == null || current.ratio == null) continue;
    const change = current.ratio / before.ratio - 1;
    const verdict = change < -0.2 ? 'REGRESSION' : 'ok';
    if (verdict !== 'ok') failed++;
    console.log(`check ${current.group} ${current.name}: ratio ${before.ratio.toFixed(3)} -> ${current.ratio.toFixed(3)} (${(change * 100).toFixed(1)}%) ${verdict}`);
  }
  process.exit(failed > 0 ? 1 : 0);
}
