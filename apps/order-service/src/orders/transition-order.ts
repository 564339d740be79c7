import {
  applyOrderEvent,
  err,
  ok,
  PAYMENT_TIMEOUT_REASON,
  type Order,
  type OrderEvent,
  type RequestError,
  type Result,
  type Transition,
} from '@addispay/domain';
import { appendToOutbox, withTransaction, type OutboxMessage } from '@addispay/mysql';
import type { OrderContext } from './order-context.js';
import { recordExpired, recordFinalized } from './order-metrics.js';
import { orderCancelledMessage, orderStatusChangedMessage } from './order-events.js';
import { findOrder, findStuckOrderIds, lockOrder, updateOrderStatus, type LockedOrder } from './order-store.js';

export type TransitionResult = { readonly found: false } | { readonly found: true; readonly transition: Transition };

/**
 * Applies one event to one order under a row lock: the state machine decides, and a move is stored together with
 * its OrderStatusChanged event and any follow-up events, in one transaction.
 */
export async function transitionOrder(
  context: OrderContext,
  orderId: string,
  event: OrderEvent,
  followUps: (order: LockedOrder, now: Date) => OutboxMessage[] = () => [],
): Promise<TransitionResult> {
  const now = context.now();
  const result = await withTransaction(context.pool, async (connection): Promise<TransitionResult> => {
    const current = await lockOrder(connection, orderId);
    if (!current) return { found: false };
    const transition = applyOrderEvent(current.status, event);
    if (transition.kind === 'moved') {
      await updateOrderStatus(connection, orderId, transition.to, transition.reason, now);
      await appendToOutbox(connection, [
        orderStatusChangedMessage(orderId, transition.to, transition.reason, now),
        ...followUps(current, now),
      ]);
    }
    return { found: true, transition };
  });
  if (result.found && result.transition.kind === 'moved') {
    context.logger.info(
      { orderId, status: result.transition.to, reason: result.transition.reason, event: event.type },
      'order status changed',
    );
    recordFinalized(result.transition.to);
    context.feed.publish(orderId, { status: result.transition.to, reason: result.transition.reason, at: now });
    context.relay.kick();
  }
  return result;
}

/** Cancels an order that is not final. A charge that lands later is refunded by the payment service. */
export async function cancelOrder(
  context: OrderContext,
  orderId: string,
  reason: string,
): Promise<Result<Order, RequestError>> {
  const cancelReason = reason || 'cancelled_by_customer';
  const result = await transitionOrder(
    context,
    orderId,
    { type: 'CancelRequested', reason: cancelReason },
    (order, now) => [orderCancelledMessage(order, cancelReason, now)],
  );
  if (!result.found) return err({ kind: 'not_found', message: `order ${orderId} does not exist` });
  if (result.transition.kind === 'illegal') return err({ kind: 'precondition', message: result.transition.message });
  const order = await findOrder(context.pool, orderId);
  return order ? ok(order) : err({ kind: 'not_found', message: `order ${orderId} does not exist` });
}

/**
 * Fails orders left PENDING past the payment timeout, and tells the payment service to void or refund them, so
 * that every order reaches a final state even if its payment never comes back. Returns how many it expired.
 */
export async function expireStuckOrders(context: OrderContext, timeoutMs: number, batchSize = 100): Promise<number> {
  const olderThan = new Date(context.now().getTime() - timeoutMs);
  const stuck = await findStuckOrderIds(context.pool, olderThan, batchSize);
  let expired = 0;
  for (const orderId of stuck) {
    const result = await transitionOrder(context, orderId, { type: 'PaymentTimedOut' }, (order, now) => [
      orderCancelledMessage(order, PAYMENT_TIMEOUT_REASON, now),
    ]);
    if (result.found && result.transition.kind === 'moved') expired++;
  }
  recordExpired(expired);
  return expired;
}
