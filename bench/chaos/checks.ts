/**
 * The guarantees, checked from the databases and the topics after a chaos run. Each check counts violations and
 * keeps a few examples (order ids) so a failure can be reported precisely.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEAD_LETTER_REASON, WebSocketTransport, type Topology } from '@addispay/pulsar';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Acknowledged } from './client.js';

export interface Violations {
  readonly count: number;
  readonly examples: unknown[];
}

export interface DeadLetter {
  readonly topic: string;
  readonly key: string | undefined;
  readonly reason: string | undefined;
  readonly eventType: string | undefined;
}

const EXAMPLES = 10;

async function rows(pool: Pool, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [result] = await pool.query<RowDataPacket[]>(sql, params);
  return result;
}

function violations(found: unknown[]): Violations {
  return { count: found.length, examples: found.slice(0, EXAMPLES) };
}

/** Acknowledged orders missing from the database, or stored under another id than the client was told. */
export async function lostOrders(
  orders: Pool,
  customerId: string,
  acknowledged: Iterable<Acknowledged>,
): Promise<Violations> {
  const stored = new Map<string, string>();
  for (const row of await rows(orders, 'SELECT idempotency_key, order_id FROM orders WHERE customer_id = ?', [
    customerId,
  ])) {
    stored.set(String(row['idempotency_key']), String(row['order_id']));
  }
  const lost = [...acknowledged].filter((ack) => stored.get(ack.key) !== ack.orderId);
  return violations(lost.map((ack) => ({ ...ack, stored_as: stored.get(ack.key) ?? null })));
}

/** Clients told a final status that the database does not hold (a final status never changes). */
export async function contradictedAnswers(orders: Pool, acknowledged: Iterable<Acknowledged>): Promise<Violations> {
  const finals = [...acknowledged].filter((ack) => ack.status !== 'PENDING');
  const status = new Map<string, string>();
  for (const row of await rows(orders, 'SELECT order_id, status FROM orders'))
    status.set(String(row['order_id']), String(row['status']));
  return violations(
    finals
      .filter((ack) => status.get(ack.orderId) !== ack.status)
      .map((ack) => ({ ...ack, stored: status.get(ack.orderId) })),
  );
}

export async function pendingOrders(orders: Pool): Promise<string[]> {
  return (await rows(orders, "SELECT order_id FROM orders WHERE status = 'PENDING' ORDER BY created_at")).map((row) =>
    String(row['order_id']),
  );
}

/**
 * Money: no order has more than one charge row (APPROVED or later REFUNDED), every charge belongs to an order, and
 * an order's status agrees with its charge: PAID ⇔ APPROVED; an order that ended otherwise kept no money
 * (no APPROVED row: declined, failed, voided or refunded).
 */
export async function moneyChecks(
  admin: Pool,
  ordersDb: string,
  paymentsDb: string,
): Promise<{ doubleCharged: Violations; orphanCharges: Violations; disagreements: Violations; charges: number }> {
  const double = await rows(
    admin,
    `SELECT order_id, COUNT(*) AS n FROM \`${paymentsDb}\`.transactions
     WHERE status IN ('APPROVED', 'REFUNDED') GROUP BY order_id HAVING COUNT(*) > 1`,
  );
  const orphans = await rows(
    admin,
    `SELECT t.order_id, t.status FROM \`${paymentsDb}\`.transactions t
     LEFT JOIN \`${ordersDb}\`.orders o ON o.order_id = t.order_id WHERE o.order_id IS NULL`,
  );
  const disagreements = await rows(
    admin,
    `SELECT o.order_id, o.status AS order_status, t.status AS charge_status
     FROM \`${ordersDb}\`.orders o LEFT JOIN \`${paymentsDb}\`.transactions t ON t.order_id = o.order_id
     WHERE (o.status = 'PAID' AND (t.status IS NULL OR t.status <> 'APPROVED'))
        OR (o.status IN ('DECLINED', 'FAILED', 'CANCELLED') AND t.status = 'APPROVED')`,
  );
  const [charges] = await rows(
    admin,
    `SELECT COUNT(*) AS n FROM \`${paymentsDb}\`.transactions WHERE status IN ('APPROVED', 'REFUNDED')`,
  );
  return {
    doubleCharged: violations(double.map((row) => ({ order_id: row['order_id'], charges: Number(row['n']) }))),
    orphanCharges: violations(orphans.map((row) => ({ order_id: row['order_id'], status: row['status'] }))),
    disagreements: violations(disagreements.map((row) => ({ ...row }))),
    charges: Number(charges?.['n'] ?? 0),
  };
}

export async function outboxLeft(pool: Pool): Promise<number> {
  const [row] = await rows(pool, 'SELECT COUNT(*) AS n FROM outbox');
  return Number(row?.['n'] ?? 0);
}

/**
 * Reads every dead-letter topic of the run from the start through its review subscription until it is quiet for
 * `quietMs` (acknowledging, so the broker keeps pushing; the result file keeps each letter's key and reason).
 */
export async function readDeadLetters(wsUrl: string, topology: Topology, quietMs = 3_000): Promise<DeadLetter[]> {
  const transport = new WebSocketTransport({ url: wsUrl });
  const letters: DeadLetter[] = [];
  let lastAt = Date.now();
  try {
    for (const topic of topology.deadLetterTopics) {
      const consumer = await transport.subscribe(
        { topic, subscription: topology.deadLetterSubscription, type: 'Shared', initialPosition: 'Earliest' },
        (message) => {
          void consumer.acknowledge(message).catch(() => undefined);
          lastAt = Date.now();
          letters.push({
            topic,
            key: message.key,
            reason: message.properties[DEAD_LETTER_REASON],
            eventType: message.properties['event-type'] ?? message.properties['eventType'],
          });
        },
      );
    }
    while (Date.now() - lastAt < quietMs) await sleep(250);
  } finally {
    await transport.close();
  }
  return letters;
}
