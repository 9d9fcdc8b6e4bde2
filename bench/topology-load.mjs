#!/usr/bin/env node
// Loading a 10,000-host topology: `topologyParse` (YAML, schema, every rule,
// normalization, fleet expansion) beside a baseline of the `yaml` library
// alone parsing the same text. Two shapes of the same 10,000 hosts:
//
//   fleet     one template host and `fleet: [{ template: h0, count: 10000 }]`:
//             the text is small, the work is validating the template once and
//             making 10,000 copies that share its configuration
//   written   the 10,000 hosts written out one by one: the text is large, and
//             every host is validated on its own
//
// Each figure is the fastest of several alternated runs after a warm-up, so that the
// JIT and the first allocation of the schema do not count. Run after
// `npx tsc -b`:
//
//   node bench/topology-load.mjs [--hosts 10000] [--runs 5] [--written]
//
// The written shape is measured only with --written: at 10,000 hosts its
// text is 10 MB and one parse takes seconds.
//
// `topologyLoadBench` is exported for `npm run bench` (bench/run.mjs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { topologyParse } from '@ioasim/topology';
import { LineCounter, parseDocument } from 'yaml';

const TEMPLATE = fileURLToPath(new URL('../examples/fleet-1000.yaml', import.meta.url));

/** The YAML text of `hosts` hosts: as one template and a fleet, or written out one by one. */
export function topologyText(hosts, shape) {
  const text = readFileSync(TEMPLATE, 'utf8');
  if (shape === 'fleet') return text.replace(/count: 1000 \}/, `count: ${hosts} }`);
  const start = text.indexOf('\nhosts:\n') + '\nhosts:\n'.length;
  const end = text.indexOf('\nfleet:');
  const host = text.slice(start, end).trimEnd();
  const copies = [];
  for (let index = 0; index < hosts; index += 1) copies.push(host.replace('- name: h0', `- name: h${index}`));
  return `${text.slice(0, start)}${copies.join('\n')}\n${text.slice(text.indexOf('\nlinks:'))}`;
}

/** What the loader's YAML step costs alone: the same options as topologyParse (load.ts). */
function yamlOnly(text) {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, version: '1.2', schema: 'core', merge: true });
  if (document.errors.length > 0) throw new Error(document.errors[0].message);
  return document.toJS({ maxAliasCount: 100 });
}

function loadOnly(text, hosts) {
  const result = topologyParse(text, 'bench.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors.slice(0, 3)));
  if (result.topology.hosts.length !== hosts) throw new Error(`expected ${hosts} hosts, loaded ${result.topology.hosts.length}`);
  return result.topology;
}

/** Milliseconds of one call of `work`. */
function timedMs(work) {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The fastest of `runs` calls of each of `left` and `right`, after one
 * warm-up call of each, the calls alternated: a machine that slows down or
 * speeds up meanwhile touches both sides alike, and the fastest call is the
 * one least disturbed (the median of one side, then of the other, moved
 * their ratio by a quarter between two runs on an idle machine).
 */
function bestMsAlternated(left, right, runs) {
  left();
  right();
  let leftMs = Number.POSITIVE_INFINITY;
  let rightMs = Number.POSITIVE_INFINITY;
  for (let index = 0; index < runs; index += 1) {
    leftMs = Math.min(leftMs, timedMs(left));
    rightMs = Math.min(rightMs, timedMs(right));
  }
  return [leftMs, rightMs];
}

/** One row per shape: load + validate time, the yaml-only baseline, and their ratio. */
export function topologyLoadBench({ hosts = 10_000, runs = 5, shapes = ['fleet'] } = {}) {
  return shapes.map((shape) => {
    const text = topologyText(hosts, shape);
    const [loadMs, yamlMs] = bestMsAlternated(() => loadOnly(text, hosts), () => yamlOnly(text), runs);
    return { shape, hosts, bytes: Buffer.byteLength(text), loadMs, yamlMs, ratio: loadMs / yamlMs };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { hosts: { type: 'string' }, runs: { type: 'string' }, written: { type: 'boolean' } } });
  const hosts = Number(values.hosts ?? 10_000);
  const runs = Number(values.runs ?? 5);
  console.log(`topology load, ${hosts.toLocaleString('en-US')} hosts, fastest of ${runs} runs`);
  console.log('shape     text bytes   load+validate ms   yaml alone ms   ratio');
  const shapes = values.written === true ? ['fleet', 'written'] : ['fleet'];
  for (const row of topologyLoadBench({ hosts, runs, shapes })) {
    console.log(
      `${row.shape.padEnd(8)}  ${row.bytes.toLocaleString('en-US').padStart(10)}   ${row.loadMs.toFixed(1).padStart(16)}   ` +
        `${row.yamlMs.toFixed(1).padStart(13)}   ${row.ratio.toFixed(1).padStart(5)}x`,
    );
  }
}
