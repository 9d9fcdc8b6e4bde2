/**
 * `ioasim topo graph`: a resolved topology as a graph for Graphviz (`dot`) or
 * Mermaid (`mermaid`).
 *
 * Nodes are IOMMUs, devices, spaces and owners, grouped per host (a cluster,
 * or a subgraph). Edges: device -> space for each attachment, labelled RID,
 * PASID n or ASID n; nested space -> its parent; space -> its owner; device ->
 * its IOMMU. A fleet is one group, titled with its copies, drawn once.
 *
 * Node ids are positional (`g0_device1`), never built from names, so two
 * names can never collide in an id and every id is valid in both languages;
 * names appear only in labels, quoted and escaped. The same groups of nodes
 * and edges (`topologyGraphGroups`) are what the HTML report draws.
 */
import type { HostConfig, Topology } from '@ioasim/protocol';
import { attachmentKey, hostGroupTitle, hostGroups } from './host-groups.js';

export const GRAPH_FORMATS = ['dot', 'mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export type GraphNodeShape = 'iommu' | 'device' | 'space' | 'owner';

/** A node: its id, its label's lines (name first), its shape; `nested` for a space with a stage-2 parent. */
export type GraphNode = { readonly id: string; readonly lines: readonly string[]; readonly shape: GraphNodeShape; readonly nested?: boolean };

export type GraphEdgeStyle = 'attachment' | 'parent' | 'owner' | 'iommu';

export type GraphEdge = { readonly from: string; readonly to: string; readonly label: string; readonly style: GraphEdgeStyle };

/** The nodes and edges of a host, or of a fleet's template drawn once for its copies. */
export type GraphGroup = { readonly id: string; readonly title: string; readonly nodes: readonly GraphNode[]; readonly edges: readonly GraphEdge[] };

/** The nodes and edges of one host, with ids under `prefix`. */
function hostGraph(host: HostConfig, prefix: string, title: string): GraphGroup {
  const ids = (kind: string, names: readonly { readonly name: string }[]) =>
    new Map(names.map((item, index) => [item.name, `${prefix}_${kind}${index}`]));
  const iommuIds = ids('iommu', host.iommus);
  const deviceIds = ids('device', host.devices);
  const spaceIds = ids('space', host.spaces);
  const ownerIds = ids('owner', host.owners);
  const id = (map: ReadonlyMap<string, string>, name: string): string => map.get(name) ?? `${prefix}_missing`;
  const nodes: GraphNode[] = [
    ...host.iommus.map((iommu) => ({ id: id(iommuIds, iommu.name), lines: [iommu.name, iommu.kind], shape: 'iommu' as const })),
    ...host.devices.map((device) => ({
      id: id(deviceIds, device.name),
      lines: [device.name, `sid 0x${device.sid.toString(16)}${device.pri === null ? (device.stall ? ', stall' : ', no PRI') : `, PRI ${device.pri.credits}`}${device.vf ? ', VF' : ''}`],
      shape: 'device' as const,
    })),
    ...host.spaces.map((space) => ({
      id: id(spaceIds, space.name),
      lines: [space.name, `${space.kind}, ${space.iopf ? `handler ${space.handler.policy}` : 'no fault queue'}`],
      shape: 'space' as const,
      ...(space.parent === null ? {} : { nested: true }),
    })),
    ...host.owners.map((owner) => ({ id: id(ownerIds, owner.name), lines: [owner.name, owner.frontend], shape: 'owner' as const })),
  ];
  const edges: GraphEdge[] = [
    ...host.devices.flatMap((device) => [
      ...device.attach.map((attachment) => ({
        from: id(deviceIds, device.name),
        to: id(spaceIds, attachment.space),
        label: attachmentKey(attachment),
        style: 'attachment' as const,
      })),
      { from: id(deviceIds, device.name), to: id(iommuIds, device.iommu), label: 'iommu', style: 'iommu' as const },
    ]),
    ...host.spaces.flatMap((space) =>
      space.parent === null ? [] : [{ from: id(spaceIds, space.name), to: id(spaceIds, space.parent), label: 'stage 2', style: 'parent' as const }],
    ),
    ...host.spaces.map((space) => ({ from: id(spaceIds, space.name), to: id(ownerIds, space.owner), label: 'owner', style: 'owner' as const })),
  ];
  return { id: prefix, title, nodes, edges };
}

/** A DOT string: backslashes and quotes escaped, a line break as DOT's own `\\n`. */
function dotQuote(text: string): string {
  return `"${dotEscape(text)}"`;
}

function dotEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
}

const DOT_SHAPES = { iommu: 'box3d', device: 'box', space: 'ellipse', owner: 'house' } as const satisfies Record<GraphNodeShape, string>;
const DOT_EDGE_STYLES = {
  attachment: 'solid',
  parent: 'dashed',
  owner: 'dotted',
  iommu: 'dotted',
} as const satisfies Record<GraphEdgeStyle, string>;

function dotFormat(name: string, groups: readonly GraphGroup[]): string {
  const lines = [`digraph ${dotQuote(name)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const group of groups) {
    lines.push(`  subgraph cluster_${group.id} {`, `    label=${dotQuote(group.title)};`);
    for (const node of group.nodes) {
      const label = node.lines.map(dotEscape).join('\\n');
      lines.push(`    ${node.id} [label="${label}", shape=${DOT_SHAPES[node.shape]}];`);
    }
    for (const edge of group.edges) {
      lines.push(`    ${edge.from} -> ${edge.to} [label=${dotQuote(edge.label)}, style=${DOT_EDGE_STYLES[edge.style]}];`);
    }
    lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid text in a quoted label: `"` and `#` are entity codes, so a name cannot end the label. */
function mermaidText(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;');
}

const MERMAID_SHAPES = {
  iommu: ['[[', ']]'],
  device: ['[', ']'],
  space: ['([', '])'],
  owner: ['{{', '}}'],
} as const satisfies Record<GraphNodeShape, readonly [string, string]>;
/**
 * Mermaid draws only solid, dotted and thick links, so a stage-2 edge is a
 * thick link given long dashes by a `linkStyle` line: it stays apart from
 * the dotted owner and IOMMU edges, as DOT's dashed and dotted styles are.
 */
const MERMAID_ARROWS = { attachment: '-->', parent: '==>', owner: '-.->', iommu: '-.->' } as const satisfies Record<GraphEdgeStyle, string>;
const MERMAID_DASHED = 'stroke-dasharray: 8 4';

function mermaidFormat(name: string, groups: readonly GraphGroup[]): string {
  const lines = ['flowchart LR', `  %% topology ${name.replace(/[\r\n]/g, ' ')}`];
  // linkStyle names links by their index in the whole chart, in the order they are written.
  const dashed: number[] = [];
  let links = 0;
  for (const group of groups) {
    lines.push(`  subgraph ${group.id}["${mermaidText(group.title)}"]`);
    for (const node of group.nodes) {
      const [open, close] = MERMAID_SHAPES[node.shape];
      lines.push(`    ${node.id}${open}"${node.lines.map(mermaidText).join('<br/>')}"${close}`);
    }
    for (const edge of group.edges) {
      if (edge.style === 'parent') dashed.push(links);
      links += 1;
      lines.push(`    ${edge.from} ${MERMAID_ARROWS[edge.style]}|"${mermaidText(edge.label)}"| ${edge.to}`);
    }
    lines.push('  end');
  }
  if (dashed.length > 0) lines.push(`  linkStyle ${dashed.join(',')} ${MERMAID_DASHED}`);
  return lines.join('\n');
}

/** The nodes and edges of a topology, one group per host or fleet. */
export function topologyGraphGroups(topology: Topology): GraphGroup[] {
  return hostGroups(topology).map((group, index) => hostGraph(group.host, `g${index}`, hostGroupTitle(group)));
}

/** The graph of a topology in `format`. */
export function topologyGraph(topology: Topology, format: GraphFormat): string {
  const groups = topologyGraphGroups(topology);
  switch (format) {
    case 'dot':
      return dotFormat(topology.name, groups);
    case 'mermaid':
      return mermaidFormat(topology.name, groups);
    default: {
      const exhaustive: never = format;
      return exhaustive;
    }
  }
}
