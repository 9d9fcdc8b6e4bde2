/**
 * The subscriptions of a bus, indexed by pattern tokens (a trie, like the
 * NATS server's sublist), so that finding the subscriptions of a subject
 * costs its depth, not the number of subscriptions.
 *
 * Invariants: an entry is in the index at most once, at the node of its
 * pattern; `match` returns each matching entry once, in ascending `order`
 * (subscription order), so that deliveries are deterministic; empty nodes
 * are pruned on removal.
 */
import { WILDCARD_TAIL, WILDCARD_TOKEN } from './subject-match.js';
import { assert } from './assert.js';

export type IndexEntry = {
  readonly pattern: string;
  /** Ascending in subscription order; unique within an index. */
  readonly order: number;
};

/**
 * A node's table and lists are made at their first entry: a fleet has tens of
 * nodes per host (one per host, scope and name token), most with one child
 * or one list.
 */
class IndexNode<Entry> {
  literals: Map<string, IndexNode<Entry>> | null = null;
  star: IndexNode<Entry> | null = null;
  /** Entries whose pattern ends at this node. */
  ending: Entry[] | null = null;
  /** Entries whose pattern ends with `>` right after this node. */
  tail: Entry[] | null = null;

  isEmpty(): boolean {
    return (
      (this.literals?.size ?? 0) === 0 &&
      this.star === null &&
      (this.ending?.length ?? 0) === 0 &&
      (this.tail?.length ?? 0) === 0
    );
  }
}

export class SubscriptionIndex<Entry extends IndexEntry> {
  readonly #root = new IndexNode<Entry>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(entry: Entry): void {
    const tokens = entry.pattern.split('.');
    let node = this.#root;
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index] as string;
      if (token === WILDCARD_TAIL) {
        (node.tail ??= []).push(entry);
        this.#size++;
        return;
      }
      node = nodeChild(node, token);
    }
    (node.ending ??= []).push(entry);
    this.#size++;
  }

  /** Removes `entry`; false when it was not in the index. */
  remove(entry: Entry): boolean {
    const removed = this.#removeBelow(this.#root, entry.pattern.split('.'), 0, entry);
    if (removed) this.#size--;
    return removed;
  }

  /** The entries whose pattern matches `subject`, in ascending `order`. */
  match(subject: string): Entry[] {
    const found: Entry[] = [];
    collect(this.#root, subject.split('.'), 0, found);
    found.sort((left, right) => left.order - right.order);
    return found;
  }

  #removeBelow(node: IndexNode<Entry>, tokens: readonly string[], index: number, entry: Entry): boolean {
    const token = tokens[index];
    if (token === undefined) return listRemove(node.ending, entry);
    if (token === WILDCARD_TAIL) return listRemove(node.tail, entry);
    const child = token === WILDCARD_TOKEN ? node.star : (node.literals?.get(token) ?? null);
    if (child === null) return false;
    const removed = this.#removeBelow(child, tokens, index + 1, entry);
    if (removed && child.isEmpty()) {
      if (token === WILDCARD_TOKEN) node.star = null;
      else node.literals?.delete(token);
    }
    return removed;
  }
}

function nodeChild<Entry>(node: IndexNode<Entry>, token: string): IndexNode<Entry> {
  if (token === WILDCARD_TOKEN) {
    node.star ??= new IndexNode<Entry>();
    return node.star;
  }
  const literals = (node.literals ??= new Map());
  let child = literals.get(token);
  if (child === undefined) {
    child = new IndexNode<Entry>();
    literals.set(token, child);
  }
  return child;
}

function collect<Entry>(node: IndexNode<Entry>, tokens: readonly string[], index: number, found: Entry[]): void {
  if (index === tokens.length) {
    if (node.ending !== null) for (const entry of node.ending) found.push(entry);
    return;
  }
  // `>` needs at least one more token, and there is one.
  if (node.tail !== null) for (const entry of node.tail) found.push(entry);
  const literal = node.literals?.get(tokens[index] as string);
  if (literal !== undefined) collect(literal, tokens, index + 1, found);
  if (node.star !== null) collect(node.star, tokens, index + 1, found);
}

function listRemove<Entry>(list: Entry[] | null, entry: Entry): boolean {
  if (list === null) return false;
  const position = list.indexOf(entry);
  if (position < 0) return false;
  list.splice(position, 1);
  assert(!list.includes(entry), 'subscription index: an entry was indexed twice');
  return true;
}
