/**
 * Goal (issue 21): a record from outside the process is checked by its type
 * before any model code sees it. Random and mutated frames thrown at every
 * subject of an embedded run, through the wire probe, are refused, counted
 * and traced; no actor stops and no handler throws, and the report is the
 * undisturbed run's but for the refused-frame counts.
 */
import { frameDecode, hostSubjects, metricsSubject, traceSubject, type FrameTypeName, type TraceEvent } from '@ioasim/protocol';
import { reportDeterministicJson, run, topologyLoad, type Report, type Simulation, type Topology } from '@ioasim/sim';
import { describe, expect, it } from 'vitest';
import { SAMPLES, frameBad, frameRaw, randomOf, recordMutate } from './frame-fuzz.js';

function singleHost(): Topology {
  const loaded = topologyLoad(new URL('../../examples/single-host.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  return loaded.topology;
}

/** Every subject a service of host h0 of the single-host example subscribes to, with the frame type it expects. */
function subjectsOf(run: string): readonly (readonly [string, FrameTypeName])[] {
  const subjects = hostSubjects(run, 'h0');
  return [
    [subjects.iommuAts('smmu0'), 'translationRequest'],
    [subjects.iommuPri('smmu0'), 'pageRequest'],
    [subjects.iommuCmd('smmu0'), 'iommuCommand'],
    [subjects.mgrFaults(), 'faultRecord'],
    [subjects.mgrCtl(), 'controlRequest'],
    [subjects.mgrResp(), 'pageResponse'],
    ...['gpa', 'guest-s1', 'dma-pool', 'vq-data', 'vq-ctrl'].map((space) => [subjects.ioasidFaults(space), 'faultGroup'] as const),
    ...['vm0', 'vm1'].map((owner) => [subjects.ownerEvents(owner), 'unrecoverableFault'] as const),
    ...['nic0', 'vnet0'].flatMap((device) => [
      [subjects.devAts(device), 'translationCompletion'] as const,
      [subjects.devPrgr(device), 'prgResponse'] as const,
      [subjects.devInv(device), 'atcInvalidation'] as const,
    ]),
    [traceSubject(run, 'h0'), 'trace'],
    [metricsSubject(run, 'h0'), 'metrics'],
  ];
}

/**
 * The report without what refused frames change: the refused-frame counts
 * (`badFrames`, the records dropped as `badFrame`) and the per-subject
 * message counts, where a refused frame is a received frame dropped.
 */
function undisturbedPart(report: Report): unknown {
  const { badFrames: _badFrames, messages: _messages, faults, ...rest } = JSON.parse(reportDeterministicJson(report)) as Report;
  return { ...rest, faults: { ...faults, dropped: faults.dropped - faults.droppedByCause.badFrame, droppedByCause: { ...faults.droppedByCause, badFrame: 0 } } };
}

const TIMES = 60;

describe('frame fuzz on one process', () => {
  it('refuses every bad frame on every subject, stops no actor and keeps the report exact', () => {
    const topology = singleHost();
    const undisturbed = run(topology);
    const random = randomOf(21);
    let injected = 0;
    let probe: Simulation | null = null;
    const refusals: TraceEvent[] = [];
    const fuzzed = run(topology, {
      onTrace: (event) => {
        if (event.kind === 'recordDropped' && event.cause === 'badFrame') refusals.push(event);
      },
      onStart: (simulation) => {
        probe = simulation;
        for (let time = 0; time < TIMES; time++) {
          const atNs = Math.floor(random() * undisturbed.simulatedNs);
          for (const [subject, type] of subjectsOf(simulation.run)) {
            const { bytes, what } = frameBad(random, type);
            // A frame of another type decodes, and is refused by the subject's type; every other one is refused at decode.
            if (!what.endsWith(' frame')) expect(frameDecode(bytes).ok, what).toBe(false);
            injected++;
            simulation.clock.afterNs(atNs, () => simulation.bus.publish(subject, bytes));
          }
        }
      },
    });
    expect(injected).toBe(TIMES * 21);
    expect(probe).not.toBeNull();
    expect((probe as unknown as Simulation).bus.stats.handlerErrors).toBe(0);
    expect(fuzzed.perDevice.map((device) => device.state)).toEqual(undisturbed.perDevice.map((device) => device.state));
    expect(undisturbedPart(fuzzed)).toEqual(undisturbedPart(undisturbed));
    expect(fuzzed.badFrames).toBe(injected);
    // Each refusal at an actor is traced with its subject and why (the observers' own refusals are the rest).
    const observed = TIMES * 2;
    expect(refusals).toHaveLength(injected - observed);
    const subjects = new Set(subjectsOf((probe as unknown as Simulation).run).map(([subject]) => subject));
    for (const refusal of refusals) {
      if (refusal.kind !== 'recordDropped') continue;
      expect(subjects.has(refusal.device), refusal.device).toBe(true);
      expect(refusal.reason?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it('takes the valid record of every frame type and refuses each of its mutations', () => {
    const random = randomOf(7);
    for (const type of Object.keys(SAMPLES) as FrameTypeName[]) {
      expect(frameDecode(frameRaw(type, [SAMPLES[type]])).ok, type).toBe(true);
      for (let trial = 0; trial < 300; trial++) {
        const { record, what } = recordMutate(random, SAMPLES[type]);
        const decoded = frameDecode(frameRaw(type, [record]));
        expect(decoded.ok, `${type}: ${what}`).toBe(false);
        if (!decoded.ok) expect(decoded.error.error).toBe('recordInvalid');
      }
    }
  });
});
