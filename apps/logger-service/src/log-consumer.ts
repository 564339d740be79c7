import { eventsV1 } from '@addispay/api';
import {
  consume,
  type Disposition,
  type IncomingMessage,
  type PulsarTransport,
  type RunningConsumer,
  type Topology,
} from '@addispay/pulsar';
import { boundLogEntry, metricsRegistry, type Logger } from '@addispay/telemetry';
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

/** DATETIME(3) holds years 1000 to 9999; a timestamp outside a sane range is replaced by the publish time. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 0, 1);

/** Decodes one message of the logs topic and stores it; what does not decode is dead-lettered. */
export function logMessageHandler(writer: LogWriter): (message: IncomingMessage) => Promise<Disposition> {
  return async (message) => {
    let entry: eventsV1.LogEntry;
    try {
      entry = eventsV1.LogEntry.decode(message.payload);
    } catch (error) {
      return { kind: 'poison', reason: `not an addispay.events.v1.LogEntry: ${(error as Error).message}` };
    }
    if (entry.entryId === '') return { kind: 'poison', reason: 'log entry without entry_id' };
    const time = entry.time?.getTime();
    const sane = time !== undefined && time >= EARLIEST && time < LATEST;
    await writer.write(boundLogEntry({ ...entry, time: sane ? entry.time : message.publishTime }));
    return { kind: 'ack' };
  };
}

export interface LogConsumerOptions {
  readonly transport: PulsarTransport;
  readonly topology: Topology;
  readonly pool: Pool;
  /** Must be local-only (see `localOnly`): lines about storing entries are not shipped back to the logs topic. */
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
    logMessageHandler(writer),
    {
      concurrency: options.concurrency,
      logger: options.logger,
      metrics: { handled: (outcome) => handledMessages.inc({ outcome }) },
    },
  );
}
