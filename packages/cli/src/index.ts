export { EXIT, cliMain, helpMain, type Io } from './cli.js';
export type { Command } from './io.js';
export { styleFor, summaryFormat } from './summary.js';
export { NODE_FLAGS } from './node-flags.js';
