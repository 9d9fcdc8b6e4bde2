/**
 * The seeded random source of model code. Every actor draws from its own
 * stream, derived from the run's seed and the actor's name, so that the
 * numbers one actor draws never depend on how many another drew.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { assert } from './assert.js';

export interface Random {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, bound). */
  below(bound: number): number;
  /** True with probability `numerator / denominator` (integers: no float drift). */
  chance(numerator: number, denominator: number): boolean;
}

/** FNV-1a, 32 bits: a stable hash of a stream name. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function randomCreate(seed: number, stream: string): Random {
  assert(Number.isSafeInteger(seed), `random: seed ${seed} is not a safe integer`);
  // The bits of the seed above 32 are folded in, so that seed 2^32 is not seed 0; they are 0 below 2^32, where
  // every seed keeps the stream it always had.
  const high = Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b1);
  return new XoroshiroRandom(xoroshiro128plus(hashString(stream, ((seed >>> 0) ^ 0x811c9dc5 ^ high) >>> 0) | 0));
}

/** A stream over one xoroshiro128+ generator; a class, so that each of a fleet's many streams is one small object. */
class XoroshiroRandom implements Random {
  constructor(private readonly generator: ReturnType<typeof xoroshiro128plus>) {}

  float(): number {
    return uniformFloat64(this.generator);
  }

  below(bound: number): number {
    assert(Number.isInteger(bound) && bound > 0, `random: bound ${bound} must be a positive integer`);
    return uniformInt(this.generator, 0, bound - 1);
  }

  chance(numerator: number, denominator: number): boolean {
    assert(Number.isInteger(numerator) && Number.isInteger(denominator), 'random: chance takes integers');
    assert(denominator > 0 && numerator >= 0 && numerator <= denominator, 'random: chance out of range');
    return uniformInt(this.generator, 0, denominator - 1) < numerator;
  }
}

/** An exponential variate with the given mean. */
export function randomExponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random.float());
}
