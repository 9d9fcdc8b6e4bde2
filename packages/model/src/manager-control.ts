/**
 * The control operations of the ioasid manager, as iommufd's ioctls do them:
 * map and unmap a space's pages (IOMMU_IOAS_MAP/UNMAP), attach, replace and
 * detach a device's PASID (IOMMU_HWPT attach), destroy a space, unplug a
 * device. Each reaches its objects through the object table's owned lookup
 * and refuses with its reason; a change that ends an attachment answers its
 * pending groups INVALID on the manager's behalf (cause detach, replace,
 * destroy or unplug), and every change is commanded to the IOMMUs before any
 * answer that depends on it.
 *
 * It shares the objects and the pending answers with the fault path
 * (fault-path.ts) and knows nothing of it: what an unplug needs of the fault
 * path comes in the scope.
 */
import type { AutoResponseCause, ControlOperation, ControlReply } from '@ioasim/protocol';
import { unreachable } from './assert.js';
import type { ObjectTable } from './object-table.js';
import type { AnswerEffects, PendingAnswers } from './pending-answers.js';
import { pasidOnWire } from './pasid-pool.js';
import { pasidKey } from './routing-table.js';

/** What the control operations work on: the host's objects and pending answers, and the commands and trace they send. */
export type ControlScope = {
  readonly host: string;
  readonly objects: ObjectTable;
  readonly answers: PendingAnswers;
  readonly effects: AnswerEffects;
  /** Unplug (iopf_queue_remove_device): the device's partial groups are dropped without an answer. */
  partialsOfDeviceDiscard(nowNs: number, device: string): void;
};

export function controlApply(scope: ControlScope, nowNs: number, owner: string, operation: ControlOperation): ControlReply {
  switch (operation.op) {
    case 'map':
    case 'unmap': {
      const space = scope.objects.spaceOwned(operation.ioasid, owner);
      if (!space.ok) return space;
      mapApply(scope, operation);
      return { ok: true };
    }
    case 'attach':
    case 'replace':
    case 'detach':
      return attachmentChange(scope, nowNs, owner, operation);
    case 'destroy':
      return spaceDestroy(scope, nowNs, owner, operation.ioasid);
    case 'unplug':
      return deviceUnplug(scope, nowNs, owner, operation.device);
    default:
      return unreachable(operation);
  }
}

function mapApply(scope: ControlScope, operation: Extract<ControlOperation, { op: 'map' | 'unmap' }>): void {
  const table = scope.objects.tableOf(operation.ioasid);
  const commanded = new Set<string>();
  if (operation.op === 'map') for (const page of operation.pages) table.map(page, operation.perm);
  else for (const page of operation.pages) table.unmap(page);
  for (const device of scope.objects.routing.devices.values()) {
    if (commanded.has(device.iommu)) continue;
    commanded.add(device.iommu);
    scope.effects.command(
      device.iommu,
      operation.op === 'map'
        ? { kind: 'map', ioasid: operation.ioasid, pages: operation.pages, perm: operation.perm }
        : { kind: 'unmap', ioasid: operation.ioasid, pages: operation.pages },
    );
  }
}

function attachmentChange(
  scope: ControlScope,
  nowNs: number,
  owner: string,
  operation: Extract<ControlOperation, { op: 'attach' | 'replace' | 'detach' }>,
): ControlReply {
  const owned = scope.objects.deviceOwned(operation.device, owner);
  if (!owned.ok) return owned;
  const device = owned.entry;
  const argument = pasidArgumentRefusal(scope.objects, device.name, operation.pasid, operation.asid);
  if (argument !== null) return argument;
  const wire = pasidOnWire(scope.objects.pool, device.name, operation.pasid, operation.asid);
  const current = device.attachments.get(pasidKey(wire)) ?? null;
  let next: string | null = null;
  if (operation.op !== 'detach') {
    const space = scope.objects.spaceOwned(operation.ioasid, owner);
    if (!space.ok) return space;
    if (operation.op === 'attach' && current !== null) {
      return refuse('busy', `${device.name} pasid ${String(wire)} is attached to ${current}`);
    }
    next = space.entry.name;
  } else if (current === null) {
    return refuse('notFound', `${device.name} pasid ${String(wire)} is not attached`);
  }
  scope.objects.routing.attachmentSet(device.name, wire, next);
  scope.effects.command(device.iommu, { kind: 'attach', sid: device.sid, pasid: wire, ioasid: next });
  scope.effects.trace({ kind: 'attachmentChanged', t: nowNs, host: scope.host, device: device.name, pasid: wire, ioasid: next });
  if (current !== null && current !== next) {
    const cause: AutoResponseCause = operation.op === 'detach' ? 'detach' : 'replace';
    scope.answers.autoRespondWhere(nowNs, (pending) => pending.device === device.name && pending.attachmentPasid === wire, cause);
  }
  return { ok: true };
}

function spaceDestroy(scope: ControlScope, nowNs: number, owner: string, ioasid: string): ControlReply {
  const owned = scope.objects.spaceOwned(ioasid, owner);
  if (!owned.ok) return owned;
  for (const child of scope.objects.routing.spaces.values()) {
    // As a NEST_PARENT HWPT is held by the nested HWPTs over it.
    if (child.parent === ioasid && !child.destroyed) return refuse('busy', `space ${ioasid} is the parent of ${child.name}`);
  }
  owned.entry.destroyed = true;
  scope.objects.tableOf(ioasid).clear();
  const devices = scope.objects.routing.devices;
  for (const device of devices.values()) {
    for (const [key, attached] of device.attachments) {
      if (attached !== ioasid) continue;
      const pasid = key < 0 ? null : key;
      scope.objects.routing.attachmentSet(device.name, pasid, null);
      scope.effects.command(device.iommu, { kind: 'attach', sid: device.sid, pasid, ioasid: null });
      scope.effects.trace({ kind: 'attachmentChanged', t: nowNs, host: scope.host, device: device.name, pasid, ioasid: null });
    }
  }
  const iommus = new Set([...devices.values()].map((device) => device.iommu));
  for (const iommu of iommus) scope.effects.command(iommu, { kind: 'destroy', ioasid });
  scope.answers.autoRespondWhere(nowNs, (pending) => pending.ioasid === ioasid, 'destroy');
  return { ok: true };
}

function deviceUnplug(scope: ControlScope, nowNs: number, owner: string, name: string): ControlReply {
  const owned = scope.objects.deviceOwned(name, owner);
  if (!owned.ok) return owned;
  const device = owned.entry;
  // iopf_queue_remove_device: drop partials, answer every pending group INVALID, then unpublish.
  scope.partialsOfDeviceDiscard(nowNs, name);
  scope.answers.autoRespondWhere(nowNs, (pending) => pending.device === name, 'unplug');
  device.present = false;
  scope.effects.command(device.iommu, { kind: 'unplug', sid: device.sid });
  return { ok: true };
}

/** An ASID names one of a vDPA device's address spaces, and comes without a PASID. */
function pasidArgumentRefusal(objects: ObjectTable, device: string, pasid: number | null, asid: number | null): ControlReply | null {
  if (asid === null) return null;
  if (pasid !== null) return refuse('invalidArgument', `both pasid ${pasid} and asid ${asid} given; expected one`);
  if (pasidOnWire(objects.pool, device, null, asid) === null) return refuse('invalidArgument', `${device} has no address space ${asid}`);
  return null;
}

function refuse(error: 'notFound' | 'busy' | 'invalidArgument', message: string): ControlReply {
  return { ok: false, error, message };
}
