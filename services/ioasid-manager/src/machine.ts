/**
 * The ioasid-manager actor: the kernel side of /dev/ioasid on one host,
 * around the model's ManagerState. Fault reports and page responses arrive a
 * frame per event, and so do control requests: a frame of them is served in
 * order and answered by one list of replies.
 */
import type { ManagerState } from '@ioasim/model';
import type { ControlReply, ControlRequest, IommuReport, PageResponse } from '@ioasim/protocol';
import { setup } from 'xstate';

export type ManagerMachineEvent =
  | { readonly type: 'reportBatch'; readonly records: readonly IommuReport[] }
  | { readonly type: 'responseBatch'; readonly records: readonly PageResponse[] }
  | { readonly type: 'dispatchComplete'; readonly cookie: number }
  | { readonly type: 'responseTimeout'; readonly cookie: number }
  | {
      readonly type: 'controlBatch';
      readonly requests: readonly ControlRequest[];
      /** Called once, with the replies in the order of the requests. */
      readonly reply: (replies: readonly ControlReply[]) => void;
    };

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
  actions: {
    reportsRoute: ({ context, event }) => {
      if (event.type === 'reportBatch') context.manager.reports(context.nowNs(), event.records);
    },
    responsesCheck: ({ context, event }) => {
      if (event.type === 'responseBatch') context.manager.responses(context.nowNs(), event.records);
    },
    dispatchComplete: ({ context, event }) => {
      if (event.type === 'dispatchComplete') context.manager.dispatchComplete(context.nowNs(), event.cookie);
    },
    responseTimeout: ({ context, event }) => {
      if (event.type === 'responseTimeout') context.manager.responseTimeoutElapsed(context.nowNs(), event.cookie);
    },
    controlServe: ({ context, event }) => {
      if (event.type !== 'controlBatch') return;
      const nowNs = context.nowNs();
      event.reply(event.requests.map((request) => context.manager.control(nowNs, request.owner, request.operation)));
    },
  },
}).createMachine({
  id: 'ioasid-manager',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: {
      on: {
        reportBatch: { actions: 'reportsRoute' },
        responseBatch: { actions: 'responsesCheck' },
        dispatchComplete: { actions: 'dispatchComplete' },
        responseTimeout: { actions: 'responseTimeout' },
        controlBatch: { actions: 'controlServe' },
      },
    },
  },
});
