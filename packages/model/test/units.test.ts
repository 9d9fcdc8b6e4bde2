import { Perm, ResponseCode } from '@ioasim/protocol';
import {
  PageTable,
  PendingGroups,
  PriCredits,
  PrgAssembly,
  ServerQueue,
  pasidAsSeen,
  pasidOnWire,
  pasidPoolAssign,
  type PendingGroup,
} from '@ioasim/model';
import type { FaultRecord } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';
import { hostFixture } from './fixtures.js';

function request(prgIndex: number, last: boolean, page = 0, pasid: number | null = 1): FaultRecord {
  return { kind: 'pageRequest', iommu: 'iommu0', sid: 0x100, pasid, prgIndex, page, perm: Perm.read, last, stall: false, stage: 1, group: prgIndex, issuedNs: 0 };
}

describe('PageTable', () => {
  it('permits an access only with every permission it asks for', () => {
    const table = new PageTable();
    table.map(5, Perm.read);
    expect(table.permits(5, Perm.read)).toBe(true);
    expect(table.permits(5, Perm.write)).toBe(false);
    table.map(5, Perm.write);
    expect(table.permits(5, Perm.read | Perm.write)).toBe(true);
    expect(table.permits(6, Perm.read)).toBe(false);
    table.unmap(5);
    expect(table.permits(5, Perm.read)).toBe(false);
  });
});

describe('PrgAssembly', () => {
  it('R5 holds partial requests until the last of their PRG index, then gives the whole group', () => {
    const assembly = new PrgAssembly();
    expect(assembly.add('nic0', request(3, false, 10))).toBeNull();
    expect(assembly.add('nic0', request(4, false, 20))).toBeNull();
    expect(assembly.add('nic0', request(3, false, 11))).toBeNull();
    const group = assembly.add('nic0', request(3, true, 12));
    expect(group?.map((record) => record.page)).toEqual([10, 11, 12]);
    expect(assembly.pending).toBe(1);
  });

  it('does not compare the PASID when it gathers partials, as io-pgfault.c', () => {
    const assembly = new PrgAssembly();
    assembly.add('nic0', request(3, false, 10, 1));
    expect(assembly.add('nic0', request(3, true, 11, 2))?.length).toBe(2);
  });

  it('discards the partials of one iommu after an overflow, and of one device at removal', () => {
    const assembly = new PrgAssembly();
    assembly.add('nic0', request(1, false));
    assembly.add('nic0', { ...request(2, false), iommu: 'iommu1' });
    expect(assembly.discardIommu('iommu0')).toHaveLength(1);
    expect(assembly.pending).toBe(1);
    expect(assembly.discardDevice('nic0')).toHaveLength(1);
    expect(assembly.pending).toBe(0);
  });
});

describe('PendingGroups', () => {
  const pending = (cookie: number, device = 'nic0'): PendingGroup => ({
    cookie, iommu: 'iommu0', device, sid: 0x100, pasid: 1, prgIndex: 0, stall: false, stage: 1, ioasid: 's1',
    attachmentPasid: 1, owner: 'vm0', group: cookie, issuedNs: 0, faults: [], routedNs: 0, delivered: false,
  });

  it('starts cookies at 1 and tells pending, answered and unknown cookies apart', () => {
    const groups = new PendingGroups();
    const cookie = groups.cookieAllocate();
    expect(cookie).toBe(1);
    groups.add(pending(cookie));
    expect(groups.lookup(cookie).state).toBe('pending');
    expect(groups.take(cookie)?.cookie).toBe(1);
    expect(groups.take(cookie)).toBeNull();
    expect(groups.lookup(cookie).state).toBe('answered');
    expect(groups.lookup(99).state).toBe('unknown');
    expect(groups.lookup(0).state).toBe('unknown');
  });

  it('takes every group of a device at once', () => {
    const groups = new PendingGroups();
    for (const device of ['nic0', 'nic0', 'vnet0']) {
      const cookie = groups.cookieAllocate();
      groups.add(pending(cookie, device));
    }
    expect(groups.takeWhere((group) => group.device === 'nic0')).toHaveLength(2);
    expect(groups.size).toBe(1);
  });
});

describe('PriCredits', () => {
  it('never lets outstanding requests exceed the credits (R16)', () => {
    const credits = new PriCredits(4);
    expect(credits.reserve(3)).toBe(true);
    expect(credits.reserve(2)).toBe(false);
    expect(credits.outstanding).toBe(3);
    credits.release(3);
    expect(credits.reserve(4)).toBe(true);
    expect(credits.free).toBe(0);
  });
});

describe('ServerQueue', () => {
  it('makes an item wait for the items before it and refuses one past its capacity', () => {
    const queue = new ServerQueue(2);
    expect(queue.admit(0, 10)).toEqual({ accepted: true, finishNs: 10 });
    expect(queue.admit(0, 10)).toEqual({ accepted: true, finishNs: 20 });
    expect(queue.admit(0, 10)).toEqual({ accepted: false });
    expect(queue.depth(10)).toBe(1);
    expect(queue.admit(15, 10)).toEqual({ accepted: true, finishNs: 30 });
  });
});

describe('PASID pool', () => {
  it('maps each vdpa ASID to its own physical PASID and back (R7)', () => {
    const pool = pasidPoolAssign(hostFixture().devices);
    const wire = pasidOnWire(pool, 'vnet0', null, 1);
    expect(wire).not.toBe(1);
    expect(pasidAsSeen(pool, 'vnet0', wire)).toBe(1);
    expect(pasidOnWire(pool, 'nic0', 5, null)).toBe(5);
    expect(pasidAsSeen(pool, 'nic0', 5)).toBe(5);
    expect(ResponseCode.success).toBe(0);
  });
});
