/**
 * The device actor: a PCIe function's lifecycle around the model's
 * DeviceState. The data plane (accesses, translation completions, PRG
 * responses, ATC invalidations, group timeouts) does not pass through here:
 * the device service calls the model directly while the actor is `active` or
 * `priDisabled`, and tells the actor only what changes the lifecycle.
 *
 *   idle -> active -> priDisabled   (a Response Failure set RF)
 *        \-> unplugged              (hot removal; from any state)
 */
import type { DeviceState } from '@ioasim/model';
import { setup } from 'xstate';

export type DeviceMachineEvent =
  | { readonly type: 'start' }
  /** The model set RF: a Response Failure reached a PRI function. */
  | { readonly type: 'priDisable' }
  | { readonly type: 'unplug' };

export type DeviceMachineContext = {
  readonly device: DeviceState;
  readonly nowNs: () => number;
};

export type DeviceMachineInput = DeviceMachineContext;

/** The states in which the data plane reaches the model. */
export type DeviceLifecycle = 'idle' | 'active' | 'priDisabled' | 'unplugged';

export const deviceMachine = setup({
  types: {
    context: {} as DeviceMachineContext,
    events: {} as DeviceMachineEvent,
    input: {} as DeviceMachineInput,
  },
  actions: {
    unplugApply: ({ context }) => context.device.unplug(context.nowNs()),
  },
}).createMachine({
  id: 'device',
  context: ({ input }) => input,
  initial: 'idle',
  states: {
    idle: {
      on: { start: 'active', unplug: { target: 'unplugged', actions: 'unplugApply' } },
    },
    active: {
      on: {
        priDisable: 'priDisabled',
        unplug: { target: 'unplugged', actions: 'unplugApply' },
      },
    },
    priDisabled: {
      on: { unplug: { target: 'unplugged', actions: 'unplugApply' } },
    },
    unplugged: { type: 'final' },
  },
});
