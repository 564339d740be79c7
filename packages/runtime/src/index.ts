export * from './config.js';
export * from './backoff.js';
export * from './lifecycle.js';
export * from './service-settings.js';
export * from './grpc-settings.js';
export * from './batcher.js';
