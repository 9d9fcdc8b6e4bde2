/**
 * Who lost what in a PRI queue overflow. The kernel logs only "PRQ overflow"
 * per IOMMU; the IOMMU's `recordDropped` trace events name the device and
 * the PASID of every lost page request, so the report can say which device
 * and which PASID paid for a neighbour's fault storm.
 *
 * Invariant: the rows sum, per IOMMU, to the IOMMU's `priOverflows` counter
 * (each dropped page request is one trace event and one count).
 */
import type { TraceEvent } from '@ioasim/protocol';

export type OverflowByDevice = {
  readonly host: string;
  readonly iommu: string;
  readonly device: string;
  /** The PASID of the lost requests; null for the RID. */
  readonly pasid: number | null;
  /** Page requests lost: the queue was full, or the device held its whole quota. */
  readonly dropped: number;
  readonly priQueueFull: number;
  readonly priQuota: number;
};

type Row = { host: string; iommu: string; device: string; pasid: number | null; dropped: number; priQueueFull: number; priQuota: number };

const IOMMU_ACTOR_PREFIX = 'iommu/';

export class OverflowBook {
  private readonly rows = new Map<string, Row>();

  observe(event: TraceEvent): void {
    if (event.kind !== 'recordDropped') return;
    if (event.cause !== 'priQueueFull' && event.cause !== 'priQuota') return;
    if (!event.actor.startsWith(IOMMU_ACTOR_PREFIX)) return;
    const iommu = event.actor.slice(IOMMU_ACTOR_PREFIX.length);
    const pasid = event.pasid ?? null;
    const key = `${event.host}\u0000${iommu}\u0000${event.device}\u0000${pasid ?? ''}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { host: event.host, iommu, device: event.device, pasid, dropped: 0, priQueueFull: 0, priQuota: 0 };
      this.rows.set(key, row);
    }
    row.dropped++;
    row[event.cause]++;
  }

  /** The rows by host, iommu, device, then PASID (the RID first): an order that does not depend on arrival. */
  byDevice(): OverflowByDevice[] {
    return [...this.rows.values()]
      .sort(
        (a, b) =>
          compare(a.host, b.host) || compare(a.iommu, b.iommu) || compare(a.device, b.device) || (a.pasid ?? -1) - (b.pasid ?? -1),
      )
      .map((row) => ({ ...row }));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
