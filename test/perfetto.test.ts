/**
 * Goal: `--perfetto` writes a Chrome Trace Event file that Perfetto can open
 * and shows whole: tracks per actor on which no two slices overlap, a slice
 * per fault group, flow arrows from the device to the manager to the handler
 * and back, counters of outstanding requests, and times that respect
 * causality.
 */
import { PERFETTO_DEFAULTS, PerfettoExporter, run, topologyLoad } from '@ioasim/sim';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowsUnbound, overlapsFind, type TraceRecord } from './perfetto-tracks.js';

function exportExample(options?: ConstructorParameters<typeof PerfettoExporter>[1]): TraceRecord[] {
  return exportFile(options).traceEvents;
}

function exportFile(options?: ConstructorParameters<typeof PerfettoExporter>[1]): { otherData: Record<string, unknown>; traceEvents: TraceRecord[] } {
  const loaded = topologyLoad(new URL('../examples/single-host.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error('example does not load');
  const path = join(mkdtempSync(join(tmpdir(), 'ioasim-perfetto-')), 'trace.json');
  const exporter = new PerfettoExporter(path, options);
  run(loaded.topology, { seed: 1, onTrace: (event) => exporter.observe(event) });
  exporter.close();
  return JSON.parse(readFileSync(path, 'utf8')) as { otherData: Record<string, unknown>; traceEvents: TraceRecord[] };
}

describe('Perfetto export', () => {
  const file = exportFile();
  const events = file.traceEvents;
  const threads = events.filter((event) => event.ph === 'M' && event.name === 'thread_name').map((event) => String(event.args?.['name']));

  it('has one track per device, for the manager and for each handler', () => {
    expect(threads).toEqual(expect.arrayContaining(['device nic0', 'device vnet0', 'ioasid-manager', 'handler gpa', 'handler guest-s1', 'handler dma-pool', 'handler vq-data', 'handler vq-ctrl']));
  });

  it('says its times are simulated', () => {
    expect(file.otherData['time']).toBe('simulated');
  });

  it('puts no two slices on one track over each other: groups in flight together go to lanes of their actor, sorted together', () => {
    expect(events.filter((event) => event.ph === 'X').length).toBeGreaterThan(20_000);
    expect(overlapsFind(events)).toEqual([]);
    expect(threads).toEqual(expect.arrayContaining(['device nic0 (2)', 'ioasid-manager (2)']));
    const sortIndex = new Map(events.filter((event) => event.name === 'thread_sort_index').map((event) => [event.tid, Number(event.args?.['sort_index'])]));
    const tidOf = new Map(events.filter((event) => event.name === 'thread_name').map((event) => [String(event.args?.['name']), event.tid]));
    const sortOf = (name: string): number => sortIndex.get(tidOf.get(name)) ?? Number.NaN;
    expect(sortOf('device nic0 (2)') - sortOf('device nic0')).toBe(1);
  });

  it('writes every flow event on the lane of the slice it binds to', () => {
    expect(flowsUnbound(events)).toEqual([]);
  });

  it('has a slice per fault group on the device tracks, with a non-negative duration', () => {
    const slices = events.filter((event) => event.ph === 'X');
    const tidOf = new Map(events.filter((event) => event.ph === 'M' && event.name === 'thread_name').map((event) => [event.tid, String(event.args?.['name'])]));
    const deviceSlices = slices.filter((slice) => tidOf.get(slice.tid)?.startsWith('device '));
    expect(deviceSlices.length).toBe(events.filter((event) => event.ph === 's').length);
    expect(deviceSlices.length).toBeGreaterThan(1000);
    for (const slice of slices) {
      expect(slice.ts).toBeGreaterThanOrEqual(0);
      expect(slice.dur).toBeGreaterThanOrEqual(0);
    }
  });

  it('draws each flow device -> manager -> handler -> device in causal order', () => {
    const flows = new Map<number, TraceRecord[]>();
    for (const event of events.filter((candidate) => ['s', 't', 'f'].includes(candidate.ph))) {
      flows.set(event.id ?? 0, [...(flows.get(event.id ?? 0) ?? []), event]);
    }
    expect(flows.size).toBeGreaterThan(1000);
    for (const steps of flows.values()) {
      const start = steps.find((step) => step.ph === 's');
      const finish = steps.find((step) => step.ph === 'f');
      expect(start).toBeDefined();
      expect(finish).toBeDefined();
      for (const step of steps.filter((candidate) => candidate.ph === 't')) {
        expect(step.ts).toBeGreaterThanOrEqual(start?.ts ?? 0);
        expect(step.ts).toBeLessThanOrEqual(finish?.ts ?? 0);
      }
    }
  });

  it('has counters of outstanding page requests', () => {
    const counters = events.filter((event) => event.ph === 'C');
    expect(counters.length).toBeGreaterThan(0);
    expect(counters[0]?.args).toHaveProperty('requests');
    expect(counters[0]?.args).toHaveProperty('credits');
  });

  it('bounds a file by window, sampling and an event limit', () => {
    const sampled = exportExample({ ...PERFETTO_DEFAULTS, fromNs: 0, toNs: 10_000_000, sample: 4, eventsMax: 500 });
    expect(sampled.length).toBeLessThanOrEqual(501);
    expect(sampled.some((event) => event.ph === 'i' && event.name.includes('truncated'))).toBe(true);
    const windowed = exportExample({ ...PERFETTO_DEFAULTS, fromNs: 5_000_000, toNs: 6_000_000, sample: 1, eventsMax: 1_000_000 });
    const starts = windowed.filter((event) => event.ph === 's');
    for (const start of starts) expect(start.ts).toBeGreaterThanOrEqual(5000);
    expect(starts.length).toBeLessThan(events.filter((event) => event.ph === 's').length);
  });
});
