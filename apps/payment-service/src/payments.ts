import { effectOfCancel, newId, type CurrencyCode, type MinorUnits } from '@addispay/domain';
import {
  appendToOutbox,
  groupCommit,
  insertAllOrEach,
  withTraceContext,
  withTransaction,
  type InsertOutcome,
  type OutboxMessage,
} from '@addispay/mysql';
import type { Batcher } from '@addispay/runtime';
import type { Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import { paymentResultMessage } from './payment-events.js';
import { recordPayment } from './payment-metrics.js';
import type { PaymentProcessor } from './simulated-processor.js';
import {
  findTransaction,
  insertTransactions,
  updateTransactionStatus,
  type NewTransaction,
  type PaymentTransaction,
} from './transaction-store.js';

export interface PaymentContext {
  readonly pool: Pool;
  readonly processor: PaymentProcessor;
  readonly relay: { kick(): void };
  readonly now: () => Date;
  readonly logger: Logger;
  /** New transactions, stored by group commit: those recorded meanwhile share one database transaction. */
  readonly records: Batcher<TransactionToRecord, InsertOutcome>;
}

export interface TransactionToRecord extends NewTransaction {
  readonly result: OutboxMessage;
}

export function createPaymentContext(
  options: Omit<PaymentContext, 'records' | 'now'> & { readonly now?: () => Date },
): PaymentContext {
  const { pool } = options;
  return {
    ...options,
    now: options.now ?? (() => new Date()),
    records: groupCommit((rows) => recordTransactions(pool, rows)),
  };
}

/** Stores transactions with their PaymentResult events; one for an order that already has one is 'duplicate'. */
export function recordTransactions(pool: Pool, rows: readonly TransactionToRecord[]): Promise<InsertOutcome[]> {
  return insertAllOrEach(pool, rows, async (connection, batch) => {
    await insertTransactions(connection, batch);
    await appendToOutbox(
      connection,
      batch.map((row) => row.result),
    );
  });
}

export interface OrderToCharge {
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly amountMinor: MinorUnits;
  readonly paymentMethodToken: string;
}

export type ChargeResult = 'recorded' | 'already_recorded';

/**
 * Charges an order at most once. The transaction and its PaymentResult event are stored together; the unique
 * order id makes a concurrent or redelivered second attempt fail to insert, and the processor is given the order
 * id as idempotency key, so a retry after a crash does not take the money twice.
 */
export async function chargeOrder(
  context: PaymentContext,
  order: OrderToCharge,
  attempt: number,
): Promise<ChargeResult> {
  if (await findTransaction(context.pool, order.orderId)) return 'already_recorded';
  const decision = await context.processor.charge({
    orderId: order.orderId,
    attempt,
    paymentMethodToken: order.paymentMethodToken,
  });
  const transaction: PaymentTransaction = {
    transactionId: newId(),
    orderId: order.orderId,
    customerId: order.customerId,
    currency: order.currency,
    amountMinor: order.amountMinor,
    status: decision.outcome,
    reason: decision.outcome === 'APPROVED' ? '' : decision.reason,
  };
  return recordNew(context, transaction);
}

/**
 * Undoes what a cancelled order cost: voids it when nothing was charged (so a late redelivery can never charge),
 * refunds it when the charge went through.
 */
export async function reverseCharge(
  context: PaymentContext,
  order: Omit<OrderToCharge, 'paymentMethodToken'>,
  reason: string,
): Promise<ChargeResult> {
  const existing = await findTransaction(context.pool, order.orderId);
  const effect = effectOfCancel(existing?.status);
  switch (effect.kind) {
    case 'none':
      return 'already_recorded';
    case 'void':
      return recordNew(context, { ...order, transactionId: newId(), status: 'VOIDED', reason });
    case 'refund':
      await context.processor.refund(order.orderId);
      return markRefunded(context, order.orderId, reason);
  }
}

async function recordNew(context: PaymentContext, transaction: PaymentTransaction): Promise<ChargeResult> {
  const now = context.now();
  const outcome = await context.records.submit({
    transaction,
    createdAt: now,
    result: withTraceContext(paymentResultMessage(transaction, now)),
  });
  if (outcome === 'duplicate') return 'already_recorded';
  context.relay.kick();
  recordPayment(transaction.status, transaction.reason);
  context.logger.info(
    {
      orderId: transaction.orderId,
      status: transaction.status,
      reason: transaction.reason,
      amountMinor: transaction.amountMinor.toString(),
    },
    'payment recorded',
  );
  return 'recorded';
}

async function markRefunded(context: PaymentContext, orderId: string, reason: string): Promise<ChargeResult> {
  const now = context.now();
  const result = await withTransaction(context.pool, async (connection): Promise<ChargeResult> => {
    const current = await findTransaction(connection, orderId, { forUpdate: true });
    if (current?.status !== 'APPROVED') return 'already_recorded';
    const refunded = { ...current, status: 'REFUNDED' as const, reason };
    await updateTransactionStatus(connection, current.transactionId, 'REFUNDED', reason, now);
    await appendToOutbox(connection, [paymentResultMessage(refunded, now)]);
    return 'recorded';
  });
  if (result === 'recorded') {
    context.relay.kick();
    recordPayment('REFUNDED', reason);
    context.logger.info({ orderId, status: 'REFUNDED', reason }, 'payment refunded');
  }
  return result;
}
