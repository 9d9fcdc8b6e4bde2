/**
 * Codes shared by the kernel, PCIe and ioasim: page response codes, access
 * permissions and the stage of a translation fault.
 */

/** Page response codes (enum iommu_page_response_code; PCIe PRG Response Code). */
export const ResponseCode = {
  /** PCIe "Success": the device retries the access. */
  success: 0,
  /** PCIe "Invalid Request": the device does not retry. */
  invalid: 1,
  /** PCIe "Response Failure": the function sets RF and disables PRI. */
  failure: 2,
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

export const RESPONSE_CODE_NAMES: Readonly<Record<ResponseCode, string>> = {
  0: 'SUCCESS',
  1: 'INVALID',
  2: 'FAILURE',
};

/** IOMMU_FAULT_PERM_* bits. A page request with no READ and no WRITE and L=1 is a Stop Marker. */
export const Perm = { read: 1, write: 2, exec: 4, priv: 8 } as const;

/**
 * The stage of a translation that failed. A space attached directly faults at
 * stage 1 (its only stage); a nested space faults at stage 1 (its own table)
 * or stage 2 (its parent's table).
 */
export type Stage = 1 | 2;

/** A page is 4 KiB; addresses on the wire are page numbers. */
export const PAGE_SHIFT = 12;

/** PRG Index is 9 bits (PCIe PRI). */
export const PRG_INDEX_COUNT = 512;

/** A Stop Marker is L=1 with neither READ nor WRITE requested. */
export function isStopMarker(perm: number, last: boolean): boolean {
  return last && (perm & (Perm.read | Perm.write)) === 0;
}
