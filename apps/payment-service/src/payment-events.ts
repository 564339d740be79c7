import { eventsV1 } from '@addispay/api';
import { newId } from '@addispay/domain';
import type { OutboxMessage } from '@addispay/mysql';
import type { PaymentTransaction } from './transaction-store.js';

const OUTCOME_BY_STATUS = {
  APPROVED: eventsV1.PaymentOutcome.PAYMENT_OUTCOME_APPROVED,
  DECLINED: eventsV1.PaymentOutcome.PAYMENT_OUTCOME_DECLINED,
  FAILED: eventsV1.PaymentOutcome.PAYMENT_OUTCOME_FAILED,
  VOIDED: eventsV1.PaymentOutcome.PAYMENT_OUTCOME_VOIDED,
  REFUNDED: eventsV1.PaymentOutcome.PAYMENT_OUTCOME_REFUNDED,
} as const;

export function paymentResultMessage(transaction: PaymentTransaction, now: Date): OutboxMessage {
  const eventId = newId();
  const payload = eventsV1.PaymentResult.encode({
    eventId,
    orderId: transaction.orderId,
    transactionId: transaction.transactionId,
    outcome: OUTCOME_BY_STATUS[transaction.status],
    reason: transaction.reason,
    currency: transaction.currency,
    amountMinor: transaction.amountMinor,
    occurredAt: now,
  }).finish();
  return {
    topic: 'payment-results',
    key: transaction.orderId,
    payload,
    properties: { 'event-id': eventId, 'event-type': 'PaymentResult' },
  };
}
