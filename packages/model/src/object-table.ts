/**
 * The objects of one host as the kernel side of /dev/ioasid holds them, as
 * iommufd's object table does: the spaces (ioasids) with their page tables,
 * the devices with their attachments (in a RoutingTable), and the PASIDs of
 * the pool. The manager owns one; each IOMMU holds its own view, built the
 * same way from the host (the initial mappings included) and kept equal by
 * the manager's commands, so that both start equal without a message.
 *
 * A control operation reaches an object through one owned lookup: it exists
 * (a space not destroyed, a device not unplugged) and belongs to the owner
 * asking, or the lookup says why not, in the words of the refusal.
 */
import type { HostConfig } from '@ioasim/protocol';
import { assert } from './assert.js';
import { initialMappings } from './initial-mappings.js';
import { PageTable } from './page-table.js';
import { pasidPoolAssign, type PasidPool } from './pasid-pool.js';
import { RoutingTable, type DeviceEntry, type SpaceEntry } from './routing-table.js';

/** Why an owned lookup found nothing the owner may use. */
export type ObjectRefusal = { readonly ok: false; readonly error: 'notFound' | 'notOwner'; readonly message: string };

/** An object the owner asking holds, or why not. */
export type Owned<Entry> = { readonly ok: true; readonly entry: Entry } | ObjectRefusal;

export class ObjectTable {
  readonly pool: PasidPool;
  readonly routing: RoutingTable;
  readonly #tables = new Map<string, PageTable>();

  constructor(host: HostConfig) {
    this.pool = pasidPoolAssign(host.devices);
    this.routing = new RoutingTable(host, this.pool);
    for (const space of host.spaces) this.#tables.set(space.name, new PageTable());
    for (const mapping of initialMappings(host, this.pool)) this.tableOf(mapping.space).map(mapping.page, mapping.perm);
  }

  /** The page table of `space`, one of the host's. */
  tableOf(space: string): PageTable {
    const table = this.#tables.get(space);
    assert(table !== undefined, `objects: no page table for space ${space}`);
    return table;
  }

  /** The page table of `space`; undefined for a space the host does not have. */
  tableFind(space: string): PageTable | undefined {
    return this.#tables.get(space);
  }

  /** The space `ioasid`, not destroyed and held by `owner`. */
  spaceOwned(ioasid: string, owner: string): Owned<SpaceEntry> {
    const space = this.routing.spaces.get(ioasid);
    return ownedCheck('space', ioasid, space === undefined || space.destroyed ? undefined : space, owner);
  }

  /** The device `name`, present (not unplugged) and held by `owner`. */
  deviceOwned(name: string, owner: string): Owned<DeviceEntry> {
    const device = this.routing.devices.get(name);
    return ownedCheck('device', name, device === undefined || !device.present ? undefined : device, owner);
  }
}

function ownedCheck<Entry extends { readonly owner: string }>(kind: 'space' | 'device', name: string, entry: Entry | undefined, owner: string): Owned<Entry> {
  if (entry === undefined) return { ok: false, error: 'notFound', message: `no ${kind} ${name}` };
  if (entry.owner !== owner) return { ok: false, error: 'notOwner', message: `${kind} ${name} belongs to ${entry.owner}` };
  return { ok: true, entry };
}
