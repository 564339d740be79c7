export * from './errors.js';
export * from './server.js';
export { Status, ServerError } from 'nice-grpc';
export { callDeadline } from './deadline.js';
export * from './client.js';
export type { CallTimeLimits, InFlightLimit, RateLimit } from './limits.js';
export { checkTimeFilter } from './request-checks.js';
