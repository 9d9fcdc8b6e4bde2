/**
 * Clock skew between the coordinator and its serve processes, measured
 * NTP-style over NATS before the run is prepared: the coordinator sends
 * `clockProbe` (t0, its wall clock) CLOCK_PROBES times, CLOCK_PROBE_GAP_MS
 * apart; every process answers `clockReply` with t0, its wall clock at
 * receiving (t1) and at replying (t2); the coordinator notes the arrival
 * (t3). Per probe, offset = ((t1 - t0) + (t2 - t3)) / 2 and round trip =
 * (t3 - t0) - (t2 - t1); a process's offset is that of its probe with the
 * shortest round trip, whose error is at most half that round trip.
 *
 * The coordinator refuses a process whose offset exceeds the bound
 * (`--max-skew`, default DEFAULT_MAX_SKEW_NS) and corrects the others: each
 * process counts its RunClock from the origin shifted by its offset.
 */
import type { RunControl } from '@ioasim/protocol';

/** Probes per measurement, and the gap between two. */
export const CLOCK_PROBES = 8;
export const CLOCK_PROBE_GAP_MS = 25;
/** How long after the last probe replies are still taken. */
export const CLOCK_REPLY_WAIT_MS = 1_000;
/** The largest offset from the coordinator's clock a process may have: past it, the correction itself is suspect (a clock not synchronized at all, or stepping). */
export const DEFAULT_MAX_SKEW_NS = 1_000_000_000;

type Reply = Extract<RunControl, { kind: 'clockReply' }>;

export type ClockSample = { readonly offsetMs: number; readonly roundTripMs: number };

/** One probe's offset and round trip, from t0..t2 of the reply and its arrival t3. */
export function clockSample(reply: Pick<Reply, 't0Ms' | 't1Ms' | 't2Ms'>, t3Ms: number): ClockSample {
  return {
    offsetMs: (reply.t1Ms - reply.t0Ms + (reply.t2Ms - t3Ms)) / 2,
    roundTripMs: Math.max(0, t3Ms - reply.t0Ms - (reply.t2Ms - reply.t1Ms)),
  };
}

/** The best (shortest round trip) sample of every process, by instance. */
export class ClockBook {
  readonly #best = new Map<string, ClockSample>();

  heard(reply: Reply, t3Ms: number): void {
    const sample = clockSample(reply, t3Ms);
    const best = this.#best.get(reply.instance);
    if (best === undefined || sample.roundTripMs < best.roundTripMs) this.#best.set(reply.instance, sample);
  }

  of(instance: string): ClockSample | undefined {
    return this.#best.get(instance);
  }
}

/** A duration in ms for messages: `50.2 ms`, `0.31 ms`, `2.50 s`. */
export function skewText(ms: number): string {
  const magnitude = Math.abs(ms);
  if (magnitude >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(magnitude >= 10 ? 1 : 2)} ms`;
}
