/**
 * A single server with a bounded FIFO queue, in simulated time: an item that
 * arrives while the server is busy waits for the items before it, so waiting
 * time emerges from arrival and service rates. Used by the iommu (PRI
 * processing), the manager (dispatch) and each handler.
 */
import { assert } from './assert.js';

export type Admission = { readonly accepted: true; readonly finishNs: number } | { readonly accepted: false };

export class ServerQueue {
  /** Finish times of the items in the system (waiting or in service), ascending. */
  private readonly finishes: number[] = [];
  private head = 0;
  private busyUntilNs = 0;
  /** The most items ever in the system at once. */
  depthMax = 0;

  constructor(readonly capacity: number) {
    assert(capacity >= 1, `server queue: capacity ${capacity} must be at least 1`);
  }

  /** Items in the system at `nowNs`. */
  depth(nowNs: number): number {
    this.retire(nowNs);
    return this.finishes.length - this.head;
  }

  /** Admits an item at `nowNs` that needs `serviceNs`, or refuses it when the queue is full. */
  admit(nowNs: number, serviceNs: number): Admission {
    assert(serviceNs >= 0, `server queue: negative service ${serviceNs}`);
    if (this.depth(nowNs) >= this.capacity) return { accepted: false };
    const startNs = Math.max(nowNs, this.busyUntilNs);
    const finishNs = startNs + serviceNs;
    this.busyUntilNs = finishNs;
    this.finishes.push(finishNs);
    const depth = this.finishes.length - this.head;
    if (depth > this.depthMax) this.depthMax = depth;
    return { accepted: true, finishNs };
  }

  private retire(nowNs: number): void {
    while (this.head < this.finishes.length && (this.finishes[this.head] as number) <= nowNs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.finishes.length) {
      this.finishes.splice(0, this.head);
      this.head = 0;
    }
  }
}
