import { FrontendState } from '@ioasim/model';
import type { HostConfig } from '@ioasim/protocol';
import { frontendMachine } from '@ioasim/service-frontend';
import { topologyLoad } from '@ioasim/topology';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';

const example = topologyLoad(fileURLToPath(new URL('../../../examples/single-host.yaml', import.meta.url)));
if (!example.ok) throw new Error('examples/single-host.yaml does not load');
const host = example.topology.hosts[0] as HostConfig;

describe('frontendMachine', () => {
  it.each(['vfio', 'vdpa'] as const)('runs the %s frontend from its start, then stops it for good (a crash or the end of the run)', (kind) => {
    const frontend = new FrontendState(host, kind, 1, { serveAfter: () => {}, respond: () => {}, trace: () => {} });
    expect(frontend.owners.size).toBe(1);
    const actor = createActor(frontendMachine, { input: { frontend, nowNs: () => 0 } }).start();
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'stop' });
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(actor.getSnapshot().status).toBe('done');
  });
});
