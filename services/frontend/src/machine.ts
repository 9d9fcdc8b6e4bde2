/**
 * The frontend actor: the user space of the owners whose frontend is one
 * kind (`vfio`: a VMM using VFIO cdev; `vdpa`: a VMM using vhost-vdpa), on
 * one host. It hosts the fault handlers of their spaces and their event
 * queues, around the model's FrontendState.
 *
 * The data plane (fault groups of its spaces, handler completions, owner
 * events) does not pass through here: the frontend service calls the model
 * directly while the actor is `running`.
 */
import type { FrontendState } from '@ioasim/model';
import { setup } from 'xstate';

export type FrontendMachineEvent = { readonly type: 'stop' };

export type FrontendMachineContext = {
  readonly frontend: FrontendState;
  readonly nowNs: () => number;
};

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
