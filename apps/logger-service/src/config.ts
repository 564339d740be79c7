import { env, grpcServerSettings, serviceSettings } from '@addispay/runtime';

export const loggerServiceSettings = {
  ...serviceSettings,
  ...grpcServerSettings,
  metricsPort: env.port('METRICS_PORT', 9466),
  grpcPort: env.port('GRPC_PORT', 50052),
  retentionDays: env.integer('LOG_RETENTION_DAYS', { min: 1, max: 3_650, default: 7 }),
  retentionIntervalMs: env.integer('LOG_RETENTION_INTERVAL_MS', { min: 1_000, max: 86_400_000, default: 600_000 }),
  /** Rows per DELETE of the retention sweep: small enough not to hold locks for long. */
  retentionBatchSize: env.integer('LOG_RETENTION_BATCH_SIZE', { min: 1, max: 100_000, default: 5_000 }),
  /** Messages handled at once; they are grouped into multi-row INSERTs, so this bounds a batch. */
  consumerConcurrency: env.integer('CONSUMER_CONCURRENCY', { min: 1, max: 5_000, default: 1_000 }),
  insertLingerMs: env.integer('LOG_INSERT_LINGER_MS', { min: 0, max: 1_000, default: 5 }),
  insertBatchSize: env.integer('LOG_INSERT_BATCH_SIZE', { min: 1, max: 5_000, default: 1_000 }),
};
