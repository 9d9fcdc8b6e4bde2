/**
 * When a distributed run is over. The coordinator cannot wait for an empty
 * event queue, as an embedded run does: the work is spread over processes
 * and the trace arrives over NATS. So the end is judged from what the
 * processes say and from the trace going quiet:
 *
 *   settled   every device process says its workloads issued their last
 *             access and its devices hold none in flight (no access
 *             translating, waiting for credits, or in a group), no timeline
 *             operation is unanswered, and the trace has been quiet for
 *             `quietMs` (what other processes traced before the devices went
 *             idle has arrived). The coordinator then ends once the checker
 *             has no group in flight.
 *   stalled   every workload issued, and nothing moved for `stalledMs`,
 *             longer than a device timeout: no trace, and no device process
 *             reported an access ended (an access that translates traces
 *             nothing). An access was lost on the way and no timer will
 *             re-issue it. The run ends with what is in flight reported stuck.
 *
 * Invariants: quiet is counted in ticks of the coordinator's own loop, and a
 * tick counts as quiet only if nothing moved since the tick before. Each
 * tick comes after a turn of the event loop that read the socket, so a
 * coordinator that was descheduled for a second counts one tick, not a
 * second of quiet, however its clock moved. Before every workload has
 * issued its last access, nothing ends the run but its timeout.
 */

export type RunEndState = {
  /** Every device process has issued the last access of its workloads. */
  readonly workloadsDone: boolean;
  /** ...and holds no access in flight. */
  readonly devicesIdle: boolean;
  /** Timeline operations not yet answered. */
  readonly timelinePending: number;
};

export type RunEndVerdict = 'running' | 'settled' | 'stalled';

export class RunEnd {
  #quietTicks = 0;
  #traceSinceTick = false;

  constructor(
    private readonly tickMs: number,
    private readonly quietMs: number,
    private readonly stalledMs: number,
  ) {}

  /** A trace frame arrived, or a device process reported more accesses ended than before. */
  moved(): void {
    this.#traceSinceTick = true;
  }

  /** How long nothing has moved, in the coordinator's ticks. */
  get quietForMs(): number {
    return this.#quietTicks * this.tickMs;
  }

  /** One tick of the coordinator's loop. */
  tick(state: RunEndState): RunEndVerdict {
    this.#quietTicks = this.#traceSinceTick ? 0 : this.#quietTicks + 1;
    this.#traceSinceTick = false;
    if (!state.workloadsDone || state.timelinePending > 0) return 'running';
    const quietForMs = this.quietForMs;
    if (quietForMs >= this.stalledMs) return 'stalled';
    return state.devicesIdle && quietForMs >= this.quietMs ? 'settled' : 'running';
  }
}
