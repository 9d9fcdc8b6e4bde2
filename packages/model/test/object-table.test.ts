import { ObjectTable } from '@ioasim/model';
import { describe, expect, it } from 'vitest';
import { hostFixture } from './fixtures.js';

describe('ObjectTable', () => {
  it('finds a space its owner holds', () => {
    const space = new ObjectTable(hostFixture()).spaceOwned('gpa', 'vm0');
    expect(space.ok && space.entry.name).toBe('gpa');
  });

  it('refuses a space of another owner, naming the owner', () => {
    expect(new ObjectTable(hostFixture()).spaceOwned('vq', 'vm0')).toEqual({ ok: false, error: 'notOwner', message: 'space vq belongs to vm1' });
  });

  it('finds no space that was never made, or was destroyed', () => {
    const objects = new ObjectTable(hostFixture());
    expect(objects.spaceOwned('nope', 'vm0')).toEqual({ ok: false, error: 'notFound', message: 'no space nope' });
    const gpa = objects.routing.spaces.get('gpa')!;
    gpa.destroyed = true;
    expect(objects.spaceOwned('gpa', 'vm0')).toEqual({ ok: false, error: 'notFound', message: 'no space gpa' });
  });

  it('finds a present device of its owner, and no device once it is unplugged', () => {
    const objects = new ObjectTable(hostFixture());
    const nic = objects.deviceOwned('nic0', 'vm0');
    expect(nic.ok && nic.entry.sid).toBe(0x100);
    expect(objects.deviceOwned('nic0', 'vm1')).toEqual({ ok: false, error: 'notOwner', message: 'device nic0 belongs to vm0' });
    objects.routing.devices.get('nic0')!.present = false;
    expect(objects.deviceOwned('nic0', 'vm0')).toEqual({ ok: false, error: 'notFound', message: 'no device nic0' });
  });

  it('has a page table for every space of the host', () => {
    const objects = new ObjectTable(hostFixture());
    for (const space of hostFixture().spaces) expect(objects.tableFind(space.name)).toBeDefined();
    expect(objects.tableFind('nope')).toBeUndefined();
  });
});
