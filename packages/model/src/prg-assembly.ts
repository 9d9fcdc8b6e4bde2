/**
 * Page request group assembly, as io-pgfault.c does it: a request without
 * L=1 waits in its device's partial list; the request with L=1 takes every
 * partial of the same PRG index (the PASID is not compared) in front of it,
 * and the group is complete. Partials are never answered one by one.
 *
 * Partials are bounded per device; past the bound the oldest are discarded
 * and counted, never kept without limit.
 */
import type { FaultRecord } from '@ioasim/protocol';

/** Partial requests one device may have waiting for their L=1 request. */
export const PARTIALS_PER_DEVICE_MAX = 4096;

export class PrgAssembly {
  private readonly partials = new Map<string, FaultRecord[]>();
  private partialCount = 0;
  /** Partials discarded because a device exceeded PARTIALS_PER_DEVICE_MAX. */
  discardedOverLimit = 0;

  get pending(): number {
    return this.partialCount;
  }

  /** Adds a request; returns the whole group when `record` is its last request, else null. */
  add(device: string, record: FaultRecord): FaultRecord[] | null {
    let list = this.partials.get(device);
    if (!record.last) {
      if (list === undefined) {
        list = [];
        this.partials.set(device, list);
      }
      if (list.length >= PARTIALS_PER_DEVICE_MAX) {
        list.shift();
        this.partialCount--;
        this.discardedOverLimit++;
      }
      list.push(record);
      this.partialCount++;
      return null;
    }
    if (list === undefined || list.length === 0) return [record];
    const group: FaultRecord[] = [];
    const rest: FaultRecord[] = [];
    for (const partial of list) (partial.prgIndex === record.prgIndex ? group : rest).push(partial);
    this.partialCount -= group.length;
    if (rest.length === 0) this.partials.delete(device);
    else this.partials.set(device, rest);
    group.push(record);
    return group;
  }

  /** Drops a device's partials (device removal); returns them for counting. */
  discardDevice(device: string): FaultRecord[] {
    const list = this.partials.get(device) ?? [];
    this.partials.delete(device);
    this.partialCount -= list.length;
    return list;
  }

  /** Drops every partial that came through `iommu` (iopf_queue_discard_partial after an overflow). */
  discardIommu(iommu: string): FaultRecord[] {
    const discarded: FaultRecord[] = [];
    for (const [device, list] of this.partials) {
      const keep = list.filter((record) => record.iommu !== iommu);
      if (keep.length === list.length) continue;
      for (const record of list) if (record.iommu === iommu) discarded.push(record);
      if (keep.length === 0) this.partials.delete(device);
      else this.partials.set(device, keep);
    }
    this.partialCount -= discarded.length;
    return discarded;
  }
}
