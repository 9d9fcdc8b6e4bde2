/**
 * The routing table the hardware lacks (DESIGN.md "The question at the heart of it"):
 *
 *     (iommu, streamId)           -> device
 *     (device, pasid | none)      -> attachment -> ioasid
 *     nested ioasid + fault stage -> stage 1: the nested space; stage 2: its parent
 *     ioasid                      -> its fault queue, if it has one
 *
 * PASIDs here are the PASIDs on the wire. A PASID fault with no attachment of
 * its own falls back to a nested space attached at the RID on `smmuv3` only
 * (the driver's `user_pasid_table`: the guest owns the PASID table), as
 * `find_fault_handler` does in io-pgfault.c. The iommu and the manager each
 * hold one of these tables, kept equal by the manager's commands.
 */
import type { HostConfig, IommuKind, SpaceKind, Stage } from '@ioasim/protocol';
import { assert } from './assert.js';
import { AttachmentTable } from './attachment-table.js';
import { pasidOnWire, type PasidPool } from './pasid-pool.js';

export type SpaceEntry = {
  readonly name: string;
  readonly owner: string;
  readonly kind: SpaceKind;
  readonly parent: string | null;
  readonly iopf: boolean;
  destroyed: boolean;
};

export type DeviceEntry = {
  readonly name: string;
  readonly iommu: string;
  readonly sid: number;
  readonly owner: string;
  /** Attachments by PASID on the wire; RID_KEY for the RID. */
  readonly attachments: AttachmentTable;
  present: boolean;
};

/** The key of the RID attachment in a device's attachment map (PASIDs are never negative). */
export const RID_KEY = -1;

export function pasidKey(pasid: number | null): number {
  return pasid === null ? RID_KEY : pasid;
}

export type RouteFailure = 'noHandler' | 'iopfDisabled' | 'stage2NoQueue';

export type Route =
  | {
      readonly ok: true;
      readonly device: DeviceEntry;
      /** The attachment that routed the fault: the (device, pasid) slot, or the RID on a fallback. */
      readonly attachmentPasid: number | null;
      /** The space attached there. */
      readonly attached: string;
      /** The space whose handler gets the fault: `attached`, or its parent for a stage-2 fault. */
      readonly handlerSpace: SpaceEntry;
    }
  | { readonly ok: false; readonly cause: RouteFailure; readonly device: DeviceEntry | null };

export class RoutingTable {
  readonly spaces = new Map<string, SpaceEntry>();
  readonly devices = new Map<string, DeviceEntry>();
  private readonly streams = new Map<string, Map<number, DeviceEntry>>();
  private readonly iommuKinds = new Map<string, IommuKind>();

  constructor(host: HostConfig, pool: PasidPool) {
    for (const iommu of host.iommus) {
      this.iommuKinds.set(iommu.name, iommu.kind);
      this.streams.set(iommu.name, new Map());
    }
    for (const space of host.spaces) {
      const { name, owner, kind, parent, iopf } = space;
      this.spaces.set(name, { name, owner, kind, parent, iopf, destroyed: false });
    }
    for (const device of host.devices) {
      const attachments = device.attach.map((attachment): [number, string] => {
        const wire = pasidOnWire(pool, device.name, attachment.pasid, attachment.asid);
        return [pasidKey(wire), attachment.space];
      });
      const entry: DeviceEntry = {
        name: device.name,
        iommu: device.iommu,
        sid: device.sid,
        owner: device.owner,
        attachments: new AttachmentTable(attachments),
        present: true,
      };
      this.devices.set(device.name, entry);
      this.streams.get(device.iommu)?.set(device.sid, entry);
    }
  }

  deviceBySid(iommu: string, sid: number): DeviceEntry | null {
    const device = this.streams.get(iommu)?.get(sid);
    return device !== undefined && device.present ? device : null;
  }

  iommuKind(iommu: string): IommuKind {
    const kind = this.iommuKinds.get(iommu);
    assert(kind !== undefined, `routing: unknown iommu ${iommu}`);
    return kind;
  }

  /** The space attached at (device, pasid), following the smmuv3 nested fallback; null when none. */
  attachedSpace(device: DeviceEntry, pasid: number | null): { space: string; attachmentPasid: number | null } | null {
    const own = device.attachments.get(pasidKey(pasid));
    if (own !== undefined) return { space: own, attachmentPasid: pasid };
    if (pasid === null || this.iommuKind(device.iommu) !== 'smmuv3') return null;
    const rid = device.attachments.get(RID_KEY);
    if (rid === undefined || this.spaces.get(rid)?.kind !== 'nested') return null;
    return { space: rid, attachmentPasid: null };
  }

  route(iommu: string, sid: number, pasid: number | null, stage: Stage): Route {
    const device = this.deviceBySid(iommu, sid);
    if (device === null) return { ok: false, cause: 'noHandler', device: null };
    const attached = this.attachedSpace(device, pasid);
    if (attached === null) return { ok: false, cause: 'noHandler', device };
    const space = this.spaces.get(attached.space);
    assert(space !== undefined, `routing: attachment to unknown space ${attached.space}`);
    let handlerSpace = space;
    if (stage === 2) {
      const parent = space.parent === null ? undefined : this.spaces.get(space.parent);
      if (parent === undefined) return { ok: false, cause: 'noHandler', device };
      if (!parent.iopf) return { ok: false, cause: 'stage2NoQueue', device };
      handlerSpace = parent;
    }
    if (!handlerSpace.iopf) return { ok: false, cause: 'iopfDisabled', device };
    return { ok: true, device, attachmentPasid: attached.attachmentPasid, attached: attached.space, handlerSpace };
  }

  attachmentSet(device: string, pasid: number | null, space: string | null): void {
    const entry = this.devices.get(device);
    assert(entry !== undefined, `routing: unknown device ${device}`);
    if (space === null) entry.attachments.delete(pasidKey(pasid));
    else entry.attachments.set(pasidKey(pasid), space);
  }

  deviceBySidAny(iommu: string, sid: number): DeviceEntry | null {
    return this.streams.get(iommu)?.get(sid) ?? null;
  }
}
