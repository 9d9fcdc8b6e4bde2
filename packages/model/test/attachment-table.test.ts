import { AttachmentTable, RID_KEY } from '@ioasim/model';
import { describe, expect, it } from 'vitest';

describe('AttachmentTable', () => {
  it('keeps entries in the order they were first set, as a Map does', () => {
    const table = new AttachmentTable([
      [RID_KEY, 'gpa'],
      [7, 's1'],
    ]);
    table.set(3, 's2');
    table.set(RID_KEY, 'gpa2');
    expect([...table]).toEqual([
      [RID_KEY, 'gpa2'],
      [7, 's1'],
      [3, 's2'],
    ]);
    expect(table.values()).toEqual(['gpa2', 's1', 's2']);
    expect(table.size).toBe(3);
  });

  it('answers undefined for a key never set or deleted', () => {
    const table = new AttachmentTable([[1, 'a']]);
    expect(table.get(2)).toBeUndefined();
    expect(table.delete(1)).toBe(true);
    expect(table.delete(1)).toBe(false);
    expect(table.get(1)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('lets a loop delete the entry it is visiting and still visit every other entry', () => {
    const table = new AttachmentTable([
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
    ]);
    const visited: number[] = [];
    for (const [key, space] of table) {
      visited.push(key);
      if (space === 'a') table.delete(key);
    }
    expect(visited).toEqual([1, 2, 3]);
    expect([...table]).toEqual([[2, 'b']]);
  });
});
