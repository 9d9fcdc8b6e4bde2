/**
 * The checker's own view of a host: the spaces with their owners and
 * parents, and each device's owner, IOMMU kind, PRI credits and attachments,
 * built from the topology and kept current by the manager's
 * `attachmentChanged` events. From it the checker computes where a fault
 * must go (`routeExpected`), independently of the manager's routing code.
 */
import { AttachmentTable, pasidPoolAssign, pasidOnWire } from '@ioasim/model';
import type { Topology } from '@ioasim/protocol';

export type SpaceView = { readonly owner: string; readonly parent: string | null; readonly kind: string; readonly iopf: boolean };
export type DeviceView = {
  readonly owner: string;
  readonly iommuKind: string;
  readonly attachments: AttachmentTable;
  /** PRI credits from the topology; null for a device without PRI. */
  readonly credits: number | null;
  /** Page requests outstanding, as the checker counts them from the device's own groups. */
  outstanding: number;
};
export type HostView = { readonly spaces: Map<string, SpaceView>; readonly devices: Map<string, DeviceView> };

/** The attachment table's key of a PASID on the wire: -1 for the RID. */
export function pasidKey(pasid: number | null): number {
  return pasid === null ? -1 : pasid;
}

/** The view of `host` as the topology declares it, before any control operation. */
export function hostView(host: Topology['hosts'][number]): HostView {
  const pool = pasidPoolAssign(host.devices);
  const spaces = new Map<string, SpaceView>();
  for (const space of host.spaces) {
    spaces.set(space.name, { owner: space.owner, parent: space.parent, kind: space.kind, iopf: space.iopf });
  }
  const iommuKinds = new Map(host.iommus.map((iommu) => [iommu.name, iommu.kind]));
  const devices = new Map<string, DeviceView>();
  for (const device of host.devices) {
    const attachments = new AttachmentTable(
      device.attach.map((attachment) => [pasidKey(pasidOnWire(pool, device.name, attachment.pasid, attachment.asid)), attachment.space] as const),
    );
    devices.set(device.name, {
      owner: device.owner,
      iommuKind: iommuKinds.get(device.iommu) ?? '',
      attachments,
      credits: device.pri?.credits ?? null,
      outstanding: 0,
    });
  }
  return { spaces, devices };
}

/** The space whose handler must get a fault, by the rules of REFERENCE.md (R3, R6). */
export function routeExpected(host: HostView, deviceName: string, pasid: number | null, stage: 1 | 2): string | null {
  const device = host.devices.get(deviceName);
  if (device === undefined) return null;
  let attached = device.attachments.get(pasidKey(pasid));
  if (attached === undefined && pasid !== null && device.iommuKind === 'smmuv3') {
    const rid = device.attachments.get(-1);
    if (rid !== undefined && host.spaces.get(rid)?.kind === 'nested') attached = rid;
  }
  if (attached === undefined) return null;
  return stage === 2 ? (host.spaces.get(attached)?.parent ?? null) : attached;
}
