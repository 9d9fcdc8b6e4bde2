/**
 * The ioasid-manager actor: the lifecycle of the kernel side of /dev/ioasid
 * on one host, around the model's ManagerState. The data plane (fault
 * reports, page responses, dispatch and response timers) and control
 * requests do not pass through here: the manager service calls the model
 * directly while the actor is `running`. A crash stops it for good; a fresh
 * actor takes its place.
 */
import type { ManagerState } from '@ioasim/model';
import { setup } from 'xstate';

export type ManagerMachineEvent = { readonly type: 'stop' };

export type ManagerMachineContext = {
  readonly manager: ManagerState;
  readonly nowNs: () => number;
};

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
    running: { on: { stop: 'stopped' } },
    stopped: { type: 'final' },
  },
});
