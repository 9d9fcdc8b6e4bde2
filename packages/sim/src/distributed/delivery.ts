/**
 * At-least-once delivery across processes: what `settings.delivery:
 * at-least-once` means in a distributed run. Each (service process, host)
 * pair is one ReliableBus endpoint on the process's NatsBus, named
 * `<host>-<kind>` (unique in the run: one process serves a kind for a host);
 * the coordinator is the endpoint `coordinator`, hearing the trace. The
 * fault path and the trace are sequenced, acknowledged and retransmitted, so
 * a NATS node that dies mid-run loses nothing: the clients reconnect to
 * another node and what was in flight comes again.
 *
 * Invariants: the timings are for the wall clock (a NATS round trip is tens
 * of microseconds to milliseconds, a reconnect a few hundred milliseconds):
 * retransmission backs off from RETRANSMIT_FIRST_REAL_NS to
 * RETRANSMIT_MAX_REAL_NS, so a message is retried for about
 * TRANSMISSIONS_MAX × RETRANSMIT_MAX_REAL_NS (16 s) before it is given up;
 * senders and receivers agree on DISTRIBUTED_RELIABLE_KINDS.
 */
import { HOT_PATH_KINDS, ReliableBus, type Bus, type Clock, type ReliableOverflow } from '@ioasim/bus';
import type { SubjectKind } from '@ioasim/protocol';

export const RETRANSMIT_FIRST_REAL_NS = 20_000_000;
export const RETRANSMIT_MAX_REAL_NS = 250_000_000;
/** One attempt of a handler's map request to the manager, within its own timeout. */
export const REQUEST_ATTEMPT_REAL_NS = 250_000_000;
/** The endpoint name of the coordinator. */
export const COORDINATOR_ENDPOINT = 'coordinator';

/** The subject kinds a distributed run sends at least once: the fault path and the trace. */
export const DISTRIBUTED_RELIABLE_KINDS: ReadonlySet<SubjectKind> = new Set<SubjectKind>([...HOT_PATH_KINDS, 'trace']);

export function reliableOnRealClock(
  bus: Bus,
  run: string,
  endpoint: string,
  clock: Clock,
  onOverflow: (overflow: ReliableOverflow) => void,
): ReliableBus {
  return new ReliableBus(bus, {
    run,
    endpoint,
    clock,
    retransmitFirstNs: RETRANSMIT_FIRST_REAL_NS,
    retransmitMaxNs: RETRANSMIT_MAX_REAL_NS,
    requestAttemptNs: REQUEST_ATTEMPT_REAL_NS,
    kinds: DISTRIBUTED_RELIABLE_KINDS,
    onOverflow,
  });
}

/** Resolves once no endpoint holds a message unacknowledged, or after `timeoutMs`; the count still unacknowledged. */
export async function acknowledgedAll(buses: readonly ReliableBus[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const left = (): number => buses.reduce((sum, bus) => sum + bus.unacknowledgedCount, 0);
  while (left() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return left();
}
