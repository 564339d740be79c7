export * from './result.js';
export * from './money.js';
export * from './order.js';
export * from './order-lifecycle.js';
export * from './payment.js';
export * from './ids.js';
