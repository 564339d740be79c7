import { eventsV1 } from '@addispay/api';
import {
  consume,
  type Disposition,
  type IncomingMessage,
  type PulsarTransport,
  type RunningConsumer,
  type Topology,
} from '@addispay/pulsar';
import { boundLogEntry, localOnly, metricsRegistry, type Logger } from '@addispay/telemetry';
import type { Pool } from 'mysql2/promise';
import { Counter, Histogram } from 'prom-client';
import { LogWriter } from './log-writer.js';

const handledMessages = new Counter({
  name: 'addispay_log_messages_handled_total',
  help: 'Messages of the logs topic handled, by outcome (ack, retry, poison: dead-lettered, error).',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});
const storedEntries = new Counter({
  name: 'addispay_log_entries_stored_total',
  help: 'Log entries inserted into log_entries (redelivered duplicates excluded).',
  registers: [metricsRegistry],
});
const insertBatchSize = new Histogram({
  name: 'addispay_log_insert_batch_size',
  help: 'Entries per multi-row INSERT.',
  buckets: [1, 10, 50, 100, 250, 500, 1000, 2500],
  registers: [metricsRegistry],
});

const SERVICE = 'logger-service';

/** DATETIME(3) holds years 1000 to 9999; a timestamp outside a sane range is replaced by the publish time. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 0, 1);

/**
 * Decodes one message of the logs topic and stores its entries; a message that does not decode, or holds an entry
 * without an id, is dead-lettered whole. Once stored, each order the entries mention gets one line of this
 * service's own under that order's trace, so an order's log shows every service that handled it.
 */
export function logMessageHandler(
  writer: LogWriter,
  logger: Logger,
): (message: IncomingMessage) => Promise<Disposition> {
  return async (message) => {
    let batch: eventsV1.LogBatch;
    try {
      batch = eventsV1.LogBatch.decode(message.payload);
    } catch (error) {
      return { kind: 'poison', reason: `not an addispay.events.v1.LogBatch: ${(error as Error).message}` };
    }
    if (batch.entries.length === 0) return { kind: 'poison', reason: 'log batch without entries' };
    if (batch.entries.some((entry) => entry.entryId === '')) {
      return { kind: 'poison', reason: 'log entry without entry_id' };
    }
    const entries = batch.entries.map((entry) => {
      const time = entry.time?.getTime();
      const sane = time !== undefined && time >= EARLIEST && time < LATEST;
      return boundLogEntry({ ...entry, time: sane ? entry.time : message.publishTime });
    });
    await Promise.all(entries.map((entry) => writer.write(entry)));
    for (const [orderId, { traceId, count }] of ordersOfOtherServices(entries)) {
      logger.info({ orderId, traceId, spanId: '', entries: count }, 'order log entries stored');
    }
    return { kind: 'ack' };
  };
}

/** The orders that entries of other services mention (this service's own lines would otherwise echo forever). */
function ordersOfOtherServices(entries: readonly eventsV1.LogEntry[]): Map<string, { traceId: string; count: number }> {
  const orders = new Map<string, { traceId: string; count: number }>();
  for (const entry of entries) {
    if (entry.orderId === '' || entry.service === SERVICE) continue;
    const seen = orders.get(entry.orderId);
    if (seen) seen.count += 1;
    else orders.set(entry.orderId, { traceId: entry.traceId, count: 1 });
  }
  return orders;
}

export interface LogConsumerOptions {
  readonly transport: PulsarTransport;
  readonly topology: Topology;
  readonly pool: Pool;
  /** Ships the per-order lines; the consumer loop's own lines stay local (see `localOnly`). */
  readonly logger: Logger;
  readonly concurrency: number;
  readonly lingerMs: number;
  readonly batchSize: number;
}

/** The logger service's consumer: `logs` subscription → batched INSERTs into log_entries. */
export function startLogConsumer(options: LogConsumerOptions): Promise<RunningConsumer> {
  const writer = new LogWriter({
    pool: options.pool,
    lingerMs: options.lingerMs,
    batchSize: options.batchSize,
    onStored: (added, batch) => {
      storedEntries.inc(added);
      insertBatchSize.observe(batch);
    },
  });
  return consume(
    options.transport,
    options.topology.subscription('logs', 'logger-service'),
    logMessageHandler(writer, options.logger),
    {
      concurrency: options.concurrency,
      // A failing insert logged through the topic would feed itself.
      logger: localOnly(options.logger),
      metrics: { handled: (outcome) => handledMessages.inc({ outcome }) },
    },
  );
}
