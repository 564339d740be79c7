export { connectionOptions, parseDsn, redactDsn, withDatabase } from './dsn.js';
export type { DsnParts, TlsDefaults } from './dsn.js';
export { createPool } from './pool.js';
export type { CreatePoolOptions } from './pool.js';
export {
  groupCommit,
  insertAllOrEach,
  isDatabaseUnavailable,
  isDuplicateKey,
  isRetryableTransactionError,
  withTransaction,
} from './transaction.js';
export type { InsertOutcome, TransactionOptions } from './transaction.js';
export { migrate, readMigrations } from './migrate.js';
export type { MigrateOptions, MigrateResult, MigrationFile } from './migrate.js';
export { appendToOutbox, OutboxRelay, withTraceContext } from './outbox.js';
export type { OutboxMessage, OutboxRelayOptions, Publish } from './outbox.js';
