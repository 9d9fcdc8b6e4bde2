/**
 * A device's attachments in a routing table: the space attached at each
 * PASID key (RID_KEY for the RID), in the order they were first set, as a Map
 * keeps them. A device has one or two, and a fleet has a table per device in
 * the iommu's and in the manager's routing table: so the entries are one flat
 * array `[key, space, key, space...]` of exactly their size, not a Map's
 * hash table (152 bytes at its smallest).
 *
 * Iterating visits the entries as they were when the iteration began, so a
 * loop may delete the entry it is visiting.
 */
export class AttachmentTable {
  private entries: (number | string)[];

  /** `initial` as [key, space] pairs; a key given twice keeps its first place and its last space. */
  constructor(initial: readonly (readonly [number, string])[] = []) {
    this.entries = [];
    for (const [key, space] of initial) this.set(key, space);
  }

  get size(): number {
    return this.entries.length / 2;
  }

  get(key: number): string | undefined {
    const index = this.indexOf(key);
    return index < 0 ? undefined : (this.entries[index + 1] as string);
  }

  set(key: number, space: string): void {
    const index = this.indexOf(key);
    if (index >= 0) {
      this.entries[index + 1] = space;
      return;
    }
    // A copy of exactly the new size: a push would grow the array by 16 spare slots.
    const grown = new Array<number | string>(this.entries.length + 2);
    for (let slot = 0; slot < this.entries.length; slot++) grown[slot] = this.entries[slot] as number | string;
    grown[this.entries.length] = key;
    grown[this.entries.length + 1] = space;
    this.entries = grown;
  }

  delete(key: number): boolean {
    const index = this.indexOf(key);
    if (index < 0) return false;
    this.entries = [...this.entries.slice(0, index), ...this.entries.slice(index + 2)];
    return true;
  }

  values(): string[] {
    const spaces: string[] = [];
    for (let index = 1; index < this.entries.length; index += 2) spaces.push(this.entries[index] as string);
    return spaces;
  }

  [Symbol.iterator](): IterableIterator<[number, string]> {
    const pairs: [number, string][] = [];
    for (let index = 0; index < this.entries.length; index += 2) {
      pairs.push([this.entries[index] as number, this.entries[index + 1] as string]);
    }
    return pairs[Symbol.iterator]();
  }

  private indexOf(key: number): number {
    for (let index = 0; index < this.entries.length; index += 2) if (this.entries[index] === key) return index;
    return -1;
  }
}
