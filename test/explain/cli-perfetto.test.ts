/**
 * Goal: `ioasim run <file> --perfetto out.json` writes a timeline Perfetto
 * opens: tracks for each device, the iommu, the manager and each handler; a
 * slice per group on each; flows; counters of outstanding requests, the PRI
 * queue and the handler queues; bounded by a window and by sampling.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

type TraceRecord = { ph: string; name: string; pid: number; tid?: number; ts?: number; dur?: number; id?: number; args?: Record<string, unknown> };

async function ioasim(...argv: string[]): Promise<{ code: number; error: string }> {
  const error: string[] = [];
  const io: Io = { out: () => {}, error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, error: error.join('\n') };
}

const example = new URL('../../examples/single-host.yaml', import.meta.url).pathname;
/** A short run (240 groups), for the options that bound the file. */
const short = new URL('../../examples/response-timeout.yaml', import.meta.url).pathname;

async function timeline(file: string, ...options: string[]): Promise<TraceRecord[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'ioasim-perfetto-cli-')), 'out.json');
  const result = await ioasim('run', file, '--perfetto', path, ...options);
  expect(result).toEqual({ code: 0, error: '' });
  return (JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceRecord[] }).traceEvents;
}

/** The actor of each thread: its name without the lane number (`device nic0 (3)` is a lane of `device nic0`). */
function threadNames(events: readonly TraceRecord[]): Map<number, string> {
  return new Map(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name')
      .map((event) => [event.tid ?? 0, String(event.args?.['name']).replace(/ \(\d+\)$/, '')]),
  );
}

describe('ioasim run --perfetto', () => {
  const singleHost = timeline(example);

  it('writes tracks for each device, the iommu, the manager and each handler, each with slices', async () => {
    const events = await singleHost;
    const names = threadNames(events);
    const sliced = new Set(events.filter((event) => event.ph === 'X').map((event) => names.get(event.tid ?? 0)));
    for (const track of ['device nic0', 'device vnet0', 'iommu', 'ioasid-manager', 'handler gpa', 'handler guest-s1']) expect(sliced).toContain(track);
  });

  it('has an iommu slice per group, and PRI and handler queue counters', async () => {
    const events = await singleHost;
    const names = threadNames(events);
    const iommuSlices = events.filter((event) => event.ph === 'X' && names.get(event.tid ?? 0) === 'iommu');
    const deviceSlices = events.filter((event) => event.ph === 'X' && names.get(event.tid ?? 0)?.startsWith('device '));
    expect(iommuSlices.length).toBe(deviceSlices.length);
    const counters = new Set(events.filter((event) => event.ph === 'C').map((event) => event.name));
    expect(counters).toContain('PRI queue');
    expect(counters).toContain('handler queue gpa');
    expect(counters).toContain('outstanding nic0');
    for (const event of events) if (event.ts !== undefined) expect(Number.isFinite(event.ts) && event.ts >= 0).toBe(true);
  });

  it('keeps only the groups raised inside --perfetto-window, and one in N with --perfetto-sample', async () => {
    const all = await timeline(short);
    const windowed = await timeline(short, '--perfetto-window', '1ms-2ms');
    const sampled = await timeline(short, '--perfetto-sample', '4');
    const deviceStarts = (events: TraceRecord[]) => {
      const names = threadNames(events);
      return events.filter((event) => event.ph === 'X' && names.get(event.tid ?? 0)?.startsWith('device ')).map((event) => event.ts ?? 0);
    };
    expect(deviceStarts(windowed).every((ts) => ts >= 1000 && ts <= 2000)).toBe(true);
    expect(deviceStarts(windowed).length).toBeGreaterThan(0);
    expect(deviceStarts(windowed).length).toBeLessThan(deviceStarts(all).length);
    expect(deviceStarts(sampled).length).toBeLessThan(deviceStarts(all).length / 2);
  });

  it('refuses a window that is not <from>-<to>, and window or sampling without a file (exit 2)', async () => {
    const bad = await ioasim('run', example, '--perfetto', join(tmpdir(), 'never.json'), '--perfetto-window', '2ms');
    expect(bad.code).toBe(2);
    expect(bad.error).toContain('--perfetto-window expects <from>-<to>, e.g. 1ms-2ms, found "2ms"');
    const alone = await ioasim('run', example, '--perfetto-sample', '3');
    expect(alone.code).toBe(2);
    expect(alone.error).toContain('go with --perfetto <file>');
  });
});
