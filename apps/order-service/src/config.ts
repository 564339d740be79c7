import { env, grpcServerSettings, serviceSettings } from '@addispay/runtime';

export const orderServiceSettings = {
  ...serviceSettings,
  ...grpcServerSettings,
  grpcPort: env.port('GRPC_PORT', 50051),
  /** A PENDING order older than this is failed by the sweeper and its payment voided or refunded. */
  paymentTimeoutMs: env.integer('ORDER_PAYMENT_TIMEOUT_MS', { min: 1_000, max: 86_400_000, default: 120_000 }),
  sweepIntervalMs: env.integer('ORDER_SWEEP_INTERVAL_MS', { min: 100, max: 3_600_000, default: 10_000 }),
  /** How long PlaceOrder waits for the outcome when the caller sets no deadline. */
  placeOrderMaxWaitMs: env.integer('PLACE_ORDER_MAX_WAIT_MS', { min: 0, max: 60_000, default: 10_000 }),
  /** PlaceOrder answers this long before the caller's deadline, so the answer arrives in time. */
  answerMarginMs: env.integer('PLACE_ORDER_ANSWER_MARGIN_MS', { min: 0, max: 5_000, default: 150 }),
  consumerConcurrency: env.integer('CONSUMER_CONCURRENCY', { min: 1, max: 1_000, default: 64 }),
  /** PlaceOrder calls per second per client IP (token bucket); 0 turns the limit off. */
  placeOrderRateLimit: env.number('PLACE_ORDER_RATE_LIMIT', { min: 0, max: 1_000_000, default: 0 }),
  /** Calls a quiet client may make at once; 0 means twice the rate (at least 1). */
  placeOrderRateBurst: env.integer('PLACE_ORDER_RATE_BURST', { min: 0, max: 1_000_000, default: 0 }),
  /** PlaceOrder calls served at once by a replica (waits for outcomes included); 0 turns the limit off. */
  placeOrderMaxInFlight: env.integer('PLACE_ORDER_MAX_IN_FLIGHT', { min: 0, max: 100_000, default: 256 }),
};
