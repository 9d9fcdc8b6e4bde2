export * from './codes.js';
export * from './codec.js';
export * from './errors.js';
export * from './frame-types.js';
export * from './messages.js';
export * from './subjects.js';
export * from './topology.js';
export * from './trace.js';
