/** The payment service's group commit against MariaDB: a batch holding a second charge of an order records one. */
import { join } from 'node:path';
import { newId, type CurrencyCode, type MinorUnits } from '@addispay/domain';
import { createTestDatabase, repositoryRoot, type TestDatabase } from '@addispay/testkit';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentResultMessage } from '../src/payment-events.js';
import { recordTransactions, type TransactionToRecord } from '../src/payments.js';
import type { PaymentTransaction } from '../src/transaction-store.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({
    label: 'payment_group_commit',
    pool: true,
    migrationsDir: join(repositoryRoot(), 'apps/payment-service/migrations'),
  });
});
afterAll(() => db?.drop());

function toRecord(orderId: string, status: PaymentTransaction['status']): TransactionToRecord {
  const transaction: PaymentTransaction = {
    transactionId: newId(),
    orderId,
    customerId: 'erin',
    currency: 'USD' as CurrencyCode,
    amountMinor: 1250n as MinorUnits,
    status,
    reason: status === 'APPROVED' ? '' : 'declined',
  };
  const now = new Date();
  return { transaction, createdAt: now, result: paymentResultMessage(transaction, now) };
}

describe('group commit of payments', () => {
  it('records each order once, however a batch repeats it, with one PaymentResult per recorded charge', async () => {
    const [first, second] = [newId(), newId()];
    const batch = [
      toRecord(first, 'APPROVED'),
      toRecord(second, 'DECLINED'),
      toRecord(first, 'APPROVED'), // a redelivery handled concurrently
    ];
    expect(await recordTransactions(db.pool!, batch)).toEqual(['inserted', 'inserted', 'duplicate']);
    expect(await recordTransactions(db.pool!, [toRecord(second, 'APPROVED')])).toEqual(['duplicate']);

    const [transactions] = await db.pool!.query<RowDataPacket[]>(
      'SELECT order_id, status FROM transactions WHERE order_id IN (?) ORDER BY status',
      [[first, second]],
    );
    expect(transactions.map((row) => [row['order_id'], row['status']])).toEqual([
      [first, 'APPROVED'],
      [second, 'DECLINED'],
    ]);
    const [events] = await db.pool!.query<RowDataPacket[]>('SELECT message_key FROM outbox WHERE message_key IN (?)', [
      [first, second],
    ]);
    expect(events.map((row) => row['message_key']).sort()).toEqual([first, second].sort());
  });
});
