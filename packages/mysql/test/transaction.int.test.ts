import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@addispay/testkit';
import type { TestDatabase } from '@addispay/testkit';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPool, isDuplicateKey, withTransaction } from '../src/index.js';

let db: TestDatabase;
let pool: Pool;
let migrationsDir: string;

beforeAll(async () => {
  migrationsDir = await mkdtemp(join(tmpdir(), 'addispay-migrations-'));
  await writeFile(
    join(migrationsDir, '0001_ledger.sql'),
    'CREATE TABLE ledger (id INT NOT NULL PRIMARY KEY, amount_minor BIGINT NOT NULL, currency CHAR(3) NOT NULL);',
  );
  db = await createTestDatabase({ label: 'transaction', migrationsDir });
  pool = createPool(db.dsn, { connectionLimit: 4 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  await rm(migrationsDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await pool.query('DELETE FROM ledger');
  await pool.query("INSERT INTO ledger VALUES (1, 0, 'ETB'), (2, 0, 'ETB')");
});

async function amounts(): Promise<unknown[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT amount_minor FROM ledger ORDER BY id');
  return rows.map((row) => row['amount_minor']);
}

describe('createPool', () => {
  it('reads and writes BIGINT money as an exact bigint, beyond 2^53', async () => {
    const amount = 2n ** 63n - 1n;
    await pool.execute('UPDATE ledger SET amount_minor = ? WHERE id = 1', [amount]);
    await pool.query('UPDATE ledger SET amount_minor = ? WHERE id = 2', [9007199254740993n]);

    expect(await amounts()).toEqual([amount, 9007199254740993n]);
    const [prepared] = await pool.execute<RowDataPacket[]>('SELECT amount_minor FROM ledger WHERE id = ?', [2]);
    expect(prepared[0]?.['amount_minor']).toBe(9007199254740993n);
  });
});

describe('withTransaction', () => {
  it('commits what the function did when it resolves', async () => {
    const result = await withTransaction(pool, async (connection) => {
      await connection.query('UPDATE ledger SET amount_minor = 500 WHERE id = 1');
      return 'done';
    });

    expect(result).toBe('done');
    expect(await amounts()).toEqual([500n, 0n]);
  });

  it('rolls everything back when the function throws, and rethrows', async () => {
    const attempt = withTransaction(pool, async (connection) => {
      await connection.query('UPDATE ledger SET amount_minor = 500 WHERE id = 1');
      await connection.query("INSERT INTO ledger VALUES (2, 1, 'ETB')");
    });

    const error = await attempt.catch((caught: unknown) => caught);
    expect(isDuplicateKey(error)).toBe(true);
    expect(await amounts()).toEqual([0n, 0n]);
  });

  it('retries the loser of a real deadlock, so both transactions commit', async () => {
    let calls = 0;
    let releaseBarrier!: () => void;
    let arrivals = 0;
    const barrier = new Promise<void>((resolve) => (releaseBarrier = resolve));
    // Each transaction locks one row, waits until the other has locked the other row, then wants that row too.
    const crossing = (first: number, second: number) => async (connection: PoolConnection) => {
      calls++;
      await connection.query('UPDATE ledger SET amount_minor = amount_minor + 1 WHERE id = ?', [first]);
      if (++arrivals === 2) releaseBarrier();
      await barrier;
      await connection.query('UPDATE ledger SET amount_minor = amount_minor + 10 WHERE id = ?', [second]);
    };

    await Promise.all([
      withTransaction(pool, crossing(1, 2), { backoffMs: 5 }),
      withTransaction(pool, crossing(2, 1), { backoffMs: 5 }),
    ]);

    expect(calls).toBe(3);
    expect(await amounts()).toEqual([11n, 11n]);
  });

  it('gives up after the configured attempts and surfaces the deadlock', async () => {
    let calls = 0;
    const failing = withTransaction(
      pool,
      async () => {
        calls++;
        throw Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' });
      },
      { attempts: 2, backoffMs: 1 },
    );

    await expect(failing).rejects.toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
    expect(calls).toBe(2);
  });
});
