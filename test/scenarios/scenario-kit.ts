/**
 * What every scenario test of REFERENCE.md shares: a topology from the
 * builder (validated, or the test fails with the loader's errors), and an
 * embedded run that keeps its whole trace and lets the scenario probe the
 * wire (sim's wire-probe) before anything runs.
 */
import {
  run,
  topologyErrorFormat,
  type Report,
  type Simulation,
  type Topology,
  type TopologyResult,
} from '@ioasim/sim';
import type { TraceEvent, TraceKind } from '@ioasim/protocol';
import type { SpaceInput } from '@ioasim/topology';

export function topologyOf(result: TopologyResult): Topology {
  if (!result.ok) throw new Error(result.errors.map((error) => topologyErrorFormat(error, 'builder')).join('\n'));
  return result.topology;
}

export type Observed = {
  readonly report: Report;
  readonly trace: readonly TraceEvent[];
  /** The trace events of one kind, in order. */
  of<Kind extends TraceKind>(kind: Kind): Extract<TraceEvent, { kind: Kind }>[];
};

export function observe(topology: Topology, probe: (simulation: Simulation) => void = () => {}): Observed {
  const trace: TraceEvent[] = [];
  const report = run(topology, { onTrace: (event) => trace.push(event), onStart: probe });
  return {
    report,
    trace,
    of: <Kind extends TraceKind>(kind: Kind) =>
      trace.filter((event): event is Extract<TraceEvent, { kind: Kind }> => event.kind === kind),
  };
}

/** The invariants of DESIGN.md that the run broke, by name (empty when none). */
export function violated(report: Report): Record<string, number> {
  return Object.fromEntries(
    report.invariants.filter((invariant) => invariant.violations > 0).map((invariant) => [invariant.name, invariant.violations]),
  );
}

/** A page request of `device` as the device would put it on the wire (for injection). */
export function pageRequest(
  device: string,
  sid: number,
  fields: { pasid: number | null; prgIndex: number; page: number; perm: number; last: boolean; group: number; issuedNs?: number },
) {
  return {
    device,
    sid,
    pasid: fields.pasid,
    prgIndex: fields.prgIndex,
    page: fields.page,
    perm: fields.perm,
    last: fields.last,
    stall: false,
    group: fields.group,
    issuedNs: fields.issuedNs ?? 0,
  };
}

/** A space's handler, as a topology writes it. */
export type HandlerInput = NonNullable<SpaceInput['handler']>;
