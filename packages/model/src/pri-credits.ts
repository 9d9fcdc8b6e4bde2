/**
 * PRI credits: the Outstanding Page Request Allocation of a function. A
 * device never has more page requests outstanding than its credits; a group
 * that does not fit waits, and a response frees its group's credits.
 */
import { assert } from './assert.js';

export class PriCredits {
  private outstandingCount = 0;

  constructor(readonly credits: number) {
    assert(Number.isInteger(credits) && credits >= 1, `credits: ${credits} must be a positive integer`);
  }

  get outstanding(): number {
    return this.outstandingCount;
  }

  get free(): number {
    return this.credits - this.outstandingCount;
  }

  /** Takes `requests` credits when they are all free; false (and nothing taken) otherwise. */
  reserve(requests: number): boolean {
    if (requests > this.free) return false;
    this.outstandingCount += requests;
    return true;
  }

  release(requests: number): void {
    assert(requests <= this.outstandingCount, `credits: releasing ${requests} of ${this.outstandingCount} outstanding`);
    this.outstandingCount -= requests;
  }
}
