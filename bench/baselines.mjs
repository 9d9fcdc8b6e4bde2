// The `baselines` rows of `npm run bench`: ioasim's embedded run against
// honest baselines of the same work, each measured in the same run.
//
// - The plain-JS discrete-event simulation of the same fault path
//   (bench/plain-des.mjs), on examples/fault-storm.yaml and
//   examples/single-host.yaml: faults/s (issue 15's target: ioasim at 0.3 of
//   it or more), and the mean latency of both, which must agree (it is the
//   same simulation: the same draws, the same hops). The straight-line loop
//   of bench/plain-baseline.mjs stays the second reference, in the
//   `embedded` rows (a row of the plain DES against it varied by 60% from
//   one bench to the next: the loop's runs are a tenth of a second each).
// - Simulated events per wall second of the single-host run, checker on:
//   the scheduler's events (its `run()` results, summed over the slices a
//   run is made of), against the plain DES's events.
// - Heap bytes allocated per fault in the single-host run, ioasim against
//   the plain DES, from node:v8's GCProfiler: the heap used before each
//   collection minus after it, summed over the collections, plus the growth
//   of the heap used from the first event to the last. That is every byte
//   allocated on the V8 heap, as nothing but the collector frees any;
//   buffers outside the heap are not counted. Checked against
//   `node --trace-gc`: a whole single-host run (building included) freed
//   1,858 MiB in 123 collections, 276 KB per fault; the meter reads 278 KB.
// - SimPy (Debian's python3-simpy3): the M/M/1 queue of bench/mm1-storm.yaml
//   in bench/mm1_simpy.py, customers/s beside ioasim's faults/s of the same
//   topology (per unit of work; issue 15's target: 2 or more), each one's
//   mean sojourn against theory 1/(mu - lambda), and events/s of each.
//   SimPy's time is its env.run() alone, not Python's start-up.
//
// The timed runs alternate ioasim and its baseline and keep the fastest of
// each: one run varies by a fifth from the next on a shared machine. The
// baseline's side of a round is as long as ioasim's run before it: runs of
// the plain DES (or of SimPy) back to back, counted together. No run
// starts with a forced collection: after global.gc() the plain DES ran
// fault-storm at 105k to 117k faults/s, without it at 257k to 284k (and
// ioasim slower too), as if the young generation started small again after
// each. ioasim's runs are runs as `run()` makes them
// (runStart, the scheduler in slices with the run's progress callback,
// finish), from building the actors to the report; the plain DES's from
// building its hosts to its last event.
import { spawnSync } from 'node:child_process';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { runStart, topologyLoad } from '@ioasim/sim';
import { plainDesRun } from './plain-des.mjs';

const SEED = 1;
/**
 * Timed runs of ioasim per topology (each from building to the report); the
 * fastest counts. Its first runs in a process are its slowest (fault-storm,
 * four runs: 6,950, 3,641, 12,376 and 12,622 faults/s), as the plain DES's
 * are.
 */
const IOASIM_ROUNDS = 3;
/** Scheduler events between two calls of the run's progress callback, as `run()` slices a run. */
const SLICE_EVENTS = 50_000;
/** The pythons tried, in order, for one that imports simpy: Debian's first, where python3-simpy3 installs it (python3 on PATH may be another, e.g. pyenv's). */
const PYTHONS = ['/usr/bin/python3', 'python3'];
const SIMPY_INSTALL = 'apt-get install python3-simpy3 (Debian or Ubuntu), or pip install simpy';
const SIMPY_TIMEOUT_MS = 120_000;

function secondsSince(started) {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function heapUsed() {
  return getHeapStatistics().used_heap_size;
}

/** Counts the bytes allocated on the V8 heap from `start()` to `stop()` (see the file's header). */
class AllocationMeter {
  #profiler = null;
  #usedBefore = 0;

  start() {
    this.#profiler = new GCProfiler();
    this.#profiler.start();
    this.#usedBefore = heapUsed();
  }

  stop() {
    const usedAfter = heapUsed();
    const profile = this.#profiler.stop();
    let collected = 0;
    for (const collection of profile.statistics) {
      collected += collection.beforeGC.heapStatistics.usedHeapSize - collection.afterGC.heapStatistics.usedHeapSize;
    }
    return collected + usedAfter - this.#usedBefore;
  }
}

/**
 * An embedded run as `run()` makes it, counting the scheduler's events; with
 * `allocation`, also the bytes it allocates from its first event to its last
 * (building and the report left out).
 */
function ioasimRun(topology, { allocation = false } = {}) {
  const started = process.hrtime.bigint();
  const run = runStart(topology, { seed: SEED });
  const meter = allocation ? new AllocationMeter() : null;
  meter?.start();
  let events = 0;
  for (;;) {
    const result = run.scheduler.run({ maxEvents: SLICE_EVENTS });
    if (typeof result?.events !== 'number') throw new Error("the scheduler's run() no longer says how many events it ran");
    events += result.events;
    if (result.stoppedBy !== 'maxEvents') break;
    run.progress(run.scheduler.nowNs);
  }
  const allocatedBytes = meter?.stop() ?? null;
  const report = run.finish();
  return { runs: 1, faults: report.faults.raised, latencyNsMean: report.latencyNs.mean, events, seconds: secondsSince(started), allocatedBytes };
}

/**
 * Runs of the plain DES back to back for at least `seconds` of wall time,
 * the length of the ioasim run beside it, so that both sides see the
 * machine's load alike: best of many lone runs of a tenth of a second each,
 * it found quiet moments that a run of two seconds could not, and on a
 * loaded machine ioasim's ratio to it fell by half.
 */
function desSample(topology, seconds) {
  let sample = null;
  let total = 0;
  let runs = 0;
  do {
    sample = plainDesRun(topology, SEED);
    total += sample.seconds;
    runs++;
  } while (total < seconds);
  return { ...sample, runs, seconds: total };
}

/** The plain DES's bytes allocated in one run, from its first event to its last. */
function desAllocated(topology) {
  const meter = new AllocationMeter();
  const des = plainDesRun(topology, SEED, { onStart: () => meter.start() });
  return { ...des, allocatedBytes: meter.stop() };
}

/** Per second of a sample's wall time: `count` is per run, and a sample holds `runs` runs. */
function perSecond(sample, count) {
  return (sample.runs * count) / sample.seconds;
}

function fastest(a, b) {
  return a === null || perSecond(b, 1) > perSecond(a, 1) ? b : a;
}

/** ioasim and the plain DES on one topology, alternated; the fastest of each. */
function ioasimAgainstDes(topology) {
  let ioasim = null;
  let des = null;
  for (let round = 0; round < IOASIM_ROUNDS; round++) {
    const run = ioasimRun(topology);
    ioasim = fastest(ioasim, run);
    des = fastest(des, desSample(topology, run.seconds));
  }
  if (ioasim.faults !== des.faults) {
    throw new Error(`${topology.name}: the plain DES raised ${des.faults} faults, ioasim ${ioasim.faults}: it no longer simulates the same run`);
  }
  return { ioasim, des };
}

/** The faults/s and mean latency rows of ioasim against the plain DES on one topology; returns both sides' fastest runs. */
function desRows(row, topology) {
  const { ioasim, des } = ioasimAgainstDes(topology);
  const name = topology.name;
  row('baselines', `${name}: faults/s, ioasim embedded vs plain-JS DES (${ioasim.faults} faults; target ratio >= 0.3)`, perSecond(ioasim, ioasim.faults), 'faults/s', perSecond(des, des.faults), 'plain DES/s');
  row('baselines', `${name}: mean latency ns, ioasim vs plain-JS DES`, ioasim.latencyNsMean, 'ns', des.latencyNsMean, 'plain DES ns');
  return { ioasim, des };
}

function benchDes({ row, load }) {
  desRows(row, load('../examples/fault-storm.yaml'));
  const single = load('../examples/single-host.yaml');
  const { ioasim, des } = desRows(row, single);
  row('baselines', `single-host: simulated events/s, checker on, vs plain-JS DES (${ioasim.events} vs ${des.events} events)`, perSecond(ioasim, ioasim.events), 'events/s', perSecond(des, des.events), 'plain DES/s');
  // One more run of each, profiled, for allocations: the timed runs are not.
  const ioasimProfiled = ioasimRun(single, { allocation: true });
  const desProfiled = desAllocated(single);
  row(
    'baselines',
    `single-host: heap bytes allocated per fault, vs plain-JS DES (${ioasimProfiled.faults} faults)`,
    ioasimProfiled.allocatedBytes / ioasimProfiled.faults,
    'B/fault',
    desProfiled.allocatedBytes / desProfiled.faults,
    'plain DES B',
  );
}

/** A python3 that imports simpy, or null. */
function pythonWithSimpy() {
  for (const python of PYTHONS) {
    const probe = spawnSync(python, ['-c', 'import simpy'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return null;
}

/** SimPy's runs of the queue back to back for at least `seconds` (as desSample, for the same reason). */
function simpySample(python, script, { rate, serviceMeanNs, customers }, seconds) {
  const child = spawnSync(python, [script, String(rate), String(serviceMeanNs), String(customers), String(SEED), String(seconds)], {
    encoding: 'utf8',
    timeout: SIMPY_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const line = (child.stdout ?? '').split('\n').find((text) => text.startsWith('{'));
  if (child.status !== 0 || line === undefined) {
    throw new Error(`${script} failed (exit ${child.status ?? child.signal}): ${(child.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  }
  return JSON.parse(line);
}

/** The queue of bench/mm1-storm.yaml, as SimPy needs it; refuses a topology that is not the M/M/1 the rows claim. */
function mm1Of(topology) {
  const host = topology.hosts[0];
  const workload = host?.workloads[0];
  const space = host?.spaces[0];
  const single = topology.hosts.length === 1 && host.workloads.length === 1 && host.spaces.length === 1;
  if (!single || workload.arrival !== 'poisson' || workload.rate.length !== 1 || space.handler.service.dist !== 'exp') {
    throw new Error(`${topology.name}: not one Poisson workload into one handler of exponential service`);
  }
  return { rate: workload.rate[0].perSecond, serviceMeanNs: space.handler.service.meanNs, customers: workload.count };
}

function benchSimpy({ row, load, here }) {
  const python = pythonWithSimpy();
  if (python === null) {
    console.log(`baselines  SimPy M/M/1 rows skipped: no python3 imports simpy (install it: ${SIMPY_INSTALL})`);
    return;
  }
  const script = here('mm1_simpy.py');
  const topology = load('mm1-storm.yaml');
  const queue = mm1Of(topology);
  let ioasim = null;
  let simpy = null;
  for (let round = 0; round < IOASIM_ROUNDS; round++) {
    const run = ioasimRun(topology);
    ioasim = fastest(ioasim, run);
    simpy = fastest(simpy, simpySample(python, script, queue, run.seconds));
  }
  if (ioasim.faults !== queue.customers || simpy.customers !== queue.customers) {
    throw new Error(`mm1-storm: ${queue.customers} customers, but ioasim raised ${ioasim.faults} faults and SimPy served ${simpy.customers}`);
  }
  const theoryNs = 1 / (1 / queue.serviceMeanNs - queue.rate / 1e9);
  const utilisation = (queue.rate / 1e9) * queue.serviceMeanNs;
  const label = `M/M/1, rho ${utilisation.toFixed(2)}`;
  row('baselines', `${label}: ioasim faults/s vs SimPy customers/s (${queue.customers} each; target ratio >= 2)`, perSecond(ioasim, ioasim.faults), 'faults/s', perSecond(simpy, simpy.customers), 'SimPy/s');
  row('baselines', `${label}: ioasim mean sojourn ns vs theory 1/(mu-lambda)`, ioasim.latencyNsMean, 'ns', theoryNs, 'theory ns');
  row('baselines', `${label}: SimPy mean sojourn ns vs theory 1/(mu-lambda)`, simpy.sojournMeanNs, 'ns', theoryNs, 'theory ns');
  if (simpy.events !== null) {
    row('baselines', `${label}: ioasim events/s vs SimPy events/s (${ioasim.events} vs ${simpy.events} events)`, perSecond(ioasim, ioasim.events), 'events/s', perSecond(simpy, simpy.events), 'SimPy/s');
  }
}

/** Calls row(...) for each baseline figure; the SimPy rows say why and are left out when no python3 has simpy. */
export function baselinesBench({ row, here }) {
  const load = (path) => {
    const loaded = topologyLoad(here(path));
    if (!loaded.ok) throw new Error(`${path}: ${JSON.stringify(loaded.errors[0])}`);
    return loaded.topology;
  };
  benchDes({ row, load });
  benchSimpy({ row, load, here });
}
