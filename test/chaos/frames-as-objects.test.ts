/**
 * Goal: chaos and at-least-once delivery take frames as objects, as a plain
 * embedded run does, and give the same report as frames encoded on the
 * msgpack wire: drops, duplicates, delays and retransmissions act on the
 * message, whatever form its frame travels in.
 */
import type { LocalBus } from '@ioasim/bus';
import { reportDeterministicJson, runStart, topologyLoad, type Report } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';

function chaosRun(wire: 'objects' | 'msgpack'): { report: Report; bus: LocalBus } {
  const loaded = topologyLoad(new URL('../../examples/chaos.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const started = runStart(loaded.topology, { seed: 3, wire });
  started.scheduler.run();
  return { report: started.finish(), bus: started.bus as LocalBus };
}

describe('chaos with frames as objects', () => {
  it('carries the fault path as objects through chaos and at-least-once, with the report of the msgpack wire', () => {
    const objects = chaosRun('objects');
    const msgpack = chaosRun('msgpack');
    expect(objects.report.chaos.delivery).toBe('at-least-once');
    expect(objects.report.faults.raised).toBeGreaterThan(100);
    // Every frame of the fault path crosses as an object; acknowledgements and control requests stay bytes.
    expect(objects.bus.framesCarried).toBeGreaterThan(objects.bus.stats.published / 2);
    expect(msgpack.bus.framesCarried).toBe(0);
    expect(reportDeterministicJson(objects.report)).toBe(reportDeterministicJson(msgpack.report));
  });
});
