/**
 * The topology as a picture for the HTML report: the graph `ioasim topo
 * graph` writes (topologyGraphGroups), laid out in columns and drawn as one
 * inline SVG, with no script and no layout engine. Left to right: IOMMUs,
 * devices, nested spaces, the other spaces, owners; each host (or fleet,
 * drawn once for its copies) is a box of its own, one under the other.
 * Edges are curves from one column to another: attachments labelled RID,
 * PASID n or ASID n, stage-2 parents dashed, owners and IOMMUs dotted.
 *
 * Bounded whatever the topology: at most GROUPS_MAX groups and
 * ROWS_MAX nodes a column, the rest counted in a note. The same topology
 * gives the same markup, character for character.
 */
import type { Topology } from '@ioasim/protocol';
import { topologyGraphGroups, type GraphEdgeStyle, type GraphGroup, type GraphNode, type GraphNodeShape } from '@ioasim/topology';
import { htmlEscape } from './svg-chart.js';

const NODE_WIDTH = 140;
const NODE_HEIGHT = 36;
const COLUMN_PITCH = 190;
const ROW_PITCH = 48;
const PAD = 12;
const TITLE_HEIGHT = 24;
const LEGEND_HEIGHT = 26;
const LEGEND_PITCH = 190;
/** Groups drawn, and nodes drawn in one column of a group; the rest are counted. */
const GROUPS_MAX = 8;
const ROWS_MAX = 16;
/** Characters of a label line before it is cut with an ellipsis. */
const LINE_CHARS = 22;

type Column = 'iommu' | 'device' | 'nested' | 'space' | 'owner';
const COLUMNS: readonly Column[] = ['iommu', 'device', 'nested', 'space', 'owner'];

const NODE_STYLE: Readonly<Record<GraphNodeShape, { readonly fill: string; readonly stroke: string; readonly rx: number }>> = {
  iommu: { fill: '#f6ede4', stroke: '#8c564b', rx: 0 },
  device: { fill: '#e8f0fa', stroke: '#1f77b4', rx: 3 },
  space: { fill: '#eaf6ea', stroke: '#2ca02c', rx: 16 },
  owner: { fill: '#f3eaf6', stroke: '#9467bd', rx: 8 },
};

const EDGE_STYLE: Readonly<Record<GraphEdgeStyle, { readonly stroke: string; readonly dash: string; readonly width: number; readonly name: string }>> = {
  attachment: { stroke: '#1f77b4', dash: '', width: 1.4, name: 'attachment' },
  parent: { stroke: '#9467bd', dash: '8 4', width: 2, name: 'stage 2 (nested to parent)' },
  owner: { stroke: '#888', dash: '2 3', width: 1.2, name: 'owner' },
  iommu: { stroke: '#8c564b', dash: '2 3', width: 1.2, name: 'IOMMU' },
};

function columnOf(node: GraphNode): Column {
  if (node.shape === 'space') return node.nested === true ? 'nested' : 'space';
  return node.shape;
}

function round(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function lineCut(text: string): string {
  return text.length <= LINE_CHARS ? text : `${text.slice(0, LINE_CHARS - 1)}…`;
}

type Placed = { readonly node: GraphNode; readonly x: number; readonly y: number; readonly column: number };

/** One group at vertical offset `top`: its box, nodes and edges; its height. */
function groupSvg(group: GraphGroup, columns: readonly Column[], top: number, width: number): { readonly svg: string; readonly height: number } {
  const placed = new Map<string, Placed>();
  const hidden: string[] = [];
  let rows = 1;
  columns.forEach((column, columnIndex) => {
    const nodes = group.nodes.filter((node) => columnOf(node) === column);
    rows = Math.max(rows, Math.min(nodes.length, ROWS_MAX));
    nodes.forEach((node, row) => {
      if (row >= ROWS_MAX) {
        hidden.push(node.lines[0] ?? '');
        return;
      }
      placed.set(node.id, { node, x: PAD + columnIndex * COLUMN_PITCH, y: top + TITLE_HEIGHT + row * ROW_PITCH, column: columnIndex });
    });
  });
  const height = TITLE_HEIGHT + rows * ROW_PITCH + (hidden.length > 0 ? 16 : 0) + PAD;
  const parts: string[] = [
    `<rect x="2" y="${top}" width="${width - 4}" height="${height - 6}" fill="none" stroke="#bbb" rx="6"/>`,
    `<text x="${PAD}" y="${top + 16}" class="group-title">${htmlEscape(group.title)}</text>`,
  ];
  for (const edge of group.edges) {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (from !== undefined && to !== undefined) parts.push(edgeSvg(from, to, edge.label, edge.style));
  }
  for (const { node, x, y } of placed.values()) parts.push(nodeSvg(node, x, y));
  if (hidden.length > 0) {
    parts.push(`<text x="${PAD}" y="${top + height - PAD - 2}" class="note">… and ${hidden.length} more not drawn: ${htmlEscape(hidden.slice(0, 5).join(', '))}${hidden.length > 5 ? ', …' : ''}</text>`);
  }
  return { svg: parts.join(''), height };
}

function nodeSvg(node: GraphNode, x: number, y: number): string {
  const style = NODE_STYLE[node.shape];
  const [name = '', detail = ''] = node.lines;
  const middle = x + NODE_WIDTH / 2;
  return (
    `<g data-node="${htmlEscape(name)}" data-shape="${node.shape}">` +
    `<rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="${style.rx}" fill="${style.fill}" stroke="${style.stroke}"${node.shape === 'iommu' ? ' stroke-width="2"' : ''}/>` +
    `<text x="${middle}" y="${y + 15}" text-anchor="middle" class="node-name">${htmlEscape(lineCut(name))}</text>` +
    `<text x="${middle}" y="${y + 29}" text-anchor="middle" class="node-detail">${htmlEscape(lineCut(detail))}</text></g>`
  );
}

/**
 * A curve from one node to another: out of the side that faces the other
 * column (a device's IOMMU is to its left), or out of the right side and
 * back for two nodes of one column.
 */
function edgeSvg(from: Placed, to: Placed, label: string, style: GraphEdgeStyle): string {
  const middleY = (placed: Placed): number => placed.y + NODE_HEIGHT / 2;
  const rightward = to.column >= from.column;
  const x1 = rightward ? from.x + NODE_WIDTH : from.x;
  const x2 = to.column === from.column ? to.x + NODE_WIDTH : rightward ? to.x : to.x + NODE_WIDTH;
  const y1 = middleY(from);
  const y2 = middleY(to);
  const bend = to.column === from.column ? 40 : Math.abs(x2 - x1) / 2;
  const c1 = rightward ? x1 + bend : x1 - bend;
  const c2 = to.column === from.column ? x2 + bend : rightward ? x2 - bend : x2 + bend;
  const look = EDGE_STYLE[style];
  const path =
    `<path d="M${round(x1)},${round(y1)} C${round(c1)},${round(y1)} ${round(c2)},${round(y2)} ${round(x2)},${round(y2)}" fill="none" ` +
    `stroke="${look.stroke}" stroke-width="${look.width}"${look.dash === '' ? '' : ` stroke-dasharray="${look.dash}"`} marker-end="url(#topology-arrow)" ` +
    `data-edge="${htmlEscape(`${from.node.lines[0] ?? ''}->${to.node.lines[0] ?? ''}`)}" data-style="${style}"/>`;
  if (style !== 'attachment' && style !== 'parent') return path;
  // A point of the curve for its label: an attachment's near its space, apart from the device's other attachments; a parent's halfway.
  const at = style === 'attachment' ? 0.7 : 0.5;
  const labelX = bezierAt(at, x1, c1, c2, x2);
  const labelY = bezierAt(at, y1, y1, y2, y2) - 3;
  return `${path}<text x="${round(labelX)}" y="${round(labelY)}" text-anchor="middle" class="edge-label">${htmlEscape(label)}</text>`;
}

/** A coordinate of the cubic Bézier curve (p0, p1, p2, p3) at `t`. */
function bezierAt(t: number, p0: number, p1: number, p2: number, p3: number): number {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

function legendSvg(top: number): string {
  const parts: string[] = [];
  (Object.keys(EDGE_STYLE) as GraphEdgeStyle[]).forEach((style, index) => {
    const look = EDGE_STYLE[style];
    const x = PAD + index * LEGEND_PITCH;
    const y = top + LEGEND_HEIGHT / 2;
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y}" stroke="${look.stroke}" stroke-width="${look.width}"${look.dash === '' ? '' : ` stroke-dasharray="${look.dash}"`}/>`);
    parts.push(`<text x="${x + 36}" y="${y}" dominant-baseline="middle" class="legend">${htmlEscape(look.name)}</text>`);
  });
  return parts.join('');
}

/** The topology's picture: an inline SVG of its hosts (or fleets), nodes and edges. */
export function topologySvg(topology: Topology): string {
  const groups = topologyGraphGroups(topology);
  const shown = groups.slice(0, GROUPS_MAX);
  const columns = COLUMNS.filter((column) => shown.some((group) => group.nodes.some((node) => columnOf(node) === column)));
  const width = Math.max(2 * PAD + columns.length * COLUMN_PITCH - (COLUMN_PITCH - NODE_WIDTH), 2 * PAD + 4 * LEGEND_PITCH);
  const parts: string[] = [];
  let top = 0;
  for (const group of shown) {
    const drawn = groupSvg(group, columns, top, width);
    parts.push(drawn.svg);
    top += drawn.height;
  }
  if (groups.length > shown.length) {
    parts.push(`<text x="${PAD}" y="${top + 14}" class="note">… and ${groups.length - shown.length} more host(s) not drawn</text>`);
    top += 22;
  }
  parts.push(legendSvg(top));
  const height = top + LEGEND_HEIGHT;
  const arrow =
    '<defs><marker id="topology-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
    '<path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `role="img" aria-label="${htmlEscape(`topology ${topology.name}`)}">${arrow}${parts.join('')}</svg>`
  );
}
