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
import '../dist/main.js';
