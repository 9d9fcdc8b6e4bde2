#!/usr/bin/env node
// `npm run bench`: ioasim's benchmarks. Each figure is measured in the same
// run as its raw baseline and printed with the ratio between them; the
// ratios, not the absolute times, are what `--check` compares against
// bench/baseline.json (a drop of more than 20% fails; for a time or a size,
// a rise of more than 25%).
//
//   npm run bench                 all rows, writes bench/results.json
//   npm run bench -- --check      also compare ratios with bench/baseline.json
//   npm run bench -- --only codec,scheduler
//   npm run bench -- --scale-max 100000   without the million-device point
//   npm run bench -- --only nats,chaos,checker,scale
//   npm run bench -- --only baselines   the plain DES, SimPy, events/s, allocations
//
// It re-runs itself under `node --expose-gc` so that the memory rows measure
// what is retained, after a collection, not what happens to be garbage, and
// with the V8 flags the `ioasim` executable runs with (NODE_FLAGS), so that
// its rows measure what `ioasim` does.
//
// Refresh the baseline after an intended change: run `npm run bench` on an
// idle machine and copy bench/results.json to bench/baseline.json.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';
import { Scheduler } from '@ioasim/bus';
import { frameDecode, frameEncode } from '@ioasim/protocol';
import { NODE_FLAGS } from '@ioasim/cli';
import { Checker, HopBook, LatencyBook, run, topologyLoad, topologyParse } from '@ioasim/sim';
import { seedsRun, topologyWithChaos } from '@ioasim/sim/chaos';
import { baselinesBench } from './baselines.mjs';
import { natsBench } from './nats.mjs';
import { plainFaultsPerSecond, plainFleetMemory } from './plain-baseline.mjs';
import { topologyLoadBench } from './topology-load.mjs';

if (typeof global.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...NODE_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const GROUPS = ['scheduler', 'codec', 'embedded', 'baselines', 'topology', 'checker', 'chaos', 'nats', 'scale'];
const USAGE = `usage: npm run bench [-- [--only GROUP,...] [--check] [--scale-max N]]

  --only GROUP,...   run only these groups: ${GROUPS.join(', ')}
  --check            compare each ratio with bench/baseline.json; exit 1 when
                     one has fallen by more than 20% (for a time or a size,
                     where lower is better: risen by more than 25%)
  --scale-max N      the largest scale point in devices (default 1000000;
                     100000 leaves out the million-device point, about 2
                     minutes and 4 GiB of memory)
  --help             this text

Prints one row per figure beside its raw baseline and their ratio, and writes
bench/results.json. Refresh the baseline: run on an idle machine, then copy
bench/results.json to bench/baseline.json.`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      only: { type: 'string' },
      'scale-max': { type: 'string' },
      'scale-point': { type: 'string' },
      'embedded-run': { type: 'string' },
    },
  });
} catch (error) {
  console.error(`bench: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const only = values.only ? new Set(values.only.split(',').map((name) => name.trim())) : null;
const unknown = [...(only ?? [])].filter((name) => !GROUPS.includes(name));
if (unknown.length > 0) {
  console.error(`bench: --only: no group named ${unknown.map((name) => `"${name}"`).join(', ')}; the groups are ${GROUPS.join(', ')}`);
  process.exit(2);
}
const scaleMax = Number(values['scale-max'] ?? 1_000_000);
if (!Number.isInteger(scaleMax) || scaleMax < 10_000) {
  console.error(`bench: --scale-max expects a whole number of devices, at least 10000, found "${values['scale-max']}"`);
  process.exit(2);
}
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const nowNs = () => process.hrtime.bigint();
const rows = [];

/**
 * Rows whose figure is better when smaller (a build time, a heap, entries
 * kept): --check fails them when their ratio rises by more than a quarter,
 * i.e. when the inverse ratio falls by more than 20%.
 */
const LOWER_IS_BETTER_UNITS = new Set(['s', 'MiB', 'entries', 'B/device', 'B/fault']);

/** A ratio with three significant digits: the embedded ones are thousandths and less. */
function ratioFormat(ratio) {
  return ratio >= 0.1 ? ratio.toFixed(3) : ratio.toPrecision(3);
}

function row(group, name, value, unit, baseline, baselineUnit) {
  if (values['scale-point'] !== undefined) {
    console.log(JSON.stringify({ group, name, value, unit, baseline, baselineUnit }));
    return;
  }
  const ratio = baseline > 0 ? value / baseline : null;
  rows.push({ group, name, value, unit, baseline, baselineUnit, ratio });
  const format = (number) => (number >= 100 ? Math.round(number).toLocaleString('en-US') : number.toFixed(3));
  console.log(
    `${group.padEnd(10)} ${name.padEnd(44)} ${format(value).padStart(14)} ${unit.padEnd(10)} ` +
      (baseline > 0 ? `vs ${format(baseline).padStart(14)} ${baselineUnit.padEnd(12)} ratio ${ratioFormat(ratio)}` : ''),
  );
}

function seconds(started) {
  return Number(nowNs() - started) / 1e9;
}

function benchScheduler() {
  const events = 500_000;
  const times = new Float64Array(events);
  let state = 12345;
  for (let index = 0; index < events; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    times[index] = state % 1_000_000;
  }
  const schedulerOnce = () => {
    const scheduler = new Scheduler();
    let ran = 0;
    const callback = () => ran++;
    const started = nowNs();
    for (let index = 0; index < events; index++) scheduler.at(times[index], 1, callback);
    scheduler.run();
    return ran / seconds(started);
  };
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
  const bareOnce = () => {
    let bareRan = 0;
    const started = nowNs();
    for (let index = 0; index < events; index++) push({ t: times[index], s: index, f: () => bareRan++ });
    while (heap.length > 0) pop().f();
    return bareRan / seconds(started);
  };
  // The best of five alternated runs of each: one run of either varies by a fifth from run to run.
  // Each starts from a collected heap: the bare heap's 500,000 live objects made its rate depend
  // on what the collector had left from the run before (0.93M to 1.57M/s with the same code).
  let schedulerRate = 0;
  let bareRate = 0;
  for (let round = 0; round < 5; round++) {
    global.gc();
    schedulerRate = Math.max(schedulerRate, schedulerOnce());
    global.gc();
    bareRate = Math.max(bareRate, bareOnce());
  }
  row('scheduler', 'events/s (500k events, random times, best of 5)', schedulerRate, 'events/s', bareRate, 'bare heap/s');
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
  const baseline = plainFaultsPerSecond(1_000_000, nowNs);
  const single = load('../examples/single-host.yaml');
  let started = nowNs();
  let report = run(single, { seed: 1 });
  const coldSeconds = seconds(started);
  // The kept gain of handing frames over as objects: the same run with every frame msgpack-encoded,
  // then again as objects, both after the cold run above.
  started = nowNs();
  report = run(single, { seed: 1, wire: 'msgpack' });
  const msgpackRate = report.faults.raised / seconds(started);
  started = nowNs();
  report = run(single, { seed: 1 });
  const warmSeconds = seconds(started);
  // The faster of the cold and the warm run: one run alone varied by an eighth from one bench to the next.
  const singleSeconds = Math.min(coldSeconds, warmSeconds);
  row('embedded', 'faults/s end to end, single-host, checker on', report.faults.raised / singleSeconds, 'faults/s', baseline, 'plain-JS/s');
  // The example's accesses mostly hit mapped pages: each is an ATS round trip of its own, not a fault.
  row('embedded', `single-host: accesses/s (${report.accesses.issued} accesses, ${report.faults.raised} faults)`, report.accesses.issued / singleSeconds, 'accesses/s', 0, '');
  row('embedded', 'single-host: frames as objects over the msgpack wire', report.faults.raised / warmSeconds, 'faults/s', msgpackRate, 'msgpack/s');
  // Every access a fault and arrivals faster than the path: batches fill, as in the NATS rows.
  const faultBound = embeddedRunBest('fault-bound');
  row('embedded', 'faults/s end to end, fault-bound host (bench/nats-load.yaml)', faultBound.faults / faultBound.seconds, 'faults/s', baseline, 'plain-JS/s');
  const fleet = embeddedRunBest('fleet-1000');
  row('embedded', `faults/s end to end, 1,000 hosts, checker on (${fleet.faults} faults)`, fleet.faults / fleet.seconds, 'faults/s', baseline, 'plain-JS/s');
}

/**
 * The long embedded runs, each in a fresh process, the fastest of three: how
 * fast a run goes depends on the heap the runs before it left (three
 * fault-bound runs in one process: 8,289, 8,216, then 5,666 faults/s), and
 * one fresh run still varied by a sixth from one bench to the next; the
 * faster of two 1,000-host runs still fell 27% below the baseline in a
 * --check of unchanged code, which allows 20%.
 */
const EMBEDDED_RUNS = {
  'fault-bound': () => load('nats-load.yaml'),
  'fleet-1000': () => {
    const fleetYaml = readFileSync(here('../examples/single-host.yaml'), 'utf8')
      .replace(/count: (\d+)/g, (_, count) => `count: ${Math.max(1, Math.round(Number(count) / 2000))}`)
      .replace(/\nlinks:/, '\nfleet:\n  - { template: h0, count: 1000 }\n\nlinks:');
    const fleet = topologyParse(fleetYaml, 'fleet-1000');
    if (!fleet.ok) throw new Error(JSON.stringify(fleet.errors[0]));
    return fleet.topology;
  },
};
const EMBEDDED_RUN_TIMEOUT_MS = 300_000;

function embeddedRunBest(name) {
  let best = embeddedRunInChild(name);
  for (let run = 1; run < 3; run++) {
    const next = embeddedRunInChild(name);
    if (next.seconds < best.seconds) best = next;
  }
  return best;
}

function embeddedRunInChild(name) {
  const child = spawnSync(process.execPath, [...NODE_FLAGS, fileURLToPath(import.meta.url), '--embedded-run', name], {
    encoding: 'utf8',
    timeout: EMBEDDED_RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const line = (child.stdout ?? '').split('\n').find((text) => text.startsWith('{'));
  if (child.status !== 0 || line === undefined) {
    const why = child.error?.code === 'ETIMEDOUT' ? `did not finish within ${EMBEDDED_RUN_TIMEOUT_MS / 1000} s` : `failed (exit ${child.status ?? child.signal})`;
    throw new Error(`the ${name} run ${why}: ${(child.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(line);
}

function embeddedRunHere(name) {
  const topology = EMBEDDED_RUNS[name]?.();
  if (topology === undefined) throw new Error(`no embedded run named "${name}"`);
  const started = nowNs();
  const report = run(topology, { seed: 1 });
  console.log(JSON.stringify({ faults: report.faults.raised, seconds: seconds(started) }));
}

function benchTopologyLoad() {
  for (const result of topologyLoadBench({ hosts: 10_000, runs: 40, shapes: ['fleet'] })) {
    row('topology', 'load + validate a 10,000-host fleet', 1000 / result.loadMs, 'loads/s', 1000 / result.yamlMs, 'yaml parse/s');
  }
}

/**
 * The scale points. At 10,000 and 100,000 devices every device is busy at
 * once and the run goes to its end. At 1,000,000 a whole run of that load
 * (two million faults) would take most of an hour at the rates these rows
 * show, so the fleet is the same but each device's accesses are a hundred
 * times rarer, and the run stops after 30 us of simulated time: about one
 * device in thirty has faulted by then (1 - e^-0.03).
 */
const SCALE_POINTS = [
  { devices: 10_000, rate: '100k/s', untilNs: null, load: 'every device busy, whole run', timeoutMs: 240_000 },
  { devices: 100_000, rate: '100k/s', untilNs: null, load: 'every device busy, whole run', timeoutMs: 240_000 },
  { devices: 1_000_000, rate: '1k/s', untilNs: 30_000, load: 'about 1 device in 30 busy, first 30 us', timeoutMs: 420_000 },
];

/** A fleet of `devices` devices: bench/scale-host.yaml's host of ten devices, each making two accesses at `rate`. */
function fleetParse(devices, rate) {
  const text = readFileSync(here('scale-host.yaml'), 'utf8')
    .replace(/count: 4,/g, 'count: 2,')
    .replace(/rate: "100k\/s"/g, `rate: "${rate}"`)
    .replace(/template: h0, count: 1 /, `template: h0, count: ${devices / 10} `);
  const loaded = topologyParse(text, `scale-${devices}`);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors[0]));
  return loaded.topology;
}

function mebibytes(bytes) {
  return bytes / 2 ** 20;
}

/**
 * When the load rows read the heap (after a collection): 25 us of simulated
 * time, when most devices of the busy fleets have an access in flight (their
 * first arrivals average 10 us), near the end of the million-device run.
 * Reading it without a collection, at its peak, measured when the collector
 * last ran more than what the run holds: one run to the next differed by a
 * third.
 */
const SCALE_RETAINED_AT_NS = 25_000;

/**
 * One size of the scale rows, in a process of its own (see benchScale). One
 * build serves both: the idle rows are read when the run has built every
 * host's actors, the checker and the observers, before its first event (after
 * a collection, so they count what is retained); the load rows are the run
 * itself, its RSS sampled as it goes, its heap read once (SCALE_RETAINED_AT_NS).
 */
function scalePoint(devices) {
  const point = SCALE_POINTS.find((candidate) => candidate.devices === devices);
  if (point === undefined) throw new Error(`no scale point of ${devices} devices`);
  const plain = plainFaultsPerSecond(1_000_000, nowNs);
  // Built and dropped before the run's fleet, so that the run's own RSS is not the plain fleet's.
  const plainFleet = plainFleetMemory(devices);
  const label = `${devices.toLocaleString('en-US')} devices`;
  global.gc();
  const before = process.memoryUsage();
  const started = nowNs();
  const topology = fleetParse(devices, point.rate);
  const parseSeconds = seconds(started);
  let runStarted = 0;
  let retained = 0;
  let collectingSeconds = 0;
  let rssPeak = 0;
  const report = run(topology, {
    seed: 1,
    ...(point.untilNs === null ? {} : { untilNs: point.untilNs }),
    onStart: () => {
      const buildSeconds = seconds(started);
      global.gc();
      const idle = process.memoryUsage();
      row('scale', `${label}: build (parse + validate + actors and checker)`, buildSeconds, 's', parseSeconds, 'parse s');
      row('scale', `${label} idle: heap bytes/device`, (idle.heapUsed - before.heapUsed) / devices, 'B/device', plainFleet.bytesPerDevice, 'plain B/dev');
      row('scale', `${label} idle: RSS MiB`, mebibytes(idle.rss), 'MiB', plainFleet.rssMiB, 'plain MiB');
      rssPeak = idle.rss;
      runStarted = nowNs();
    },
    onProgress: (progress) => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (retained === 0 && progress.simulatedNs >= SCALE_RETAINED_AT_NS) {
        const collecting = nowNs();
        global.gc();
        retained = process.memoryUsage().heapUsed;
        collectingSeconds = seconds(collecting);
      }
    },
  });
  // The collection that read the heap is the bench's, not the run's.
  const elapsed = seconds(runStarted) - collectingSeconds;
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  row('scale', `${label} load: faults/s (${point.load}, ${report.faults.raised} faults)`, report.faults.raised / elapsed, 'faults/s', plain, 'plain-JS/s');
  if (retained > 0) {
    row('scale', `${label} load: heap bytes/device at ${SCALE_RETAINED_AT_NS / 1000} us`, (retained - before.heapUsed) / devices, 'B/device', plainFleet.bytesPerDevice, 'plain B/dev');
  }
  row('scale', `${label} load: peak RSS MiB`, mebibytes(rssPeak), 'MiB', plainFleet.rssMiB, 'plain MiB');
}

/**
 * A scale point may exhaust memory or time: it runs in a child with its own
 * heap and time caps. The heap cap is over the issue's 8 GiB RSS target, so
 * that a point which needs more still finishes and its rows say by how much.
 * Time caps (each point's timeoutMs): the 100,000-device point takes about 105 s on an idle two-core
 * machine, the 1,000,000-device point about 130 s (a 60 s build, then the
 * run); a busy machine takes longer. A cap is only spent by a point that hangs.
 */
const SCALE_HEAP_MIB = 16_384;

function benchScale() {
  for (const { devices, timeoutMs } of SCALE_POINTS) {
    if (devices > scaleMax) continue;
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', ...NODE_FLAGS, `--max-old-space-size=${SCALE_HEAP_MIB}`, fileURLToPath(import.meta.url), '--scale-point', String(devices)],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 2 ** 20 },
    );
    const printed = (child.stdout ?? '').split('\n').filter((line) => line.startsWith('{'));
    for (const line of printed) {
      const point = JSON.parse(line);
      row(point.group, point.name, point.value, point.unit, point.baseline, point.baselineUnit);
    }
    if (child.status !== 0) {
      const why = child.error?.code === 'ETIMEDOUT' ? `did not finish within ${timeoutMs / 1000} s` : `failed (exit ${child.status ?? child.signal}): ${(child.stderr ?? '').split('\n').find((line) => /error/i.test(line)) ?? ''}`;
      console.log(`scale      ${devices.toLocaleString('en-US')} devices: ${why}; the rows above are all it measured`);
      rows.push({ group: 'scale', name: `${devices.toLocaleString('en-US')} devices: unfinished`, value: 0, unit: why, baseline: 0, baselineUnit: '', ratio: null });
    }
  }
}

/** Everything the checker keeps between trace events, counted in entries. */
function checkerEntries(checker) {
  return (
    checker.inFlight.size +
    checker.routed.size +
    checker.autoResponded.size +
    checker.autoRespondedOrder.length +
    checker.autoRespondedGroups.size +
    checker.recent.length +
    checker.violations.length +
    checker.abandonedGroups.length
  );
}

// The handlers answer INVALID and the workloads cycle over 256 pages, slowly
// enough that every access faults on its own, so no page table grows with the
// run: what does grow is the checker's, if anything.
function benchChecker() {
  const text = readFileSync(here('nats-load.yaml'), 'utf8')
    .replace(/policy: map/g, 'policy: invalid')
    .replace(/pages: 1000000/g, 'pages: 256')
    .replace(/rate: "10M\/s"/g, 'rate: "20k/s"');
  const measure = (count) => {
    const loaded = topologyParse(text.replace(/count: 40000/g, `count: ${count}`), 'checker-load');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors[0]));
    let entries = 0;
    let heap = 0;
    const report = run(loaded.topology, {
      seed: 1,
      onFinish: (checker) => {
        entries = checkerEntries(checker);
        global.gc();
        heap = process.memoryUsage().heapUsed;
      },
    });
    return { faults: report.faults.raised, entries, heap };
  };
  const short = measure(20_000);
  const long = measure(80_000);
  row('checker', `retained entries at the end, ${long.faults} vs ${short.faults} faults`, long.entries, 'entries', short.entries, 'entries');
  row('checker', `heap at the end (whole run), ${long.faults} vs ${short.faults} faults`, mebibytes(long.heap), 'MiB', mebibytes(short.heap), 'MiB');
  benchObservers();
}

/**
 * The observers of a run's trace (checker, end-to-end and per-hop latency)
 * alone: the single-host example's trace, recorded once, through fresh
 * observers, best of five; against a plain-JS loop over the same events that
 * only counts them by kind. The row that keeps the gain of number keys over
 * a `host/device/group` string per event.
 */
function benchObservers() {
  const loaded = topologyLoad(here('../examples/single-host.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors[0]));
  const events = [];
  run(loaded.topology, { seed: 1, onTrace: (event) => events.push(event) });
  const rounds = 5;
  const observe = () => {
    const checker = new Checker(loaded.topology, 1);
    const latency = new LatencyBook();
    const hops = new HopBook();
    checker.latencySink = (host, device, latencyNs) => latency.record(host, device, latencyNs);
    for (const event of events) {
      checker.observe(event);
      hops.observe(event);
    }
    checker.finish();
    return checker.counts.raised;
  };
  // Counted in a Map: keyed stores into a plain object ran 9.2M to 14.8M events/s from one bench to the next.
  const count = () => {
    const kinds = new Map();
    for (const event of events) kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
    return kinds.get('groupRaised');
  };
  let observed = 0;
  let counted = 0;
  for (let round = 0; round < rounds; round++) {
    let started = nowNs();
    for (let pass = 0; pass < 10; pass++) if (observe() === 0) throw new Error('observers: no group raised');
    observed = Math.max(observed, (10 * events.length) / seconds(started));
    // The count loop takes a hundredth of the observers' time: fifty passes, so that it is timed over tens of milliseconds.
    started = nowNs();
    for (let pass = 0; pass < 50; pass++) if (count() === 0) throw new Error('observers: no group counted');
    counted = Math.max(counted, (50 * events.length) / seconds(started));
  }
  row('checker', `trace events/s through checker and latency books (${events.length} events, best of ${rounds})`, observed, 'events/s', counted, 'count loop/s');
}

async function benchChaos() {
  const path = '../examples/chaos.yaml';
  const text = readFileSync(here(path), 'utf8');
  const loaded = topologyWithChaos(text, path, []);
  if (!loaded.ok) throw new Error(loaded.errors[0]);
  const topology = loaded.topology;
  const schedule = { rules: topology.chaos, delivery: topology.settings.delivery };
  const seeds = Array.from({ length: 60 }, (_, index) => index + 1);
  const plainTopology = { ...topology, chaos: [] };
  let started = nowNs();
  for (const seed of seeds) run(plainTopology, { seed });
  const plainRate = seeds.length / seconds(started);
  for (const jobs of [1, availableParallelism()]) {
    started = nowNs();
    const results = await seedsRun(seeds.map((seed) => ({ topology, schedule, seed, swarm: false })), jobs);
    const rate = results.length / seconds(started);
    row('chaos', `seeds/s, examples/chaos.yaml, ${jobs} job${jobs === 1 ? '' : 's'}`, rate, 'seeds/s', plainRate, 'plain run/s');
  }
}

if (values['scale-point'] !== undefined) {
  scalePoint(Number(values['scale-point']));
  process.exit(0);
}
if (values['embedded-run'] !== undefined) {
  embeddedRunHere(values['embedded-run']);
  process.exit(0);
}

const benches = {
  scheduler: benchScheduler,
  codec: benchCodec,
  embedded: benchEmbedded,
  baselines: () => baselinesBench({ row, here }),
  topology: benchTopologyLoad,
  checker: benchChecker,
  chaos: benchChaos,
  nats: () => natsBench({ row, here }),
  scale: benchScale,
};
// A group that fails says so in a row of its own; the other groups still run, and the bench exits 1.
let groupsFailed = 0;
for (const [name, bench] of Object.entries(benches)) {
  if (only !== null && !only.has(name)) continue;
  const groupStarted = nowNs();
  try {
    await bench();
    console.log(`${name.padEnd(10)} (${seconds(groupStarted).toFixed(1)} s)`);
  } catch (error) {
    groupsFailed++;
    const why = String(error?.message ?? error).split('\n')[0];
    console.log(`${name.padEnd(10)} failed: ${why}`);
    rows.push({ group: name, name: 'failed', value: 0, unit: why, baseline: 0, baselineUnit: '', ratio: null });
  }
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
  // A row is matched by its group and name without the counts a name carries (faults run, entries kept).
  const rowKey = (entry) => `${entry.group}/${entry.name.replace(/\s*\([^)]*\)/g, '').replace(/\d+ vs \d+ faults/, 'N vs M faults')}`;
  let failed = 0;
  const measured = new Set(rows.map(rowKey));
  for (const before of baseline.rows) {
    if (before.ratio == null || measured.has(rowKey(before)) || (only !== null && !only.has(before.group))) continue;
    // A scale point larger than --scale-max is left out on purpose.
    if (Number(/^([\d,]+) devices/.exec(before.name)?.[1]?.replace(/,/g, '')) > scaleMax) continue;
    failed++;
    console.log(`check ${before.group} ${before.name}: in the baseline, not measured this run MISSING`);
  }
  for (const current of rows) {
    const before = baseline.rows.find((candidate) => rowKey(candidate) === rowKey(current));
    if (before?.ratio == null || current.ratio == null) continue;
    const change = current.ratio / before.ratio - 1;
    // A time or a size that grows is what a falling rate is elsewhere: the inverse ratio fell.
    const lower = LOWER_IS_BETTER_UNITS.has(current.unit);
    const worse = lower ? before.ratio / current.ratio - 1 : change;
    const verdict = worse < -0.2 ? 'REGRESSION' : 'ok';
    if (verdict !== 'ok') failed++;
    console.log(
      `check ${current.group} ${current.name}: ratio ${ratioFormat(before.ratio)} -> ${ratioFormat(current.ratio)} (${(change * 100).toFixed(1)}%${lower ? ', lower is better' : ''}) ${verdict}`,
    );
  }
  process.exit(failed > 0 || groupsFailed > 0 ? 1 : 0);
}
process.exit(groupsFailed > 0 ? 1 : 0);
