/**
 * The vdpa frontend actor: the user space (a VMM using vhost-vdpa) of the
 * owners whose frontend is vdpa, on one host. It hosts the fault handlers of
 * their spaces and their event queues, around the model's FrontendState.
 *
 * The data plane (fault groups of its spaces, handler completions, owner
 * events) does not pass through here: the vdpa service calls the model
 * directly while the actor is `running`.
 */
import type { FrontendState } from '@ioasim/model';
import { setup } from 'xstate';

export type VdpaMachineEvent = { readonly type: 'stop' };

export type VdpaMachineContext = {
  readonly frontend: FrontendState;
  readonly nowNs: () => number;
};

export const vdpaMachine = setup({
  types: {
    context: {} as VdpaMachineContext,
    events: {} as VdpaMachineEvent,
    input: {} as VdpaMachineContext,
  },
}).createMachine({
  id: 'vdpa',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: { on: { stop: 'stopped' } },
    stopped: { type: 'final' },
  },
});
