#!/usr/bin/env -S node --max-semi-space-size=64
// The `ioasim` executable. It lives outside dist/ so that npm can link it at
// install time, before the `prepare` script has built dist/.
//
// --max-semi-space-size=64 (MiB; node's default grows to 16): a simulation
// keeps what is in flight alive across many collections of the young
// generation, which then copy it again and again. A larger young generation
// runs the single-host example about 15% faster and a million-device fleet
// about 30% faster (bench/run.mjs runs its rows with the same flag). The
// flag is in NODE_FLAGS (src/node-flags.ts) too, for the processes ioasim
// starts; a test keeps the two the same.
//
// Node 22.1 and later keep the code they compile for every module in a
// cache on disk (module.enableCompileCache, in os.tmpdir() unless
// NODE_COMPILE_CACHE names a directory) and reuse it at the next start; an
// older node has no such call and starts as before. It is enabled before
// dist/main.js is imported, hence the dynamic import.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/main.js');
