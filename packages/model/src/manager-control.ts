/**
 * The control operations of the ioasid manager, as iommufd's ioctls do them:
 * map and unmap a space's pages (IOMMU_IOAS_MAP/UNMAP), attach, replace and
 * detach a device's PASID (IOMMU_HWPT attach), destroy a space, unplug a
 * device. Each checks its owner first and refuses with a reason; a change
 * that ends an attachment answers its pending groups INVALID on the
 * manager's behalf (cause detach, replace, destroy or unplug), and every
 * change is commanded to the IOMMUs before any answer that depends on it.
 */
import { ResponseCode, type AutoResponseCause, type ControlOperation, type ControlReply } from '@ioasim/protocol';
import { unreachable } from './assert.js';
import type { ManagerState } from './manager.js';
import { pasidOnWire } from './pasid-pool.js';
import { pasidKey } from './routing-table.js';

export function controlApply(manager: ManagerState, nowNs: number, owner: string, operation: ControlOperation): ControlReply {
  switch (operation.op) {
    case 'map':
    case 'unmap': {
      const space = manager.routing.spaces.get(operation.ioasid);
      if (space === undefined || space.destroyed) return refuse('notFound', `no space ${operation.ioasid}`);
      if (space.owner !== owner) return refuse('notOwner', `space ${space.name} belongs to ${space.owner}`);
      mapApply(manager, operation);
      return { ok: true };
    }
    case 'attach':
    case 'replace':
    case 'detach':
      return attachmentChange(manager, nowNs, owner, operation);
    case 'destroy':
      return spaceDestroy(manager, nowNs, owner, operation.ioasid);
    case 'unplug':
      return deviceUnplug(manager, nowNs, owner, operation.device);
    default:
      return unreachable(operation);
  }
}

function mapApply(manager: ManagerState, operation: Extract<ControlOperation, { op: 'map' | 'unmap' }>): void {
  const table = manager.tableOf(operation.ioasid);
  const commanded = new Set<string>();
  if (operation.op === 'map') for (const page of operation.pages) table.map(page, operation.perm);
  else for (const page of operation.pages) table.unmap(page);
  for (const device of manager.routing.devices.values()) {
    if (commanded.has(device.iommu)) continue;
    commanded.add(device.iommu);
    manager.effects.command(
      device.iommu,
      operation.op === 'map'
        ? { kind: 'map', ioasid: operation.ioasid, pages: operation.pages, perm: operation.perm }
        : { kind: 'unmap', ioasid: operation.ioasid, pages: operation.pages },
    );
  }
}

function attachmentChange(
  manager: ManagerState,
  nowNs: number,
  owner: string,
  operation: Extract<ControlOperation, { op: 'attach' | 'replace' | 'detach' }>,
): ControlReply {
  const device = manager.routing.devices.get(operation.device);
  if (device === undefined || !device.present) return refuse('notFound', `no device ${operation.device}`);
  if (device.owner !== owner) return refuse('notOwner', `device ${device.name} belongs to ${device.owner}`);
  const argument = pasidArgumentRefusal(manager, device.name, operation.pasid, operation.asid);
  if (argument !== null) return argument;
  const wire = pasidOnWire(manager.pool, device.name, operation.pasid, operation.asid);
  const current = device.attachments.get(pasidKey(wire)) ?? null;
  let next: string | null = null;
  if (operation.op !== 'detach') {
    const space = manager.routing.spaces.get(operation.ioasid);
    if (space === undefined || space.destroyed) return refuse('notFound', `no space ${operation.ioasid}`);
    if (space.owner !== owner) return refuse('notOwner', `space ${space.name} belongs to ${space.owner}`);
    if (operation.op === 'attach' && current !== null) {
      return refuse('busy', `${device.name} pasid ${String(wire)} is attached to ${current}`);
    }
    next = space.name;
  } else if (current === null) {
    return refuse('notFound', `${device.name} pasid ${String(wire)} is not attached`);
  }
  manager.routing.attachmentSet(device.name, wire, next);
  manager.effects.command(device.iommu, { kind: 'attach', sid: device.sid, pasid: wire, ioasid: next });
  manager.effects.trace({
    kind: 'attachmentChanged',
    t: nowNs,
    host: manager.host.name,
    device: device.name,
    pasid: wire,
    ioasid: next,
  });
  if (current !== null && current !== next) {
    const cause: AutoResponseCause = operation.op === 'detach' ? 'detach' : 'replace';
    const taken = manager.pending.takeWhere(
      (pending) => pending.device === device.name && pending.attachmentPasid === wire,
    );
    for (const pending of taken) manager.autoRespondTaken(nowNs, pending, cause, ResponseCode.invalid);
  }
  return { ok: true };
}

function spaceDestroy(manager: ManagerState, nowNs: number, owner: string, ioasid: string): ControlReply {
  const space = manager.routing.spaces.get(ioasid);
  if (space === undefined || space.destroyed) return refuse('notFound', `no space ${ioasid}`);
  if (space.owner !== owner) return refuse('notOwner', `space ${ioasid} belongs to ${space.owner}`);
  for (const child of manager.routing.spaces.values()) {
    // As a NEST_PARENT HWPT is held by the nested HWPTs over it.
    if (child.parent === ioasid && !child.destroyed) return refuse('busy', `space ${ioasid} is the parent of ${child.name}`);
  }
  space.destroyed = true;
  manager.tableOf(ioasid).clear();
  for (const device of manager.routing.devices.values()) {
    for (const [key, attached] of device.attachments) {
      if (attached !== ioasid) continue;
      const pasid = key < 0 ? null : key;
      manager.routing.attachmentSet(device.name, pasid, null);
      manager.effects.command(device.iommu, { kind: 'attach', sid: device.sid, pasid, ioasid: null });
      manager.effects.trace({ kind: 'attachmentChanged', t: nowNs, host: manager.host.name, device: device.name, pasid, ioasid: null });
    }
  }
  const iommus = new Set([...manager.routing.devices.values()].map((device) => device.iommu));
  for (const iommu of iommus) manager.effects.command(iommu, { kind: 'destroy', ioasid });
  const taken = manager.pending.takeWhere((pending) => pending.ioasid === ioasid);
  for (const pending of taken) manager.autoRespondTaken(nowNs, pending, 'destroy', ResponseCode.invalid);
  return { ok: true };
}

function deviceUnplug(manager: ManagerState, nowNs: number, owner: string, name: string): ControlReply {
  const device = manager.routing.devices.get(name);
  if (device === undefined || !device.present) return refuse('notFound', `no device ${name}`);
  if (device.owner !== owner) return refuse('notOwner', `device ${name} belongs to ${device.owner}`);
  // iopf_queue_remove_device: drop partials, answer every pending group INVALID, then unpublish.
  manager.partialsOfDeviceDiscard(nowNs, name);
  const taken = manager.pending.takeWhere((pending) => pending.device === name);
  for (const pending of taken) manager.autoRespondTaken(nowNs, pending, 'unplug', ResponseCode.invalid);
  device.present = false;
  manager.effects.command(device.iommu, { kind: 'unplug', sid: device.sid });
  return { ok: true };
}

/** An ASID names one of a vDPA device's address spaces, and comes without a PASID. */
function pasidArgumentRefusal(manager: ManagerState, device: string, pasid: number | null, asid: number | null): ControlReply | null {
  if (asid === null) return null;
  if (pasid !== null) return refuse('invalidArgument', `both pasid ${pasid} and asid ${asid} given; expected one`);
  if (pasidOnWire(manager.pool, device, null, asid) === null) return refuse('invalidArgument', `${device} has no address space ${asid}`);
  return null;
}

function refuse(error: 'notFound' | 'notOwner' | 'busy' | 'invalidArgument', message: string): ControlReply {
  return { ok: false, error, message };
}
