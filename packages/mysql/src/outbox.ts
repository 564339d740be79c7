import { backoffDelay, sleep } from '@addispay/runtime';
import { currentTraceContext, type Logger } from '@addispay/telemetry';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { databaseLabel, observeOutbox, recordOutboxPublished } from './metrics.js';
import { withTransaction } from './transaction.js';

/**
 * The transactional outbox: events are written in the same transaction as the state they describe, and a relay
 * publishes them afterwards. An event is therefore published if and only if its transaction committed, at least
 * once; consumers drop the repeats.
 */
export interface OutboxMessage {
  /** The topology's logical topic name, e.g. "orders"; the relay maps it to the broker's topic. */
  readonly topic: string;
  readonly key: string;
  readonly payload: Uint8Array;
  readonly properties: Readonly<Record<string, string>>;
}

export async function appendToOutbox(connection: PoolConnection, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const now = new Date();
  await connection.query('INSERT INTO outbox (topic, message_key, payload, properties, created_at) VALUES ?', [
    messages.map((message) => [
      message.topic,
      message.key,
      Buffer.from(message.payload),
      // The writer's trace context goes with the event, so its publication and handling join the same trace.
      JSON.stringify({ ...currentTraceContext(), ...message.properties }),
      now,
    ]),
  ]);
}

/**
 * The message carrying a caller's trace context (by default the one active now): for messages appended in a batch
 * written on behalf of many callers (appendToOutbox otherwise stamps the context active when it runs).
 */
export function withTraceContext(
  message: OutboxMessage,
  traceContext: Readonly<Record<string, string>> = currentTraceContext(),
): OutboxMessage {
  return { ...message, properties: { ...traceContext, ...message.properties } };
}

export type Publish = (message: OutboxMessage) => Promise<void>;

export interface OutboxRelayOptions {
  readonly pool: Pool;
  readonly publish: Publish;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** How often an idle relay looks for events written by other replicas or left by a crash. */
  readonly pollIntervalMs?: number;
  /** Called with the number of events published by each batch. */
  readonly onPublished?: (count: number) => void;
}

interface OutboxRow extends RowDataPacket {
  id: bigint | string;
  topic: string;
  message_key: string;
  payload: Buffer;
  properties: string;
}

/**
 * Publishes outbox rows in id order, a batch per transaction: rows are locked with SKIP LOCKED, so several
 * replicas relay side by side without waiting on each other, and deleted once the broker has them. A failed
 * publish rolls the batch back; it is retried with backoff, and what was already sent is sent again (harmless).
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private wakeUp: (() => void) | undefined;
  private kicked = false;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private unobserve: (() => void) | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  start(): void {
    this.unobserve ??= observeOutbox({ database: databaseLabel(this.options.pool), backlog: () => this.backlog() });
    this.running ??= this.loop();
  }

  /** Asks for a relay pass now: called after a commit that wrote events. */
  kick(): void {
    this.kicked = true;
    this.wakeUp?.();
  }

  /** Stops polling after publishing what is in the outbox now (bounded by `flushTimeoutMs`). */
  async stop(flushTimeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + flushTimeoutMs;
    this.stopping.abort();
    this.unobserve?.();
    this.wakeUp?.();
    await this.running;
    while (Date.now() < deadline && (await this.relayBatch().catch(() => 0)) > 0);
  }

  /** Publishes one batch; returns how many events it published. */
  async relayBatch(): Promise<number> {
    return withTransaction(this.options.pool, async (connection) => {
      const [rows] = await connection.query<OutboxRow[]>(
        'SELECT id, topic, message_key, payload, properties FROM outbox ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED',
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      // Sent in id order on each topic's producer, so per-key order holds; acknowledged in any order.
      await Promise.all(
        rows.map((row) =>
          this.options.publish({
            topic: row.topic,
            key: row.message_key,
            payload: row.payload,
            properties: JSON.parse(row.properties) as Record<string, string>,
          }),
        ),
      );
      await connection.query('DELETE FROM outbox WHERE id IN (?)', [rows.map((row) => row.id)]);
      recordOutboxPublished(rows.map((row) => row.topic));
      this.options.onPublished?.(rows.length);
      return rows.length;
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      this.kicked = false;
      try {
        const published = await this.relayBatch();
        failures = 0;
        if (published === this.batchSize) continue;
      } catch (error) {
        this.options.logger.warn({ err: error, attempt: failures }, 'outbox relay failed; retrying');
        await sleep(backoffDelay(failures++), this.stopping.signal);
        continue;
      }
      if (!this.kicked) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wakeUp = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => (this.wakeUp = undefined));
  }

  /** Rows waiting to be published, and the age of the oldest in seconds (for metrics and alerts). */
  async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const [rows] = await this.options.pool.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM outbox',
    );
    const row = rows[0];
    const oldest = row?.oldest instanceof Date ? row.oldest.getTime() : undefined;
    return { count: Number(row?.count ?? 0), oldestAgeSeconds: oldest ? Math.max(0, (Date.now() - oldest) / 1000) : 0 };
  }
}
