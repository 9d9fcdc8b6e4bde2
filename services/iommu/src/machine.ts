/**
 * The iommu actor: one IOMMU's lifecycle around the model's IommuState. Each
 * event is one frame: translation requests, page requests, or the manager's
 * ordered commands.
 */
import type { IommuState } from '@ioasim/model';
import type { IommuCommand, PageRequest, TranslationRequest } from '@ioasim/protocol';
import { setup } from 'xstate';

export type IommuMachineEvent =
  | { readonly type: 'translationBatch'; readonly records: readonly TranslationRequest[] }
  | { readonly type: 'pageRequestBatch'; readonly records: readonly PageRequest[] }
  | { readonly type: 'commandBatch'; readonly records: readonly IommuCommand[] };

export type IommuMachineContext = {
  readonly iommu: IommuState;
  readonly nowNs: () => number;
};

export const iommuMachine = setup({
  types: {
    context: {} as IommuMachineContext,
    events: {} as IommuMachineEvent,
    input: {} as IommuMachineContext,
  },
  actions: {
    translationsServe: ({ context, event }) => {
      if (event.type === 'translationBatch') context.iommu.translationRequests(context.nowNs(), event.records);
    },
    pageRequestsQueue: ({ context, event }) => {
      if (event.type === 'pageRequestBatch') context.iommu.pageRequests(context.nowNs(), event.records);
    },
    commandsApply: ({ context, event }) => {
      if (event.type === 'commandBatch') context.iommu.commands(context.nowNs(), event.records);
    },
  },
}).createMachine({
  id: 'iommu',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: {
      on: {
        translationBatch: { actions: 'translationsServe' },
        pageRequestBatch: { actions: 'pageRequestsQueue' },
        commandBatch: { actions: 'commandsApply' },
      },
    },
  },
});
