/**
 * The order service's group commits against MariaDB: orders and transitions requested together share one
 * transaction, and each caller still gets the answer it would have got alone.
 */
import { join } from 'node:path';
import { newId, validatePlaceOrder, type OrderDraft, type OrderId } from '@addispay/domain';
import { createTestDatabase, repositoryRoot, type TestDatabase } from '@addispay/testkit';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlacedMessage } from '../src/orders/order-events.js';
import { storeOrders, type OrderToStore } from '../src/orders/place-order.js';
import { applyTransitions, type TransitionRequest } from '../src/orders/transition-order.js';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase({
    label: 'group_commit',
    pool: true,
    migrationsDir: join(repositoryRoot(), 'apps/order-service/migrations'),
  });
  pool = db.pool!;
});
afterAll(() => db?.drop());

function draft(customerId: string, idempotencyKey: string, quantity = 1): OrderDraft {
  const result = validatePlaceOrder({
    customerId,
    idempotencyKey,
    currency: 'USD',
    items: [{ sku: 'BOOK-1', quantity, unitPriceMinor: 1250n }],
    paymentMethodToken: 'tok_approve',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function toStore(orderDraft: OrderDraft): OrderToStore {
  const orderId = newId() as OrderId;
  const now = new Date();
  return {
    order: { orderId, draft: orderDraft, createdAt: now },
    placed: orderPlacedMessage(orderId, orderDraft, now),
  };
}

async function rows(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [result] = await pool.query<RowDataPacket[]>(sql, params);
  return result;
}

const request = (orderId: string, event: TransitionRequest['event']): TransitionRequest => ({
  orderId,
  event,
  followUps: () => [],
  traceContext: {},
});

describe('group commit', () => {
  it('stores a batch of orders, their items and events in one go', async () => {
    const batch = [toStore(draft('alice', 'a-1')), toStore(draft('alice', 'a-2', 3)), toStore(draft('bob', 'b-1'))];
    expect(await storeOrders(pool, batch)).toEqual(['inserted', 'inserted', 'inserted']);
    const ids = batch.map((stored) => stored.order.orderId);
    expect(await rows('SELECT order_id FROM orders WHERE order_id IN (?)', [ids])).toHaveLength(3);
    const [items] = await rows('SELECT SUM(quantity) AS quantity FROM order_items WHERE order_id IN (?)', [ids]);
    expect(Number(items!['quantity'])).toBe(5);
    expect(await rows('SELECT id FROM outbox WHERE message_key IN (?)', [ids])).toHaveLength(3);
  });

  it('refuses only the repeats of a batch holding a known key, or the same key twice', async () => {
    const batch = [
      toStore(draft('carol', 'c-1')),
      toStore(draft('alice', 'a-1')), // stored by the test above
      toStore(draft('carol', 'c-2')),
      toStore(draft('carol', 'c-2')),
    ];
    const outcomes = await storeOrders(pool, batch);
    expect(outcomes.slice(0, 2)).toEqual(['inserted', 'duplicate']);
    // The two c-2 are retried side by side: one of them is stored, whichever the server runs first (MariaDB and
    // MySQL differ).
    expect(outcomes.slice(2).sort()).toEqual(['duplicate', 'inserted']);
    const stored = await rows("SELECT idempotency_key FROM orders WHERE customer_id = 'carol' ORDER BY 1");
    expect(stored.map((row) => row['idempotency_key'])).toEqual(['c-1', 'c-2']);
    const events = await rows('SELECT id FROM outbox WHERE message_key IN (?)', [
      batch.map((item) => item.order.orderId),
    ]);
    expect(events).toHaveLength(2);
  });

  it('applies the transitions of a batch in order, each against the status the ones before it left', async () => {
    const [first, second] = [toStore(draft('dave', 'd-1')), toStore(draft('dave', 'd-2'))];
    await storeOrders(pool, [first!, second!]);
    const one = first!.order.orderId;
    const two = second!.order.orderId;
    const results = await applyTransitions(pool, new Date(), [
      request(one, { type: 'PaymentApproved' }),
      request(one, { type: 'CancelRequested', reason: 'too late' }),
      request(two, { type: 'PaymentDeclined', reason: 'insufficient_funds' }),
      request(one, { type: 'PaymentApproved' }),
      request('no-such-order', { type: 'PaymentApproved' }),
    ]);
    expect(results.map((result) => (result.found ? result.transition.kind : 'not found'))).toEqual([
      'moved',
      'illegal',
      'moved',
      'unchanged',
      'not found',
    ]);
    const statuses = await rows('SELECT order_id, status, status_reason FROM orders WHERE order_id IN (?)', [
      [one, two],
    ]);
    expect(Object.fromEntries(statuses.map((row) => [row['order_id'], [row['status'], row['status_reason']]]))).toEqual(
      {
        [one]: ['PAID', ''],
        [two]: ['DECLINED', 'insufficient_funds'],
      },
    );
    const changes = await rows("SELECT message_key FROM outbox WHERE topic = 'order-status' AND message_key IN (?)", [
      [one, two],
    ]);
    expect(changes.map((row) => row['message_key']).sort()).toEqual([one, two].sort());
  });
});
