import { ManagerState, randomCreate } from '@ioasim/model';
import type { HostConfig } from '@ioasim/protocol';
import { managerMachine } from '@ioasim/service-ioasid-manager';
import { topologyLoad } from '@ioasim/topology';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';

const example = topologyLoad(fileURLToPath(new URL('../../../examples/single-host.yaml', import.meta.url)));
if (!example.ok) throw new Error('examples/single-host.yaml does not load');
const host = example.topology.hosts[0] as HostConfig;

/** The manager of the single-host example, its actor started, nothing leaving it. */
function managerActor() {
  const manager = new ManagerState(host, randomCreate(1, 'manager'), {
    dispatchAfter: () => {},
    deliver: () => {},
    command: () => {},
    ownerEvent: () => {},
    trace: () => {},
  });
  return createActor(managerMachine, { input: { manager, nowNs: () => 0 } }).start();
}

describe('managerMachine', () => {
  it('runs, restores a crashed predecessor\'s journal, runs again, then stops for good', () => {
    const actor = managerActor();
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'restore' });
    expect(actor.getSnapshot().value).toBe('restoring');
    actor.send({ type: 'restored' });
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'stop' });
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('stops while restoring: a crash during the replay', () => {
    const actor = managerActor();
    actor.send({ type: 'restore' });
    actor.send({ type: 'stop' });
    expect(actor.getSnapshot().value).toBe('stopped');
  });

  it('ignores a `restored` while running and a second `restore` while restoring', () => {
    const actor = managerActor();
    actor.send({ type: 'restored' });
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'restore' });
    actor.send({ type: 'restore' });
    expect(actor.getSnapshot().value).toBe('restoring');
  });
});
