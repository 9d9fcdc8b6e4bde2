/**
 * A tiny deterministic generator (xorshift32) for the randomized tests: the
 * same seed gives the same sequence, so a failing case replays.
 */
export function generator(seed: number): (limit: number) => number {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % limit;
  };
}
