import { DeviceState } from '@ioasim/model';
import type { HostConfig, Topology } from '@ioasim/protocol';
import { deviceLifecycleOf, deviceMachine } from '@ioasim/service-device';
import { topologyLoad } from '@ioasim/topology';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';

const example = topologyLoad(fileURLToPath(new URL('../../../examples/single-host.yaml', import.meta.url)));
if (!example.ok) throw new Error('examples/single-host.yaml does not load');
const topology: Topology = example.topology;
const host = topology.hosts[0] as HostConfig;

/** nic0 of the single-host example, its actor started, nothing leaving it. */
function deviceActor() {
  const device = new DeviceState(host.name, host.devices[0]!, topology.settings, {
    translationRequest: () => {},
    pageRequest: () => {},
    trace: () => {},
    groupTimeoutSet: () => null,
    translationTimerSet: () => null,
    translationTimerCancel: () => {},
  });
  const actor = createActor(deviceMachine, { input: { device, nowNs: () => 1_000 } }).start();
  return { device, actor };
}

describe('deviceMachine', () => {
  it('goes idle, live and active, live and priDisabled, then unplugged, unplugging the model on the way out', () => {
    const { device, actor } = deviceActor();
    const lifecycle = () => deviceLifecycleOf(actor.getSnapshot());
    expect(lifecycle()).toBe('idle');
    actor.send({ type: 'start' });
    expect(actor.getSnapshot().value).toEqual({ live: 'active' });
    expect(lifecycle()).toBe('active');
    actor.send({ type: 'priDisable' });
    expect(actor.getSnapshot().value).toEqual({ live: 'priDisabled' });
    expect(lifecycle()).toBe('priDisabled');
    expect(device.unplugged).toBe(false);
    actor.send({ type: 'unplug' });
    expect(lifecycle()).toBe('unplugged');
    expect(actor.getSnapshot().status).toBe('done');
    expect(device.unplugged).toBe(true);
  });

  it('unplugs an active device as it does a priDisabled one: live shares the handler', () => {
    const { device, actor } = deviceActor();
    actor.send({ type: 'start' });
    actor.send({ type: 'unplug' });
    expect(deviceLifecycleOf(actor.getSnapshot())).toBe('unplugged');
    expect(device.unplugged).toBe(true);
  });

  it('unplugs a device that never started', () => {
    const { device, actor } = deviceActor();
    actor.send({ type: 'unplug' });
    expect(deviceLifecycleOf(actor.getSnapshot())).toBe('unplugged');
    expect(device.unplugged).toBe(true);
  });

  it('ignores what its state does not take: no RF before the start, no second start, no way back to active', () => {
    const { actor } = deviceActor();
    actor.send({ type: 'priDisable' });
    expect(deviceLifecycleOf(actor.getSnapshot())).toBe('idle');
    actor.send({ type: 'start' });
    actor.send({ type: 'priDisable' });
    actor.send({ type: 'start' });
    expect(deviceLifecycleOf(actor.getSnapshot())).toBe('priDisabled');
    expect(actor.getSnapshot().status).toBe('active');
  });
});
