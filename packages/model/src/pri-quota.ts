/**
 * A per-device share of an IOMMU's PRI queue (`iommus[].priQuota`): the PRI
 * queue entries each device holds, so that one device's fault storm cannot
 * take the whole queue from the others. The kernel has no such limit: with
 * one shared queue, the device that faults most decides whose requests are
 * lost (the "noisy neighbour").
 *
 * Invariants:
 * - a device's entries are the finish times of its admitted records, in
 *   ascending order (the PRI queue is one FIFO server), so an entry leaves
 *   the device's share exactly when its record leaves the queue;
 * - the memory held is bounded by the PRI queue's capacity: a share never
 *   holds more entries than the queue does.
 */
import { assert } from './assert.js';

export class PriQuota {
  private readonly finishesByDevice = new Map<string, number[]>();

  constructor(readonly quota: number) {
    assert(Number.isInteger(quota) && quota >= 1, `pri quota: ${quota} must be an integer >= 1`);
  }

  /** Entries `device` holds at `nowNs`. */
  held(nowNs: number, device: string): number {
    const finishes = this.finishesByDevice.get(device);
    if (finishes === undefined) return 0;
    let retired = 0;
    while (retired < finishes.length && (finishes[retired] as number) <= nowNs) retired++;
    if (retired > 0) finishes.splice(0, retired);
    return finishes.length;
  }

  /** True when `device` may take one more entry at `nowNs`. */
  admits(nowNs: number, device: string): boolean {
    return this.held(nowNs, device) < this.quota;
  }

  /** Records that `device` took an entry that leaves the queue at `finishNs`. */
  take(device: string, finishNs: number): void {
    let finishes = this.finishesByDevice.get(device);
    if (finishes === undefined) {
      finishes = [];
      this.finishesByDevice.set(device, finishes);
    }
    assert(finishes.length === 0 || (finishes[finishes.length - 1] as number) <= finishNs, 'pri quota: finish times must not go back');
    finishes.push(finishNs);
  }
}
