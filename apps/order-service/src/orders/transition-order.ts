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
import { appendToOutbox, withTraceContext, withTransaction, type OutboxMessage } from '@addispay/mysql';
import { currentTraceContext } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import type { OrderContext } from './order-context.js';
import { recordExpired, recordFinalized } from './order-metrics.js';
import { orderCancelledMessage, orderStatusChangedMessage } from './order-events.js';
import {
  findOrder,
  findStuckOrderIds,
  lockOrders,
  updateOrderStatuses,
  type LockedOrder,
  type StatusUpdate,
} from './order-store.js';

export type TransitionResult =
  { readonly found: false } | { readonly found: true; readonly transition: Transition; readonly at: Date };

export interface TransitionRequest {
  readonly orderId: string;
  readonly event: OrderEvent;
  /** Events to emit besides OrderStatusChanged when the order moves. */
  readonly followUps: (order: LockedOrder, now: Date) => OutboxMessage[];
  /** The requester's, for the events the move emits. */
  readonly traceContext: Readonly<Record<string, string>>;
}

/**
 * Applies one event to one order under a row lock: the state machine decides, and a move is stored together with
 * its OrderStatusChanged event and any follow-up events, in one transaction shared with the transitions requested
 * meanwhile (see OrderContext.transitions).
 */
export async function transitionOrder(
  context: OrderContext,
  orderId: string,
  event: OrderEvent,
  followUps: TransitionRequest['followUps'] = () => [],
): Promise<TransitionResult> {
  const result = await context.transitions.submit({ orderId, event, followUps, traceContext: currentTraceContext() });
  if (result.found && result.transition.kind === 'moved') {
    const { to, reason } = result.transition;
    context.logger.info({ orderId, status: to, reason, event: event.type }, 'order status changed');
    recordFinalized(to);
    context.feed.publish(orderId, { status: to, reason, at: result.at });
    context.relay.kick();
  }
  return result;
}

/**
 * Applies the requests in order, in one transaction: the orders' rows are locked, each event goes through the state
 * machine against the status left by the requests before it, and the moves are stored with their events.
 */
export async function applyTransitions(
  pool: Pool,
  now: Date,
  requests: readonly TransitionRequest[],
): Promise<TransitionResult[]> {
  return withTransaction(pool, async (connection) => {
    const orders = await lockOrders(connection, [...new Set(requests.map((request) => request.orderId))]);
    const updates = new Map<string, StatusUpdate>();
    const messages: OutboxMessage[] = [];
    const results = requests.map((request): TransitionResult => {
      const current = orders.get(request.orderId);
      if (!current) return { found: false };
      const transition = applyOrderEvent(current.status, request.event);
      if (transition.kind === 'moved') {
        orders.set(request.orderId, { ...current, status: transition.to });
        updates.set(request.orderId, { orderId: request.orderId, status: transition.to, reason: transition.reason });
        const emitted = [
          orderStatusChangedMessage(request.orderId, transition.to, transition.reason, now),
          ...request.followUps(current, now),
        ];
        messages.push(...emitted.map((message) => withTraceContext(message, request.traceContext)));
      }
      return { found: true, transition, at: now };
    });
    await updateOrderStatuses(connection, [...updates.values()], now);
    await appendToOutbox(connection, messages);
    return results;
  });
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
