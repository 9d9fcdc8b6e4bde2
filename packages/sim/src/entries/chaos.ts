/**
 * @ioasim/sim/chaos: chaos campaigns over many seeds in worker processes,
 * their report, replay and shrinking (`ioasim chaos`, `replay`, `shrink`).
 * Apart from the index, so that a run loads no worker pool; a run applies
 * its topology's chaos rules all the same.
 */
export * from '../chaos/index.js';
