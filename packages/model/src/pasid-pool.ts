/**
 * Physical PASIDs for vDPA address spaces. A vdpa device's ASIDs are mapped
 * to physical PASIDs from a per-host pool; the wire carries the physical
 * PASID and the handler sees the ASID (REFERENCE.md R7). A vfio owner's
 * vPASID is the physical PASID and takes nothing from the pool.
 *
 * The assignment is a pure function of the host's devices, in their order,
 * so that the device, the iommu and the manager agree on it without talking.
 */
import type { DeviceConfig } from '@ioasim/protocol';

/** The first PASID of the pool: above the PASIDs vfio owners typically choose. */
export const PASID_POOL_BASE = 0x1000;
/** PASIDs are 20 bits. */
export const PASID_MAX = (1 << 20) - 1;

export type PasidPool = {
  /** (device, asid) -> physical PASID. */
  readonly physical: ReadonlyMap<string, readonly number[]>;
  /** (device, physical PASID) -> asid. */
  readonly asidOf: ReadonlyMap<string, ReadonlyMap<number, number>>;
};

export function pasidPoolAssign(devices: readonly DeviceConfig[]): PasidPool {
  const physical = new Map<string, number[]>();
  const asidOf = new Map<string, Map<number, number>>();
  let next = PASID_POOL_BASE;
  for (const device of devices) {
    if (device.asids === 0) continue;
    const pasids: number[] = [];
    const reverse = new Map<number, number>();
    for (let asid = 0; asid < device.asids; asid++) {
      pasids.push(next);
      reverse.set(next, asid);
      next++;
    }
    physical.set(device.name, pasids);
    asidOf.set(device.name, reverse);
  }
  return { physical, asidOf };
}

/** The PASID on the wire for a device's attachment or workload (pasid, asid, or RID = null). */
export function pasidOnWire(pool: PasidPool, device: string, pasid: number | null, asid: number | null): number | null {
  if (asid !== null) return pool.physical.get(device)?.[asid] ?? null;
  return pasid;
}

/** The PASID as the owner sees it: the ASID for a vdpa device, the PASID itself otherwise. */
export function pasidAsSeen(pool: PasidPool, device: string, wirePasid: number | null): number | null {
  if (wirePasid === null) return null;
  return pool.asidOf.get(device)?.get(wirePasid) ?? wirePasid;
}
