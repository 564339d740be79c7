import type { ChargeStatus, CurrencyCode, MinorUnits } from '@addispay/domain';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';

export interface PaymentTransaction {
  readonly transactionId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly amountMinor: MinorUnits;
  readonly status: ChargeStatus;
  readonly reason: string;
}

interface TransactionRow extends RowDataPacket {
  transaction_id: string;
  order_id: string;
  customer_id: string;
  currency: string;
  amount_minor: string;
  status: ChargeStatus;
  reason: string;
}

const COLUMNS = 'transaction_id, order_id, customer_id, currency, amount_minor, status, reason';

export async function findTransaction(
  db: Pool | PoolConnection,
  orderId: string,
  options: { forUpdate?: boolean } = {},
): Promise<PaymentTransaction | undefined> {
  const [rows] = await db.execute<TransactionRow[]>(
    `SELECT ${COLUMNS} FROM transactions WHERE order_id = ?${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  const row = rows[0];
  return (
    row && {
      transactionId: row.transaction_id,
      orderId: row.order_id,
      customerId: row.customer_id,
      currency: row.currency as CurrencyCode,
      amountMinor: BigInt(row.amount_minor) as MinorUnits,
      status: row.status,
      reason: row.reason,
    }
  );
}

/** Fails with a duplicate-key error if the order already has a transaction: that is what forbids a second charge. */
export interface NewTransaction {
  readonly transaction: PaymentTransaction;
  readonly createdAt: Date;
}

/**
 * Inserts the transactions; an order that already has one fails the whole statement. Rows go in order-id order, so
 * concurrent batches take the key locks in the same order and cannot deadlock.
 */
export async function insertTransactions(connection: PoolConnection, rows: readonly NewTransaction[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.transaction.orderId.localeCompare(b.transaction.orderId));
  await connection.query(`INSERT INTO transactions (${COLUMNS}, created_at, updated_at) VALUES ?`, [
    sorted.map(({ transaction, createdAt }) => [
      transaction.transactionId,
      transaction.orderId,
      transaction.customerId,
      transaction.currency,
      transaction.amountMinor.toString(),
      transaction.status,
      transaction.reason,
      createdAt,
      createdAt,
    ]),
  ]);
}

export async function updateTransactionStatus(
  connection: PoolConnection,
  transactionId: string,
  status: ChargeStatus,
  reason: string,
  now: Date,
): Promise<void> {
  await connection.execute('UPDATE transactions SET status = ?, reason = ?, updated_at = ? WHERE transaction_id = ?', [
    status,
    reason,
    now,
    transactionId,
  ]);
}
