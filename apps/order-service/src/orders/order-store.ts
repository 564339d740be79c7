import type { CurrencyCode, LineItem, MinorUnits, Order, OrderDraft, OrderId, OrderStatus } from '@addispay/domain';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';

/** The order service's tables, in SQL that MySQL 8.4 and MariaDB both run. */

type Queryable = Pool | PoolConnection;

interface OrderRow extends RowDataPacket {
  order_id: string;
  customer_id: string;
  idempotency_key: string;
  request_fingerprint: string;
  currency: string;
  total_minor: string;
  status: OrderStatus;
  status_reason: string;
  created_at: Date;
  updated_at: Date;
}

interface ItemRow extends RowDataPacket {
  order_id: string;
  sku: string;
  quantity: number;
  unit_price_minor: string;
}

const ORDER_COLUMNS =
  'order_id, customer_id, idempotency_key, request_fingerprint, currency, total_minor, status, status_reason, created_at, updated_at';

export interface NewOrder {
  readonly orderId: OrderId;
  readonly draft: OrderDraft;
  readonly createdAt: Date;
}

/**
 * Inserts the orders and their items, PENDING; a repeated idempotency key fails the whole statement. Rows go in
 * idempotency-key order, so concurrent batches take the key locks in the same order and cannot deadlock.
 */
export async function insertOrders(connection: PoolConnection, orders: readonly NewOrder[]): Promise<void> {
  const sorted = [...orders].sort(
    (a, b) =>
      a.draft.customerId.localeCompare(b.draft.customerId) ||
      a.draft.idempotencyKey.localeCompare(b.draft.idempotencyKey),
  );
  await connection.query(`INSERT INTO orders (${ORDER_COLUMNS}) VALUES ?`, [
    sorted.map(({ orderId, draft, createdAt }) => [
      orderId,
      draft.customerId,
      draft.idempotencyKey,
      draft.fingerprint,
      draft.currency,
      draft.totalMinor.toString(),
      'PENDING',
      '',
      createdAt,
      createdAt,
    ]),
  ]);
  await connection.query('INSERT INTO order_items (order_id, line_number, sku, quantity, unit_price_minor) VALUES ?', [
    orders.flatMap(({ orderId, draft }) =>
      draft.items.map((item, index) => [orderId, index + 1, item.sku, item.quantity, item.unitPriceMinor.toString()]),
    ),
  ]);
}

export async function findOrder(db: Queryable, orderId: string): Promise<Order | undefined> {
  const [rows] = await db.execute<OrderRow[]>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`, [orderId]);
  return (await withItems(db, rows))[0];
}

export async function findOrderByIdempotencyKey(
  db: Queryable,
  customerId: string,
  key: string,
): Promise<Order | undefined> {
  const [rows] = await db.execute<OrderRow[]>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = ? AND idempotency_key = ?`,
    [customerId, key],
  );
  return (await withItems(db, rows))[0];
}

/** What a status change needs to know of the order, read under its row lock. */
export interface LockedOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly totalMinor: MinorUnits;
}

/**
 * Locks the orders' rows until the transaction ends, so concurrent results and cancels apply one at a time. Rows
 * are locked in primary-key order, whatever the order of `orderIds`, so two batches cannot deadlock each other.
 */
export async function lockOrders(
  connection: PoolConnection,
  orderIds: readonly string[],
): Promise<Map<string, LockedOrder>> {
  const [rows] = await connection.query<OrderRow[]>(
    'SELECT order_id, status, customer_id, currency, total_minor FROM orders WHERE order_id IN (?) ORDER BY order_id FOR UPDATE',
    [orderIds],
  );
  return new Map(
    rows.map((row) => [
      row.order_id,
      {
        orderId: row.order_id,
        status: row.status,
        customerId: row.customer_id,
        currency: row.currency as CurrencyCode,
        totalMinor: BigInt(row.total_minor) as MinorUnits,
      },
    ]),
  );
}

export interface StatusUpdate {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly reason: string;
}

/** Sets the status of every order in `updates` (one order at most once) in one statement. */
export async function updateOrderStatuses(
  connection: PoolConnection,
  updates: readonly StatusUpdate[],
  now: Date,
): Promise<void> {
  if (updates.length === 0) return;
  const cases = updates.map(() => 'WHEN ? THEN ?').join(' ');
  await connection.query(
    `UPDATE orders SET status = CASE order_id ${cases} END, status_reason = CASE order_id ${cases} END,
     updated_at = ? WHERE order_id IN (?)`,
    [
      ...updates.flatMap((update) => [update.orderId, update.status]),
      ...updates.flatMap((update) => [update.orderId, update.reason]),
      now,
      updates.map((update) => update.orderId),
    ],
  );
}

export interface OrderFilter {
  readonly customerId?: string | undefined;
  readonly status?: OrderStatus | undefined;
  readonly createdAfter?: Date | undefined;
  readonly createdBefore?: Date | undefined;
}

/** Position of the last order of a page: listing resumes strictly after it (newest first). */
export interface OrderCursor {
  readonly createdAt: Date;
  readonly orderId: string;
}

export async function listOrders(
  db: Queryable,
  filter: OrderFilter,
  after: OrderCursor | undefined,
  limit: number,
): Promise<Order[]> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const where = (condition: string, ...params: unknown[]): void => {
    conditions.push(condition);
    values.push(...params);
  };
  if (filter.customerId) where('customer_id = ?', filter.customerId);
  if (filter.status) where('status = ?', filter.status);
  if (filter.createdAfter) where('created_at >= ?', filter.createdAfter);
  if (filter.createdBefore) where('created_at < ?', filter.createdBefore);
  if (after)
    where('(created_at < ? OR (created_at = ? AND order_id < ?))', after.createdAt, after.createdAt, after.orderId);
  const [rows] = await db.query<OrderRow[]>(
    `SELECT ${ORDER_COLUMNS} FROM orders ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY created_at DESC, order_id DESC LIMIT ?`,
    [...values, limit],
  );
  return withItems(db, rows);
}

/** Orders still PENDING that were created before `olderThan`, oldest first. */
export async function findStuckOrderIds(db: Queryable, olderThan: Date, limit: number): Promise<string[]> {
  const [rows] = await db.query<OrderRow[]>(
    "SELECT order_id FROM orders WHERE status = 'PENDING' AND created_at < ? ORDER BY created_at LIMIT ?",
    [olderThan, limit],
  );
  return rows.map((row) => row.order_id);
}

async function withItems(db: Queryable, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const [itemRows] = await db.query<ItemRow[]>(
    'SELECT order_id, sku, quantity, unit_price_minor FROM order_items WHERE order_id IN (?) ORDER BY order_id, line_number',
    [rows.map((row) => row.order_id)],
  );
  const itemsByOrder = new Map<string, LineItem[]>();
  for (const item of itemRows) {
    const items = itemsByOrder.get(item.order_id) ?? [];
    items.push({ sku: item.sku, quantity: item.quantity, unitPriceMinor: BigInt(item.unit_price_minor) as MinorUnits });
    itemsByOrder.set(item.order_id, items);
  }
  return rows.map((row) => ({
    orderId: row.order_id as OrderId,
    customerId: row.customer_id,
    idempotencyKey: row.idempotency_key,
    fingerprint: row.request_fingerprint,
    currency: row.currency as CurrencyCode,
    totalMinor: BigInt(row.total_minor) as MinorUnits,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    items: itemsByOrder.get(row.order_id) ?? [],
  }));
}
