import {
  err,
  isFinal,
  newId,
  ok,
  validatePlaceOrder,
  type Order,
  type OrderDraft,
  type OrderId,
  type PlaceOrderInput,
  type RequestError,
  type Result,
} from '@addispay/domain';
import {
  appendToOutbox,
  insertAllOrEach,
  withTraceContext,
  type InsertOutcome,
  type OutboxMessage,
} from '@addispay/mysql';
import type { Pool } from 'mysql2/promise';
import type { OrderContext } from './order-context.js';
import type { StatusChange } from './order-status-feed.js';
import { orderPlacedMessage } from './order-events.js';
import { findOrder, findOrderByIdempotencyKey, insertOrders, type NewOrder } from './order-store.js';

/**
 * Validates and stores the order with its OrderPlaced event in one transaction, then waits until `answerBy` for
 * the payment outcome. A retry with the same idempotency key and content gets the same order; with other content,
 * a conflict. Past `answerBy` the order is returned as it stands, PENDING included: it exists either way.
 */
export async function placeOrder(
  context: OrderContext,
  input: PlaceOrderInput,
  answerBy: number,
  signal?: AbortSignal,
): Promise<Result<Order, RequestError>> {
  const validation = validatePlaceOrder(input);
  if (!validation.ok) return err({ kind: 'invalid', violations: validation.error });
  const draft = validation.value;

  const orderId = newId() as OrderId;
  const now = context.now();
  // Listen before committing: the result may come back before this function resumes.
  const wait = context.feed.waitForFinal(orderId, answerBy, signal);
  const existing = await storeUnlessKnown(context, orderId, draft, now);
  if (existing) {
    wait.cancel();
    if (existing.fingerprint !== draft.fingerprint) {
      return err({
        kind: 'conflict',
        message: `idempotency key "${draft.idempotencyKey}" was already used for order ${existing.orderId} with different content`,
      });
    }
    return ok(await settled(context, existing, answerBy, signal));
  }
  // The answer is built from what this call stored and heard: no read on the hot path.
  const pending: Order = { ...draft, orderId, status: 'PENDING', statusReason: '', createdAt: now, updatedAt: now };
  return ok(withChange(pending, await wait.done));
}

function withChange(order: Order, change: StatusChange | undefined): Order {
  return change ? { ...order, status: change.status, statusReason: change.reason, updatedAt: change.at } : order;
}

/** Stores a new order, or returns the order already stored under the same idempotency key (found by the unique key). */
async function storeUnlessKnown(
  context: OrderContext,
  orderId: OrderId,
  draft: OrderDraft,
  now: Date,
): Promise<Order | undefined> {
  const outcome = await context.placements.submit({
    order: { orderId, draft, createdAt: now },
    placed: withTraceContext(orderPlacedMessage(orderId, draft, now)),
  });
  if (outcome === 'duplicate') {
    // A retry, or a concurrent request with the same key that won the insert.
    return findOrderByIdempotencyKey(context.pool, draft.customerId, draft.idempotencyKey);
  }
  context.relay.kick();
  context.logger.info(
    { orderId, customerId: draft.customerId, totalMinor: draft.totalMinor.toString(), currency: draft.currency },
    'order placed',
  );
  return undefined;
}

export interface OrderToStore {
  readonly order: NewOrder;
  readonly placed: OutboxMessage;
}

/**
 * Stores orders with their OrderPlaced events in one transaction (see OrderContext.placements); an order whose
 * idempotency key is already used comes back as 'duplicate'.
 */
export function storeOrders(pool: Pool, orders: readonly OrderToStore[]): Promise<InsertOutcome[]> {
  return insertAllOrEach(pool, orders, async (connection, batch) => {
    await insertOrders(
      connection,
      batch.map((toStore) => toStore.order),
    );
    await appendToOutbox(
      connection,
      batch.map((toStore) => toStore.placed),
    );
  });
}

async function settled(context: OrderContext, order: Order, answerBy: number, signal?: AbortSignal): Promise<Order> {
  if (isFinal(order.status)) return order;
  const wait = context.feed.waitForFinal(order.orderId, answerBy, signal);
  // It may have become final between the read above and subscribing.
  const fresh = await loadOrder(context, order.orderId);
  if (isFinal(fresh.status)) {
    wait.cancel();
    return fresh;
  }
  return withChange(fresh, await wait.done);
}

async function loadOrder(context: OrderContext, orderId: string): Promise<Order> {
  const order = await findOrder(context.pool, orderId);
  if (!order) throw new Error(`order ${orderId} vanished after it was stored`);
  return order;
}
