/**
 * The iommu actor: one IOMMU's lifecycle around the model's IommuState. Its
 * context holds the mutable model on purpose: the data plane changes it by
 * plain calls, never through xstate (DESIGN.md, "The data plane").
 *
 * The data plane (translation requests, page requests, the manager's
 * commands) reaches the model while the actor is `running`; the end of the
 * run (or of its process) stops it.
 *
 *   running -> stopped
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
