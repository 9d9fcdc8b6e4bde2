/**
 * The vfio frontend actor: the user space (a VMM using VFIO cdev) of the
 * owners whose frontend is vfio, on one host. It hosts the fault handlers of
 * their spaces and their event queues, around the model's FrontendState.
 *
 * The data plane (fault groups of its spaces, handler completions, owner
 * events) does not pass through here: the vfio service calls the model
 * directly while the actor is `running`.
 */
import type { FrontendState } from '@ioasim/model';
import { setup } from 'xstate';

export type VfioMachineEvent = { readonly type: 'stop' };

export type VfioMachineContext = {
  readonly frontend: FrontendState;
  readonly nowNs: () => number;
};

export const vfioMachine = setup({
  types: {
    context: {} as VfioMachineContext,
    events: {} as VfioMachineEvent,
    input: {} as VfioMachineContext,
  },
}).createMachine({
  id: 'vfio',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: { on: { stop: 'stopped' } },
    stopped: { type: 'final' },
  },
});
