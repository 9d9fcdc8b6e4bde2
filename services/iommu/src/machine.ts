/**
 * The iommu actor: one IOMMU's lifecycle around the model's IommuState. The
 * data plane (translation requests, page requests, the manager's commands)
 * does not pass through here: the iommu service calls the model directly
 * while the actor is `running`.
 */
import type { IommuState } from '@ioasim/model';
import { setup } from 'xstate';

export type IommuMachineEvent = { readonly type: 'stop' };

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
}).createMachine({
  id: 'iommu',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: { on: { stop: 'stopped' } },
    stopped: { type: 'final' },
  },
});
