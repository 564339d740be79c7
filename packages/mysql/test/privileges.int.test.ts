import { databaseEnv } from '@addispay/testkit';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { connectionOptions, withDatabase } from '../src/index.js';

function dsn(name: string): string {
  const value = databaseEnv()[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set (scripts/mariadb.sh env)`);
  return value;
}

async function run(dsnValue: string, sql: string): Promise<void> {
  const connection = await mysql.createConnection(connectionOptions(dsnValue));
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

// Against the shared local databases: every statement here is refused, so nothing is ever written to them.
describe('least privilege of the local service users', () => {
  it('payment_service cannot open, read or write addispay_orders', async () => {
    const payments = dsn('PAYMENT_MYSQL_DSN');

    await expect(run(withDatabase(payments, 'addispay_orders'), 'SELECT 1')).rejects.toMatchObject({
      code: 'ER_DBACCESS_DENIED_ERROR',
    });
    await expect(run(payments, 'CREATE TABLE addispay_orders.intruder (id INT)')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await expect(run(payments, 'INSERT INTO addispay_orders.schema_migrations VALUES (1)')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
  });

  it('payment_service can use its own database but not change its schema', async () => {
    const payments = dsn('PAYMENT_MYSQL_DSN');

    await expect(run(payments, 'SELECT DATABASE()')).resolves.toBeUndefined();
    await expect(run(payments, 'CREATE TABLE intruder (id INT)')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
  });

  it.each([
    ['ORDER_MYSQL_DSN', 'addispay_payments'],
    ['LOGGER_MYSQL_DSN', 'addispay_orders'],
    ['TEST_MYSQL_DSN', 'addispay_logs'],
    ['ADMIN_MYSQL_DSN', 'addispay_orders'],
  ])('%s cannot open %s', async (name, database) => {
    await expect(run(withDatabase(dsn(name), database), 'SELECT 1')).rejects.toMatchObject({
      code: 'ER_DBACCESS_DENIED_ERROR',
    });
  });

  it('the migrator may change the schema only of the three service databases', async () => {
    await expect(run(dsn('MIGRATOR_MYSQL_DSN'), 'CREATE DATABASE test_migrator_must_not')).rejects.toMatchObject({
      code: 'ER_DBACCESS_DENIED_ERROR',
    });
    await expect(run(dsn('MIGRATOR_MYSQL_DSN'), 'SELECT * FROM mysql.user')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
  });
});
