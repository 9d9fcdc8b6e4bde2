/**
 * The vfio frontend actor: the user space (a VMM using VFIO cdev) of the
 * owners whose frontend is vfio, on one host. It hosts the fault handlers of
 * their spaces and their event queues, around the model's FrontendState.
 */
import type { FrontendState, HandlerAction } from '@ioasim/model';
import type { FaultGroup, UnrecoverableFault } from '@ioasim/protocol';
import { setup } from 'xstate';

export type VfioMachineEvent =
  | { readonly type: 'faultGroupBatch'; readonly ioasid: string; readonly records: readonly FaultGroup[] }
  | { readonly type: 'serveComplete'; readonly ioasid: string; readonly cookie: number }
  | { readonly type: 'ownerEventBatch'; readonly owner: string; readonly records: readonly UnrecoverableFault[] };

export type VfioMachineContext = {
  readonly frontend: FrontendState;
  readonly nowNs: () => number;
  /** Carries out what a handler decided: a map then a response, or a response. */
  readonly act: (action: HandlerAction) => void;
};

export const vfioMachine = setup({
  types: {
    context: {} as VfioMachineContext,
    events: {} as VfioMachineEvent,
    input: {} as VfioMachineContext,
  },
  actions: {
    faultGroupsQueue: ({ context, event }) => {
      if (event.type === 'faultGroupBatch') context.frontend.faultGroups(context.nowNs(), event.ioasid, event.records);
    },
    handlerServe: ({ context, event }) => {
      if (event.type === 'serveComplete') context.act(context.frontend.serve(event.ioasid, event.cookie));
    },
    ownerEventsQueue: ({ context, event }) => {
      if (event.type === 'ownerEventBatch') context.frontend.ownerEvents(context.nowNs(), event.owner, event.records);
    },
  },
}).createMachine({
  id: 'vfio',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: {
      on: {
        faultGroupBatch: { actions: 'faultGroupsQueue' },
        serveComplete: { actions: 'handlerServe' },
        ownerEventBatch: { actions: 'ownerEventsQueue' },
      },
    },
  },
});
