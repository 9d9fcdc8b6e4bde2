/**
 * The PRG indices of one PRI function (512; a stall device's transaction tags,
 * 65,536): each outstanding page request group holds one, and a response
 * names its group by it. Indices are handed out as from a stack that starts
 * full with 0 on top: a returned index is reused first (last returned, first
 * reused), else the lowest never-used one. The never-used ones are a counter,
 * so an idle device holds no list of its indices.
 */
import { assert } from './assert.js';

export class PrgIndexPool {
  readonly #returned: number[] = [];
  #unused = 0;

  constructor(readonly count: number) {
    assert(Number.isInteger(count) && count >= 1, `PRG indices: ${count} must be a positive integer`);
  }

  /** True while an index is free. */
  get available(): boolean {
    return this.#returned.length > 0 || this.#unused < this.count;
  }

  /** Takes a free index; the caller checks `available` first. */
  take(): number {
    const returned = this.#returned.pop();
    if (returned !== undefined) return returned;
    assert(this.#unused < this.count, 'PRG indices: none free; check available before take');
    return this.#unused++;
  }

  /** Gives back an index taken before, once its group is answered or given up. */
  give(index: number): void {
    this.#returned.push(index);
  }
}
