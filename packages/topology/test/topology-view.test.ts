/**
 * Views of a topology: the tree and the graph draw each host written in the
 * file once, and each fleet once, in file order, titled with its copies.
 */
import { describe, expect, it } from 'vitest';
import { topologyGraph, topologyParse, topologyTree } from '@ioasim/topology';
import type { Topology } from '@ioasim/protocol';

const TEXT = [
  'version: 1',
  'name: racks',
  'hosts:',
  '  - name: front',
  '  - name: rack',
  '    iommus: [{ name: smmu0, kind: smmuv3 }]',
  '    owners: [{ name: vm0, frontend: vfio }]',
  '    spaces: [{ name: gpa, owner: vm0 }]',
  '    devices: [{ name: nic0, iommu: smmu0, sid: 0x1f, owner: vm0, stall: true, attach: [{ space: gpa }] }]',
  '  - name: edge',
  'fleet:',
  '  - { template: rack, count: 250 }',
].join('\n');

function racks(): Topology {
  const result = topologyParse(TEXT, 'racks.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.topology;
}

describe('topologyTree', () => {
  it('shows hosts and the fleet in file order, the fleet once with its copies', () => {
    const tree = topologyTree(racks());
    const titles = tree.split('\n').filter((line) => /^├─ hosts? /.test(line));
    expect(titles).toEqual(['├─ host front', '├─ hosts rack-0000 … rack-0249: 250 copies of template rack', '├─ host edge']);
    expect(tree.split('\n')[0]).toBe('topology racks (version 1, seed none): 252 hosts, 250 devices, 250 spaces');
    expect(tree).toContain('nic0: sid 0x1f on smmu0, owner vm0 via vfio, stall, ATC 64');
  });

  it('shows every host when a fleet entry does not match the hosts it names', () => {
    const topology = racks();
    const mismatched: Topology = { ...topology, fleets: [{ template: 'rack', count: 250, first: 'rack-0000', last: 'rack-9999' }] };
    const titles = topologyTree(mismatched)
      .split('\n')
      .filter((line) => line.startsWith('├─ host'));
    expect(titles).toHaveLength(252);
  });
});

describe('topologyGraph', () => {
  it('draws one cluster per host and one for the fleet', () => {
    const dot = topologyGraph(racks(), 'dot');
    expect(dot.match(/subgraph cluster_/g)).toHaveLength(3);
    expect(dot).toContain('label="hosts rack-0000 … rack-0249: 250 copies of template rack";');
    expect(dot).toContain('g1_device0 [label="nic0\\nsid 0x1f, stall", shape=box];');
    expect(dot).toContain('g1_device0 -> g1_space0 [label="RID", style=solid];');
  });

  it('quotes the topology name in dot, and keeps it to one comment line in mermaid', () => {
    const quoted: Topology = { ...racks(), name: 'a "b"\nc' };
    expect(topologyGraph(quoted, 'dot').split('\n')[0]).toBe(String.raw`digraph "a \"b\"\nc" {`);
    expect(topologyGraph(quoted, 'mermaid').split('\n').slice(0, 2)).toEqual(['flowchart LR', '  %% topology a "b" c']);
  });
});
