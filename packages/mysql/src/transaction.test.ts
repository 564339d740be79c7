import type { Pool, PoolConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isRetryableTransactionError, withTransaction } from './transaction.js';

const mysqlError = (code: string, errno: number) => Object.assign(new Error(code), { code, errno });

/** A pool whose connections fail their commit with the given errors, one per attempt, then commit. */
function failingPool(commitErrors: Error[]) {
  const events: string[] = [];
  let opened = 0;
  const pool = {
    config: { connectionConfig: { database: 'test' } },
    getConnection: () => {
      const id = ++opened;
      const connection = {
        beginTransaction: () => Promise.resolve(),
        commit: () => {
          const error = commitErrors.shift();
          return error ? Promise.reject(error) : Promise.resolve();
        },
        rollback: () => Promise.resolve(),
        release: () => events.push(`release ${id}`),
        destroy: () => events.push(`destroy ${id}`),
      };
      return Promise.resolve(connection as unknown as PoolConnection);
    },
  };
  return { pool: pool as unknown as Pool, events };
}

describe('transactions while an InnoDB cluster fails over', () => {
  it('runs again, on a new connection, a transaction the demoted primary refused (1290) or rolled back (3101)', async () => {
    const { pool, events } = failingPool([
      mysqlError('ER_OPTION_PREVENTS_STATEMENT', 1290),
      mysqlError('ER_TRANSACTION_ROLLBACK_DURING_COMMIT', 3101),
    ]);
    await expect(withTransaction(pool, () => Promise.resolve('stored'), { backoffMs: 1 })).resolves.toBe('stored');
    expect(events).toEqual(['destroy 1', 'destroy 2', 'release 3']);
  });

  it('does not run again a transaction whose connection was lost (1053, 4031, reset): its commit may have landed', async () => {
    for (const error of [
      mysqlError('ER_SERVER_SHUTDOWN', 1053),
      mysqlError('ER_CLIENT_INTERACTION_TIMEOUT', 4031),
      mysqlError('ECONNRESET', 0),
    ]) {
      const { pool, events } = failingPool([error]);
      await expect(withTransaction(pool, () => Promise.resolve('stored'), { backoffMs: 1 })).rejects.toBe(error);
      expect(events).toEqual(['destroy 1']);
    }
  });

  it('tells failover and connection loss (unavailable) apart from other errors', () => {
    for (const [code, errno] of [
      ['ER_OPTION_PREVENTS_STATEMENT', 1290],
      ['ER_READ_ONLY_MODE', 1836],
      ['ER_TRANSACTION_ROLLBACK_DURING_COMMIT', 3101],
      ['ER_SERVER_SHUTDOWN', 1053],
      ['ER_CLIENT_INTERACTION_TIMEOUT', 4031],
      ['PROTOCOL_CONNECTION_LOST', 0],
    ] as const) {
      expect(isDatabaseUnavailable(mysqlError(code, errno)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(mysqlError('ER_DUP_ENTRY', 1062))).toBe(false);
    expect(isDatabaseUnavailable(mysqlError('ER_LOCK_DEADLOCK', 1213))).toBe(false);
    expect(isRetryableTransactionError(mysqlError('ER_LOCK_DEADLOCK', 1213))).toBe(true);
    expect(isRetryableTransactionError(mysqlError('ER_SERVER_SHUTDOWN', 1053))).toBe(false);
  });
});
