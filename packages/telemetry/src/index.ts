export * from './logger.js';
export * from './ops-server.js';
export * from './log-entry.js';
export * from './log-shipper.js';
export * from './trace-context.js';
