#!/usr/bin/env node
// The `ioasim` executable. It lives outside dist/ so that npm can link it at
// install time, before the `prepare` script has built dist/.
import '../dist/main.js';
