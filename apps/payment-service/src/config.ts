import { env, serviceSettings } from '@addispay/runtime';

export const paymentServiceSettings = {
  ...serviceSettings,
  metricsPort: env.port('METRICS_PORT', 9465),
  latencyMs: env.integer('PAYMENT_LATENCY_MS', { min: 0, max: 60_000, default: 20 }),
  failureRate: env.number('PAYMENT_FAILURE_RATE', { min: 0, max: 1, default: 0 }),
  processorTimeoutMs: env.integer('PAYMENT_PROCESSOR_TIMEOUT_MS', { min: 1, max: 60_000, default: 2_000 }),
  consumerConcurrency: env.integer('CONSUMER_CONCURRENCY', { min: 1, max: 1_000, default: 64 }),
};
