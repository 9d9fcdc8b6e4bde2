/**
 * The V8 flags the `ioasim` executable runs with (its `#!` line, see
 * bin/ioasim.js), given to the processes it starts too (the serve processes
 * of `run --spawn`), and to the bench's: a young generation of 64 MiB
 * semi-spaces, which a simulation's in-flight state needs (see bin/ioasim.js).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
