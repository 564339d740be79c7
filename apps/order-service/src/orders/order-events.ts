import { eventsV1 } from '@addispay/api';
import { newId, type OrderDraft, type OrderStatus } from '@addispay/domain';
import type { OutboxMessage } from '@addispay/mysql';
import { statusToProto } from './order-status-codec.js';
import type { LockedOrder } from './order-store.js';

/** The outbox messages the order service emits, encoded once here. Topics are the topology's logical names. */

export function orderPlacedMessage(orderId: string, draft: OrderDraft, now: Date): OutboxMessage {
  return orderEvent(orderId, now, {
    $case: 'placed',
    value: {
      customerId: draft.customerId,
      currency: draft.currency,
      amountMinor: draft.totalMinor,
      paymentMethodToken: draft.paymentMethodToken,
    },
  });
}

/** Tells the payment service to void the order's charge, or refund it if it was already taken. */
export function orderCancelledMessage(order: LockedOrder, reason: string, now: Date): OutboxMessage {
  return orderEvent(order.orderId, now, {
    $case: 'cancelled',
    value: { reason, customerId: order.customerId, currency: order.currency, amountMinor: order.totalMinor },
  });
}

export function orderStatusChangedMessage(
  orderId: string,
  status: OrderStatus,
  reason: string,
  now: Date,
): OutboxMessage {
  const eventId = newId();
  const payload = eventsV1.OrderStatusChanged.encode({
    eventId,
    orderId,
    status: statusToProto(status),
    statusReason: reason,
    occurredAt: now,
  }).finish();
  return {
    topic: 'order-status',
    key: orderId,
    payload,
    properties: { 'event-id': eventId, 'event-type': 'OrderStatusChanged' },
  };
}

function orderEvent(orderId: string, now: Date, event: NonNullable<eventsV1.OrderEvent['event']>): OutboxMessage {
  const eventId = newId();
  const payload = eventsV1.OrderEvent.encode({ eventId, orderId, occurredAt: now, event }).finish();
  const eventType = event.$case === 'placed' ? 'OrderPlaced' : 'OrderCancelled';
  return { topic: 'orders', key: orderId, payload, properties: { 'event-id': eventId, 'event-type': eventType } };
}
