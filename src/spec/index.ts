export * from './canonical.js';
export * from './errors.js';
export * from './wire.js';
export * from './limits.js';
