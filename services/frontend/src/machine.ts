/**
 * The frontend actor: the user space of the owners whose frontend is one
 * kind (`vfio`: a VMM using VFIO cdev; `vdpa`: a VMM using vhost-vdpa), on
 * one host. It hosts the fault handlers of their spaces and their event
 * queues, around the model's FrontendState. Its context holds the mutable
 * model on purpose: the data plane changes it by plain calls, never through
 * xstate (DESIGN.md, "The data plane").
 *
 * The data plane (fault groups of its spaces, handler completions, owner
 * events) reaches the model while the actor is `running`. A crash (chaos) or
 * the end of the run stops it for good: what its handlers held is lost, and a
 * fresh actor takes its place.
 *
 *   running -> stopped
 */
import type { FrontendState } from '@ioasim/model';
import { setup } from 'xstate';

export type FrontendMachineEvent = { readonly type: 'stop' };

export type FrontendMachineContext = {
  readonly frontend: FrontendState;
  readonly nowNs: () => number;
};

/** The lifecycle as the data plane reads it. */
export type FrontendLifecycle = 'running' | 'stopped';

export const frontendMachine = setup({
  types: {
    context: {} as FrontendMachineContext,
    events: {} as FrontendMachineEvent,
    input: {} as FrontendMachineContext,
  },
}).createMachine({
  id: 'frontend',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: { on: { stop: 'stopped' } },
    stopped: { type: 'final' },
  },
});
