/**
 * The ioasid-manager actor: the lifecycle of the kernel side of /dev/ioasid
 * on one host, around the model's ManagerState. Its context holds the
 * mutable model on purpose: the data plane and the control requests change
 * it by plain calls, never through xstate (DESIGN.md, "The data plane").
 *
 * The data plane (fault reports, page responses, dispatch and response
 * timers) and control requests reach the model while the actor is `running`.
 * A manager started after a crash is `restoring` while it replays its
 * predecessor's journal: the model is rebuilt, and nothing it does leaves
 * (no fault group, command, owner event or trace). A crash, or the end of
 * the run, stops it for good; a fresh actor takes its place.
 *
 *   running -> restoring -> running
 *   running, restoring -> stopped
 */
import type { ManagerState } from '@ioasim/model';
import { setup } from 'xstate';

export type ManagerMachineEvent =
  /** Replaying a crashed predecessor's journal begins. */
  | { readonly type: 'restore' }
  /** The journal is replayed: the manager serves. */
  | { readonly type: 'restored' }
  | { readonly type: 'stop' };

export type ManagerMachineContext = {
  readonly manager: ManagerState;
  readonly nowNs: () => number;
};

/** The lifecycle as the data plane reads it. */
export type ManagerLifecycle = 'running' | 'restoring' | 'stopped';

export const managerMachine = setup({
  types: {
    context: {} as ManagerMachineContext,
    events: {} as ManagerMachineEvent,
    input: {} as ManagerMachineContext,
  },
}).createMachine({
  id: 'ioasid-manager',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: { on: { restore: 'restoring', stop: 'stopped' } },
    restoring: { on: { restored: 'running', stop: 'stopped' } },
    stopped: { type: 'final' },
  },
});

