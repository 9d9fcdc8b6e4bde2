import { PrgIndexPool } from '@ioasim/model';
import { describe, expect, it } from 'vitest';

describe('PrgIndexPool', () => {
  it('hands out the lowest never-used index, and reuses the last one given back first', () => {
    const pool = new PrgIndexPool(512);
    expect([pool.take(), pool.take(), pool.take()]).toEqual([0, 1, 2]);
    pool.give(1);
    pool.give(0);
    expect([pool.take(), pool.take(), pool.take()]).toEqual([0, 1, 3]);
  });

  it('has none available once every index is out, and one again when an index is given back', () => {
    const pool = new PrgIndexPool(2);
    pool.take();
    pool.take();
    expect(pool.available).toBe(false);
    expect(() => pool.take()).toThrow(/none free/);
    pool.give(1);
    expect(pool.available).toBe(true);
    expect(pool.take()).toBe(1);
  });
});
