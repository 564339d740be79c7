export * from './config.js';
export * from './backoff.js';
export * from './lifecycle.js';
