/**
 * The device actor: a PCIe function's lifecycle around the model's
 * DeviceState. Its context holds the mutable model on purpose: the data
 * plane changes it by plain calls, never through xstate (DESIGN.md, "The
 * data plane"), and the machine holds only what changes the lifecycle.
 *
 * The data plane (accesses, translation completions, PRG responses, ATC
 * invalidations, group timeouts) reaches the model while the actor is `live`
 * (`active`, or `priDisabled` once a Response Failure set RF); the device
 * service tells the actor only what changes the lifecycle.
 *
 *   idle -> live.active -> live.priDisabled   (a Response Failure set RF)
 *   idle, live -> unplugged                   (hot removal)
 */
import type { DeviceState } from '@ioasim/model';
import { assertEvent, setup, type SnapshotFrom } from 'xstate';

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

/** The lifecycle as the data plane reads it: the machine's state, `live` told apart by its child. */
export type DeviceLifecycle = 'idle' | 'active' | 'priDisabled' | 'unplugged';

export const deviceMachine = setup({
  types: {
    context: {} as DeviceMachineContext,
    events: {} as DeviceMachineEvent,
    input: {} as DeviceMachineInput,
  },
  actions: {
    unplugApply: ({ context, event }) => {
      assertEvent(event, 'unplug');
      context.device.unplug(context.nowNs());
    },
  },
}).createMachine({
  id: 'device',
  context: ({ input }) => input,
  initial: 'idle',
  states: {
    idle: {
      on: { start: 'live', unplug: { target: 'unplugged', actions: 'unplugApply' } },
    },
    live: {
      initial: 'active',
      on: { unplug: { target: 'unplugged', actions: 'unplugApply' } },
      states: {
        active: { on: { priDisable: 'priDisabled' } },
        priDisabled: {},
      },
    },
    unplugged: { type: 'final' },
  },
});

/** The lifecycle flag of a device actor's snapshot. */
export function deviceLifecycleOf(snapshot: SnapshotFrom<typeof deviceMachine>): DeviceLifecycle {
  if (snapshot.matches({ live: 'priDisabled' })) return 'priDisabled';
  if (snapshot.matches('live')) return 'active';
  return snapshot.matches('unplugged') ? 'unplugged' : 'idle';
}
