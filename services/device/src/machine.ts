/**
 * The device actor: a PCIe function's lifecycle around the model's
 * DeviceState. One event is one batch (accesses due at an instant, a frame of
 * translation completions, a frame of PRG responses); the per-fault work is a
 * named action that calls into the model.
 *
 *   idle -> active -> priDisabled   (a Response Failure sets RF)
 *        \-> unplugged              (hot removal; from any state)
 */
import type { DeviceState } from '@ioasim/model';
import type { AtcInvalidation, PrgResponse, TranslationCompletion } from '@ioasim/protocol';
import { setup } from 'xstate';

export type DeviceAccess = {
  readonly pasid: number | null;
  readonly page: number;
  readonly perm: number;
  readonly prgSize: number;
};

export type DeviceMachineEvent =
  | { readonly type: 'start' }
  | { readonly type: 'accesses'; readonly accesses: readonly DeviceAccess[] }
  | { readonly type: 'translationBatch'; readonly records: readonly TranslationCompletion[] }
  | { readonly type: 'prgResponseBatch'; readonly records: readonly PrgResponse[] }
  | { readonly type: 'atcInvalidationBatch'; readonly records: readonly AtcInvalidation[] }
  | { readonly type: 'groupTimeout'; readonly prgIndex: number; readonly group: number; readonly attempt: number }
  | { readonly type: 'unplug' };

export type DeviceMachineContext = {
  readonly device: DeviceState;
  readonly nowNs: () => number;
};

export type DeviceMachineInput = DeviceMachineContext;

export const deviceMachine = setup({
  types: {
    context: {} as DeviceMachineContext,
    events: {} as DeviceMachineEvent,
    input: {} as DeviceMachineInput,
  },
  guards: {
    /** The model set RF (a Response Failure reached a PRI function; a stall device has no PRI to disable). */
    priDisabledSet: ({ context }) => context.device.priDisabled,
  },
  actions: {
    accessesApply: ({ context, event }) => {
      if (event.type !== 'accesses') return;
      for (const access of event.accesses) {
        context.device.access(access.pasid, access.page, access.perm, access.prgSize);
      }
    },
    translationsApply: ({ context, event }) => {
      if (event.type !== 'translationBatch') return;
      const nowNs = context.nowNs();
      for (const record of event.records) context.device.translationCompleted(nowNs, record);
    },
    prgResponsesApply: ({ context, event }) => {
      if (event.type !== 'prgResponseBatch') return;
      const nowNs = context.nowNs();
      for (const record of event.records) context.device.prgResponse(nowNs, record);
    },
    atcInvalidationsApply: ({ context, event }) => {
      if (event.type !== 'atcInvalidationBatch') return;
      for (const record of event.records) context.device.atcInvalidate(record.pages);
    },
    groupTimeoutApply: ({ context, event }) => {
      if (event.type !== 'groupTimeout') return;
      context.device.groupTimeout(context.nowNs(), event.prgIndex, event.group, event.attempt);
    },
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
      always: { guard: 'priDisabledSet', target: 'priDisabled' },
      on: {
        accesses: { actions: 'accessesApply' },
        translationBatch: { actions: 'translationsApply' },
        prgResponseBatch: { actions: 'prgResponsesApply' },
        atcInvalidationBatch: { actions: 'atcInvalidationsApply' },
        groupTimeout: { actions: 'groupTimeoutApply' },
        unplug: { target: 'unplugged', actions: 'unplugApply' },
      },
    },
    priDisabled: {
      on: {
        accesses: { actions: 'accessesApply' },
        translationBatch: { actions: 'translationsApply' },
        prgResponseBatch: { actions: 'prgResponsesApply' },
        atcInvalidationBatch: { actions: 'atcInvalidationsApply' },
        groupTimeout: { actions: 'groupTimeoutApply' },
        unplug: { target: 'unplugged', actions: 'unplugApply' },
      },
    },
    unplugged: { type: 'final' },
  },
});
