/**
 * A run that outgrows node's heap limit dies inside V8 ("JavaScript heap out
 * of memory", a native stack, no report) after building for as long as it
 * took to get there. The guard reads the heap while a run builds its hosts
 * and as it runs; near the limit (see headroomBytes) it throws
 * HeapLimitError, which says how much the run had, how much it may need,
 * and the node option that gives it more.
 */
import { totalmem } from 'node:os';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** The share of the old generation's limit past which a run stops, before V8 does. */
const HEAP_GUARD_FRACTION = 0.9;

/**
 * node's heap limit is the old generation's (--max-old-space-size) plus the
 * young generation's, three semi-spaces, which V8 does not report: counted
 * at the most the `ioasim` executable gives it (NODE_FLAGS' 64 MiB), the
 * guard errs early by at most 144 MiB under node's default flags.
 */
const YOUNG_GENERATION_MAX_BYTES = 3 * 64 * 2 ** 20;
/**
 * The room a run leaves in the old generation: a tenth of it, and at least a
 * young generation's worth, which one collection may promote into it (V8
 * gives up when it cannot).
 */
function headroomBytes(limit: number): number {
  return Math.max((1 - HEAP_GUARD_FRACTION) * limit, YOUNG_GENERATION_MAX_BYTES);
}
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

const GIB = 2 ** 30;

function gibibytes(bytes: number): string {
  return (bytes / GIB).toFixed(1);
}

export class HeapLimitError extends Error {
  constructor(
    readonly usedBytes: number,
    readonly limitBytes: number,
    /** The heap the run may need, from what it had built, or null when it was already running. */
    readonly neededBytes: number | null,
    doing: string,
  ) {
    const machine = totalmem();
    const wanted = Math.max(neededBytes ?? 2 * usedBytes, limitBytes + GIB);
    const advice =
      wanted > machine
        ? `it may need about ${gibibytes(wanted)} GiB, more than this machine's ${gibibytes(machine)} GiB: simulate fewer devices`
        : `give node more heap, e.g. NODE_OPTIONS=--max-old-space-size=${Math.ceil(wanted / GIB) * 1024} (MiB; this machine has ${gibibytes(machine)} GiB), or simulate fewer devices`;
    super(
      `the run needs more heap than node's limit of ${gibibytes(limitBytes)} GiB: ${gibibytes(usedBytes)} GiB in use ${doing}; ${advice} ` +
        `(a host costs about 0.6 KB of heap per device until its first workload arrival, about 10 KB per busy device)`,
    );
    this.name = 'HeapLimitError';
  }
}

/**
 * Throws HeapLimitError when the old generation in use is within
 * headroomBytes of its limit. `built`: while building, how many of the run's
 * hosts are built (`done` of `total`), from which the heap the whole fleet
 * needs is estimated (with half again for the load).
 */
export function heapGuard(doing: () => string, built?: { readonly done: number; readonly total: number }): void {
  const limit = getHeapStatistics().heap_size_limit - YOUNG_GENERATION_MAX_BYTES;
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (!YOUNG_SPACES.has(space.space_name)) used += space.space_used_size;
  if (used <= limit - headroomBytes(limit)) return;
  const needed = built === undefined || built.done === 0 ? null : (1.5 * used * built.total) / built.done;
  throw new HeapLimitError(used, limit, needed, doing());
}

/** Hosts built between two readings of the heap. */
export const HEAP_GUARD_HOSTS = 64;
