/**
 * Positions in a YAML file: the line and column of the node at a path.
 *
 * A finding about a value points at the value; one about a field name (an
 * unknown field) points at the key; a path that does not exist in the file (a
 * missing field) points at the nearest enclosing node that does, which is
 * the object the field is missing from.
 */
import { isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { Path } from './errors.js';

export type Position = { readonly line: number; readonly column: number };

type Step = { readonly node: Node; readonly key: Node | null };

function childStep(parent: Node, segment: string | number): Step | null {
  if (isSeq(parent) && typeof segment === 'number') {
    const item = parent.items[segment];
    return isNode(item) ? { node: item, key: null } : null;
  }
  if (!isMap(parent)) return null;
  for (const pair of parent.items) {
    if (!isPair(pair)) continue;
    const key = pair.key;
    const name = isScalar(key) ? key.value : key;
    if (String(name) !== String(segment)) continue;
    if (isNode(pair.value)) return { node: pair.value, key: isNode(key) ? key : null };
    // A key with no value (`pri:`) has no value node: point at the key.
    return isNode(key) ? { node: key, key } : null;
  }
  return null;
}

export function positionFind(document: Document, lineCounter: LineCounter, path: Path, at: 'value' | 'key'): Position {
  let current: Step | null = isNode(document.contents) ? { node: document.contents, key: null } : null;
  if (current === null) return { line: 1, column: 1 };
  let found = true;
  for (const segment of path) {
    const next = childStep(current.node, segment);
    if (next === null) {
      found = false;
      break;
    }
    current = next;
  }
  const target = found && at === 'key' && current.key !== null ? current.key : current.node;
  const offset = target.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
