/**
 * What the rules know about one host: its objects by name, with defaults
 * applied, read from the raw input.
 *
 * When a name appears twice in one list the first wins (the duplicate is an
 * error of its own). A field of the wrong shape reads as unknown (null), and
 * the rules that need it stay silent, since the schema already reported it.
 */
import { FRONTEND_KINDS, IOMMU_KINDS, SPACE_KINDS } from '@ioasim/protocol';
import type { FrontendKind, IommuKind, SpaceKind } from '@ioasim/protocol';
import type { Path } from './errors.js';
import { rawBoolean, rawList, rawName, rawObject, rawWhole } from './raw.js';
import type { RawObject } from './raw.js';

export type IommuFacts = { readonly name: string; readonly kind: IommuKind | null };
export type OwnerFacts = { readonly name: string; readonly frontend: FrontendKind | null };

export type SpaceFacts = {
  readonly name: string;
  readonly owner: string | null;
  readonly kind: SpaceKind | null;
  readonly iopf: boolean;
  readonly path: Path;
};

export type DeviceFacts = {
  readonly name: string;
  readonly owner: string | null;
  readonly iommu: string | null;
  readonly frontend: FrontendKind | null;
  readonly pasids: number;
  readonly asids: number;
  readonly pri: boolean;
  readonly credits: number | null;
  readonly vf: boolean;
  /** The attached slots, by `slotName`. */
  readonly slots: ReadonlyMap<string, string | null>;
  readonly path: Path;
};

export type HostFacts = {
  readonly name: string | null;
  readonly path: Path;
  readonly iommus: ReadonlyMap<string, IommuFacts>;
  readonly owners: ReadonlyMap<string, OwnerFacts>;
  readonly spaces: ReadonlyMap<string, SpaceFacts>;
  readonly devices: ReadonlyMap<string, DeviceFacts>;
};

/** How messages name an attachment slot: `the RID`, `pasid 5`, `asid 1`. */
export function slotName(pasid: number | null, asid: number | null): string {
  if (pasid !== null) return `pasid ${pasid}`;
  if (asid !== null) return `asid ${asid}`;
  return 'the RID';
}

function oneOf<Value extends string>(values: readonly Value[], value: unknown): Value | null {
  return values.find((candidate) => candidate === value) ?? null;
}

function byName<Facts>(list: unknown, read: (item: RawObject, name: string, index: number) => Facts): Map<string, Facts> {
  const facts = new Map<string, Facts>();
  for (const { item, index } of rawList(list)) {
    const name = rawName(item['name']);
    if (name !== null && !facts.has(name)) facts.set(name, read(item, name, index));
  }
  return facts;
}

/** The slot an attachment, workload or timeline target names; null when its pasid or asid is malformed. */
export function slotOf(target: RawObject): string | null {
  const pasid = rawWhole(target['pasid']);
  const asid = rawWhole(target['asid']);
  if ((target['pasid'] !== undefined && pasid === null) || (target['asid'] !== undefined && asid === null)) return null;
  return slotName(pasid, asid);
}

/** One device's facts; its frontend defaults to its owner's. */
export function deviceFactsRead(item: RawObject, name: string, owners: ReadonlyMap<string, OwnerFacts>, path: Path): DeviceFacts {
  const owner = rawName(item['owner']);
  const pri = rawObject(item['pri']);
  const slots = new Map<string, string | null>();
  for (const { item: attachment } of rawList(item['attach'])) {
    const slot = slotOf(attachment);
    if (slot !== null && !slots.has(slot)) slots.set(slot, rawName(attachment['space']));
  }
  const ownerFrontend = owner === null ? null : (owners.get(owner)?.frontend ?? null);
  return {
    name,
    owner,
    iommu: rawName(item['iommu']),
    frontend: item['frontend'] === undefined ? ownerFrontend : oneOf(FRONTEND_KINDS, item['frontend']),
    pasids: rawWhole(item['pasids']) ?? 0,
    asids: rawWhole(item['asids']) ?? 0,
    pri: pri !== null,
    credits: pri === null ? null : rawWhole(pri['credits']),
    vf: rawBoolean(item['vf']) ?? false,
    slots,
    path,
  };
}

export function hostFactsRead(host: RawObject, path: Path): HostFacts {
  const iommus = byName(host['iommus'], (item, name) => ({ name, kind: oneOf(IOMMU_KINDS, item['kind']) }));
  const owners = byName(host['owners'], (item, name) => ({ name, frontend: oneOf(FRONTEND_KINDS, item['frontend']) }));
  const spaces = byName(host['spaces'], (item, name, index) => ({
    name,
    owner: rawName(item['owner']),
    kind: item['kind'] === undefined ? 'unmanaged' : oneOf(SPACE_KINDS, item['kind']),
    iopf: rawBoolean(item['iopf']) ?? true,
    path: [...path, 'spaces', index],
  }));
  const devices = byName(host['devices'], (item, name, index) => deviceFactsRead(item, name, owners, [...path, 'devices', index]));
  return { name: rawName(host['name']), path, iommus, owners, spaces, devices };
}
