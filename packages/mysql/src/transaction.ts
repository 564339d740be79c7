import { Batcher, retry } from '@addispay/runtime';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { recordAcquire, recordTransaction } from './metrics.js';

export interface TransactionOptions {
  /**
   * Attempts in all, the first included, when InnoDB reports a deadlock or a lock wait timeout, or a failing-over
   * cluster refused the transaction before committing anything (default 3).
   */
  readonly attempts?: number;
  /** Ceiling of the first retry's random delay in milliseconds; doubles on each later one (default 20). */
  readonly backoffMs?: number;
}

const RETRYABLE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * What an InnoDB cluster answers while its primary changes, when nothing of the transaction was committed: the
 * old primary is read-only now (1290 under --super-read-only, 1836), or group replication rolled the commit back
 * (3101). Safe to run again on a fresh connection, which MySQL Router sends to the new primary.
 */
const REFUSED_BY_FAILOVER_CODES = new Set([
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
]);

/**
 * The connection is gone or about to go (the server shutting down, 1053; dropped for inactivity, 4031; reset):
 * whether a COMMIT in flight took effect is unknown, so these are not re-run here; the caller answers UNAVAILABLE
 * and the client retries with its idempotency key.
 */
const CONNECTION_LOST_CODES = new Set([
  'ER_SERVER_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** True for a MySQL duplicate-key error (ER_DUP_ENTRY, 1062): the row, or the idempotency key, already exists. */
export function isDuplicateKey(error: unknown): boolean {
  return errorCode(error) === 'ER_DUP_ENTRY';
}

/**
 * True when the transaction was rolled back or refused, with nothing committed, and a retry may succeed: a lock
 * conflict, or a cluster failing over.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (RETRYABLE_CODES.has(code) || REFUSED_BY_FAILOVER_CODES.has(code));
}

/**
 * True for the errors of a database that is away for a while (restarting, failing over, unreachable): worth
 * answering as unavailable, and the connection that saw them is not reused.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (REFUSED_BY_FAILOVER_CODES.has(code) || CONNECTION_LOST_CODES.has(code));
}

/**
 * Runs `fn` in a transaction on one pooled connection: commit when it resolves, roll back when it throws.
 * Deadlocks and lock wait timeouts re-run the whole of `fn`, so `fn` must do nothing outside the database that
 * cannot be repeated (publish through the outbox instead).
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (connection: PoolConnection) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const initialMs = options.backoffMs ?? 20;
  return retry(() => runOnce(pool, fn), {
    attempts: options.attempts ?? 3,
    isRetryable: isRetryableTransactionError,
    policy: { initialMs, maxMs: initialMs * 16 },
  });
}

async function runOnce<T>(pool: Pool, fn: (connection: PoolConnection) => Promise<T>): Promise<T> {
  const asked = performance.now();
  const connection = await pool.getConnection();
  const began = performance.now();
  recordAcquire(pool, (began - asked) / 1000);
  let broken = false;
  try {
    await connection.beginTransaction();
    const result = await fn(connection);
    await connection.commit();
    recordTransaction(pool, 'commit', (performance.now() - began) / 1000);
    return result;
  } catch (error) {
    recordTransaction(pool, 'rollback', (performance.now() - began) / 1000);
    // A connection to a demoted primary keeps being refused: the retry takes a new one, through the router.
    broken = isDatabaseUnavailable(error);
    await connection.rollback().catch(() => {
      // The connection may already be broken; the original error is the one worth reporting.
      broken = true;
    });
    throw error;
  } finally {
    if (broken) connection.destroy();
    else connection.release();
  }
}

export type InsertOutcome = 'inserted' | 'duplicate';

/**
 * Inserts a batch (a group commit) in one transaction. When a unique key refuses the batch, each item is inserted
 * in a transaction of its own (side by side), so that only the items whose key is taken come back as 'duplicate'.
 */
export async function insertAllOrEach<T>(
  pool: Pool,
  items: readonly T[],
  insert: (connection: PoolConnection, items: readonly T[]) => Promise<void>,
): Promise<InsertOutcome[]> {
  try {
    await withTransaction(pool, (connection) => insert(connection, items));
    return items.map(() => 'inserted');
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    if (items.length === 1) return ['duplicate'];
    const outcomes = await Promise.all(items.map((item) => insertAllOrEach(pool, [item], insert)));
    return outcomes.flat();
  }
}

/**
 * A group commit of `run` (see Batcher): at most two such transactions at once, so a pool of 10 keeps room for the
 * rest, of up to 200 items each; what arrives meanwhile waits for the next, bigger one.
 */
export function groupCommit<I, O>(run: (items: readonly I[]) => Promise<readonly O[]>): Batcher<I, O> {
  return new Batcher(run, { maxBatch: 200, maxConcurrent: 2 });
}
