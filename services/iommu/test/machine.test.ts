import { IommuState, randomCreate } from '@ioasim/model';
import type { HostConfig } from '@ioasim/protocol';
import { iommuMachine } from '@ioasim/service-iommu';
import { topologyLoad } from '@ioasim/topology';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';

const example = topologyLoad(fileURLToPath(new URL('../../../examples/single-host.yaml', import.meta.url)));
if (!example.ok) throw new Error('examples/single-host.yaml does not load');
const host = example.topology.hosts[0] as HostConfig;

describe('iommuMachine', () => {
  it('runs from its start, then stops for good', () => {
    const iommu = new IommuState(host, host.iommus[0]!, randomCreate(1, 'iommu'), {
      translationCompletion: () => {},
      report: () => {},
      prgResponse: () => {},
      trace: () => {},
    });
    const actor = createActor(iommuMachine, { input: { iommu, nowNs: () => 0 } }).start();
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'stop' });
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(actor.getSnapshot().status).toBe('done');
  });
});
