/**
 * Page tables: the mapped pages of each ioasid with their permissions. The
 * manager holds the authoritative tables (the owner's MAP/UNMAP land there);
 * the iommu holds its view, kept current by the manager's commands.
 *
 * A nested space maps IOVA page p to GPA page p (the identity: the simulator
 * needs to know only *whether* a stage translates, not where to), so a
 * two-stage walk asks the nested table, then its parent's, for the same page.
 */
import { Perm } from '@ioasim/protocol';

export class PageTable {
  private readonly pages = new Map<number, number>();

  get size(): number {
    return this.pages.size;
  }

  map(page: number, perm: number): void {
    this.pages.set(page, (this.pages.get(page) ?? 0) | perm);
  }

  unmap(page: number): boolean {
    return this.pages.delete(page);
  }

  /** Whether `page` is mapped with every permission of `perm` that matters for a walk (READ, WRITE). */
  permits(page: number, perm: number): boolean {
    const mapped = this.pages.get(page);
    if (mapped === undefined) return false;
    const needed = perm & (Perm.read | Perm.write);
    return (mapped & needed) === needed;
  }

  clear(): void {
    this.pages.clear();
  }
}

/** The permissions a handler grants when it maps a faulting page: what was asked, and read. */
export function permGranted(perm: number): number {
  return (perm & (Perm.read | Perm.write)) | Perm.read;
}
